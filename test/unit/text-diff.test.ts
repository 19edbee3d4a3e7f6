import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDelta, changedRanges, diffText, sha256Hex } from '../../src/api/updates/delta.js';
import { PieceText } from '../../src/api/updates/piece-text.js';

/** Applies the edits diffText found, through the same path stored deltas are rebuilt by. */
function roundTrip(before: string, after: string) {
  const text = Buffer.from(after);
  const edits = diffText(Buffer.from(before), text);
  // Stored as JSON and read back, so every NewText must survive as a whole string.
  const rebuilt = applyDelta(PieceText.of(Buffer.from(before)), JSON.parse(JSON.stringify(edits)), sha256Hex(text));
  assert.equal(rebuilt.text.toString(), after);
  // The ranges a delta changed, as the state's check by changes reads them, are the ones found.
  assert.deepEqual(rebuilt.ranges, changedRanges(Buffer.from(before), text));
  return edits;
}

const newTexts = (before: string, after: string) => roundTrip(before, after).map((edit) => edit.NewText);

describe('diffText', () => {
  it('finds the one changed stretch between a common prefix and suffix', () => {
    assert.deepEqual(roundTrip('{"resources":[{"a":1},{"b":2}]}', '{"resources":[{"a":1},{"b":3}]}'), [
      { Span: { start: { offset: 27 }, end: { offset: 28 } }, NewText: '3' },
    ]);
  });

  it('handles appends, removals, identical texts and texts with nothing in common', () => {
    assert.deepEqual(newTexts('[1]', '[1,2]'), [',2']);
    assert.deepEqual(newTexts('[1,2,3]', '[1,3]'), ['']);
    assert.deepEqual(roundTrip('same', 'same'), []);
    assert.deepEqual(newTexts('abc', 'xyz'), ['xyz']);
    assert.deepEqual(newTexts('', 'new'), ['new']);
    assert.deepEqual(newTexts('old', ''), ['']);
  });

  it('gets back in step after a change near the start, as the manifest time changes on every save', () => {
    const state = (time: string, resources: string[]) =>
      `{"version":3,"deployment":{"manifest":{"time":"${time}","magic":"","version":"v3.274.1"},"resources":[${resources.join(',')}]}}`;
    const resources = Array.from({ length: 50 }, (_, i) => `{"urn":"urn:pulumi:dev::p::t:index:R::r${i}","outputs":{"v":"${'x'.repeat(500)}"}}`);
    const changed = resources.map((r, i) => (i === 25 ? r.replace('"v":"x', '"v":"y') : r));
    const edits = roundTrip(state('2026-11-28T09:31:12.1234567Z', resources), state('2026-11-28T09:31:13.98Z', [...changed, '{"urn":"new"}']));
    assert.ok(edits.length <= 4, JSON.stringify(edits));
    assert.ok(edits.reduce((sum, edit) => sum + edit.NewText.length, 0) < 100, JSON.stringify(edits));
  });

  it('keeps every end of an edit off the middle of a UTF-8 character', () => {
    // é and è share their first byte, ✓ and ✗ their first two: a byte-exact diff would split them.
    assert.deepEqual(newTexts('{"x":"é"}', '{"x":"è"}'), ['è']);
    assert.deepEqual(newTexts('"a✓b"', '"a✗b"'), ['✗']);
    assert.deepEqual(newTexts('"✓✓"', '"✓"'), ['']);
    assert.deepEqual(newTexts('"ü"', '"ü ü"'), [' ü']);
    const tail = '✓'.repeat(40);
    roundTrip(`é${tail}é${tail}`, `è${tail}è${tail}`);
  });

  it('compares long texts block by block and still finds changes near either end', () => {
    const middle = 'r'.repeat(100_000);
    for (const [before, after] of [
      [`a${middle}z`, `b${middle}z`],
      [`a${middle}z`, `a${middle}y`],
      [`a${middle}z`, `a${middle.slice(0, 54_321)}ü${middle.slice(54_321)}z`],
    ] as const) {
      const edits = roundTrip(before, after);
      assert.ok(edits.every((edit) => Buffer.byteLength(edit.NewText) <= 2), JSON.stringify(edits));
    }
  });

  it('rebuilds any text from any other', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const alphabet = ['a', 'b', '{', '"', ',', 'é', '✓', '😀', 'x'.repeat(40)];
    const randomText = () => Array.from({ length: random(200) }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 300; i++) {
      const before = randomText();
      // Cut by code points: half an emoji is no text at all.
      const points = Array.from(before);
      const cut = (from: number) => points.slice(from).join('');
      const after = random(2) ? randomText() : points.slice(0, random(points.length + 1)).join('') + randomText() + cut(random(points.length + 1));
      roundTrip(before, after);
    }
  });
});

describe('the check kept with stored edits', () => {
  const before = PieceText.of(Buffer.from('{"a":"ünchanged"'), Buffer.from(',"b":1}'));
  const edits = [{ Span: { start: { offset: 6 }, end: { offset: 16 } }, NewText: 'étape ✓' }];
  const after = '{"a":"étape ✓","b":1}';

  it('is the CRC-32 of the whole text when the server found the edits, and matches it across pieces', () => {
    const check = PieceText.of(Buffer.from(after)).crc32Check();
    assert.match(check, /^crc32:[0-9a-f]{8}$/);
    assert.equal(before.edit([{ start: 6, end: 16, text: Buffer.from('étape ✓') }]).crc32Check(), check);
    assert.equal(applyDelta(before, edits, check, true).text.toString(), after);
    const wrong = `crc32:${(parseInt(check.slice(6), 16) ^ 1).toString(16).padStart(8, '0')}`;
    assert.throws(() => applyDelta(before, edits, wrong, true), /the checkpoint delta yields hash crc32:/);
  });

  it('is SHA-256 for a client’s delta, which cannot name a CRC instead', () => {
    assert.equal(applyDelta(before, edits, sha256Hex(Buffer.from(after))).text.toString(), after);
    const check = PieceText.of(Buffer.from(after)).crc32Check();
    assert.throws(() => applyDelta(before, edits, check), /yields hash [0-9a-f]{64}, not the expected crc32:/);
  });
});
