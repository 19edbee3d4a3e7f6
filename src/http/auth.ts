import type { UserService } from '../api/user/service.js';
import { ApiError } from '../errors.js';
import type { App } from './types.js';

const tokenHeader = /^token\s+(\S+)\s*$/i;

/** Every route but the public ones needs `Authorization: token <access token>`. */
export function registerAuthentication(app: App, users: UserService): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request) => {
    if (request.is404 || request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    if (!header) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
    const match = tokenHeader.exec(header);
    if (!match) throw new ApiError('unauthorized', "malformed Authorization header; expected 'token <access token>'");
    const caller = await users.authenticate(match[1]!);
    if (!caller) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
    request.caller = caller;
  });
}
