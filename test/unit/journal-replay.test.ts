import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { begunOperationsToLoad, journalRow, JournalKind, recordOfRow, replayJournal, validateJournalEntry, type JournalEntry } from '../../src/api/updates/journal.js';

const urn = (name: string, type = 'test:index:Thing') => `urn:pulumi:dev::proj::${type}::${name}`;
const res = (name: string, extra: Record<string, unknown> = {}) => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `${name}-id`, ...extra });
let sequence = 0;
const entry = (kind: number, operationID: number, extra: Partial<JournalEntry> = {}): JournalEntry => ({
  version: 1,
  kind,
  sequenceID: ++sequence,
  operationID,
  removeOld: null,
  removeNew: null,
  ...extra,
});
const base = (resources: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) => ({
  manifest: { time: '2026-01-01T00:00:00Z', magic: '', version: 'v3.0.0' },
  resources,
  metadata: {},
  ...extra,
});
/** Replays as the server does: the base as stored bytes, the entries as the rows the store keeps. */
const replay = (b: Record<string, unknown> | undefined, entries: JournalEntry[]) =>
  JSON.parse(
    replayJournal(
      b && Buffer.from(JSON.stringify({ version: 3, deployment: b })),
      entries.map((e) => recordOfRow(journalRow(e))),
      'v3.274.1',
      Date.parse('2026-11-28T00:00:00Z'),
    ).toString(),
  ) as any;
const names = (deployment: any) => (deployment.deployment.resources ?? []).map((r: { urn: string }) => r.urn.split('::').pop());

