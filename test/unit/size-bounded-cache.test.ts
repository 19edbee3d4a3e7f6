import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SizeBoundedCache } from '../../src/api/environments/open-cache.js';

describe('SizeBoundedCache', () => {
  const texts = () => new SizeBoundedCache<string>(10, (text) => text.length);

  it('keeps entries up to its total size, dropping the least recently used first', () => {
    const cache = texts();
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    assert.equal(cache.get('a'), 'aaaa', 'reading `a` makes `b` the least recently used');
    cache.set('c', 'cccc');
    assert.deepEqual([cache.get('a'), cache.get('b'), cache.get('c'), cache.size], ['aaaa', undefined, 'cccc', 8]);
  });

  it('replaces an entry under the same key, and keeps nothing larger than the whole cache', () => {
    const cache = texts();
    cache.set('a', 'aaaa');
    cache.set('a', 'aa');
    assert.deepEqual([cache.get('a'), cache.size], ['aa', 2]);
    cache.set('a', 'x'.repeat(11));
    assert.deepEqual([cache.get('a'), cache.size], [undefined, 0]);
    cache.set('b', 'bb');
    cache.delete('b');
    assert.deepEqual([cache.get('b'), cache.size], [undefined, 0]);
  });
});
