import type { AppContext } from '../../context.js';
import type { App } from '../../http/types.js';
import { loadMasterKey } from '../../crypto/master-key.js';
import { readiness } from './service.js';

const publicRoute = { config: { auth: 'public' } } as const;

/** Probes for orchestrators: no token, not part of Pulumi's API. */
export function registerHealthRoutes(app: App, ctx: AppContext): void {
  // Alive: the process serves HTTP. Nothing else is checked, so a slow database never gets it restarted.
  app.get('/healthz', publicRoute, async () => ({ status: 'ok' }));

  // The key the context loaded (the file exists by now, or the flag gives it): read once, here.
  const masterKey = loadMasterKey(ctx.config.masterKey);
  app.get('/readyz', publicRoute, async (_request, reply) => {
    const { ready, checks } = await readiness(ctx.database, ctx.blobs, { masterKey });
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
