import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseJsonYielding } from '../../src/http/json-parse.js';
import { jsonSyntaxError, jsonSyntaxErrorYielding } from '../../src/http/json-syntax.js';

// Slices of a few bytes force every document through the piecewise paths.
const slices = [1, 7, 64];
const json = fc.jsonValue({ maxDepth: 6 });
/** JSON text with newlines and indentation between tokens, as some clients write it. */
const spaced = (value: unknown) => JSON.stringify(value, null, '\t');

describe('parseJsonYielding', () => {
  it('gives what JSON.parse gives, for any document and slice size', async () => {
    await fc.assert(
      fc.asyncProperty(json, fc.constantFrom(...slices), fc.boolean(), async (value, slice, space) => {
        const text = space ? spaced(value) : JSON.stringify(value);
        assert.deepStrictEqual(await parseJsonYielding(Buffer.from(text), slice), JSON.parse(text));
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('keeps __proto__ and duplicate members as JSON.parse does', async () => {
    const text = '{"__proto__":{"admin":true},"a":1,"b":[{"__proto__":[1]}],"a":2}';
    const parsed = (await parseJsonYielding(Buffer.from(text), 1)) as Record<string, unknown>;
    assert.deepStrictEqual(parsed, JSON.parse(text));
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ['__proto__', 'a', 'b']);
    assert.equal(parsed.a, 2);
  });
});

describe('jsonSyntaxErrorYielding', () => {
  it('agrees with jsonSyntaxError on valid and broken documents', async () => {
    const broken = fc.tuple(json, fc.nat(), fc.constantFrom('', '}', ',', '"', 'x', ' ')).map(([value, at, insert]) => {
      const text = JSON.stringify(value);
      const cut = at % (text.length + 1);
      return text.slice(0, cut) + insert + text.slice(cut + (insert ? 0 : 1));
    });
    await fc.assert(
      fc.asyncProperty(broken, fc.constantFrom(...slices), async (text, slice) => {
        const bytes = Buffer.from(text);
        assert.equal(await jsonSyntaxErrorYielding(bytes, slice), jsonSyntaxError(bytes));
      }),
      { seed: 42, numRuns: 600 },
    );
  });

  it('lets other work run while a large document is checked', async () => {
    const bytes = Buffer.from(JSON.stringify({ entries: Array.from({ length: 2000 }, (_, i) => ({ i, text: 'x'.repeat(100) })) }));
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const before = turns;
    await jsonSyntaxErrorYielding(bytes, 1024);
    await parseJsonYielding(bytes, 1024);
    clearInterval(ticker);
    // Every slice yields to the event loop: the interval fires between slices, however fast they run.
    assert.ok(turns > before, `no timer ran during ${bytes.length} bytes checked and parsed in 1 KB slices`);
  });
});
