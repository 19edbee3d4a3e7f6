import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createStack } from '../helpers/factories.js';
import { ManualClock } from '../helpers/clock.js';
import { ApiClient } from '../helpers/http.js';
import { startReplica, startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, program, withLease } from '../helpers/updates.js';

let server: TestServer;
let api: ApiClient;
const clock = new ManualClock();
let counter = 0;

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

/** A fresh stack for each test, so their updates never meet. */
async function freshStack(): Promise<string> {
  const name = `s${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  return `/api/stacks/stackyard/proj/${name}`;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
/** Text shaped like the CLI's own: compact JSON, with spacing the server must keep as it is. */
const verbatimText = (label: string) =>
  `{"version":3,"deployment":{"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":"v3.274.1"},"metadata":{},` +
  `"resources":[{"urn":"urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev","custom":false,"type":"pulumi:pulumi:Stack","outputs":{"label":"${label}","n":1.50}}]}}`;
const verbatimBody = (text: string, sequenceNumber: number) => `{"version":3,"untypedDeployment":${text},"sequenceNumber":${sequenceNumber}}`;

describe('creating and starting updates', () => {
  it('creates an update of each kind and starts it with a lease and the next version', async () => {
    const stack = await freshStack();
    for (const kind of ['update', 'refresh', 'destroy']) {
      const created = await api.post(`${stack}/${kind}`, program(false));
      assert.equal(created.status, 200);
      assert.deepEqual(Object.keys(created.body), ['updateID']);
    }
    const { updateId, started } = await beginUpdate(api, stack);
    assert.equal(started.version, 1);
    assert.match(started.token, /^\S{40,}$/);
    assert.equal(started.tokenExpiration, Math.floor((clock.now() + 300_000) / 1000));
    assert.equal('journalVersion' in started, false);
    const view = (await api.get(stack)).body;
    assert.equal(view.activeUpdate, updateId);
    assert.equal(view.version, 1);
    assert.deepEqual(view.currentOperation, { kind: 'update', author: 'admin', started: Math.floor(clock.now() / 1000) });
    assert.deepEqual(view.tags, { 'pulumi:project': 'proj' });
    assert.deepEqual((await api.get(`${stack}/update/${updateId}`)).body, { status: 'running', events: [], continuationToken: '0' });
  });

  it('gives a preview a lease without taking the stack or a version', async () => {
    const stack = await freshStack();
    const real = await beginUpdate(api, stack);
    const preview = await beginUpdate(api, stack, 'preview');
    assert.equal(preview.version, 1);
    assert.ok(preview.token.length > 0);
    assert.notEqual(preview.token, real.token);
    const dryUp = await beginUpdate(api, stack, 'update', true);
    assert.equal(dryUp.version, 1);
  });

  it('answers 409 to a second update while one holds the stack, and to starting twice', async () => {
    const stack = await freshStack();
    const first = await beginUpdate(api, stack);
    const second = await api.post(`${stack}/update`, program(false));
    const refused = await api.post(`${stack}/update/${second.body.updateID}`, {});
    assert.deepEqual(refused.body, { code: 409, message: 'Conflict: Another update is currently in progress.' });
    const twice = await api.post(`${stack}/update/${first.updateId}`, {});
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /has already been started/);
    assert.equal((await api.get(stack)).body.version, 1);
  });

  it('answers 400 for a malformed program or tags, 404 for unknown stacks and updates, 401 without a token', async () => {
    const stack = await freshStack();
    const noOptions = await api.post(`${stack}/update`, { name: 'proj', runtime: 'nodejs' });
    assert.deepEqual(noOptions.body, { code: 400, message: "Bad Request: body must have required property 'options'" });
    const created = await api.post(`${stack}/update`, program(false));
    const badTags = await api.post(`${stack}/update/${created.body.updateID}`, { tags: { 'bad tag': 'x' } });
    assert.equal(badTags.status, 400);
    assert.equal((await api.get(stack)).body.version, 0);
    assert.equal((await api.post('/api/stacks/stackyard/proj/nope/update', program(false))).status, 404);
    assert.equal((await api.post(`${stack}/update/not-an-update`, {})).status, 404);
    assert.equal((await api.post(`${stack}/update`, program(false), { token: null })).status, 401);
    assert.equal((await api.post(`${stack}/nonsense`, program(false))).status, 404);
  });
});

describe('leases', () => {
  it('renews for 300 seconds, and a lapsed lease is a 403 everywhere', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    clock.advance(200_000);
    const renewed = await api.post(`${stack}/update/${updateId}/renew_lease`, { token: '', duration: 300 }, withLease(token));
    assert.deepEqual(renewed.body, { token, tokenExpiration: Math.floor((clock.now() + 300_000) / 1000) });
    clock.advance(250_000);
    const stillValid = await api.post(`${stack}/update/${updateId}/events/batch`, { events: [] }, withLease(token));
    assert.equal(stillValid.status, 200);
    clock.advance(60_000);
    const lapsed = await api.post(`${stack}/update/${updateId}/renew_lease`, { token: '', duration: 300 }, withLease(token));
    assert.deepEqual(lapsed.body, { code: 403, message: `Forbidden: the lease of update '${updateId}' has expired` });
    const write = await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatimBody(verbatimText('x'), 1) }));
    assert.equal(write.status, 403);
  });

  it('refuses a lease of another update, a user token, and a bad renewal duration', async () => {
    const stack = await freshStack();
    const first = await beginUpdate(api, stack);
    const preview = await beginUpdate(api, stack, 'preview');
    const foreign = await api.post(`${stack}/update/${first.updateId}/renew_lease`, { duration: 300 }, withLease(preview.token));
    assert.deepEqual(foreign.body, { code: 401, message: 'Unauthorized: the update token is not a lease of this update' });
    const userToken = await api.post(`${stack}/update/${first.updateId}/renew_lease`, { duration: 300 });
    assert.deepEqual(userToken.body, { code: 401, message: "Unauthorized: malformed Authorization header; expected 'update-token <lease token>'" });
    const tooLong = await api.post(`${stack}/update/${first.updateId}/renew_lease`, { duration: 301 }, withLease(first.token));
    assert.deepEqual(tooLong.body, { code: 400, message: 'Bad Request: Renewal duration must be between 0 and 300 seconds' });
  });
});

describe('checkpoints', () => {
  it('stores a full checkpoint as an untyped deployment around the client’s own bytes', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const deployment = '{"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":""} ,"metadata":{},"extra":[1.0, 2]}';
    const reply = await api.request('PATCH', `${stack}/update/${updateId}/checkpoint`, withLease(token, {
      rawBody: `{"isInvalid":false,"version":3,"features":["refreshBeforeUpdate"],"deployment":${deployment}}`,
      gzip: true,
    }));
    assert.equal(reply.status, 204, reply.text);
    const exported = await api.get(`${stack}/export`);
    assert.equal(exported.text, `{"version":3,"features":["refreshBeforeUpdate"],"deployment":${deployment}}`);
  });

  it('keeps verbatim text byte for byte, treats a repeated sequence number as a retry, and refuses a gap', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const path = `${stack}/update/${updateId}/checkpointverbatim`;
    const text = verbatimText('first');
    assert.equal((await api.request('PATCH', path, withLease(token, { rawBody: verbatimBody(text, 1), gzip: true }))).status, 204);
    assert.equal((await api.get(`${stack}/export`)).text, text);
    const retry = await api.request('PATCH', path, withLease(token, { rawBody: verbatimBody(verbatimText('changed'), 1) }));
    assert.equal(retry.status, 204);
    assert.equal((await api.get(`${stack}/export`)).text, text);
    const gap = await api.request('PATCH', path, withLease(token, { rawBody: verbatimBody(verbatimText('gap'), 3) }));
    assert.deepEqual(gap.body, { code: 409, message: 'Conflict: checkpoint sequenceNumber 3 skips ahead; expected 2' });
    assert.equal((await api.get(`${stack}/export`)).text, text);
  });

  it('applies a delta to the previous text by byte offsets, and a wrong hash changes nothing', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const base = verbatimText('ünïcode before');
    await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatimBody(base, 1) }));
    const baseBytes = Buffer.from(base);
    const start = baseBytes.indexOf('ünïcode before');
    const end = start + Buffer.byteLength('ünïcode before');
    const expected = Buffer.concat([baseBytes.subarray(0, start), Buffer.from('après ✓'), baseBytes.subarray(end)]);
    const edit = { Span: { uri: '', start: { line: 1, column: 1, offset: start }, end: { line: 1, column: 1, offset: end } }, NewText: 'après ✓' };
    const delta = (hash: string, sequenceNumber: number) => ({ version: 3, checkpointHash: hash, sequenceNumber, deploymentDelta: [edit] });
    const path = `${stack}/update/${updateId}/checkpointdelta`;

    const wrong = await api.request('PATCH', path, withLease(token, { body: delta(sha256('not it'), 2), gzip: true }));
    assert.equal(wrong.status, 409);
    assert.match(wrong.body.message, /^Conflict: the checkpoint delta yields hash [0-9a-f]{64}, not the expected/);
    assert.equal((await api.get(`${stack}/export`)).text, base);

    const right = await api.request('PATCH', path, withLease(token, { body: delta(sha256(expected), 2), gzip: true }));
    assert.equal(right.status, 204, right.text);
    assert.equal((await api.get(`${stack}/export`)).text, expected.toString());

    // What the CLI does after a refused delta: the whole text again, under the same number.
    const fallback = verbatimText('fallback');
    assert.equal((await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatimBody(fallback, 3) }))).status, 204);
    assert.equal((await api.get(`${stack}/export`)).text, fallback);
  });

  it('keeps deltas apart from the state until a read or the end, and any process can rebuild them', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    // A second process on the same database: it has none of the first one's texts in memory.
    const other = await startReplica(server, { clock });
    const otherApi = new ApiClient(other.url, server.adminToken);
    try {
      let text = verbatimText('step 1');
      await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatimBody(text, 1) }));
      const send = async (client: ApiClient, sequenceNumber: number) => {
        const before = Buffer.from(text);
        const old = `step ${sequenceNumber - 1}`;
        const start = before.indexOf(old);
        text = text.replace(old, `step ${sequenceNumber}`);
        const edit = { Span: { uri: '', start: { line: 1, column: 1, offset: start }, end: { line: 1, column: 1, offset: start + old.length } }, NewText: `step ${sequenceNumber}` };
        const body = { version: 3, checkpointHash: sha256(text), sequenceNumber, deploymentDelta: [edit] };
        const reply = await client.request('PATCH', `${stack}/update/${updateId}/checkpointdelta`, withLease(token, { body }));
        assert.equal(reply.status, 204, `sequence ${sequenceNumber}: ${reply.text}`);
      };
      for (let n = 2; n <= 30; n++) await send(api, n);
      assert.equal((await otherApi.get(`${stack}/export`)).text, text);
      for (let n = 31; n <= 40; n++) await send(otherApi, n);
      // Past the number of deltas kept apart, so the whole text is stored again on the way.
      for (let n = 41; n <= 100; n++) await send(api, n);
      assert.equal((await otherApi.get(`${stack}/export`)).text, text);
      await send(otherApi, 101);
      await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
      assert.equal((await api.get(`${stack}/export`)).text, text);
      assert.equal((await api.get(`${stack}/resources/count`)).body.resourceCount, 1);
    } finally {
      await other.close();
    }
  });

  it('keeps full checkpoints as edits apart from the state, and any process can rebuild them', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const other = await startReplica(server, { clock });
    const otherApi = new ApiClient(other.url, server.adminToken);
    try {
      // Each save changes a resource in the middle and appends one, with characters of several bytes.
      const deploymentOf = (step: number) => {
        const resources = Array.from({ length: step + 2 }, (_, i) => ({
          urn: `urn:pulumi:dev::proj::test:index:Thing::r${i}`,
          outputs: { label: i === Math.floor(step / 2) ? `étape ${step} ✓` : `ünchanged ${i}` },
        }));
        return `{"manifest":{"time":"2026-11-01T10:00:00Z","magic":"","version":""},"resources":${JSON.stringify(resources)}}`;
      };
      const send = async (client: ApiClient, step: number) => {
        const rawBody = `{"version":3,"deployment":${deploymentOf(step)}}`;
        const reply = await client.request('PATCH', `${stack}/update/${updateId}/checkpoint`, withLease(token, { rawBody, gzip: true }));
        assert.equal(reply.status, 204, `step ${step}: ${reply.text}`);
        return `{"version":3,"deployment":${deploymentOf(step)}}`;
      };
      let expected = '';
      for (let step = 1; step <= 30; step++) expected = await send(api, step);
      assert.equal((await otherApi.get(`${stack}/export`)).text, expected);
      for (let step = 31; step <= 40; step++) expected = await send(otherApi, step);
      for (let step = 41; step <= 100; step++) expected = await send(api, step);
      assert.equal((await otherApi.get(`${stack}/export`)).text, expected);
      expected = await send(otherApi, 101);
      await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
      assert.equal((await api.get(`${stack}/export`)).text, expected);
      assert.equal((await api.get(`${stack}/resources/count`)).body.resourceCount, 103);
    } finally {
      await other.close();
    }
  });

  it('refuses a delta with no verbatim text before it in the same update', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const reply = await api.request('PATCH', `${stack}/update/${updateId}/checkpointdelta`, withLease(token, {
      body: { version: 3, checkpointHash: sha256('x'), sequenceNumber: 1, deploymentDelta: [] },
    }));
    assert.deepEqual(reply.body, { code: 409, message: 'Conflict: a delta checkpoint needs a previous verbatim checkpoint in this update' });
  });

  it('answers 400 for checkpoints that are not deployments, and previews never write state', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const path = `${stack}/update/${updateId}/checkpointverbatim`;
    const notObject = await api.request('PATCH', path, withLease(token, { rawBody: '{"version":3,"untypedDeployment":"text","sequenceNumber":1}' }));
    assert.equal(notObject.status, 400);
    const badVersion = await api.request('PATCH', path, withLease(token, { rawBody: verbatimBody('{"version":9,"deployment":{}}', 1) }));
    assert.deepEqual(badVersion.body, { code: 400, message: 'Bad Request: deployment version must be a whole number from 1 to 4, got 9' });
    const badDelta = await api.request('PATCH', `${stack}/update/${updateId}/checkpointdelta`, withLease(token, { body: { version: 3, checkpointHash: 'zz', sequenceNumber: 1, deploymentDelta: [] } }));
    assert.deepEqual(badDelta.body, { code: 400, message: 'Bad Request: checkpointHash must be a hex SHA-256' });
    const full = (rawBody: string) => api.request('PATCH', `${stack}/update/${updateId}/checkpoint`, withLease(token, { rawBody, gzip: true }));
    const noDeployment = await full('{"isInvalid":false,"version":3}');
    assert.deepEqual(noDeployment.body, { code: 400, message: "Bad Request: the checkpoint has no 'deployment'" });
    assert.deepEqual((await full('{"version":3,"deployment":{"resources":[{"urn":"a"},]}}')).body, {
      code: 400,
      message: "Bad Request: request body is not valid JSON: unexpected ']' at byte 52, expected a value",
    });
    assert.deepEqual((await full('[1]')).body, { code: 400, message: 'Bad Request: the checkpoint must be a JSON object' });
    assert.deepEqual((await full('{"version":3,"features":[1],"deployment":{}}')).body, { code: 400, message: "Bad Request: the checkpoint's 'features' must be a list of strings" });
    assert.deepEqual((await full('{"version":3,"deployment":{"resources":{}}}')).body, { code: 400, message: "Bad Request: the deployment's 'resources' field must be an array" });
    assert.deepEqual((await full('{"version":3,"deployment":[]}')).body, { code: 400, message: "Bad Request: the deployment's 'deployment' field must be a JSON object" });
    const exported = (await api.get(`${stack}/export`)).body;
    assert.equal(exported.deployment.resources, undefined);

    const preview = await beginUpdate(api, stack, 'preview');
    const previewWrite = await api.request('PATCH', `${stack}/update/${preview.updateId}/checkpointverbatim`, withLease(preview.token, { rawBody: verbatimBody(verbatimText('p'), 1) }));
    assert.deepEqual(previewWrite.body, { code: 409, message: `Conflict: update '${preview.updateId}' is a preview and does not write checkpoints` });
  });

  it('keeps what a failed update wrote, and the next update starts from it', async () => {
    const stack = await freshStack();
    const first = await beginUpdate(api, stack);
    await api.request('PATCH', `${stack}/update/${first.updateId}/checkpointverbatim`, withLease(first.token, { rawBody: verbatimBody(verbatimText('v1'), 1) }));
    await api.post(`${stack}/update/${first.updateId}/complete`, { status: 'succeeded' }, withLease(first.token));
    const second = await beginUpdate(api, stack);
    assert.equal(second.version, 2);
    assert.equal((await api.get(`${stack}/export/2`)).text, verbatimText('v1'));
    await api.request('PATCH', `${stack}/update/${second.updateId}/checkpointverbatim`, withLease(second.token, { rawBody: verbatimBody(verbatimText('v2 partial'), 1) }));
    await api.post(`${stack}/update/${second.updateId}/complete`, { status: 'failed' }, withLease(second.token));
    const third = await beginUpdate(api, stack);
    assert.equal(third.version, 3);
    assert.equal((await api.get(`${stack}/export`)).text, verbatimText('v2 partial'));
    assert.equal((await api.get(`${stack}/export/1`)).text, verbatimText('v1'));
    const resources = (await api.get(`${stack}/resources/2`)).body;
    assert.equal(resources.version, 2);
    assert.equal(resources.resources[0].resource.outputs.label, 'v2 partial');
  });
});

describe('engine events', () => {
  it('stores batches in order, ignores a retried batch, and pages with continuation tokens', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const event = (sequence: number) => ({ sequence, timestamp: 1795000000 + sequence, diagnosticEvent: { message: `line ${sequence}`, color: 'raw', severity: 'info' } });
    const batches = [[...Array(600).keys()], [...Array(600).keys()].map((i) => i + 600), [1200, 1201]];
    for (const batch of [batches[1]!, batches[0]!, batches[2]!, batches[0]!]) {
      const reply = await api.post(`${stack}/update/${updateId}/events/batch`, { events: batch.map(event) }, withLease(token, { gzip: true }));
      assert.equal(reply.status, 200);
    }
    const summary = { sequence: 1202, timestamp: 1795001202, summaryEvent: { maybeCorrupt: false, durationSeconds: 3, resourceChanges: { create: 2, same: 1 }, PolicyPacks: {}, isPreview: false, result: 'succeeded' } };
    await api.post(`${stack}/update/${updateId}/events/batch`, { events: [summary] }, withLease(token));

    const page1 = (await api.get(`${stack}/update/${updateId}/events`)).body;
    assert.equal(page1.events.length, 1000);
    assert.deepEqual(page1.events[0], { ...event(0), type: 'diagnosticEvent' });
    assert.deepEqual(page1.events.map((e: { sequence: number }) => e.sequence), [...Array(1000).keys()]);
    assert.equal(page1.continuationToken, '999');
    const page2 = (await api.get(`${stack}/update/${updateId}/events?continuationToken=${page1.continuationToken}`)).body;
    assert.equal(page2.events.length, 203);
    assert.deepEqual(page2.events.at(-1), { ...summary, type: 'summaryEvent' });
    assert.equal(page2.continuationToken, '1202', 'a running update can still produce events');

    await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
    const done = (await api.get(`${stack}/update/${updateId}/events?continuationToken=1202`)).body;
    assert.deepEqual(done, { events: [], continuationToken: null });
    const summaries = (await api.get(`${stack}/update/${updateId}/events?type=summaryEvent`)).body;
    assert.deepEqual(summaries.events.map((e: { sequence: number }) => e.sequence), [1202]);
    const history = (await api.get(`${stack}/updates`)).body.updates;
    assert.deepEqual(history[0].resourceChanges, { create: 2, same: 1 });
  });

  it('filters by type code and URN, and holds back events past a gap until it fills or the update ends', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const urn = (name: string) => `urn:pulumi:dev::proj::test:index:Thing::${name}`;
    const step = (name: string) => ({ metadata: { op: 'create', urn: urn(name), type: 'test:index:Thing', old: null, new: null, provider: '' } });
    const events = [
      { sequence: 0, timestamp: 1, preludeEvent: { config: {} } },
      { sequence: 1, timestamp: 1, resourcePreEvent: step('a') },
      { sequence: 2, timestamp: 1, diagnosticEvent: { urn: urn('a'), message: 'about a', color: 'raw', severity: 'warning' } },
      { sequence: 3, timestamp: 1, resOutputsEvent: step('a') },
      { sequence: 4, timestamp: 1, resourcePreEvent: step('b') },
      { sequence: 5, timestamp: 1, policyEvent: { resourceUrn: urn('b'), message: 'b is too big', color: 'raw', policyName: 'p', policyPackName: 'pack', policyPackVersion: '1', policyPackVersionTag: '1', enforcementLevel: 'advisory' } },
      { sequence: 6, timestamp: 1, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: { create: 2 }, PolicyPacks: {}, isPreview: false, result: 'succeeded' } },
    ];
    const sequences = async (query: string) => {
      const reply = await api.get(`${stack}/update/${updateId}/events${query}`);
      assert.equal(reply.status, 200, reply.text);
      return { got: reply.body.events.map((e: { sequence: number }) => e.sequence), token: reply.body.continuationToken };
    };
    // Batches arrive out of order: 4-6 before 2-3.
    for (const batch of [events.slice(0, 2), events.slice(4)]) {
      assert.equal((await api.post(`${stack}/update/${updateId}/events/batch`, { events: batch }, withLease(token))).status, 200);
    }
    assert.deepEqual(await sequences(''), { got: [0, 1], token: '1' });
    assert.deepEqual(await sequences('?include_non_activated=true'), { got: [0, 1, 4, 5, 6], token: '6' });
    assert.deepEqual(await sequences('?type=5'), { got: [1], token: '1' });
    assert.equal((await api.post(`${stack}/update/${updateId}/events/batch`, { events: events.slice(2, 4) }, withLease(token))).status, 200);
    assert.deepEqual(await sequences('?continuationToken=1'), { got: [2, 3, 4, 5, 6], token: '6' });

    assert.deepEqual(await sequences('?type=5&type=6'), { got: [1, 3, 4], token: '6' });
    assert.deepEqual(await sequences('?type=2'), { got: [2], token: '6' });
    assert.deepEqual(await sequences('?type=resourcePreEvent'), { got: [1, 4], token: '6' });
    assert.deepEqual(await sequences(`?urn=${encodeURIComponent(urn('a'))}`), { got: [1, 2, 3], token: '6' });
    assert.deepEqual(await sequences(`?urn=${encodeURIComponent(urn('b'))}&type=8`), { got: [5], token: '6' });
    const unknown = await api.get(`${stack}/update/${updateId}/events?type=17`);
    assert.deepEqual(unknown.body, { code: 400, message: 'Bad Request: engine event type 17 is unknown: codes run from 0 to 16' });

    // An ended update's events are all there is: a gap no longer holds anything back.
    await api.post(`${stack}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
    const other = await beginUpdate(api, stack);
    await api.post(`${stack}/update/${other.updateId}/events/batch`, { events: [events[0], events[2]] }, withLease(other.token));
    assert.deepEqual((await api.get(`${stack}/update/${other.updateId}/events`)).body.events.length, 1);
    await api.post(`${stack}/update/${other.updateId}/complete`, { status: 'failed' }, withLease(other.token));
    const ended = (await api.get(`${stack}/update/${other.updateId}/events`)).body;
    assert.deepEqual([ended.events.map((e: { sequence: number }) => e.sequence), ended.continuationToken], [[0, 2], null]);
  });

  it('answers 400 for events without a sequence and 401 without the lease', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const bad = await api.post(`${stack}/update/${updateId}/events/batch`, { events: [{ timestamp: 1 }] }, withLease(token));
    assert.deepEqual(bad.body, { code: 400, message: 'Bad Request: events[0].sequence must be a whole number' });
    const noLease = await api.post(`${stack}/update/${updateId}/events/batch`, { events: [] }, withLease('forged'));
    assert.deepEqual(noLease.body, { code: 401, message: 'Unauthorized: the update token is not a lease of this update' });
    assert.deepEqual((await api.get(`${stack}/update/${updateId}/events`)).body, { events: [], continuationToken: '-1' });
  });
});

