import type { UserService } from '../api/user/service.js';
import { ApiError } from '../errors.js';
import type { App } from './types.js';

const authorizationHeader = /^(token|update-token)\s+(\S+)\s*$/i;

/**
 * Routes need `Authorization: token <access token>` unless they say otherwise: public routes need
 * nothing, and the calls an update makes while it runs carry `update-token <lease>`, which the
 * update service checks against that update.
 */
export function registerAuthentication(app: App, users: UserService): void {
  app.decorateRequest('caller', null as never);
  app.decorateRequest('leaseToken', '');
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'user';
    if (request.is404 || mode === 'public') return;
    const header = request.headers.authorization;
    if (!header) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
    const match = authorizationHeader.exec(header);
    const scheme = match?.[1]!.toLowerCase();
    const expected = mode === 'update' ? 'update-token' : 'token';
    if (!match || scheme !== expected) {
      throw new ApiError('unauthorized', `malformed Authorization header; expected '${expected} <${mode === 'update' ? 'lease token' : 'access token'}>'`);
    }
    if (mode === 'update') {
      request.leaseToken = match[2]!;
      return;
    }
    const caller = await users.authenticate(match[2]!);
    if (!caller) throw new ApiError('unauthorized', 'No credentials provided or are invalid.');
    request.caller = caller;
  });
}
