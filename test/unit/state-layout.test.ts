import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../src/errors.js';
import { applyDelta, changedRanges, type ChangedRange } from '../../src/api/updates/delta.js';
import { checkFullCheckpoint, storedEdits } from '../../src/api/updates/full-checkpoint.js';
import { PieceText } from '../../src/api/updates/piece-text.js';
import { bufferSlices, checkChangedText, checkWholeText, layoutOfJson, type StateLayout } from '../../src/api/updates/state-layout.js';
import { sha256Hex } from '../../src/api/updates/delta.js';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

const resource = (i: number, value = 'v1') => ({
  urn: `urn:pulumi:dev::p::x:y:Z::item-${i}`,
  custom: true,
  id: `id-${i}`,
  inputs: { value, list: [1, 2.5, -3e2, true, null, 'é\u00e9"\\'], nested: { deep: [{ a: [] }] } },
});

const checkpoint = (resources: unknown[], time = 't0') =>
  Buffer.from(JSON.stringify({ isInvalid: false, version: 3, deployment: { manifest: { time }, resources, pending_operations: [] } }));

const noFrameCheck = () => {};

/** Whether the bytes are JSON, as the server's checker sees them (it does not judge UTF-8). */
function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('latin1'));
    return true;
  } catch {
    return false;
  }
}

/** Byte-level mutations of every kind: structural characters, quotes, backslashes, whole elements. */
function mutate(text: Buffer, rng: ReturnType<typeof random>): Buffer {
  const s = text.toString('latin1');
  const at = rng.int(s.length + 1);
  const to = Math.min(s.length, at + rng.int(40));
  const fragments = ['', ',', '[', ']', '{', '}', '"', '\\', ':', 'null', '0', ' ', ',{"urn":"new"}', '{"urn":"new"},', '"x"', '"resources":[]', 'é'];
  switch (rng.int(3)) {
    case 0:
      return Buffer.from(s.slice(0, at) + rng.pick(fragments) + s.slice(at), 'latin1');
    case 1:
      return Buffer.from(s.slice(0, at) + s.slice(to), 'latin1');
    default:
      return Buffer.from(s.slice(0, at) + rng.pick(fragments) + s.slice(to), 'latin1');
  }
}

/** Whether the base with each range's bytes replaced by the new text's is the new text. */
function rebuilds(base: Buffer, text: Buffer, ranges: readonly ChangedRange[]): boolean {
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const range of ranges) {
    if (range.start < cursor || range.end < range.start) return false;
    parts.push(base.subarray(cursor, range.start), text.subarray(range.textStart, range.textEnd));
    cursor = range.end;
  }
  parts.push(base.subarray(cursor));
  return Buffer.concat(parts).equals(text);
}