describe('completing and cancelling', () => {
  it('completes once, frees the stack, and answers a retried completion the same way', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    const path = `${stack}/update/${updateId}/complete`;
    assert.equal((await api.post(path, { status: 'succeeded' }, withLease(token))).status, 204);
    assert.equal((await api.post(path, { status: 'succeeded' }, withLease(token))).status, 204);
    const other = await api.post(path, { status: 'failed' }, withLease(token));
    assert.deepEqual(other.body, { code: 409, message: `Conflict: update '${updateId}' has already ended (status: succeeded)` });
    assert.deepEqual((await api.get(`${stack}/update/${updateId}`)).body, { status: 'succeeded', events: [] });
    assert.equal('currentOperation' in (await api.get(stack)).body, false);
    const late = await api.request('PATCH', `${stack}/update/${updateId}/checkpointverbatim`, withLease(token, { rawBody: verbatimBody(verbatimText('late'), 1) }));
    assert.deepEqual(late.body, { code: 403, message: `Forbidden: the lease of update '${updateId}' is no longer valid (status: succeeded)` });
    const badStatus = await api.post(path, { status: 'done' }, withLease(token));
    assert.equal(badStatus.status, 400);
    await beginUpdate(api, stack);
  });

  it('cancels a running update with the user’s token: its lease dies and the stack is free', async () => {
    const stack = await freshStack();
    const { updateId, token } = await beginUpdate(api, stack);
    assert.equal((await api.post(`${stack}/update/${updateId}/cancel`)).status, 204);
    assert.equal((await api.post(`${stack}/update/${updateId}/cancel`)).status, 204, 'cancel is idempotent');
    const renew = await api.post(`${stack}/update/${updateId}/renew_lease`, { duration: 300 }, withLease(token));
    assert.equal(renew.status, 403);
    assert.deepEqual((await api.get(`${stack}/update/${updateId}`)).body, { status: 'cancelled', events: [] });
    const next = await beginUpdate(api, stack);
    assert.equal(next.version, 2);
    await api.post(`${stack}/update/${next.updateId}/complete`, { status: 'succeeded' }, withLease(next.token));
    const finished = await api.post(`${stack}/update/${next.updateId}/cancel`);
    assert.deepEqual(finished.body, { code: 409, message: `Conflict: update '${next.updateId}' has already ended (status: succeeded) and cannot be cancelled` });
    assert.equal((await api.post(`${stack}/update/nope/cancel`)).status, 404);
    assert.equal((await api.post(`${stack}/update/${updateId}/cancel`, undefined, { token: null })).status, 401);
    // Every version history reports can be exported, the cancelled first one (which wrote no state) included.
    const versions = (await api.get(`${stack}/updates`)).body.updates.map((u: { version: number }) => u.version);
    assert.deepEqual(versions, [2, 1]);
    for (const version of versions) {
      const exported = await api.get(`${stack}/export/${version}`);
      assert.equal(exported.status, 200, `export/${version}: ${exported.text}`);
      assert.equal(exported.body.version, 3);
      assert.match(exported.body.deployment.manifest.time, /^\d{4}-\d{2}-\d{2}T/);
    }
  });
});

