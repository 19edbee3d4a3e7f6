import { constants } from 'node:buffer';
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
export const decompressStored = async (stored: Buffer): Promise<Buffer> => (isGzip(stored) ? gunzipWhole(stored) : stored);

/**
 * gzip decompressed in one call into one buffer the size the gzip trailer gives (the length of
 * the last member, believed when deflate could expand that far): with zlib's default 16 KB
 * pieces, each was a trip to the thread pool and a copy to join them, about 4× the time for a
 * state of several MB (51 against 12 ms for 6.5 MB here). A trailer that understates, as in a
 * body of several gzip members, only costs more pieces. Output past `maxLength` bytes is refused
 * with a RangeError whose code is ERR_BUFFER_TOO_LARGE.
 */
export function gunzipWhole(compressed: Buffer, maxLength: number = constants.MAX_LENGTH): Promise<Buffer> {
  // The trailer's last 4 bytes; a gzip member has a 10-byte header and an 8-byte trailer.
  const claimed = compressed.length >= 18 ? compressed.readUInt32LE(compressed.length - 4) : 0;
  // Deflate expands at most about 1,032 times. One byte more than the output, or zlib fills the
  // buffer and takes another to look for more.
  const chunkSize = Math.max(64, Math.min(claimed, maxLength, compressed.length * 1032) + 1);
  return gunzip(compressed, { chunkSize, maxOutputLength: maxLength });
}

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
