import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { PermissionDenied } from '../auth/permissions.js';
import type { AuditService } from '../api/auditlogs/service.js';
import { ApiError, type ApiErrorCode } from '../errors.js';
import { OAuthError } from '../api/oidc/oauth-error.js';
import { isStorageFull } from '../db/transaction.js';
import type { App } from './types.js';
import type { ConsolePage } from './console.js';

const codeByStatus: Record<number, ApiErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Turns whatever a handler or Fastify threw into Pulumi's error body. */
function toApiError(error: FastifyError & { code?: string }, bodyLimit: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return new ApiError('bad_request', error.message);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ApiError('payload_too_large', `request body is larger than the limit of ${bodyLimit} bytes`);
  }
  if (typeof error.code === 'string' && error.code.startsWith('Z_')) {
    return new ApiError('bad_request', `request body is not valid gzip: ${error.message}`);
  }
  if (isStorageFull(error)) {
    return new ApiError('insufficient_storage', `the server is out of storage space, nothing was saved: ${error.message}`);
  }
  const status = error.statusCode ?? 500;
  const code = codeByStatus[status] ?? (status >= 400 && status < 500 ? 'bad_request' : undefined);
  return code ? new ApiError(code, error.message) : new ApiError('internal', 'an unexpected error occurred');
}

export function registerErrorHandling(app: App, bodyLimit: number, audit: AuditService, consolePage?: ConsolePage): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const apiError = toApiError(error, bodyLimit);
    if (error instanceof PermissionDenied) {
      try {
        await audit.recordDenial(request.caller, error);
      } catch (auditError) {
        request.log.error({ err: auditError }, 'recording a refused request in the audit log failed');
      }
    }
    if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
    if (request.routeOptions.config?.oauth) return sendOAuthError(reply, error, apiError);
    return reply.status(apiError.status).send(apiError.toBody());
  });

  app.setNotFoundHandler((request, reply) => {
    const page = consolePage?.(request, reply);
    if (page) return page;
    const error = new ApiError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(error.status).send(error.toBody());
  });
}

/** RFC 6749 §5.2: an OAuth route's refusals, its own or any other 4xx (a bad body), as `invalid_request`. */
function sendOAuthError(reply: FastifyReply, error: unknown, apiError: ApiError) {
  reply.header('Cache-Control', 'no-store');
  if (error instanceof OAuthError) return reply.status(error.status).send(error.toBody());
  if (apiError.status >= 500) return reply.status(apiError.status).send({ error: 'server_error', error_description: apiError.message });
  return reply.status(apiError.status).send({ error: 'invalid_request', error_description: apiError.message });
}

/**
 * Errors Fastify answers before any route or hook runs (its `frameworkErrors` option): a path that
 * is not valid percent-encoding, or a path parameter over the router's length limit (414, which the
 * ApiError table has no code for, so its body is written here in the same form).
 */
export function renderFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Pulumi-Request-ID', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send({ code: 414, message: 'URI Too Long: a part of the request path is longer than the router accepts' });
    return;
  }
  const apiError =
    error.code === 'FST_ERR_BAD_URL'
      ? new ApiError('bad_request', 'the request path is not valid percent-encoding')
      : toApiError(error, 0);
  if (apiError.status >= 500) request.log.error({ err: error }, 'request failed');
  void reply.status(apiError.status).send(apiError.toBody());
}