describe("each kind's own path", () => {
  it('runs a destroy and a preview at destroy/{id} and preview/{id} as Pulumi’s generated client does', async () => {
    const stack = await freshStack();
    const created = await api.post(`${stack}/destroy`, program(false));
    const id = created.body.updateID as string;
    const started = await api.post(`${stack}/destroy/${id}`, { tags: { 'pulumi:project': 'proj' }, journalVersion: 0 });
    assert.equal(started.status, 200, started.text);
    const lease = started.body.token as string;
    const renewed = await api.post(`${stack}/destroy/${id}/renew_lease`, { token: '', duration: 300 }, withLease(lease));
    assert.equal(renewed.status, 200, renewed.text);
    const saved = await api.request('PATCH', `${stack}/destroy/${id}/checkpointverbatim`, withLease(lease, { rawBody: verbatimBody(verbatimText('by destroy'), 1) }));
    assert.equal(saved.status, 204, saved.text);
    const one = await api.post(`${stack}/destroy/${id}/events`, { sequence: 0, timestamp: 1, stdoutEvent: { message: 'one event', color: 'raw' } }, withLease(lease));
    assert.deepEqual([one.status, one.body], [200, {}]);
    assert.deepEqual((await api.post(`${stack}/destroy/${id}/events`, { timestamp: 1 }, withLease(lease))).body, {
      code: 400,
      message: 'Bad Request: events[0].sequence must be a whole number',
    });
    assert.equal((await api.post(`${stack}/destroy/${id}/complete`, { status: 'succeeded' }, withLease(lease))).status, 204);
    assert.deepEqual((await api.get(`${stack}/destroy/${id}`)).body, { status: 'succeeded', events: [] });
    assert.deepEqual((await api.get(`${stack}/destroy/${id}/events`)).body.events, [{ sequence: 0, timestamp: 1, stdoutEvent: { message: 'one event', color: 'raw' }, type: 'stdoutEvent' }]);
    assert.equal((await api.get(`${stack}/export`)).text, verbatimText('by destroy'));
    assert.deepEqual((await api.get(`${stack}/updates`)).body.updates.map((u: { kind: string }) => u.kind), ['destroy']);

    const preview = await api.post(`${stack}/preview`, program(true));
    const previewId = preview.body.updateID as string;
    const previewStart = await api.post(`${stack}/preview/${previewId}`, { tags: {}, journalVersion: 0 });
    assert.equal(previewStart.status, 200, previewStart.text);
    const previewLease = previewStart.body.token as string;
    assert.equal((await api.request('PATCH', `${stack}/preview/${previewId}/checkpoint`, withLease(previewLease, { rawBody: '{}' }))).status, 404);
    assert.equal((await api.post(`${stack}/preview/${previewId}/events/batch`, { events: [{ sequence: 0, timestamp: 1, cancelEvent: {} }] }, withLease(previewLease))).status, 200);
    assert.equal((await api.post(`${stack}/preview/${previewId}/cancel`)).status, 204);
    assert.equal((await api.get(`${stack}/preview/${previewId}`)).body.status, 'cancelled');
  });
});

