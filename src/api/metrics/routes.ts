import { timingSafeEqual } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import type { App } from '../../http/types.js';

/**
 * `GET /metrics`, Prometheus's text format, for operators rather than Pulumi's clients: it takes
 * the bearer token `--metrics-token` sets (a scraper holds no user's token), and answers 404 while
 * none is set.
 */
export function registerMetricsRoutes(app: App, ctx: AppContext): void {
  const expected = Buffer.from(`Bearer ${ctx.config.metricsToken}`);
  app.get('/metrics', { config: { auth: 'public' } }, async (request, reply) => {
    if (!ctx.config.metricsToken) throw new ApiError('not_found', 'metrics not found: start the server with --metrics-token to serve them');
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      throw new ApiError('unauthorized', "GET /metrics takes 'Authorization: Bearer <metrics token>'");
    }
    const { contentType, text } = await ctx.metrics.scrape();
    return reply.type(contentType).send(text);
  });
}
