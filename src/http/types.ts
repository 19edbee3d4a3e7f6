import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Caller } from '../auth/caller.js';
import type { StateWriteKind } from '../metrics/metrics.js';

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
    /** Set by the auth hook on routes that take a user's access token (the default). */
    caller: Caller;
    /** Set by the auth hook on routes that take an update's lease (`update-token`). */
    leaseToken: string;
    /** The request body exactly as received (after gzip), for payloads stored opaquely. */
    rawBody?: Buffer;
  }
  interface FastifyContextConfig {
    /** Who may call: a user with an access token (default), anyone, or a running update's lease. */
    auth?: 'user' | 'public' | 'update';
    /** The body is only checked to be JSON and kept as bytes (request.rawBody), never parsed into objects. */
    unparsedJson?: boolean;
    /**
     * With unparsedJson: the handler checks the body's syntax and depth itself, against what the
     * client sent before (a full checkpoint's changes), so the body parser leaves it unchecked.
     */
    handlerChecksJson?: boolean;
    /** The body is a YAML document (an ESC definition), taken as text whatever its Content-Type. */
    yamlBody?: boolean;
    /** The body is opaque bytes (a policy pack archive), taken whatever its Content-Type, as request.rawBody. */
    binaryBody?: boolean;
    /** The route accepts state (checkpoints, journal entries, events, imports): metrics count its bytes. */
    stateWrite?: StateWriteKind;
    /**
     * An OAuth 2.0 endpoint (RFC 6749): takes application/x-www-form-urlencoded bodies as well as
     * JSON, and answers errors as `{"error", "error_description"}` instead of Pulumi's body.
     */
    oauth?: boolean;
  }
}