describe('history', () => {
  it('lists non-preview updates newest first in the CLI’s and the service’s formats, with paging', async () => {
    const stack = await freshStack();
    for (const [kind, status] of [['update', 'succeeded'], ['refresh', 'succeeded'], ['update', 'failed'], ['destroy', 'succeeded']] as const) {
      const preview = await beginUpdate(api, stack, kind, true);
      await api.post(`${stack}/update/${preview.updateId}/complete`, { status: 'succeeded' }, withLease(preview.token));
      const run = await beginUpdate(api, stack, kind);
      await api.post(`${stack}/update/${run.updateId}/complete`, { status }, withLease(run.token));
    }
    const latestPreview = await beginUpdate(api, stack, 'preview');
    await api.post(`${stack}/update/${latestPreview.updateId}/complete`, { status: 'succeeded' }, withLease(latestPreview.token));

    const cli = (await api.get(`${stack}/updates`)).body;
    assert.deepEqual(Object.keys(cli), ['updates']);
    assert.deepEqual(cli.updates.map((u: any) => [u.kind, u.result, u.version]), [
      ['destroy', 'succeeded', 4],
      ['update', 'failed', 3],
      ['refresh', 'succeeded', 2],
      ['update', 'succeeded', 1],
    ]);
    const now = Math.floor(clock.now() / 1000);
    assert.deepEqual(cli.updates[0], {
      kind: 'destroy',
      startTime: now,
      message: 'a test update',
      environment: { 'exec.kind': 'cli', 'git.head': 'abc123' },
      config: { 'proj:greeting': { string: 'hello', secret: false, object: false } },
      result: 'succeeded',
      endTime: now,
      version: 4,
      resourceCount: 0,
    });

    const page = (await api.get(`${stack}/updates?output-type=service&pageSize=2&page=2`)).body;
    assert.equal(page.itemsPerPage, 2);
    assert.equal(page.total, 4);
    assert.deepEqual(page.updates.map((u: any) => u.info.kind), ['refresh', 'update']);
    assert.deepEqual(Object.keys(page.updates[0]).sort(), ['info', 'latestVersion', 'policyPacks', 'requestedBy', 'updateID', 'version']);
    assert.equal(page.updates[0].latestVersion, 4);
    assert.deepEqual(page.updates[0].requestedBy, { name: 'admin', githubLogin: 'admin', avatarUrl: '' });

    const latest = (await api.get(`${stack}/updates/latest`)).body;
    assert.equal(latest.info.kind, 'destroy');
    assert.equal(latest.version, 4);

    const previews = (await api.get(`${stack}/updates/latest/previews?asc=false&pageSize=1&page=1`)).body;
    assert.deepEqual(previews.updates.map((u: any) => u.updateID), [latestPreview.updateId]);
    assert.equal(previews.total, 1);

    // Paging as the spec has it: a page alone holds 10, page 0 is everything, size 0 is the default,
    // and any output type but `cli` is the service's format.
    const kinds = async (query: string) => (await api.get(`${stack}/updates?${query}`)).body.updates.map((u: any) => u.kind ?? u.info.kind);
    const all = ['destroy', 'update', 'refresh', 'update'];
    assert.deepEqual(await kinds('page=1'), all);
    assert.deepEqual(await kinds('page=2'), []);
    assert.deepEqual(await kinds('page=0&pageSize=1'), all);
    assert.deepEqual(await kinds('pageSize=0'), all);
    assert.deepEqual(await kinds('page=2&pageSize=0'), []);
    assert.deepEqual(await kinds('pageSize=3'), all.slice(0, 3));
    assert.deepEqual(await kinds('page=2&pageSize=3'), all.slice(3));
    const other = (await api.get(`${stack}/updates?output-type=anything&page=1`)).body;
    assert.deepEqual([other.itemsPerPage, other.total, other.updates.length], [10, 4, 4]);
    assert.deepEqual(Object.keys((await api.get(`${stack}/updates?output-type=cli`)).body), ['updates']);
    assert.equal((await api.get(`${stack}/updates?pageSize=1001`)).status, 400);
    assert.equal((await api.get(`${stack}/updates?page=-1`)).status, 400);
    assert.equal((await api.get('/api/stacks/stackyard/proj/nope/updates')).status, 404);
    assert.equal((await api.get(`${stack}/updates`, { token: null })).status, 401);
  });

  it('reads one version: its update, summary, the previews before it and its timeline', async () => {
    const stack = await freshStack();
    const previews: string[] = [];
    const runs: string[] = [];
    for (const kind of ['update', 'refresh']) {
      for (let i = 0; i < 2; i++) {
        const preview = await beginUpdate(api, stack, 'preview');
        await api.post(`${stack}/update/${preview.updateId}/complete`, { status: 'succeeded' }, withLease(preview.token));
        previews.push(preview.updateId);
      }
      const run = await beginUpdate(api, stack, kind);
      await api.post(`${stack}/update/${run.updateId}/complete`, { status: 'succeeded' }, withLease(run.token));
      runs.push(run.updateId);
    }
    const second = (await api.get(`${stack}/updates/2`)).body;
    assert.deepEqual([second.updateID, second.version, second.latestVersion, second.info.kind], [runs[1], 2, 2, 'refresh']);
    const now = Math.floor(clock.now() / 1000);
    assert.deepEqual((await api.get(`${stack}/updates/1/summary`)).body, { startTime: now, endTime: now, result: 'succeeded', resourceCount: 0 });
    const before2 = (await api.get(`${stack}/updates/2/previews`)).body;
    assert.deepEqual([before2.updates.map((u: any) => u.updateID), before2.total, before2.itemsPerPage], [previews.slice(2), 2, 2]);
    const newestFirst = (await api.get(`${stack}/updates/1/previews?asc=false&page=1&pageSize=1`)).body;
    assert.deepEqual([newestFirst.updates.map((u: any) => u.updateID), newestFirst.total, newestFirst.itemsPerPage], [[previews[1]], 2, 1]);
    const timeline = (await api.get(`${stack}/updates/1/timeline`)).body;
    assert.deepEqual([timeline.update.updateID, timeline.previews.map((u: any) => u.updateID), timeline.collatedUpdateEvents], [runs[0], previews.slice(0, 2), []]);
    assert.equal((await api.get(`${stack}/updates/latest/timeline`)).body.update.updateID, runs[1]);
    const previewSummary = (await api.get(`${stack}/previews/${previews[3]}/summary`)).body;
    assert.deepEqual(previewSummary, { startTime: now, endTime: now, result: 'succeeded', resourceCount: 0 });

    const missing = await api.get(`${stack}/updates/3`);
    assert.deepEqual(missing.body, { code: 404, message: `Not Found: stack '${stack.slice('/api/stacks/'.length)}' has no update of version 3` });
    assert.equal((await api.get(`${stack}/updates/3/timeline`)).status, 404);
    assert.equal((await api.get(`${stack}/previews/${runs[0]}/summary`)).status, 404, 'an update is not a preview');
    assert.equal((await api.get(`${stack}/updates/x/summary`)).status, 400);
  });

  it('answers 404 for the latest update of a stack never updated', async () => {
    const stack = await freshStack();
    assert.equal((await api.get(`${stack}/updates/latest`)).status, 404);
    assert.deepEqual((await api.get(`${stack}/updates`)).body, { updates: [] });
  });
});
