import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

// Random sequences of journal entries and checkpoints, valid and invalid, sent to a real server:
// whatever is accepted, the stack stays readable while the update runs, and once `cancel` (or the
// lease holder's `complete`) ends the update, a new update runs and the state exports as JSON.
// STACKYARD_FUZZ_RUNS sets the number of runs, STACKYARD_FUZZ_SEED the seed (fixed by default).

const runs = Number(process.env.STACKYARD_FUZZ_RUNS ?? 200);
const seed = Number(process.env.STACKYARD_FUZZ_SEED ?? 20261203);

let server: TestServer;
let api: ApiClient;
let counter = 0;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const urn = (name: string) => `urn:pulumi:dev::proj::test:index:Thing::${name}`;
const thing = (name: string, extra: Record<string, unknown> = {}) => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `${name}-id`, outputs: { name }, ...extra });

type JournalAction =
  | { t: 'create'; alias?: number; finish: 'success' | 'failure' | 'none' }
  | { t: 'outputs' | 'refresh' | 'deleteNew' | 'pendingReplacementNew'; target: number; dangling: boolean; dropState: boolean }
  | { t: 'deleteOld'; index: number }
  | { t: 'write'; valid: boolean; resources: number }
  | { t: 'rebuilt' }
  | { t: 'garbage'; entry: unknown }
  | { t: 'inject' };

const journalAction: fc.Arbitrary<JournalAction> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('create' as const), alias: fc.option(fc.nat(2), { nil: undefined }), finish: fc.constantFrom('success' as const, 'failure' as const, 'none' as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constantFrom('outputs' as const, 'refresh' as const, 'deleteNew' as const, 'pendingReplacementNew' as const),
      target: fc.nat(20),
      dangling: fc.boolean(),
      dropState: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('deleteOld' as const), index: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('write' as const), valid: fc.boolean(), resources: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rebuilt' as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('garbage' as const),
      entry: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.record({
          version: fc.constant(1),
          kind: fc.integer({ min: 0, max: 9 }),
          sequenceID: fc.integer({ min: 1, max: 400 }),
          operationID: fc.integer({ min: 0, max: 30 }),
          removeOld: fc.option(fc.nat(5), { nil: null }),
          removeNew: fc.option(fc.nat(30), { nil: null }),
          state: fc.option(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(thing('g', { dependencies: 5 }))), { nil: undefined }),
          newSnapshot: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
          snippets: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
        }),
      ),
    }),
  },
  // An unreplayable entry stored as an earlier server would have taken it, straight into the table.
  { weight: 1, arbitrary: fc.record({ t: fc.constant('inject' as const) }) },
);

type CheckpointAction = { t: 'verbatim'; label: string } | { t: 'delta'; label: string; breakJson: boolean; wrongHash: boolean; skip: boolean } | { t: 'retry' };

const checkpointAction: fc.Arbitrary<CheckpointAction> = fc.oneof(
  fc.record({ t: fc.constant('verbatim' as const), label: fc.string({ maxLength: 8 }) }),
  fc.record({ t: fc.constant('delta' as const), label: fc.string({ maxLength: 8 }), breakJson: fc.boolean(), wrongHash: fc.boolean(), skip: fc.boolean() }),
  fc.record({ t: fc.constant('retry' as const) }),
);

const stateText = (label: string) =>
  `{"version":3,"deployment":{"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":"v3.274.1"},"metadata":{},` +
  `"resources":[{"urn":"urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev","custom":false,"type":"pulumi:pulumi:Stack","outputs":{"label":${JSON.stringify(label)}}}]}}`;

const ending = fc.constantFrom('cancel' as const, 'succeeded' as const, 'failed' as const, 'cancelled' as const);

