// The standing guard against 500s: every route the server describes in its OpenAPI document (so a
// new route is covered the day it is registered) gets fixed hostile cases and random requests drawn
// from its own schemas, against `stackyard serve` in a process of its own. No answer may be a 5xx,
// no connection may be dropped, and the process must still be serving after every route.
// STACKYARD_FUZZ_RUNS (random requests per route, 25 by default) and STACKYARD_FUZZ_SEED give the
// long local mode: `npm run fuzz`; STACKYARD_FUZZ_ONLY=<text> fuzzes the routes whose `METHOD /path`
// contains it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { databaseArgs } from '../helpers/database.js';
import { deploymentWithResources } from '../helpers/factories.js';
import { FuzzBody, hostileBodies, hostileStrings, pointedStrings, queryValue, RawText, schemaBody } from '../helpers/fuzz.js';
import { ApiClient } from '../helpers/http.js';
import { serveProcess, stopProcess, tempDir, type ServerProcess } from '../helpers/server.js';
import { beginUpdate } from '../helpers/updates.js';

const runs = Number(process.env.STACKYARD_FUZZ_RUNS ?? 25);
// CI's seed is fixed; a long run draws a new one each time (printed, and by fast-check on failure).
/** Fuzzes only the operations whose `METHOD /path` contains this. */
const only = process.env.STACKYARD_FUZZ_ONLY ?? '';
const seed = Number(process.env.STACKYARD_FUZZ_SEED ?? (process.env.STACKYARD_FUZZ_RUNS ? Date.now() % 2 ** 31 : 20261204));

interface Operation {
  method: string;
  /** The OpenAPI path, `{name}` for each parameter. */
  path: string;
  pathParams: string[];
  query: Array<{ name: string; schema: any }>;
  body?: any;
  auth: 'public' | 'token' | 'update';
}

interface FuzzRequest {
  params: Record<string, string | RawText>;
  query: Array<[string, string | RawText]>;
  body?: FuzzBody;
}

const bin = new URL('../../bin/stackyard.js', import.meta.url).pathname;
let served: ServerProcess;
let dataDir: string;
let admin: ApiClient;
let org: string;
let operations: Operation[];
const totals = { requests: 0, byClass: new Map<string, number>() };

/** What each route's parameters name when they name something real: refreshed before each route. */
const world = { stack: '', updateId: '', leaseToken: '', tokenIds: [] as string[], openSessionId: '', webhookEventId: '', issuerId: '', policyVersionIds: [] as string[], issueIds: [] as string[], deploymentIds: [] as string[], poolIds: [] as string[], scheduleIds: [] as string[], counter: 0 };
/** A public EC key (RFC 7515's example), for the fuzzed issuers. */
const fuzzKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
const member = 'fuzz-member';
const team = 'fuzzers';

before(async () => {
  dataDir = tempDir('fuzz');
  served = await serveProcess(dataDir);
  const token = /Admin access token \(shown only now\): (pul-[0-9a-f]{40})/.exec(served.output())![1]!;
  admin = new ApiClient(served.url, token);
  org = (await admin.get('/api/user/organizations/default')).body.GitHubLogin;
  const created = spawnSync(process.execPath, [bin, 'admin', 'create-user', member, '--org', org, '--data-dir', dataDir, ...(await databaseArgs(dataDir))], { encoding: 'utf8' });
  assert.equal(created.status, 0, created.stderr);
  operations = describeOperations((await admin.get('/api/openapi/pulumi-spec.json')).body);
});

after(async () => {
  console.log(`# fuzz: ${totals.requests} requests over ${operations?.length ?? 0} operations, seed ${seed}, ${runs} random per operation; answers ${JSON.stringify(Object.fromEntries(totals.byClass))}`);
  await stopProcess(served);
});

function describeOperations(document: any): Operation[] {
  const found: Operation[] = [];
  for (const [path, methods] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(methods)) {
      const parameters: any[] = operation.parameters ?? [];
      const security: any[] = operation.security ?? [];
      found.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: operation.requestBody?.content?.['application/json']?.schema,
        auth: security.length === 0 ? 'public' : 'updateToken' in security[0] ? 'update' : 'token',
      });
    }
  }
  return found;
}

