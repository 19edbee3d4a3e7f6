import fs from 'node:fs';
import swagger from '@fastify/swagger';
import type { App } from './types.js';

/** Where the OpenAPI description is served, at the path Pulumi Cloud serves its own. */
export const openApiPath = '/api/openapi/pulumi-spec.json';

/**
 * An OpenAPI 3 description of every route, generated from the routes' own schemas as they are
 * registered, so it cannot drift from what is served. Register before any route.
 */
export function registerOpenApi(app: App): void {
  const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Stackyard',
        description: 'The Pulumi Cloud REST API as Stackyard implements it.',
        version,
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`token <access token>`' },
          updateToken: { type: 'apiKey', in: 'header', name: 'Authorization', description: "`update-token <lease>`: an update's lease" },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const auth = route.config?.auth ?? 'user';
      const security: Array<Record<string, string[]>> = auth === 'public' ? [] : [{ [auth === 'update' ? 'updateToken' : 'token']: [] }];
      return { schema: { ...schema, security }, url };
    },
  });
  // In a plugin, like every route, so the description includes itself.
  app.register(async (api: App) => {
    api.get(openApiPath, { config: { auth: 'public' } }, async () => app.swagger());
  });
}
