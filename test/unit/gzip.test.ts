import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { acceptsGzip, compressForStorage, decompressStored, gunzipWhole, isGzip } from '../../src/blobs/gzip.js';

describe('states compressed at rest', () => {
  it('round-trips bytes through storage, and reads text stored before compression as it is', async () => {
    const text = Buffer.from(`{"version":3,"deployment":{"resources":[${'{"urn":"x"},'.repeat(1000)}{}]}}`);
    const stored = await compressForStorage(text);
    assert.ok(isGzip(stored) && stored.length < text.length / 10, `${stored.length}`);
    assert.ok((await decompressStored(stored)).equals(text));
    assert.equal(isGzip(text), false);
    assert.equal(await decompressStored(text), text);
  });

  it('decompresses into one buffer of the exact size, and whatever the trailer says, up to a limit', async () => {
    const text = Buffer.from(`{"resources":[${'{"urn":"ü"},'.repeat(5000)}{}]}`);
    const whole = await gunzipWhole(zlib.gzipSync(text));
    assert.ok(whole.equals(text));
    assert.equal(whole.buffer.byteLength, text.length + 1, 'one allocation, one byte spare');
    // Two members: the trailer gives the last one's length only.
    const members = Buffer.concat([zlib.gzipSync(text.subarray(0, 100)), zlib.gzipSync(text.subarray(100))]);
    assert.ok((await gunzipWhole(members)).equals(text));
    assert.ok((await gunzipWhole(Buffer.concat([zlib.gzipSync(text), zlib.gzipSync('')]))).equals(text));
    await assert.rejects(gunzipWhole(zlib.gzipSync(text), text.length - 1), { code: 'ERR_BUFFER_TOO_LARGE' });
    const compressed = zlib.gzipSync(text);
    await assert.rejects(gunzipWhole(compressed.subarray(0, compressed.length - 10)), { code: 'Z_BUF_ERROR' });
  });

  it('reads Accept-Encoding as HTTP means it', () => {
    for (const header of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.8', 'x-gzip', '*', 'GZIP']) assert.equal(acceptsGzip(header), true, header);
    for (const header of [undefined, '', 'identity', 'br', 'gzip;q=0', 'deflate, gzip;q=0.0', 'gzipped']) assert.equal(acceptsGzip(header), false, String(header));
  });
});
