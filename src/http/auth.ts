import type { LeaseGate } from '../api/updates/lease.js';
import type { Services } from '../context.js';
import { ApiError } from '../errors.js';
import type { App } from './types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** On an `auth: 'update'` route: the lease of an update that has ended still authenticates. */
    leaseOfEndedUpdate?: boolean;
  }
}

const authorizationHeader = /^(token|update-token)\s+(\S+)\s*$/i;
const invalidCredentials = 'No credentials provided or are invalid.';

/**
 * Routes need `Authorization: token <access token>` unless they say otherwise: public routes need
 * nothing, and the calls an update makes while it runs carry `update-token <lease>`, which the
 * lease gate checks against the update in the path before the body is read. A token that does not
 * authenticate on a route of an existing organization is recorded in that organization's audit log.
 */
export function registerAuthentication(app: App, services: Pick<Services, 'tokens' | 'audit'>, leases: LeaseGate): void {
  app.decorateRequest('caller', null as never);
  app.decorateRequest('leaseToken', '');
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'user';
    if (request.is404 || mode === 'public') return;
    const header = request.headers.authorization;
    if (!header) throw new ApiError('unauthorized', invalidCredentials);
    const match = authorizationHeader.exec(header);
    const scheme = match?.[1]!.toLowerCase();
    const expected = mode === 'update' ? 'update-token' : 'token';
    if (!match || scheme !== expected) {
      throw new ApiError('unauthorized', `malformed Authorization header; expected '${expected} <${mode === 'update' ? 'lease token' : 'access token'}>'`);
    }
    if (mode === 'update') {
      const params = request.params as { orgName: string; projectName: string; stackName: string; updateId: string };
      await leases.check(
        { organization: params.orgName, project: params.projectName, stack: params.stackName },
        params.updateId,
        match[2]!,
        { allowEnded: request.routeOptions.config.leaseOfEndedUpdate === true },
      );
      request.leaseToken = match[2]!;
      return;
    }
    const caller = await services.tokens.authenticate(match[2]!, request.ip);
    if (!caller) {
      const orgName = (request.params as { orgName?: unknown } | undefined)?.orgName;
      if (typeof orgName === 'string') {
        await services.audit.recordAuthenticationFailure(orgName, request.ip, `${request.method} ${request.routeOptions.url ?? ''}`);
      }
      throw new ApiError('unauthorized', invalidCredentials);
    }
    request.caller = caller;
  });
}
