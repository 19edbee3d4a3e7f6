import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { redactedPaths } from '../../src/context.js';
import { requestLogger } from '../../src/http/request-logger.js';

/** A pino logger at `level` writing into an array, and how many child loggers were made of it. */
function capturing(level: string) {
  const lines: Array<Record<string, any>> = [];
  const parent = pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  let children = 0;
  // Pino's children inherit from their parent: the count must call the original on whichever logger it is.
  const child = parent.child;
  parent.child = function (this: typeof parent, ...args: Parameters<typeof child>) {
    children++;
    return child.apply(this, args);
  } as typeof parent.child;
  return { parent, lines, children: () => children };
}

describe("a request's logger", () => {
  it('makes no child logger for lines below the level, and one for the first line it writes', () => {
    const { parent, lines, children } = capturing('warn');
    const log = requestLogger.call(null, parent, { reqId: 'r-1' }, {});
    log.info({ req: { url: '/api/user' } }, 'incoming request');
    log.debug('details');
    assert.equal(children(), 0);
    assert.equal(lines.length, 0);
    assert.equal(log.level, 'warn');

    log.error({ err: new Error('boom') }, 'request failed');
    log.warn('second');
    assert.equal(children(), 1);
    assert.deepEqual(
      lines.map((line) => [line.level, line.reqId, line.msg]),
      [
        [50, 'r-1', 'request failed'],
        [40, 'r-1', 'second'],
      ],
    );
    assert.equal(lines[0]!.err.message, 'boom');
  });

  it('keeps the server logger’s redaction, and passes the request id to its own children', () => {
    const { parent, lines } = capturing('info');
    const log = requestLogger.call(null, parent, { reqId: 'r-2' }, {});
    log.info({ req: { headers: { authorization: 'token pul-secret' } } }, 'incoming request');
    log.child({ part: 'body' }).info('read');
    assert.equal(lines[0]!.req.headers.authorization, '[redacted]');
    assert.deepEqual([lines[1]!.reqId, lines[1]!.part], ['r-2', 'body']);
  });

  it('changes its own level only', () => {
    const { parent, lines } = capturing('warn');
    const log = requestLogger.call(null, parent, { reqId: 'r-3' }, {});
    log.level = 'debug';
    log.debug('now written');
    parent.debug('not written');
    assert.equal(parent.level, 'warn');
    assert.deepEqual(lines.map((line) => line.msg), ['now written']);
  });
});