async function freshStack(withBase: boolean): Promise<string> {
  const name = `p${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  const stack = `/api/stacks/stackyard/proj/${name}`;
  if (withBase) {
    const { updateId, token } = await beginUpdate(api, stack, 'update', false, 1);
    const entries = [
      { version: 1, kind: 0, sequenceID: 1, operationID: 1, removeOld: null, removeNew: null, operation: { resource: thing('base'), type: 'creating' } },
      { version: 1, kind: 1, sequenceID: 2, operationID: 1, removeOld: null, removeNew: null, state: thing('base', { aliases: [urn('alias-0')] }) },
    ];
    assert.equal((await api.patch(`${stack}/update/${updateId}/journalentries`, { entries }, withLease(token))).status, 204);
    assert.equal((await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
  }
  return stack;
}

/** Turns actions into entries with fresh sequence and operation numbers; returns the batch. */
function journalBatch(actions: JournalAction[], model: { sequence: number; operation: number; produced: number[] }, injected: unknown[]): unknown[] {
  const entries: unknown[] = [];
  const next = () => ++model.sequence;
  for (const action of actions) {
    switch (action.t) {
      case 'create': {
        const op = ++model.operation;
        const name = `r${op}`;
        const extra = action.alias === undefined ? {} : { aliases: [urn(`alias-${action.alias}`)] };
        entries.push({ version: 1, kind: 0, sequenceID: next(), operationID: op, removeOld: null, removeNew: null, operation: { resource: thing(name), type: 'creating' } });
        if (action.finish === 'success') {
          entries.push({ version: 1, kind: 1, sequenceID: next(), operationID: op, removeOld: null, removeNew: null, state: thing(name, extra) });
          model.produced.push(op);
        } else if (action.finish === 'failure') {
          entries.push({ version: 1, kind: 2, sequenceID: next(), operationID: op, removeOld: null, removeNew: null });
        }
        break;
      }
      case 'outputs':
      case 'refresh':
      case 'deleteNew':
      case 'pendingReplacementNew': {
        const target = action.dangling || model.produced.length === 0 ? 1000 + action.target : model.produced[action.target % model.produced.length]!;
        const op = ++model.operation;
        const state = action.dropState ? undefined : thing(`r${target}`, { outputs: { again: true } });
        if (action.t === 'outputs') entries.push({ version: 1, kind: 4, sequenceID: next(), operationID: op, removeOld: null, removeNew: target, ...(state && { state }) });
        else if (action.t === 'refresh') entries.push({ version: 1, kind: 3, sequenceID: next(), operationID: op, removeOld: null, removeNew: target, ...(state && { state }) });
        else entries.push({ version: 1, kind: 1, sequenceID: next(), operationID: op, removeOld: null, removeNew: null, [action.t]: target });
        break;
      }
      case 'deleteOld':
        entries.push({ version: 1, kind: 1, sequenceID: next(), operationID: ++model.operation, removeOld: action.index, removeNew: null });
        break;
      case 'write': {
        const resources = Array.from({ length: action.resources }, (_, i) => thing(`w${model.sequence}-${i}`));
        const newSnapshot = action.valid ? { manifest: {}, resources, metadata: {} } : { resources: action.resources };
        entries.push({ version: 1, kind: 5, sequenceID: next(), operationID: 0, removeOld: null, removeNew: null, newSnapshot });
        break;
      }
      case 'rebuilt':
        entries.push({ version: 1, kind: 7, sequenceID: next(), operationID: 0, removeOld: null, removeNew: null });
        model.produced = [];
        break;
      case 'garbage':
        entries.push(action.entry);
        break;
      case 'inject':
        injected.push({ version: 1, kind: 4, sequenceID: next(), operationID: ++model.operation, removeOld: null, removeNew: 5000 });
        break;
    }
  }
  return entries;
}

/** The stack is readable, takes a new update, exports JSON, and can be deleted. */
async function assertFree(stack: string): Promise<void> {
  const next = await beginUpdate(api, stack);
  const completed = await api.post(`${stack}/update/${next.updateId}/complete`, { status: 'succeeded' }, withLease(next.token));
  assert.equal(completed.status, 204, completed.text);
  const exported = await api.get(`${stack}/export`);
  assert.equal(exported.status, 200, exported.text);
  assert.equal(typeof JSON.parse(exported.text).deployment, 'object');
  const deleted = await api.request('DELETE', `${stack}?force=true`);
  assert.equal(deleted.status, 204, deleted.text);
}

/** Ends the update by the lease holder or by `cancel`; either must answer 204 and free the stack. */
async function endUpdate(stack: string, updateId: string, token: string, how: 'cancel' | 'succeeded' | 'failed' | 'cancelled'): Promise<void> {
  const reply = how === 'cancel'
    ? await api.post(`${stack}/update/${updateId}/cancel`, {})
    : await api.post(`${stack}/update/${updateId}/complete`, { status: how }, withLease(token));
  assert.equal(reply.status, 204, reply.text);
  if (how !== 'cancel') {
    // Cancel after the end: a no-op when cancelled, otherwise a 409 that names the end.
    const cancelled = await api.post(`${stack}/update/${updateId}/cancel`, {});
    assert.ok(cancelled.status === 204 || cancelled.status === 409, cancelled.text);
  }
  const history = (await api.get(`${stack}/updates`)).body.updates;
  assert.notEqual(history[0].result, 'in-progress');
}

const noServerError = (reply: { status: number; text: string }) => assert.ok(reply.status < 500, `${reply.status} ${reply.text}`);

describe('journal entries and checkpoints, valid and invalid, never leave a stack cancel cannot free', () => {
  it('journaled updates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(fc.array(journalAction, { minLength: 1, maxLength: 6 }), { maxLength: 6 }), fc.boolean(), ending, async (withBase, batches, retry, how) => {
        const stack = await freshStack(withBase);
        const { updateId, token } = await beginUpdate(api, stack, 'update', false, 1);
        const path = `${stack}/update/${updateId}/journalentries`;
        const model = { sequence: withBase ? 10 : 0, operation: 0, produced: [] as number[] };
        let injectedAny = false;
        for (const actions of batches) {
          const injected: unknown[] = [];
          const entries = journalBatch(actions, model, injected);
          const reply = await api.patch(path, { entries }, withLease(token));
          noServerError(reply);
          if (retry) noServerError(await api.patch(path, { entries }, withLease(token)));
          if (injected.length > 0) {
            const { db } = server.server.ctx.database;
            for (const entry of injected as Array<{ sequenceID: number; operationID: number }>) {
              await db.insertInto('update_journal_entries').values({ update_id: updateId, sequence_id: entry.sequenceID, kind: 4, operation_id: entry.operationID, entry: JSON.stringify(entry), state: JSON.stringify(thing('ghost')), flags: 0 }).execute();
            }
            const row = await db.selectFrom('updates').select('journal_entry_count').where('id', '=', updateId).executeTakeFirstOrThrow();
            await db.updateTable('updates').set({ journal_entry_count: row.journal_entry_count + injected.length }).where('id', '=', updateId).execute();
            injectedAny = true;
          }
          // Whatever was accepted replays: the state stays readable while the update runs.
          const during = await api.get(`${stack}/export`);
          if (!injectedAny) assert.equal(during.status, 200, during.text);
          else noServerError(during);
        }
        await endUpdate(stack, updateId, token, how);
        await assertFree(stack);
      }),
      { numRuns: runs, seed },
    );
  });

  it('checkpointed updates with verbatim and delta checkpoints', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(checkpointAction, { maxLength: 8 }), ending, async (actions, how) => {
        const stack = await freshStack(false);
        const { updateId, token } = await beginUpdate(api, stack);
        let sequence = 0;
        let text: string | undefined;
        let last: { path: string; body: unknown; raw?: string } | undefined;
        for (const action of actions) {
          let request: { path: string; body: unknown; raw?: string } | undefined;
          let result: string | undefined;
          if (action.t === 'verbatim') {
            result = stateText(action.label);
            request = { path: 'checkpointverbatim', body: undefined, raw: `{"version":3,"untypedDeployment":${result},"sequenceNumber":${sequence + 1}}` };
          } else if (action.t === 'delta' && text !== undefined) {
            const bytes = Buffer.from(text);
            const start = bytes.indexOf('"label":') + '"label":'.length;
            const end = bytes.indexOf('}}]}}', start);
            const replacement = action.breakJson ? `${JSON.stringify(action.label)},` : JSON.stringify(action.label);
            result = Buffer.concat([bytes.subarray(0, start), Buffer.from(replacement), bytes.subarray(end)]).toString();
            const edit = { Span: { start: { offset: start }, end: { offset: end } }, NewText: replacement };
            const hash = action.wrongHash ? sha256('not it') : sha256(result);
            request = { path: 'checkpointdelta', body: { version: 3, checkpointHash: hash, sequenceNumber: sequence + (action.skip ? 2 : 1), deploymentDelta: [edit] } };
          } else if (action.t === 'retry' && last) {
            request = last;
          }
          if (!request) continue;
          const reply = await api.request('PATCH', `${stack}/update/${updateId}/${request.path}`, withLease(token, request.raw === undefined ? { body: request.body } : { rawBody: request.raw }));
          noServerError(reply);
          if (reply.status === 204 && request !== last && result !== undefined) {
            sequence++;
            text = result;
          }
          last = request;
          const during = await api.get(`${stack}/export`);
          assert.equal(during.status, 200, during.text);
          assert.doesNotThrow(() => JSON.parse(during.text));
          if (text !== undefined) assert.equal(during.text, text);
        }
        await endUpdate(stack, updateId, token, how);
        await assertFree(stack);
      }),
      { numRuns: runs, seed },
    );
  });
});