const ok = (reply: { status: number; text: string }, what: string) => assert.ok(reply.status < 300, `${what}: ${reply.status} ${reply.text}`);

/**
 * A stack with a tag, a stored version and a running update; tokens of each kind to name; with
 * `policy`, a policy pack, group and issue too, which only the policy routes use.
 */
async function refreshWorld(policy = false, deployments = false): Promise<void> {
  const stack = `s${++world.counter}`;
  const path = `/api/stacks/${org}/proj/${stack}`;
  ok(await admin.post(`/api/stacks/${org}/proj`, { stackName: stack, tags: { owner: 'fuzz' } }), 'stack');
  ok(await admin.post(`${path}/import`, deploymentWithResources('proj', stack, 1)), 'import');
  const update = await beginUpdate(admin, path);
  const teamCreated = await admin.post(`/api/orgs/${org}/teams/pulumi`, { name: team, displayName: team, description: '' });
  assert.ok(teamCreated.status === 201 || teamCreated.status === 409, teamCreated.text);
  const personal = await admin.post('/api/user/tokens', { description: 'fuzz', expires: 0 });
  const organization = await admin.post(`/api/orgs/${org}/tokens`, { name: `fuzz-${world.counter}`, description: '', admin: false });
  const ofTeam = await admin.post(`/api/orgs/${org}/teams/${team}/tokens`, { name: `fuzz-${world.counter}`, description: '' });
  // An environment named as the stack, with a revision tag and a tag, opened once.
  ok(await admin.post(`/api/esc/environments/${org}`, { project: 'proj', name: stack }), 'environment');
  const envPath = `/api/esc/environments/${org}/proj/${stack}`;
  ok(await admin.request('PATCH', envPath, { rawBody: 'values:\n  a: 1\n  s:\n    fn::secret: x\n' }), 'environment definition');
  ok(await admin.post(`${envPath}/tags`, { name: 'owner', value: 'fuzz' }), 'environment tag');
  const opened = await admin.post(`${envPath}/open`);
  ok(opened, 'open');
  // A webhook named alike in each scope, inactive and aimed at a closed port, pinged once.
  const hook = { organizationName: org, name: 'fuzzhook', displayName: 'fuzz', payloadUrl: 'http://127.0.0.1:1/fuzz', active: false };
  for (const hooks of [`/api/orgs/${org}/hooks`, `${path}/hooks`, `${envPath}/hooks`]) {
    const created = await admin.post(hooks, hook);
    assert.ok(created.status === 201 || created.status === 409, created.text);
  }
  const ping = await admin.post(`/api/orgs/${org}/hooks/fuzzhook/ping`);
  ok(ping, 'ping');
  // An OIDC issuer with an inline key (so nothing is fetched), its policy allowing organization tokens.
  const issuer = await admin.post(`/api/orgs/${org}/oidc/issuers`, { name: 'fuzz', url: `https://issuer-${world.counter}.example`, jwks: { keys: [fuzzKey] } });
  ok(issuer, 'oidc issuer');
  ok(await admin.patch(`/api/orgs/${org}/auth/policies/${issuer.body.id}`, { policies: [{ decision: 'allow', tokenType: 'organization', authorizedPermissions: [], rules: {} }] }), 'auth policy');
  if (policy) await refreshPolicyWorld(stack, path, update);
  if (deployments) await refreshDeploymentWorld(path);
  Object.assign(world, {
    stack,
    updateId: update.updateId,
    leaseToken: update.token,
    tokenIds: [personal.body.id, organization.body.id, ofTeam.body.id],
    openSessionId: opened.body.id,
    webhookEventId: ping.body.id,
    issuerId: issuer.body.id,
  });
}