describe('replaying a journal', () => {
  it('puts new resources first, then the surviving base, with a fresh manifest', () => {
    const out = replay(base([res('old1'), res('old2')]), [
      entry(JournalKind.begin, 1, { operation: { resource: res('new'), type: 'creating' } }),
      entry(JournalKind.success, 1, { state: res('new') }),
      entry(JournalKind.begin, 2),
      entry(JournalKind.success, 2, { state: res('old1', { outputs: { v: 2 } }), removeOld: 0 }),
    ]);
    assert.deepEqual(names(out), ['new', 'old1', 'old2']);
    assert.deepEqual(out.deployment.resources[1].outputs, { v: 2 });
    assert.equal(out.version, 3);
    assert.deepEqual(out.deployment.manifest, {
      time: '2026-11-28T00:00:00.000Z',
      magic: createHash('sha256').update('v3.274.1').digest('hex'),
      version: 'v3.274.1',
    });
    assert.deepEqual(out.deployment.metadata, {});
  });

  it('deletes base and new resources, and marks deletions and pending replacements', () => {
    const out = replay(base([res('a'), res('b'), res('c'), res('d')]), [
      entry(JournalKind.success, 1, { removeOld: 0 }),
      entry(JournalKind.success, 2, { state: res('x') }),
      entry(JournalKind.success, 3, { removeNew: 2 }),
      entry(JournalKind.success, 4, { deleteOld: 1 }),
      entry(JournalKind.success, 5, { pendingReplacementOld: 2 }),
      entry(JournalKind.success, 6, { state: res('y') }),
      entry(JournalKind.success, 7, { deleteNew: 6, pendingReplacementNew: 6 }),
    ]);
    assert.deepEqual(names(out), ['y', 'b', 'c', 'd']);
    assert.equal(out.deployment.resources[0].delete, true);
    assert.equal(out.deployment.resources[0].pendingReplacement, true);
    assert.equal(out.deployment.resources[1].delete, true);
    assert.equal(out.deployment.resources[2].pendingReplacement, true);
    assert.equal(out.deployment.resources[3].delete, undefined);
  });

  it('turns operations begun and never finished into pending operations, keeping the base’s pending creates', () => {
    const pendingCreate = { resource: res('stuck'), type: 'creating' };
    const out = replay(base([res('a')], { pending_operations: [pendingCreate, { resource: res('a'), type: 'updating' }] }), [
      entry(JournalKind.begin, 1, { operation: { resource: res('half'), type: 'creating' } }),
      entry(JournalKind.begin, 2, { operation: { resource: res('failed'), type: 'creating' } }),
      entry(JournalKind.failure, 2),
    ]);
    assert.deepEqual(out.deployment.pending_operations, [{ resource: res('half'), type: 'creating' }, pendingCreate]);
  });

  it('applies refresh results and drops references to what the refresh removed', () => {
    const parent = res('parent', { custom: false });
    const out = replay(
      base([
        parent,
        res('gone', { parent: urn('parent') }),
        res('child', { parent: urn('gone'), dependencies: [urn('gone'), urn('parent')], propertyDependencies: { p: [urn('gone')], q: [urn('parent')] }, deletedWith: urn('gone') }),
      ]),
      [
        entry(JournalKind.refreshSuccess, 1, { removeOld: 1 }),
        entry(JournalKind.refreshSuccess, 2, { removeOld: 0, state: { ...parent, outputs: { drifted: true } } }),
      ],
    );
    assert.deepEqual(names(out), ['parent', 'child']);
    assert.deepEqual(out.deployment.resources[0].outputs, { drifted: true });
    const child = out.deployment.resources[1];
    assert.deepEqual(child.dependencies, [urn('parent')]);
    assert.deepEqual(child.propertyDependencies, { q: [urn('parent')] });
    assert.equal(child.deletedWith, undefined);
    assert.equal(child.parent, undefined);
  });

  it('replaces outputs of base and new resources', () => {
    const out = replay(base([res('a')]), [
      entry(JournalKind.success, 1, { state: res('n') }),
      entry(JournalKind.outputs, 2, { removeOld: 0, state: res('a', { outputs: { o: 1 } }) }),
      entry(JournalKind.outputs, 3, { removeNew: 1, state: res('n', { outputs: { o: 2 } }) }),
    ]);
    assert.deepEqual(out.deployment.resources.map((r: any) => r.outputs), [{ o: 2 }, { o: 1 }]);
  });

  it('starts over from a written snapshot, takes a new secrets provider, and folds a rebuilt base', () => {
    const provider = { type: 'service', state: { url: 'http://x', owner: 'o', project: 'p', stack: 's' } };
    const out = replay(base([res('ignored')]), [
      entry(JournalKind.write, 0, { newSnapshot: base([res('written')]) }),
      entry(JournalKind.secretsManager, 0, { secretsProvider: provider }),
      entry(JournalKind.success, 1, { state: res('new') }),
      entry(JournalKind.rebuiltBaseState, 0),
      entry(JournalKind.success, 2, { state: res('after') }),
    ]);
    assert.deepEqual(names(out), ['after', 'new', 'written']);
    assert.deepEqual(out.deployment.secrets_providers, provider);
  });

  it('rewrites references through aliases and drops the aliases', () => {
    const out = replay(base([]), [
      entry(JournalKind.success, 1, { state: res('renamed', { aliases: [urn('original')] }) }),
      entry(JournalKind.success, 2, { state: res('user', { dependencies: [urn('original')], parent: urn('original'), provider: `${urn('original')}::abc` }) }),
    ]);
    const [renamed, user] = out.deployment.resources;
    assert.equal(renamed.aliases, undefined);
    assert.deepEqual(user.dependencies, [urn('renamed')]);
    assert.equal(user.parent, urn('renamed'));
    assert.equal(user.provider, `${urn('renamed')}::abc`);
  });

  it('writes schema version 4 with the features resources need', () => {
    const out = replay(base([]), [entry(JournalKind.success, 1, { state: res('t', { taint: true, refreshBeforeUpdate: true }) })]);
    assert.equal(out.version, 4);
    assert.deepEqual(out.features, ['refreshBeforeUpdate', 'taint']);
  });

  it('finds features in base states it only sliced, and in new states marked at ingestion', () => {
    const out = replay(base([res('viewed', { viewOf: urn('other') }), res('plain')]), [
      entry(JournalKind.success, 1, { state: res('hooked', { resourceHooks: { beforeCreate: ['h'] } }) }),
    ]);
    assert.deepEqual(out.features, ['hooks', 'views']);
    assert.equal(out.deployment.resources[1].viewOf, urn('other'));
  });

  it('needs byte strings when any entry did, begun ones included, and only with something to hold them', () => {
    const withResource = replay(base([res('a')]), [entry(JournalKind.begin, 1, { requiresByteString: true }), entry(JournalKind.success, 1)]);
    assert.deepEqual(withResource.features, ['byteString']);
    const empty = replay(base([]), [entry(JournalKind.begin, 1, { requiresByteString: true }), entry(JournalKind.success, 1)]);
    assert.equal(empty.version, 3);
  });

  it('keeps the bytes of states it did not need to read, and of the base', () => {
    // Key order and spacing the server would not produce itself survive replay untouched.
    const odd = '{"urn":"urn:pulumi:dev::proj::test:index:Thing::odd", "custom":true,"id":"x","type":"test:index:Thing","outputs":{"z":1,"a":"\\u00e9\\""}}';
    const stored = Buffer.from(`{"version":3,"deployment":{"manifest":{},"resources":[${odd}],"metadata":{}}}`);
    const row = journalRow(entry(JournalKind.success, 1, { state: res('n') }));
    const text = replayJournal(stored, [recordOfRow({ ...row, state: odd.replace('::odd', '::n') })], 'v3', 0).toString();
    assert.ok(text.includes(`"resources":[${odd.replace('::odd', '::n')},${odd}]`), text);
  });

  it('writes states with text beyond ASCII intact', () => {
    const wide = 'é✓😀'.repeat(2000);
    const out = replay(base([res('base', { outputs: { wide } })]), [entry(JournalKind.success, 1, { state: res('new', { outputs: { wide } }) })]);
    assert.deepEqual(out.deployment.resources.map((r: any) => r.outputs.wide === wide), [true, true]);
  });

  it('loads only the begin entries replay reads: unfinished at a rebuilt base or at the end', () => {
    const rows = [
      entry(JournalKind.begin, 1),
      entry(JournalKind.success, 1),
      entry(JournalKind.begin, 2),
      entry(JournalKind.begin, 3),
      entry(JournalKind.failure, 3),
      entry(JournalKind.rebuiltBaseState, 0),
      entry(JournalKind.begin, 4),
      entry(JournalKind.begin, 5),
      entry(JournalKind.refreshSuccess, 5),
    ].map(journalRow);
    assert.deepEqual(begunOperationsToLoad(rows).sort(), [2, 4]);
  });

  it('reads entries stored before states were kept apart', () => {
    const legacy = { kind: JournalKind.success, operation_id: 1, entry: JSON.stringify(entry(JournalKind.success, 1, { state: res('old-row') })), state: null, flags: 0 };
    const out = JSON.parse(replayJournal(undefined, [recordOfRow(legacy)], 'v3', 0).toString());
    assert.deepEqual(names(out), ['old-row']);
  });

  it('rejects entries the server cannot replay', () => {
    assert.throws(() => validateJournalEntry({ ...entry(1, 1), version: 2 }, 0), /version 2 is not supported/);
    assert.throws(() => validateJournalEntry({ ...entry(1, 1), kind: 42 }, 3), /entries\[3\]: unsupported journal entry kind 42/);
    assert.throws(() => validateJournalEntry({ ...entry(1, 1), removeOld: -1 }, 0), /removeOld must be an index/);
    assert.throws(() => validateJournalEntry({ ...entry(5, 1) }, 0), /a write entry needs newSnapshot/);
    assert.throws(() => replay(base([]), [entry(JournalKind.success, 1, { deleteNew: 99 })]), /operation 99, which produced no resource/);
  });
});
