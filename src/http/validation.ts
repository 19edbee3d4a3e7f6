import { Ajv, type ValidateFunction } from 'ajv';
import { ApiError } from '../errors.js';
import { deepBodyError, refuseDeepJson, valueDepthExceeds } from './json-depth.js';
import type { App } from './types.js';

/**
 * Levels of a parsed body whose strings are the request's own fields (names, tags, messages), which
 * go into text columns. Deeper strings belong to states, events and journal entries, stored as JSON
 * text in which a NUL is an escape sequence.
 */
const ownFieldDepth = 3;

/** PostgreSQL text cannot hold U+0000, so it is refused at the door on every database alike. */
function refuseNul(where: string, text: string): void {
  if (text.includes('\0')) throw new ApiError('bad_request', `${where} contains a NUL character`);
}

function refuseNulInFields(value: unknown): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current === 'string') refuseNul('the request body', current);
    if (typeof current !== 'object' || current === null || depth >= ownFieldDepth) continue;
    for (const [key, inner] of Object.entries(current)) {
      refuseNul('the request body', key);
      pending.push([inner, depth + 1]);
    }
  }
}

const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
const coercing = { ajv: new Ajv({ ...common, coerceTypes: 'array' }), compiled: new Map<string, ValidateFunction>() };
const exact = { ajv: new Ajv({ ...common, coerceTypes: false }), compiled: new Map<string, ValidateFunction>() };

/**
 * Compiled once per process for each distinct schema: every server in a process (replicas, test
 * servers) shares the routes' validators rather than compiling a few hundred schemas at each start.
 * Keyed by the schema's text, since a route's schema object may be rebuilt per server.
 */
function validatorOf(schema: unknown, compiler: typeof exact): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiler.compiled.get(key);
  if (!validate) {
    validate = compiler.ajv.compile(schema as object);
    compiler.compiled.set(key, validate);
  }
  return validate;
}

/**
 * Path and query values arrive as strings and are coerced to the schema's types; JSON bodies are
 * taken as sent, so `{"stackName": 42}` is a 400 rather than a stack named "42". Before either,
 * what no route can handle is refused: NUL characters, and bodies nested deeper than any state.
 */
export function registerValidation(app: App): void {
  app.setValidatorCompiler(({ schema, httpPart }) => validatorOf(schema, httpPart === 'body' ? exact : coercing));

  // Before authentication: the path's names reach the database there (audit of failed tokens).
  app.addHook('onRequest', (request, _reply, done) => {
    const queryStart = request.url.indexOf('?');
    const path = queryStart < 0 ? request.url : request.url.slice(0, queryStart);
    if (/%00/i.test(path)) return done(new ApiError('bad_request', 'the request path contains a NUL character'));
    if (queryStart >= 0 && /%00/i.test(request.url.slice(queryStart))) {
      return done(new ApiError('bad_request', 'the query string contains a NUL character'));
    }
    done();
  });

  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.handlerChecksJson) return;
    if (request.rawBody) refuseDeepJson(request.rawBody);
    else if (valueDepthExceeds(request.body)) throw deepBodyError();
    if (request.body !== undefined) refuseNulInFields(request.body);
  });
}
