import zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { ApiError } from '../errors.js';
import { jsonSyntaxError } from './json-syntax.js';
import type { App } from './types.js';

/**
 * Request bodies: JSON (kept raw as well, for opaque payloads), optionally gzip-compressed as the
 * CLI sends checkpoints and imports. The body limit counts decompressed bytes.
 */
export function registerBodyHandling(app: App): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw new ApiError('unsupported_media_type', `Content-Encoding '${encoding}' is not supported; send gzip or no encoding`);
    }
    const gunzip = zlib.createGunzip() as zlib.Gunzip & { receivedEncodedLength?: number };
    // Fastify compares Content-Length with this count of compressed bytes, not the output.
    gunzip.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => {
      gunzip.receivedEncodedLength! += chunk.length;
    });
    payload.on('error', (error) => gunzip.destroy(error));
    gunzip.on('error', () => payload.destroy());
    return payload.pipe(gunzip) as Readable;
  });

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.rawBody = bytes;
    // The CLI sends Content-Type: application/json on every request, bodiless DELETEs included.
    if (bytes.length === 0) return done(null, undefined);
    if (request.routeOptions.config.unparsedJson) {
      const error = jsonSyntaxError(bytes);
      return error ? done(new ApiError('bad_request', `request body is not valid JSON: ${error}`), undefined) : done(null, undefined);
    }
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch (error) {
      done(new ApiError('bad_request', `request body is not valid JSON: ${(error as Error).message}`), undefined);
    }
  });
}