describe('finding what changed between two states', () => {
  // Resources as alike as the bench's: the same long inputs, told apart by their names only.
  const alike = (i: number) => ({ urn: `urn:pulumi:dev::p::x:y:Z::item-${i}`, custom: true, inputs: { code: 'exports.handler = f;'.repeat(60), payload: `${i}:`.padEnd(1000, 'abcdefghij') } });

  it('finds a resource moved to the front of the others, as the CLI moves each one it processes during an update, as whole elements', () => {
    const rng = random(7);
    let order = Array.from({ length: 200 }, (_, i) => i);
    let previous = checkpoint(order.map(alike), 't0');
    const elementBytes = JSON.stringify(alike(0)).length;
    let bytesAlone = 0;
    let byElements = 0;
    for (let step = 1; step <= 60; step++) {
      // Processed resources come first; the next one processed leaves its place among the rest.
      const from = step + rng.int(order.length - step);
      order = [...order.slice(0, step - 1), order[from]!, ...order.slice(step - 1, from), ...order.slice(from + 1)];
      const next = checkpoint(order.map(alike), `t${step}`);
      const layout = layoutOfJson(previous)!;
      const ranges = changedRanges(previous, next, layout.elements);
      assert.ok(rebuilds(previous, next, ranges), `step ${step}`);
      const changed = ranges.reduce((sum, range) => sum + range.textEnd - range.textStart + range.end - range.start, 0);
      assert.ok(changed <= 2 * elementBytes + 64, `step ${step}: ${changed} bytes changed for one resource moved (${elementBytes} bytes)`);
      assert.deepEqual(checkChangedText(layout, bufferSlices(next), ranges, noFrameCheck), layoutOfJson(next), `step ${step}`);
      bytesAlone += changedRanges(previous, next).reduce((sum, range) => sum + range.textEnd - range.textStart + range.end - range.start, 0);
      byElements += changed;
      previous = next;
    }
    // Without the elements only bytes are matched, and alike resources match one another's bytes.
    assert.ok(bytesAlone > 10 * byElements, `${bytesAlone} bytes changed by the bytes alone, ${byElements} by elements`);
  });

  it('rebuilds any text from any other, with and without the elements of the first', () => {
    const rng = random(11);
    for (let round = 0; round < 300; round++) {
      const count = 1 + rng.int(12);
      const before = Array.from({ length: count }, (_, i) => (rng.int(2) ? alike(i) : resource(i)));
      const after = before.filter(() => rng.int(4) > 0);
      for (let k = rng.int(4); k > 0; k--) after.splice(rng.int(after.length + 1), 0, rng.int(2) ? alike(100 + k) : resource(100 + k, 'v2'));
      const previous = checkpoint(before, `a${round}`);
      let next: Buffer = checkpoint(after, `b${round}`);
      if (rng.int(3) === 0) next = mutate(next, rng);
      for (const elements of [layoutOfJson(previous)!.elements, undefined]) assert.ok(rebuilds(previous, next, changedRanges(previous, next, elements)), `round ${round}`);
    }
  });
});

