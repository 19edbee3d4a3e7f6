import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Caller } from '../auth/caller.js';

/** The Fastify instance every routes module registers on. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not public. */
    caller: Caller;
    /** The request body exactly as received (after gzip), for payloads stored opaquely. */
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** Routes that answer without an Authorization header. */
    public?: boolean;
  }
}
