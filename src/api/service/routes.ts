import type { AppContext } from '../../context.js';
import type { App } from '../../http/types.js';
import { capabilities } from './capabilities.js';

export function registerServiceRoutes(app: App, ctx: AppContext): void {
  app.get('/api/capabilities', async () => ({ capabilities: capabilities(ctx.config) }));

  // Public, as on Pulumi Cloud: an update check needs no login.
  app.get('/api/cli/version', { config: { auth: 'public' } }, async () => ({
    latestVersion: ctx.config.cliVersion.latest,
    oldestWithoutWarning: ctx.config.cliVersion.oldestWithoutWarning,
    latestDevVersion: ctx.config.cliVersion.latestDev,
  }));
}
