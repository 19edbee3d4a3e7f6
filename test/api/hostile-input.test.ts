import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createStack } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

let server: TestServer;
let api: ApiClient;
let counter = 0;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

async function freshStack(): Promise<{ path: string; name: string }> {
  const name = `h${++counter}`;
  await createStack(api, 'stackyard', 'proj', name);
  return { path: `/api/stacks/stackyard/proj/${name}`, name };
}

const agent = { 'User-Agent': 'pulumi-cli/1 (v3.274.1; linux; cmd=pulumi up)' };
const urn = (name: string) => `urn:pulumi:dev::proj::test:index:Thing::${name}`;
const thing = (name: string) => ({ urn: urn(name), custom: true, type: 'test:index:Thing', id: `${name}-id`, outputs: { name } });
const created = (sequenceID: number, operationID: number, name: string) => [
  { version: 1, kind: 0, sequenceID, operationID, removeOld: null, removeNew: null, operation: { resource: thing(name), type: 'creating' } },
  { version: 1, kind: 1, sequenceID: sequenceID + 1, operationID, removeOld: null, removeNew: null, state: thing(name) },
];

async function journaledUpdate(stack: string) {
  const update = await api.post(`${stack}/update`, {
    name: 'proj', runtime: 'nodejs', options: { dryRun: false }, config: {}, metadata: { message: '', environment: {} },
  }, { headers: agent });
  const started = await api.post(`${stack}/update/${update.body.updateID}`, { tags: {}, journalVersion: 2 });
  assert.equal(started.status, 200, started.text);
  return { updateId: update.body.updateID as string, token: started.body.token as string };
}

const deep = (depth: number, inner = '1') => '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
const tooDeep = { code: 400, message: 'Bad Request: request body nests arrays and objects more than 1000 levels deep' };

