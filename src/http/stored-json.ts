import type { FastifyReply, FastifyRequest } from 'fastify';
import { acceptsGzip, decompressStored, isGzip } from '../blobs/gzip.js';

/**
 * Sends JSON kept as bytes (a state, gzip-compressed at rest or as older ones were stored): the
 * stored gzip as it is to a client that takes gzip, as the CLI does, so an export is neither
 * parsed nor compressed again; gunzipped for one that does not.
 */
export async function sendStoredJson(request: FastifyRequest, reply: FastifyReply, stored: Buffer): Promise<FastifyReply> {
  reply.type('application/json').header('Vary', 'Accept-Encoding');
  if (!isGzip(stored)) return reply.send(stored);
  if (acceptsGzip(request.headers['accept-encoding'])) return reply.header('Content-Encoding', 'gzip').send(stored);
  return reply.send(await decompressStored(stored));
}
