import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, diffText, sha256Hex } from '../../src/api/updates/delta.js';

/** Applies the edit diffText found, through the same path a stored delta is rebuilt by. */
function roundTrip(before: string, after: string) {
  const base = Buffer.from(before);
  const text = Buffer.from(after);
  const edit = diffText(base, text);
  // Stored as JSON and read back, so NewText must survive as a whole string.
  const rebuilt = applyDelta(base, JSON.parse(JSON.stringify([edit])), sha256Hex(text));
  assert.equal(rebuilt.toString(), after);
  return edit;
}

describe('diffText', () => {
  it('finds the one changed stretch between a common prefix and suffix', () => {
    const edit = roundTrip('{"resources":[{"a":1},{"b":2}]}', '{"resources":[{"a":1},{"b":3}]}');
    assert.deepEqual(edit, { Span: { start: { offset: 27 }, end: { offset: 28 } }, NewText: '3' });
  });

  it('handles appends, removals, identical texts and texts with nothing in common', () => {
    assert.equal(roundTrip('[1]', '[1,2]').NewText, ',2');
    assert.equal(roundTrip('[1,2,3]', '[1,3]').NewText, '');
    assert.deepEqual(roundTrip('same', 'same'), { Span: { start: { offset: 4 }, end: { offset: 4 } }, NewText: '' });
    assert.equal(roundTrip('abc', 'xyz').NewText, 'xyz');
    assert.equal(roundTrip('', 'new').NewText, 'new');
    assert.equal(roundTrip('old', '').NewText, '');
  });

  it('keeps both ends of the edit off the middle of a UTF-8 character', () => {
    // é and è share their first byte, ✓ and ✗ their first two: a byte-exact diff would split them.
    assert.equal(roundTrip('{"x":"é"}', '{"x":"è"}').NewText, 'è');
    assert.equal(roundTrip('"a✓b"', '"a✗b"').NewText, '✗');
    assert.equal(roundTrip('"✓✓"', '"✓"').NewText, '');
    assert.equal(roundTrip('"ü"', '"ü ü"').NewText, ' ü');
  });

  it('compares long texts block by block and still finds a change near either end', () => {
    const middle = 'r'.repeat(100_000);
    for (const [before, after] of [
      [`a${middle}z`, `b${middle}z`],
      [`a${middle}z`, `a${middle}y`],
      [`a${middle}z`, `a${middle.slice(0, 54_321)}ü${middle.slice(54_321)}z`],
    ] as const) {
      const edit = roundTrip(before, after);
      assert.ok(Buffer.byteLength(edit.NewText) <= 2, JSON.stringify(edit.NewText));
    }
  });
});
