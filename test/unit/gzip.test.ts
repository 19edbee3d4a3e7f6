import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptsGzip, compressForStorage, decompressStored, isGzip } from '../../src/blobs/gzip.js';

describe('states compressed at rest', () => {
  it('round-trips bytes through storage, and reads text stored before compression as it is', async () => {
    const text = Buffer.from(`{"version":3,"deployment":{"resources":[${'{"urn":"x"},'.repeat(1000)}{}]}}`);
    const stored = await compressForStorage(text);
    assert.ok(isGzip(stored) && stored.length < text.length / 10, `${stored.length}`);
    assert.ok((await decompressStored(stored)).equals(text));
    assert.equal(isGzip(text), false);
    assert.equal(await decompressStored(text), text);
  });

  it('reads Accept-Encoding as HTTP means it', () => {
    for (const header of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.8', 'x-gzip', '*', 'GZIP']) assert.equal(acceptsGzip(header), true, header);
    for (const header of [undefined, '', 'identity', 'br', 'gzip;q=0', 'deflate, gzip;q=0.0', 'gzipped']) assert.equal(acceptsGzip(header), false, String(header));
  });
});