/** Deployment settings on the stack, a deployment of it, a runner pool and a schedule. */
async function refreshDeploymentWorld(path: string): Promise<void> {
  ok(await admin.put(`${path}/deployments/settings`, { sourceContext: { git: { repoUrl: 'file:///srv/fuzz.git' } }, operationContext: { environmentVariables: { S: { secret: 'x' } } } }), 'deployment settings');
  const deployment = await admin.post(`${path}/deployments`, { operation: 'update' });
  ok(deployment, 'deployment');
  const pool = await admin.post(`/api/orgs/${org}/agent-pools`, { name: `fuzz-${world.counter}` });
  ok(pool, 'runner pool');
  const schedule = await admin.post(`${path}/deployments/schedules`, { scheduleCron: '0 0 * * *', request: { operation: 'update' } });
  ok(schedule, 'deployment schedule');
  Object.assign(world, { deploymentIds: [deployment.body.id], poolIds: [pool.body.id], scheduleIds: [schedule.body.id] });
}

/** A policy pack with a complete version and an unfinished one, a group applying it to the stack, and an issue on it. */
async function refreshPolicyWorld(stack: string, path: string, update: { updateId: string; token: string }): Promise<void> {
  const pack = { name: 'fuzzpack', displayName: '', policies: [{ name: 'p', enforcementLevel: 'advisory', configSchema: { type: 'object', properties: { n: { type: 'integer' } } } }] };
  const published = await admin.post(`/api/orgs/${org}/policypacks`, { ...pack, versionTag: `${world.counter}` });
  ok(published, 'policy pack');
  assert.equal((await fetch(published.body.uploadURI, { method: 'PUT', body: new Uint8Array(gzipSync('fuzz')) })).status, 200, 'policy pack archive');
  ok(await admin.post(`/api/orgs/${org}/policypacks/fuzzpack/versions/${world.counter}/complete`), 'policy pack complete');
  const unfinished = await admin.post(`/api/orgs/${org}/policypacks`, { ...pack, versionTag: `u${world.counter}` });
  ok(unfinished, 'unfinished policy pack');
  const group = await admin.post(`/api/orgs/${org}/policygroups`, { name: 'fuzzgroup', entityType: 'stacks' });
  assert.ok(group.status === 204 || group.status === 409, group.text);
  ok(await admin.patch(`/api/orgs/${org}/policygroups/fuzzgroup`, { addStack: { name: stack, routingProject: 'proj' }, addPolicyPack: { name: 'fuzzpack' } }), 'policy group');
  // A violation the running update reports, so an issue exists.
  const violation = { sequence: 1, timestamp: 1, policyEvent: { resourceUrn: `urn:pulumi:${stack}::proj::a:b:C::r`, message: 'm', policyName: 'p', policyPackName: 'fuzzpack', policyPackVersionTag: '1', enforcementLevel: 'advisory' } };
  ok(await admin.request('POST', `${path}/update/${update.updateId}/events/batch`, { body: { events: [violation] }, token: null, headers: { Authorization: `update-token ${update.token}` } }), 'policy event');
  const issues = await admin.post(`/api/orgs/${org}/policyresults/issues`, {});
  ok(issues, 'policy issues');
  Object.assign(world, {
    issueIds: issues.body.policyIssues.map((issue: { id: string }) => issue.id).slice(0, 2),
    policyVersionIds: [/archives\/([^?]+)/.exec(published.body.uploadURI)![1]!, /archives\/([^?]+)/.exec(unfinished.body.uploadURI)![1]!],
  });
}

function realValues(name: string): string[] {
  switch (name) {
    case 'orgName':
      return [org];
    case 'projectName':
      return ['proj'];
    case 'stackName':
      return [world.stack];
    case 'updateId':
      return [world.updateId];
    case 'version':
      return ['1', '2'];
    case 'tagName':
      return ['owner', 'pulumi:project'];
    case 'tokenId':
      return world.tokenIds;
    case 'teamName':
      return [team];
    case 'userLogin':
      return [member];
    case 'envName':
      return [world.stack];
    case 'openSessionID':
      return [world.openSessionId];
    case 'hookName':
      return ['fuzzhook'];
    case 'event':
      return [world.webhookEventId];
    case 'issuerId':
    case 'policyId':
      return [world.issuerId];
    case 'policyPackName':
      return ['fuzzpack'];
    case 'policyGroup':
      return ['fuzzgroup', 'default-policy-group'];
    case 'versionId':
      return world.policyVersionIds;
    case 'issueId':
      return world.issueIds;
    case 'deploymentId':
      return world.deploymentIds;
    case 'step':
      return ['0', '3'];
    case 'poolId':
      return world.poolIds;
    case 'scheduleID':
      return world.scheduleIds;
    case 'urn':
      return [`urn:pulumi:${world.stack}::proj::pulumi:pulumi:Stack::proj-${world.stack}`];
    default:
      throw new Error(`the fuzz suite has no real value for path parameter '${name}': add one`);
  }
}

