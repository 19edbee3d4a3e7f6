import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { PieceText, type ByteEdit } from '../../src/api/updates/piece-text.js';

describe('PieceText', () => {
  it('makes edits as a plain text would, over many generations of edits', () => {
    let seed = 11;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    let model = Buffer.from('{"resources":[' + 'r'.repeat(3000) + ']}');
    let text = PieceText.of(Buffer.from(model));
    // Enough generations to pass the piece limit and be joined on the way.
    for (let generation = 0; generation < 400; generation++) {
      const edits: ByteEdit[] = [];
      let at = 0;
      for (let count = random(5); count > 0 && at < model.length; count--) {
        const start = at + random(Math.min(200, model.length - at + 1));
        const end = Math.min(model.length, start + random(40));
        edits.push({ start, end, text: Buffer.from(String(generation).repeat(random(4))) });
        at = end + 1;
      }
      const [before, beforeModel] = [text, model];
      const parts: Buffer[] = [];
      let cursor = 0;
      for (const edit of edits) parts.push(model.subarray(cursor, edit.start), edit.text), (cursor = edit.end);
      model = Buffer.concat([...parts, model.subarray(cursor)]);
      text = text.edit(edits);
      assert.equal(text.length, model.length);
      assert.equal(text.sha256Hex(), createHash('sha256').update(model).digest('hex'));
      if (generation % 50 === 0) {
        assert.equal(text.toString(), model.toString());
        // The text edited from is left as it was.
        assert.equal(before.toString(), beforeModel.toString());
      }
    }
    assert.equal(text.bytes().toString(), model.toString());
  });

  it('handles the empty text, edits at either end and edits that remove everything', () => {
    const edit = (text: string, ...edits: [number, number, string][]) =>
      PieceText.of(Buffer.from(text))
        .edit(edits.map(([start, end, bytes]) => ({ start, end, text: Buffer.from(bytes) })))
        .toString();
    assert.equal(edit('', [0, 0, 'new']), 'new');
    assert.equal(edit('abc', [0, 0, '<'], [3, 3, '>']), '<abc>');
    assert.equal(edit('abc', [0, 3, '']), '');
    assert.equal(edit('abc'), 'abc');
  });

  it('slices across pieces, as a whole text would be sliced', () => {
    const text = PieceText.of(Buffer.from('ab'), Buffer.alloc(0), Buffer.from('cde'), Buffer.from('f'));
    const whole = 'abcdef';
    for (let start = 0; start <= whole.length; start++) {
      for (let end = start; end <= whole.length; end++) assert.equal(text.slice(start, end).toString(), whole.slice(start, end), `${start}..${end}`);
    }
    assert.equal(text.length, 6);
  });
});
