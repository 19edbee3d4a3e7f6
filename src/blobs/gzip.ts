import { promisify } from 'node:util';
import zlib from 'node:zlib';

// zlib's async calls run on libuv's thread pool: a 17 MB state never holds up other requests.
const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

/** gzip's magic number. JSON text never starts with byte 0x1f, so a stored state is one or the other. */
export const isGzip = (bytes: Buffer): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** Bytes as stored at rest: gzip-compressed. */
export const compressForStorage = (bytes: Buffer): Promise<Buffer> => gzip(bytes);

/** The bytes a stored blob holds: gunzipped when stored compressed, as they are when stored before compression at rest. */
export const decompressStored = async (stored: Buffer): Promise<Buffer> => (isGzip(stored) ? gunzip(stored) : stored);

/** Whether an `Accept-Encoding` header takes gzip (`gzip`, `x-gzip` or `*`, with no `q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