function requestArbitrary(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const params = fc.record(
    Object.fromEntries(
      operation.pathParams.map((name) => [
        name,
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...realValues(name)) },
          { weight: 1, arbitrary: fc.constantFrom(...hostileStrings) },
          { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'binary' }) },
          { weight: 1, arbitrary: fc.constantFrom(new RawText('%'), new RawText('%E0%A4%A'), new RawText('%00')) },
        ),
      ]),
    ),
  );
  const query = fc
    .tuple(
      ...operation.query.map(({ name, schema }) => fc.option(queryValue(schema), { nil: undefined, freq: 2 }).map((value) => [name, value] as const)),
      fc.option(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'x', ''), queryValue(undefined)), { nil: undefined, freq: 4 }),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string | RawText] => pair !== undefined && pair[1] !== undefined));
  const bodies = fc.oneof(
    { weight: operation.body || operation.method !== 'GET' ? 6 : 0, arbitrary: schemaBody(operation.body) },
    { weight: 1, arbitrary: fc.constantFrom(...hostileBodies) },
    { weight: operation.method === 'GET' || operation.method === 'DELETE' ? 6 : 1, arbitrary: fc.constant(undefined) },
  );
  return fc.record({ params, query, body: bodies });
}

/** Fixed cases: every hostile body, and the pointed strings in each path and query parameter. */
function fixedCases(operation: Operation): FuzzRequest[] {
  const real = () => Object.fromEntries(operation.pathParams.map((name) => [name, realValues(name)[0]!]));
  const cases: FuzzRequest[] = hostileBodies.map((body) => ({ params: real(), query: [], body }));
  for (const name of operation.pathParams) {
    for (const value of [...pointedStrings, new RawText('%'), new RawText('%E0%A4%A')]) cases.push({ params: { ...real(), [name]: value }, query: [] });
  }
  for (const { name } of operation.query) {
    for (const value of pointedStrings) cases.push({ params: real(), query: [[name, value]] });
  }
  return cases;
}

/** Percent-encoded; a lone surrogate, which encodeURIComponent refuses, as the bytes WTF-8 gives it. */
function encode(value: string | RawText): string {
  if (value instanceof RawText) return value.text;
  if (!/[\uD800-\uDFFF]/.test(value)) return encodeURIComponent(value);
  return value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]|[^]/g, (unit) => {
    if (unit.length === 2 || unit < '\uD800' || unit > '\uDFFF') return encodeURIComponent(unit);
    const code = unit.charCodeAt(0);
    return ['ed', (0xa0 | ((code >> 6) & 0x1f)).toString(16), (0x80 | (code & 0x3f)).toString(16)].map((byte) => `%${byte}`).join('');
  });
}

function urlOf(operation: Operation, request: FuzzRequest): string {
  const path = operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => encode(request.params[name] ?? ''));
  const query = request.query.map(([name, value]) => `${encodeURIComponent(name)}=${encode(value)}`).join('&');
  return `${path}${query ? `?${query}` : ''}`;
}

function describeRequest(operation: Operation, request: FuzzRequest): string {
  const body = request.body?.bytes ? ` body (${request.body.label}) ${request.body.bytes.subarray(0, 200).toString('utf8')}` : '';
  return `${operation.method} ${urlOf(operation, request).slice(0, 300)}${body}`;
}

