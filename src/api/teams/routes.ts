import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

/** Teams: membership and stack permissions. */
export function registerTeamRoutes(_app: App, _services: Services): void {}