describe('checking a state by what changed', () => {
  it('accepts a changed text only when it is JSON, with the layout a whole check finds', () => {
    const rng = random(20261207);
    let accepted = 0;
    let wrongFound = 0;
    for (let round = 0; round < 3000; round++) {
      const count = rng.int(6);
      const previous = checkpoint(Array.from({ length: count }, (_, i) => resource(i)));
      const layout = layoutOfJson(previous)!;
      let next: Buffer = previous;
      for (let k = 1 + rng.int(3); k > 0; k--) next = mutate(next, rng);
      const ranges = changedRanges(previous, next, rng.int(2) ? layout.elements : undefined);
      assert.ok(rebuilds(previous, next, ranges), `ranges that do not rebuild ${next.toString('latin1')}`);
      const result = checkChangedText(layout, bufferSlices(next), ranges, noFrameCheck);
      if (result === undefined) {
        if (!isJson(next)) wrongFound++;
        continue;
      }
      accepted++;
      assert.ok(isJson(next), `accepted a text that is not JSON: ${next.toString('latin1')}`);
      assert.deepEqual(result, layoutOfJson(next), `layout of ${next.toString('latin1')}`);
    }
    // Both ways out are taken: most single edits are placed, and broken texts are sent to the whole check.
    assert.ok(accepted > 200, `only ${accepted} changed texts were checked by their changes`);
    assert.ok(wrongFound > 300, `only ${wrongFound} broken texts were seen`);
  });

  it('places the CLI’s own kinds of change: a resource added, changed or removed, and the manifest’s time', () => {
    const resources = Array.from({ length: 50 }, (_, i) => resource(i));
    let previous = checkpoint(resources, 'a');
    let layout = layoutOfJson(previous)!;
    const steps: [string, () => unknown[]][] = [
      ['added at the end', () => [...resources, resource(50)]],
      ['added at the start', () => [resource(-1), ...resources, resource(50)]],
      ['one changed', () => [resource(-1), ...resources.slice(0, 10), resource(10, 'v2'), ...resources.slice(11), resource(50)]],
      ['one removed', () => [resource(-1), ...resources.slice(0, 10), ...resources.slice(11), resource(50)]],
      ['all removed', () => []],
      ['one again', () => [resource(7)]],
    ];
    for (const [what, next] of steps) {
      const text = checkpoint(next(), what);
      const result = checkChangedText(layout, bufferSlices(text), changedRanges(previous, text), noFrameCheck);
      assert.deepEqual(result, layoutOfJson(text), what);
      previous = text;
      layout = result!;
    }
  });

  it('sends a change that moves the array, or makes it another member’s, to the whole check', () => {
    const previous = checkpoint([resource(1)]);
    const layout = layoutOfJson(previous)!;
    const renamed = Buffer.from(previous.toString().replace('"resources":', '"other":'));
    assert.equal(checkChangedText(layout, bufferSlices(renamed), changedRanges(previous, renamed), noFrameCheck), undefined);
    const moved = Buffer.from(previous.toString().replace('"deployment":{', '"deployment":{"extra":[1,2],'));
    // Still the deployment's resources, found where the frame says.
    assert.deepEqual(checkChangedText(layout, bufferSlices(moved), changedRanges(previous, moved), noFrameCheck), layoutOfJson(moved));
  });

  it('refuses, checked whole, what is not JSON or nests too deep', async () => {
    const refusals = { syntax: (reason: string) => new ApiError('bad_request', reason), depth: () => new ApiError('bad_request', 'deep') };
    await assert.rejects(checkWholeText(Buffer.from('{"deployment":{"resources":[{]}}'), refusals, noFrameCheck), /unexpected/);
    const deep = Buffer.from(`{"deployment":{"resources":[${'['.repeat(1200)}${']'.repeat(1200)}]}}`);
    await assert.rejects(checkWholeText(deep, refusals, noFrameCheck), /deep/);
    // A change that nests an element too deep is not placed.
    const previous = checkpoint([resource(1)]);
    const nested = Buffer.from(previous.toString().replace('"resources":[', `"resources":[${'['.repeat(999)}${']'.repeat(999)},`));
    assert.equal(checkChangedText(layoutOfJson(previous) as StateLayout, bufferSlices(nested), changedRanges(previous, nested), noFrameCheck), undefined);
  });
});

describe('full checkpoints', () => {
  it('stores each as an untyped deployment, with edits from the previous one that rebuild it', async () => {
    const first = await checkFullCheckpoint(checkpoint([resource(0)]), undefined);
    assert.equal(first.changes, undefined);
    let previous = first.checked;
    for (let i = 1; i < 20; i++) {
      const body = checkpoint(Array.from({ length: i + 1 }, (_, k) => resource(k, k === i - 1 ? 'v2' : 'v1')), `time ${i}`);
      const { checked, changes } = await checkFullCheckpoint(body, previous);
      assert.equal(changes?.base, previous, `save ${i} was checked by its changes`);
      const parsed = JSON.parse(body.toString());
      assert.deepEqual(JSON.parse(checked.text.toString()), { version: 3, deployment: parsed.deployment });
      const edits = storedEdits(previous, checked, changes)!;
      const rebuilt = applyDelta(PieceText.of(previous.text.bytes()), edits, sha256Hex(checked.text.bytes())).text;
      assert.equal(rebuilt.toString(), checked.text.toString());
      previous = checked;
    }
  });

  it('refuses a body that is not JSON with the body parser’s words, whatever came before', async () => {
    const { checked: first } = await checkFullCheckpoint(checkpoint([resource(0)]), undefined);
    const broken = Buffer.from(checkpoint([resource(0), resource(1)]).toString().replace('"id-1"', '"id-1'));
    await assert.rejects(checkFullCheckpoint(broken, first), (error: ApiError) => error.status === 400 && /^request body is not valid JSON: /.test(error.message));
    const noDeployment = Buffer.from('{"version":3}');
    await assert.rejects(checkFullCheckpoint(noDeployment, first), /no 'deployment'/);
  });
});