async function send(operation: Operation, request: FuzzRequest): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { Accept: 'application/vnd.pulumi+9', ...request.body?.headers };
  if (operation.auth === 'token') headers.Authorization = `token ${admin.token}`;
  if (operation.auth === 'update') headers.Authorization = `update-token ${world.leaseToken}`;
  totals.requests++;
  if (process.env.FUZZ_DEBUG) console.error(JSON.stringify(describeRequest(operation, request).slice(0, 200)));
  try {
    const response = await fetch(served.url + urlOf(operation, request), {
      method: operation.method,
      headers,
      body: request.body?.bytes && operation.method !== 'GET' ? new Uint8Array(request.body.bytes) : undefined,
    });
    const text = await response.text();
    const bucket = `${Math.floor(response.status / 100)}xx`;
    totals.byClass.set(bucket, (totals.byClass.get(bucket) ?? 0) + 1);
    return { status: response.status, text };
  } catch (error) {
    return { status: 0, text: `no answer: ${(error as Error).message} (${String((error as { cause?: unknown }).cause)})` };
  }
}

/** Node's limit on a request's line and headers together (--max-http-header-size). */
const maxHeaderBytes = 16 * 1024;

/**
 * No 5xx, and an answer to every request. One exception: a request line past Node's header limit
 * gets 431 and its connection closed at once, so a client still sending a body may see the close
 * before the answer.
 */
function acceptable(operation: Operation, request: FuzzRequest, answer: { status: number }): boolean {
  if (answer.status === 0) return urlOf(operation, request).length > maxHeaderBytes;
  return answer.status >= 200 && answer.status < 500;
}

/** The request, the answer, and the server's newest error log lines. */
function failure(operation: Operation, request: FuzzRequest, answer: { status: number; text: string }): string {
  const errors = served.output().split('\n').filter((line) => /"level":(50|60)/.test(line));
  return `${describeRequest(operation, request)}\n→ ${answer.status} ${answer.text.slice(0, 500)}\n${errors.slice(-3).join('\n')}`;
}

async function stillServing(): Promise<void> {
  // The message is built only on failure: the output is every request's log line so far.
  if (served.child.exitCode !== null) assert.fail(`the server exited:\n${served.output().slice(-4000)}`);
  const health = await fetch(`${served.url}/healthz`);
  assert.equal(health.status, 200);
}

describe('fuzzing every route the server describes', () => {
  it('covers routes with real values for every path parameter they take', () => {
    assert.ok(operations.length >= 70, `only ${operations.length} operations described`);
    for (const operation of operations) for (const name of operation.pathParams) realValues(name);
  });

  it('never answers 5xx nor drops a connection, and the server keeps serving', async () => {
    // The world as last made, while no route since could have changed it: a GET changes nothing its cases name.
    let fresh: { policy: boolean; deployments: boolean } | undefined;
    for (const operation of operations.filter((o) => `${o.method} ${o.path}`.includes(only))) {
      const policy = /polic|archives/.test(operation.path);
      const deployments = /deployments|agent-pools/.test(operation.path);
      const reading = operation.method === 'GET';
      if (!fresh || (policy && !fresh.policy) || (deployments && !fresh.deployments)) {
        await refreshWorld(policy, deployments);
        fresh = { policy, deployments };
      }
      if (!reading) fresh = undefined;
      for (const request of fixedCases(operation)) {
        const answer = await send(operation, request);
        if (!acceptable(operation, request, answer)) assert.fail(failure(operation, request, answer));
      }
      await stillServing();

      let sent = 0;
      const run = await fc.check(
        fc.asyncProperty(requestArbitrary(operation), async (request) => {
          // A leased route may have ended its update; a new one keeps later cases past the lease check.
          if (++sent % 8 === 0 && !reading) await refreshWorld(policy, deployments);
          const answer = await send(operation, request);
          if (!acceptable(operation, request, answer)) throw new Error(failure(operation, request, answer));
        }),
        { seed, numRuns: runs, endOnFailure: true },
      );
      if (run.failed) {
        assert.fail(`${(run.errorInstance as Error).message}\n(replay: STACKYARD_FUZZ_SEED=${run.seed}, case ${run.counterexamplePath})`);
      }
      await stillServing();
    }
    // The admin's token still works: the cases ran as a caller the server let in, to the end.
    assert.equal((await admin.get('/api/user')).status, 200);
  });
});