describe('bodies nested 100,000 deep', () => {
  it('are refused with 400 by stack create, import, checkpoints, events and journal entries', async () => {
    const { path } = await freshStack();
    const nested = deep(100_000);
    const create = await api.request('POST', '/api/stacks/stackyard/proj', { rawBody: `{"stackName":"deep","state":{"version":3,"deployment":{"resources":[{"outputs":${nested}}]}}}` });
    assert.deepEqual(create.body, tooDeep);
    const imported = await api.request('POST', `${path}/import`, { rawBody: `{"version":3,"deployment":{"resources":[{"outputs":${nested}}]}}`, gzip: true });
    assert.deepEqual(imported.body, tooDeep);
    const tags = await api.request('PATCH', `${path}/tags`, { rawBody: nested });
    assert.deepEqual(tags.body, tooDeep);

    const checkpointed = await beginUpdate(api, path);
    const verbatim = await api.request('PATCH', `${path}/update/${checkpointed.updateId}/checkpointverbatim`, withLease(checkpointed.token, {
      rawBody: `{"version":3,"sequenceNumber":1,"untypedDeployment":{"version":3,"deployment":{"resources":[{"outputs":${nested}}]}}}`,
    }));
    assert.deepEqual(verbatim.body, tooDeep);
    const events = await api.request('POST', `${path}/update/${checkpointed.updateId}/events/batch`, withLease(checkpointed.token, {
      rawBody: `{"events":[{"sequence":1,"timestamp":1,"diagnosticEvent":${nested}}]}`,
    }));
    assert.deepEqual(events.body, tooDeep);
    await api.post(`${path}/update/${checkpointed.updateId}/complete`, { status: 'succeeded' }, withLease(checkpointed.token));

    const { updateId, token } = await journaledUpdate(path);
    const entry = { version: 1, kind: 1, sequenceID: 1, operationID: 1, removeOld: null, removeNew: null, state: thing('a') };
    const journal = await api.request('PATCH', `${path}/update/${updateId}/journalentries`, withLease(token, {
      rawBody: JSON.stringify({ entries: [entry] }).replace('{"name":"a"}', nested),
    }));
    assert.deepEqual(journal.body, tooDeep);
    assert.equal((await api.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
  });

  it('are accepted up to the limit, and such a stack can still be renamed', async () => {
    const { path, name } = await freshStack();
    const secret = '{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270","ciphertext":"x"}';
    const state = `{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:${name}::proj::test:index:Thing::r","type":"test:index:Thing","outputs":${deep(990, secret)}}]}}`;
    const imported = await api.request('POST', `${path}/import`, { rawBody: state });
    assert.equal(imported.status, 200, imported.text);
    const renamed = await api.post(`${path}/rename`, { newName: `${name}-renamed` });
    assert.equal(renamed.status, 200, renamed.text);
    const exported = await api.get(`${path}-renamed/export`);
    assert.equal(exported.body.deployment.resources[0].urn, `urn:pulumi:${name}-renamed::proj::test:index:Thing::r`);
  });
});

describe('batches larger than one SQL statement can bind', () => {
  it('accepts a journal batch of 5,000 entries and an event batch of 9,000', async () => {
    const { path } = await freshStack();
    const { updateId, token } = await journaledUpdate(path);
    const entries = Array.from({ length: 2500 }, (_, i) => created(2 * i + 1, i + 1, `r${i}`)).flat();
    const journal = await api.patch(`${path}/update/${updateId}/journalentries`, { entries }, withLease(token, { gzip: true }));
    assert.equal(journal.status, 204, journal.text);
    const events = Array.from({ length: 9000 }, (_, i) => ({ sequence: i + 1, timestamp: 1, stdoutEvent: { message: `line ${i}`, color: 'raw' } }));
    const batch = await api.post(`${path}/update/${updateId}/events/batch`, { events }, withLease(token, { gzip: true }));
    assert.equal(batch.status, 200, batch.text);
    assert.equal((await api.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    const exported = await api.get(`${path}/export`);
    assert.equal(exported.body.deployment.resources.length, 2500);
    assert.equal(exported.body.deployment.resources[2499].urn, urn('r2499'));
    const firstPage = await api.get(`${path}/update/${updateId}/events`);
    assert.deepEqual(firstPage.body.events[0], { sequence: 1, timestamp: 1, stdoutEvent: { message: 'line 0', color: 'raw' }, type: 'stdoutEvent' });
  });

  it('accepts 11,000 tags, at creation and as a replacement', async () => {
    const tags = Object.fromEntries(Array.from({ length: 11_000 }, (_, i) => [`t${i}`, `v${i}`]));
    const create = await api.post('/api/stacks/stackyard/proj', { stackName: 'many-tags', tags });
    assert.equal(create.status, 200, create.text);
    const { path } = await freshStack();
    const replaced = await api.patch(`${path}/tags`, tags);
    assert.equal(replaced.status, 204, replaced.text);
    for (const stack of ['/api/stacks/stackyard/proj/many-tags', path]) {
      const stored = (await api.get(stack)).body.tags;
      assert.equal(Object.keys(stored).length, 11_000);
      assert.equal(stored.t10999, 'v10999');
    }
  });
});

describe('bodies over 1 MB, checked and parsed in slices', () => {
  it('come out as JSON.parse reads them, and a flaw near the end is named by its byte', async () => {
    const { path, name } = await freshStack();
    const resources = Array.from({ length: 3000 }, (_, i) => ({
      urn: `urn:pulumi:${name}::proj::test:index:Thing::r${i}`,
      type: 'test:index:Thing',
      outputs: { __proto__: null, text: 'x'.repeat(1000), nested: { list: [i, { '': null }] } },
    }));
    const text = JSON.stringify({ version: 3, deployment: { manifest: { time: '2026-01-01T00:00:00Z', magic: '', version: '' }, resources } });
    assert.ok(text.length > 3_000_000);
    const imported = await api.request('POST', `${path}/import`, { rawBody: text });
    assert.equal(imported.status, 200, imported.text);
    const exported = await api.get(`${path}/export`);
    assert.deepEqual(exported.body.deployment.resources, JSON.parse(text).deployment.resources);

    const broken = `${text.slice(0, -2)},}}`;
    const refused = await api.request('POST', `${path}/import`, { rawBody: broken });
    assert.deepEqual(refused.body, {
      code: 400,
      message: `Bad Request: request body is not valid JSON: unexpected '}' at byte ${broken.length - 2}, expected a member name in quotes`,
    });
    const deep = await api.request('POST', `${path}/import`, { rawBody: `${text.slice(0, -2)},"x":${'['.repeat(1001)}${']'.repeat(1001)}}}` });
    assert.deepEqual(deep.body, tooDeep);
  });
});

describe('numbers beyond what the database holds', () => {
  it('are refused in paths and queries with 400 naming the parameter', async () => {
    const { path } = await freshStack();
    const cases: Array<[string, string]> = [
      [`${path}/updates?page=99999999999999999999&pageSize=10`, 'querystring/page must be <= 2147483647'],
      [`${path}/updates/latest/previews?page=99999999999999999999&pageSize=10`, 'querystring/page must be <= 2147483647'],
      [`${path}/export/9223372036854775808`, 'params/version must be <= 2147483647'],
      [`${path}/resources/99999999999`, 'params/version must be <= 2147483647'],
    ];
    for (const [url, message] of cases) {
      assert.deepEqual((await api.get(url)).body, { code: 400, message: `Bad Request: ${message}` }, url);
    }
    const { updateId } = await beginUpdate(api, path);
    const events = await api.get(`${path}/update/${updateId}/events?continuationToken=99999999999999999999`);
    assert.deepEqual(events.body, { code: 400, message: 'Bad Request: querystring/continuationToken must match pattern "^(-1|[0-9]{1,16})$"' });
  });

  it('stores journal sequence and operation ids and event sequences of 2^40, and refuses ones past 2^53', async () => {
    const { path } = await freshStack();
    const { updateId, token } = await journaledUpdate(path);
    const big = 2 ** 40;
    const journal = await api.patch(`${path}/update/${updateId}/journalentries`, { entries: created(big, big, 'big') }, withLease(token));
    assert.equal(journal.status, 204, journal.text);
    const tooBig = await api.request('PATCH', `${path}/update/${updateId}/journalentries`, withLease(token, {
      rawBody: `{"entries":[{"version":1,"kind":1,"sequenceID":18014398509481984,"operationID":1,"state":${JSON.stringify(thing('x'))}}]}`,
    }));
    assert.deepEqual(tooBig.body, { code: 400, message: 'Bad Request: body/entries/0/sequenceID must be <= 9007199254740991' });
    const events = await api.post(`${path}/update/${updateId}/events/batch`, { events: [{ sequence: big, timestamp: 1, stdoutEvent: { message: 'hi', color: 'raw' } }] }, withLease(token));
    assert.equal(events.status, 200, events.text);
    const eventTooBig = await api.request('POST', `${path}/update/${updateId}/events/batch`, withLease(token, { rawBody: '{"events":[{"sequence":1e300}]}' }));
    assert.deepEqual(eventTooBig.body, { code: 400, message: 'Bad Request: body/events/0/sequence must be <= 9007199254740991' });
    assert.equal((await api.post(`${path}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token))).status, 204);
    assert.equal((await api.get(`${path}/export`)).body.deployment.resources[0].urn, urn('big'));
    const listed = await api.get(`${path}/update/${updateId}/events?continuationToken=${big - 1}`);
    assert.deepEqual(listed.body.events, [{ sequence: big, timestamp: 1, stdoutEvent: { message: 'hi', color: 'raw' }, type: 'stdoutEvent' }]);
  });
});

describe('NUL characters', () => {
  it('are refused with 400 in paths, queries and body fields, before authentication', async () => {
    const { path } = await freshStack();
    const pathNul = { code: 400, message: 'Bad Request: the request path contains a NUL character' };
    assert.deepEqual((await api.get('/api/stacks/stackyard/proj%00/x')).body, pathNul);
    assert.deepEqual((await api.get('/api/stacks/stackyard/proj/x', { token: 'not-a-token' })).status, 401);
    assert.deepEqual((await api.get('/api/stacks/stack%00yard/proj/x', { token: 'not-a-token' })).body, pathNul);
    assert.deepEqual(
      (await api.post(`${path}/update/u%00/renew_lease`, { duration: 60 }, withLease('made-up'))).body,
      pathNul,
    );
    assert.deepEqual((await api.get('/api/user/stacks?organization=stack%00yard')).body, {
      code: 400,
      message: 'Bad Request: the query string contains a NUL character',
    });
    const hiddenNul = Buffer.from(JSON.stringify(['stackyard', 'proj\u0000', 'x'])).toString('base64url');
    assert.deepEqual((await api.get(`/api/user/stacks?continuationToken=${hiddenNul}`)).body, {
      code: 400,
      message: 'Bad Request: invalid continuation token',
    });
    const bodyNul = { code: 400, message: 'Bad Request: the request body contains a NUL character' };
    assert.deepEqual((await api.post('/api/stacks/stackyard/proj', { stackName: 'a\u0000b' })).body, bodyNul);
    assert.deepEqual((await api.post(`${path}/tags`, { name: 'owner', value: 'x\u0000' })).body, bodyNul);
    assert.deepEqual((await api.patch(`${path}/tags`, { ['k\u0000']: 'v' })).body, bodyNul);
    assert.deepEqual((await api.get(path)).body.tags, {});
  });
});

describe("Fastify's own errors", () => {
  it('come in the API form: bad percent-encoding 400, an over-long path parameter 414', async () => {
    const badEncoding = await api.get('/api/stacks/stackyard/proj/%zz');
    assert.deepEqual(badEncoding.body, { code: 400, message: 'Bad Request: the request path is not valid percent-encoding' });
    assert.ok(badEncoding.headers.get('x-pulumi-request-id'));
    const long = await api.get(`/api/stacks/stackyard/proj/${'a'.repeat(2000)}`);
    assert.equal(long.status, 414);
    assert.deepEqual(long.body, { code: 414, message: 'URI Too Long: a part of the request path is longer than the router accepts' });
  });
});

describe('tags named like Object.prototype members', () => {
  const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

  it('are ordinary tags: added, listed, changed, deleted, replaced', async () => {
    const { path } = await freshStack();
    for (const name of names) {
      const added = await api.post(`${path}/tags`, { name, value: `v-${name}` });
      assert.equal(added.status, 204, `${name}: ${added.text}`);
    }
    const listed = (await api.get(path)).body.tags;
    for (const name of names) assert.equal(Object.getOwnPropertyDescriptor(listed, name)?.value, `v-${name}`, name);
    const again = await api.post(`${path}/tags`, { name: 'constructor', value: 'x' });
    assert.deepEqual(again.body, { code: 400, message: `Bad Request: tag 'constructor' already exists on stack 'stackyard/proj/${path.split('/').pop()}'` });

    const missing = await api.patch(`${path}/tags/valueOf`, { name: 'valueOf', value: 'x' });
    assert.deepEqual(missing.body, { code: 404, message: `Not Found: tag 'valueOf' not found on stack 'stackyard/proj/${path.split('/').pop()}'` });
    assert.equal((await api.patch(`${path}/tags/toString`, { name: 'toString', value: 'changed' })).status, 204);
    assert.equal((await api.delete(`${path}/tags/constructor`)).status, 204);
    assert.equal((await api.delete(`${path}/tags/constructor`)).status, 404);
    const after = (await api.get(path)).body.tags;
    assert.equal(after.toString, 'changed');
    assert.equal(Object.hasOwn(after, 'constructor'), false);

    const replaced = await api.request('PATCH', `${path}/tags`, { rawBody: '{"__proto__":"p","constructor":"c"}' });
    assert.equal(replaced.status, 204, replaced.text);
    const final = (await api.get(path)).text;
    assert.equal(JSON.stringify(JSON.parse(final).tags), '{"__proto__":"p","constructor":"c"}');
  });
});

describe('tags an update brings when it starts', () => {
  it("follow PATCH tags' rule for pulumi:project: another project's name is a 400 and the stack stays free", async () => {
    const { path } = await freshStack();
    const update = await api.post(`${path}/update`, {
      name: 'proj', runtime: 'nodejs', options: { dryRun: false }, config: {}, metadata: { message: '', environment: {} },
    });
    const started = await api.post(`${path}/update/${update.body.updateID}`, { tags: { 'pulumi:project': 'other' } });
    assert.deepEqual(started.body, { code: 400, message: "Bad Request: tag 'pulumi:project' must name the stack's project 'proj'" });
    const patched = await api.patch(`${path}/tags`, { 'pulumi:project': 'other' });
    assert.deepEqual(patched.body, started.body);
    assert.deepEqual((await api.get(path)).body.tags, {});
    const retried = await api.post(`${path}/update/${update.body.updateID}`, { tags: { 'pulumi:project': 'proj', owner: 'me' } });
    assert.equal(retried.status, 200, retried.text);
    assert.deepEqual((await api.get(path)).body.tags, { 'pulumi:project': 'proj', owner: 'me' });
  });
});


describe('policy packs, groups and events', () => {
  const packs = '/api/orgs/stackyard/policypacks';
  const policies = [{ name: 'p', enforcementLevel: 'advisory', configSchema: { type: 'object', properties: { n: { type: 'integer' } } } }];

  it('take config keyed by Object.prototype names as unknown policies, and change nothing', async () => {
    const created = await api.post(packs, { name: 'hostile', displayName: '', versionTag: '1', policies });
    assert.equal((await fetch(created.body.uploadURI, { method: 'PUT', body: new Uint8Array(zlib.gzipSync('x')) })).status, 200);
    assert.equal((await api.post(`${packs}/hostile/versions/1/complete`)).status, 204);
    for (const key of ['__proto__', 'constructor', 'toString']) {
      const reply = await api.request('PATCH', '/api/orgs/stackyard/policygroups/default-policy-group', {
        rawBody: `{"addPolicyPack":{"name":"hostile","config":{"${key}":{"enforcementLevel":"mandatory"}}}}`,
      });
      assert.deepEqual(reply.body, { code: 400, message: `Bad Request: config names policy '${key}', which policy pack 'hostile' does not have` });
    }
    assert.deepEqual((await api.get('/api/orgs/stackyard/policygroups/default-policy-group')).body.appliedPolicyPacks, []);
  });

  it('refuse an archive that is not gzip, one sent twice after completion, and one for a URL of another version', async () => {
    const first = await api.post(packs, { name: 'hostile-archive', displayName: '', versionTag: '1', policies });
    const second = await api.post(packs, { name: 'hostile-archive', displayName: '', versionTag: '2', policies });
    const put = (url: string, body: Buffer, headers: Record<string, string> = {}) => fetch(url, { method: 'PUT', body: new Uint8Array(body), headers });
    assert.equal((await put(first.body.uploadURI, Buffer.from('PK\u0003\u0004 a zip'))).status, 400);
    // gzip as a Content-Encoding is taken off: what remains is not a gzip archive.
    assert.equal((await put(first.body.uploadURI, zlib.gzipSync('plain'), { 'Content-Encoding': 'gzip' })).status, 400);
    const otherVersion = first.body.uploadURI.replace(/archives\/[^?]+/, /archives\/[^?]+/.exec(second.body.uploadURI)![0]);
    assert.equal((await put(otherVersion, zlib.gzipSync('x'))).status, 403);
    assert.equal((await put(`${first.body.uploadURI}%00`, zlib.gzipSync('x'))).status, 400);
    assert.equal((await api.post(`${packs}/hostile-archive/versions/1/complete`)).status, 400, 'nothing was stored');
  });

  it('record policy events whose fields are of the wrong types without failing the batch', async () => {
    const { path } = await freshStack();
    const update = await beginUpdate(api, path);
    const events = [
      { sequence: 1, timestamp: 'soon', policyEvent: { policyName: { a: 1 }, policyPackName: 7, resourceUrn: null, message: ['m'], enforcementLevel: true } },
      { sequence: 2, timestamp: 1, policyEvent: 'not an object' },
      { sequence: 3, timestamp: 1, policyAnalyzeSummaryEvent: { passed: 'p', policyPackName: {} } },
      { sequence: 4, timestamp: 1, policyAnalyzeSummaryEvent: { resourceUrn: 5, passed: [1, null, 'p'] } },
    ];
    const reply = await api.post(`${path}/update/${update.updateId}/events/batch`, { events }, withLease(update.token));
    assert.equal(reply.status, 200, reply.text);
    const listed = await api.get(`/api/orgs/stackyard/policyresults/violations?stack=${path.split('/').pop()}`);
    assert.deepEqual(listed.body.policyViolations.map((v: Record<string, unknown>) => [v.policyName, v.policyPack, v.resourceURN, v.message, v.level]), [['', '', '', '', '']]);
  });
});

describe('deployment settings and the runner protocol', () => {
  const settingsOf = (path: string) => `${path}/deployments/settings`;

  it('keep variables named like Object.prototype members as variables, through merges and into the job', async () => {
    const { path } = await freshStack();
    const created = await api.request('POST', settingsOf(path), {
      rawBody: '{"sourceContext":{"git":{"repoUrl":"file:///srv/h.git"}},"operationContext":{"environmentVariables":{"__proto__":"p","constructor":{"secret":"c"},"toString":"t"}}}',
    });
    assert.equal(created.status, 200, created.text);
    const merged = await api.request('POST', settingsOf(path), { rawBody: '{"operationContext":{"environmentVariables":{"__proto__":"q","toString":null}}}' });
    assert.deepEqual(Object.keys(merged.body.operationContext.environmentVariables).sort(), ['__proto__', 'constructor']);
    assert.equal(merged.body.operationContext.environmentVariables['__proto__'], 'q');
    const id = (await api.post(`${path}/deployments`, { operation: 'update' })).body.id;
    const runner = new ApiClient(api.baseUrl, server.server.ctx.defaultPoolToken);
    let claimed;
    // Other tests' deployments may be queued before this one: claim until it comes, ending the others.
    while ((claimed = await runner.get('/api/deployments/poll')).body.deploymentID !== id) {
      await new ApiClient(api.baseUrl, claimed.body.jobToken).post(`/api/deployments/${claimed.body.deploymentID}/complete`, { status: 'failed' });
    }
    const job = new ApiClient(api.baseUrl, claimed.body.jobToken);
    const spec = await job.get(`/api/deployments/${id}/job`);
    assert.equal(spec.body.environmentVariables['__proto__'], 'q');
    assert.equal(spec.body.environmentVariables.constructor, 'c');
    assert.deepEqual(spec.body.secretValues, ['c']);

    // Bad reports are 400s that change nothing: unknown steps, too many lines, a status the protocol lacks.
    assert.equal((await job.post(`/api/deployments/${id}/steps/99`, { status: 'running' })).status, 404);
    assert.equal((await job.post(`/api/deployments/${id}/steps/0`, { status: 'exploded' })).status, 400);
    assert.equal((await job.post(`/api/deployments/${id}/logs`, { step: 0, lines: Array.from({ length: 1001 }, () => ({ line: 'x' })) })).status, 400);
    assert.equal((await job.post(`/api/deployments/${id}/logs`, { step: 0, lines: [{ timestamp: 'yesterday', line: 'kept, with the time of arrival' }] })).status, 204);
    assert.equal((await job.post(`/api/deployments/${id}/complete`, { status: 'skipped' })).status, 400);
    assert.equal((await api.get(`${path}/deployments/${id}/logs?continuationToken=12abc`)).status, 400);
    assert.equal((await api.get(`${path}/deployments/${id}`)).body.status, 'accepted');
    assert.equal((await job.post(`/api/deployments/${id}/complete`, { status: 'failed' })).status, 204);
    assert.equal((await job.post(`/api/deployments/${id}/complete`, { status: 'succeeded' })).status, 401, 'once only: its token has ended');
  });

  it('refuse pool tokens that are garbled, of another scheme, or an access token', async () => {
    for (const authorization of ['token', 'token pul-0000', 'Bearer x', `token ${api.token}`, 'token \u00ff'.repeat(10)]) {
      const reply = await fetch(`${api.baseUrl}/api/deployments/poll`, { headers: { Authorization: authorization } });
      assert.equal(reply.status, 401, authorization);
    }
  });
});

describe('deployment schedules', () => {
  const withSettings = async () => {
    const { path } = await freshStack();
    assert.equal((await api.post(`${path}/deployments/settings`, { sourceContext: { git: { repoUrl: 'file:///srv/h.git' } } })).status, 200);
    return path;
  };

  it('refuse malformed bodies with a 400 naming the problem, and store nothing', async () => {
    const path = await withSettings();
    const request = { operation: 'update' };
    for (const [route, body, message] of [
      ['schedules', [], /body must be object/],
      ['schedules', 'null', /body must be object/],
      ['schedules', { scheduleCron: `0 ${'* '.repeat(200)}`, request }, /scheduleCron must NOT have more than 256 characters/],
      ['schedules', { scheduleCron: '* * * * \u2603', request }, /scheduleCron '\* \* \* \* \u2603' is not a 5-field cron expression/],
      ['schedules', { scheduleCron: '0 0 * * *\u0000', request }, /the request body contains a NUL character/],
      ['schedules', { scheduleCron: ['0 0 * * *'], request }, /scheduleCron must be string/],
      ['schedules', { scheduleOnce: '+275760-09-13T00:00:00Z', request }, /scheduleOnce '\+275760-09-13T00:00:00Z' is not an RFC 3339 time/],
      ['schedules', { scheduleOnce: 1798761600000, request }, /scheduleOnce must be string/],
      ['schedules', { scheduleCron: '0 0 * * *', request: { operation: 'update', operationContext: 'x' } }, /request: operationContext must be an object/],
      ['schedules', { scheduleCron: '0 0 * * *', request: { operation: ['update'] } }, /operation 'update' is not one of/],
      ['drift/schedules', { scheduleCron: '0 0 * * *', autoRemediate: 'yes' }, /autoRemediate must be boolean/],
      ['ttl/schedules', { timestamp: '2099-01-01T00:00:00Z', deleteAfterDestroy: 1 }, /deleteAfterDestroy must be boolean/],
      ['ttl/schedules', { timestamp: 4070908800 }, /timestamp must be string/],
    ] as const) {
      const options = typeof body === 'string' ? { rawBody: body } : { body };
      const refused = await api.request('POST', `${path}/deployments/${route}`, options);
      assert.equal(refused.status, 400, `${route} ${JSON.stringify(body)}: ${refused.text}`);
      assert.match(refused.body.message, message, `${route} ${JSON.stringify(body)}`);
    }
    assert.deepEqual((await api.get(`${path}/deployments/schedules`)).body.schedules, []);
    assert.equal((await api.get(`${path}/deployments/schedules/${'x'.repeat(65)}`)).status, 400, 'an id longer than any the server makes');
  });

  it('keep variables named like Object.prototype members as variables, their secrets sealed', async () => {
    const path = await withSettings();
    const created = await api.request('POST', `${path}/deployments/schedules`, {
      rawBody: '{"scheduleCron":"0 0 * * *","request":{"operation":"update","operationContext":{"environmentVariables":{"__proto__":{"secret":"p"},"constructor":"c"}}}}',
    });
    assert.equal(created.status, 200, created.text);
    const variables = (await api.get(`${path}/deployments/schedules/${created.body.id}`)).body.definition.request.operationContext.environmentVariables;
    assert.deepEqual(Object.keys(variables).sort(), ['__proto__', 'constructor']);
    assert.deepEqual(Object.keys(Object.getOwnPropertyDescriptor(variables, '__proto__')!.value), ['ciphertext']);
    assert.equal(variables.constructor, 'c');
  });
});

describe('the web console', () => {
  it('never serves a file outside its build, whatever the path says, and answers API clients with JSON 404s', async () => {
    for (const target of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/index.html.gz', '/../src/config.ts']) {
      for (const accept of ['text/html', 'application/json', '*/*']) {
        const res = await fetch(`${server.url}${target}`, { headers: { Accept: accept } });
        const text = await res.text();
        assert.ok(res.status === 200 || res.status === 400 || res.status === 403 || res.status === 404, `${target} (${accept}): ${res.status}`);
        assert.doesNotMatch(text, /"name": "stackyard"|root:x:0|parseConfig/, `${target} (${accept}) leaked a file`);
        if (res.status === 200) assert.match(text, /<div id="root">/, `${target} (${accept}) is the console page or nothing`);
        else assert.equal(JSON.parse(text).code, res.status);
      }
    }
    // Console pages are for reading: other methods on them are the API's 404s.
    const posted = await fetch(`${server.url}/stackyard/proj/dev`, { method: 'POST', headers: { Accept: 'text/html', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(posted.status, 404);
  });
});
