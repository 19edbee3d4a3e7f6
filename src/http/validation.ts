import { Ajv } from 'ajv';
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

/**
 * Path and query values arrive as strings and are coerced to the schema's types; JSON bodies are
 * taken as sent, so `{"stackName": 42}` is a 400 rather than a stack named "42". Before either,
 * what no route can handle is refused: NUL characters, and bodies nested deeper than any state.
 */
export function registerValidation(app: App): void {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const coercing = new Ajv({ ...common, coerceTypes: 'array' });
  const exact = new Ajv({ ...common, coerceTypes: false });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? exact.compile(schema) : coercing.compile(schema),
  );

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
