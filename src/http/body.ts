import zlib from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import { refuseDeepJson } from './json-depth.js';
import { parseJsonYielding } from './json-parse.js';
import { invalidJsonBodyError, jsonSyntaxError, jsonSyntaxErrorYielding, largeJsonBytes } from './json-syntax.js';
import type { App } from './types.js';

/**
 * Request bodies: JSON (kept raw as well, for opaque payloads), optionally gzip-compressed as the
 * CLI sends checkpoints and imports. The body limit counts decompressed bytes. A body that stops
 * arriving for `idleTimeoutMs` has its connection closed, whether or not anything reads it.
 */
export function registerBodyHandling(app: App, idleTimeoutMs: number): void {
  // First of the hooks that can refuse a request: a refused request's body is still drained by Node.
  app.addHook('onRequest', (request, reply, done) => {
    closeWhenBodyStalls(request.raw, reply.raw, idleTimeoutMs);
    done();
  });

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

  registerYamlBodies(app);
  registerFormBodies(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, bytes: Buffer) => {
    request.rawBody = bytes;
    // The CLI sends Content-Type: application/json on every request, bodiless DELETEs included.
    if (bytes.length === 0 || request.routeOptions.config.binaryBody) return undefined;
    // The ESC client labels YAML definitions application/json too.
    if (request.routeOptions.config.yamlBody) return yamlText(bytes);
    const unparsed = request.routeOptions.config.unparsedJson;
    if (unparsed && request.routeOptions.config.handlerChecksJson) return undefined;
    if (bytes.length < largeJsonBytes) {
      if (unparsed) return refuseSyntaxError(jsonSyntaxError(bytes));
      try {
        return JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        // The same words for every size of body: where the checker says the text goes wrong.
        return refuseSyntaxError(jsonSyntaxError(bytes) ?? (error as Error).message);
      }
    }
    // Large: checked and parsed a slice at a time, so other requests are served meanwhile.
    refuseSyntaxError(await jsonSyntaxErrorYielding(bytes, largeJsonBytes));
    refuseDeepJson(bytes);
    return unparsed ? undefined : parseJsonYielding(bytes, largeJsonBytes);
  });
}

/**
 * Definitions arrive as application/x-yaml, text/plain, application/json or anything else: routes
 * that take YAML accept every type; the others refuse what is not JSON, as before.
 */
function registerYamlBodies(app: App): void {
  app.addContentTypeParser('*', { parseAs: 'buffer' }, async (request: FastifyRequest, bytes: Buffer) => {
    if (request.routeOptions.config.binaryBody) {
      request.rawBody = bytes;
      return undefined;
    }
    if (!request.routeOptions.config.yamlBody) {
      throw new ApiError('unsupported_media_type', `Content-Type '${request.headers['content-type'] ?? ''}' is not supported; send application/json`);
    }
    request.rawBody = bytes;
    return yamlText(bytes);
  });
}

/** Form bodies (RFC 6749's encoding) on OAuth routes only: each field once, as a string. */
function registerFormBodies(app: App): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, async (request: FastifyRequest, bytes: Buffer) => {
    if (!request.routeOptions.config.oauth) {
      throw new ApiError('unsupported_media_type', `Content-Type '${request.headers['content-type'] ?? ''}' is not supported; send application/json`);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const fields: Record<string, string> = Object.create(null);
    for (const [name, value] of new URLSearchParams(text)) {
      if (Object.hasOwn(fields, name)) throw new ApiError('bad_request', `the parameter ${name} is given more than once`);
      fields[name] = value;
    }
    return { ...fields };
  });
}

function yamlText(bytes: Buffer): string {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD', 'utf8'))) {
    throw new ApiError('bad_request', 'the YAML body is not valid UTF-8');
  }
  return text;
}

function refuseSyntaxError(error: string | undefined): undefined {
  if (error) throw invalidJsonBodyError(error);
  return undefined;
}

/**
 * Watches the socket's byte count rather than the body stream, so a body nobody reads (its request
 * already refused) is timed as well, and Node's own socket timeouts are left alone.
 */
function closeWhenBodyStalls(request: IncomingMessage, response: ServerResponse, idleTimeoutMs: number): void {
  const socket = request.socket;
  if (request.complete || socket.destroyed) return;
  let bytesRead = socket.bytesRead;
  let lastProgress = Date.now();
  const stop = () => clearInterval(timer);
  const timer = setInterval(
    () => {
      if (request.complete || socket.destroyed) return stop();
      // Bytes waiting for the server to read them are the server's delay, not the client's.
      if (socket.bytesRead !== bytesRead || request.readableLength > 0) {
        bytesRead = socket.bytesRead;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress >= idleTimeoutMs) {
        stop();
        socket.destroy();
      }
    },
    Math.max(50, Math.floor(idleTimeoutMs / 4)),
  );
  timer.unref();
  // Listeners go on the response, one per request, not on a keep-alive socket that serves many.
  response.once('close', () => {
    if (request.complete || socket.destroyed) stop();
  });
}
