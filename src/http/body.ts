import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { errorCodes, type FastifyReply, type FastifyRequest } from 'fastify';
import { gunzipWhole } from '../blobs/gzip.js';
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

  app.addHook('preParsing', async (request, reply, payload) => {
    const encoding = request.headers['content-encoding']?.trim().toLowerCase();
    if (!encoding || encoding === 'identity') return payload;
    if (encoding !== 'gzip' && encoding !== 'x-gzip') {
      throw new ApiError('unsupported_media_type', `Content-Encoding '${encoding}' is not supported; send gzip or no encoding`);
    }
    const limit = request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit;
    const compressed = await readAll(payload, limit, reply);
    if (compressed.length > 0) request[decodedBody] = await decompressBody(compressed, limit);
    // Fastify reads the body from this stream and compares Content-Length with this count of
    // compressed bytes; the decompressed body is handed to the parsers beside it, not copied again.
    const drained = Readable.from([]) as Readable & { receivedEncodedLength?: number };
    drained.receivedEncodedLength = compressed.length;
    return drained;
  });

  registerYamlBodies(app);
  registerFormBodies(app);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, received: Buffer) => {
    const bytes = bodyOf(request, received);
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
  app.addContentTypeParser('*', { parseAs: 'buffer' }, async (request: FastifyRequest, received: Buffer) => {
    const bytes = bodyOf(request, received);
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
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, async (request: FastifyRequest, received: Buffer) => {
    if (!request.routeOptions.config.oauth) {
      throw new ApiError('unsupported_media_type', `Content-Type '${request.headers['content-type'] ?? ''}' is not supported; send application/json`);
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bodyOf(request, received));
    const fields: Record<string, string> = Object.create(null);
    for (const [name, value] of new URLSearchParams(text)) {
      if (Object.hasOwn(fields, name)) throw new ApiError('bad_request', `the parameter ${name} is given more than once`);
      fields[name] = value;
    }
    return { ...fields };
  });
}

const decodedBody = Symbol('decodedBody');

declare module 'fastify' {
  interface FastifyRequest {
    [decodedBody]?: Buffer;
  }
}

/** The request's body: decompressed by the preParsing hook when it came gzipped, else as Fastify read it. */
const bodyOf = (request: FastifyRequest, received: Buffer): Buffer => request[decodedBody] ?? received;

/**
 * A compressed body whole. Past `limit` bytes it is refused and the rest left unread: the
 * connection closes after the answer, as Fastify closes it after a body it refuses.
 */
function readAll(payload: Readable, limit: number, reply: FastifyReply): Promise<Buffer> {
  const tooLarge = () => {
    reply.header('connection', 'close');
    return new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
  };
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = () => {
      payload.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length <= limit) return void chunks.push(chunk);
      stop();
      reject(tooLarge());
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, length));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onError(new Error('the request was closed before its body ended'));
    payload.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** A gzip body decompressed (src/blobs/gzip.ts), refused past the body limit. */
async function decompressBody(compressed: Buffer, limit: number): Promise<Buffer> {
  try {
    return await gunzipWhole(compressed, limit);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    throw error;
  }
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
  if (request.complete || socket.destroyed || !hasBody(request)) return;
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

/** HTTP/1.1: a request has a body only when it says how it is framed (RFC 9112, section 6.3). */
function hasBody(request: IncomingMessage): boolean {
  return request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
}
