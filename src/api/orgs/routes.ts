import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

/** Organization members and settings. */
export function registerOrganizationRoutes(_app: App, _services: Services): void {}
