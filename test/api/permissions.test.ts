import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import {
  buildPermissionWorld,
  callerNames,
  callerTitles,
  grantTeams,
  isPerson,
  logins,
  requestAs,
  type CallerName,
  type PermissionWorld,
} from '../helpers/callers.js';
import { consoleDir } from '../../src/http/console.js';
import { ManualClock } from '../helpers/clock.js';
import { createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import type { Reply } from '../helpers/http.js';
import { LocalOidcIssuer } from '../helpers/oidc-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, program, withLease } from '../helpers/updates.js';

// The permission matrix (issue 12): every endpoint × every kind of caller, one table, one loop.
// Each row lists the exact status each caller gets, in the column order of `callerNames`:
//
//   anon  garb  exp   rev   out   lone  read  edit  tadm  crea  oadm  otok  aotk  ttok  lease
//
// anonymous; a garbled token; an expired and a revoked personal token; a member of another
// organization; members of `mx-org` in no team, in team readers (101 on mx-org/app/dev), editors (102),
// admins (103); the stack's creator; an organization admin; a member and an admin organization
// token; the editors' team token; and the update token (lease) of another update. `mx-org` grants its
// members nothing by default (setDefaultStackPermission 0); the world is in test/helpers/callers.ts.
// Rows that change something make their own target per cell, so no cell depends on another.

let server: TestServer;
let world: PermissionWorld;
const clock = new ManualClock();

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  world = await buildPermissionWorld(server, clock);
});
after(() => server.close());

/** One cell: who calls, and a label no other cell uses, for the names of what it creates. */
interface Cell {
  caller: CallerName;
  label: string;
}

interface Call {
  path: string;
  body?: unknown;
  rawBody?: string | Buffer;
}

interface Row {
  method: string;
  /** The route as the API reference writes it, and what the row does when the route has several uses. */
  route: string;
  /** One status per caller, in column order. */
  expect: readonly number[];
  /** The request of one cell; rows that change something create that cell's own target here. */
  request: (cell: Cell) => Call | Promise<Call>;
  /** Checks the body of a successful reply. */
  ok: (reply: Reply, cell: Cell) => void;
  /** What a 403 must name: the missing permission or role. */
  denied?: RegExp;
  /** Authenticated by an update's lease (`update-token`), not an access token. */
  lease?: boolean;
}

let sequence = 0;
/** A name no other cell uses: `s12`, `t13`… */
const fresh = (prefix: string) => `${prefix}${++sequence}`;
const dev = '/api/stacks/mx-org/app/dev';
const devStackUrn = 'urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev';
const nowSeconds = () => Math.floor(clock.now() / 1000);

/** A stack of its own for one cell, made by `creator` and granted to the teams as mx-org/app/dev is. */
async function freshStack(): Promise<{ name: string; path: string }> {
  const name = fresh('s');
  await createStack(world.creator, 'mx-org', 'fresh', name);
  await grantTeams(world.admin, 'fresh', name);
  return { name, path: `/api/stacks/mx-org/fresh/${name}` };
}

async function adminCall(method: string, path: string, body?: unknown, status = 200): Promise<Reply> {
  const reply = await world.admin.request(method, path, { body });
  assert.equal(reply.status, status, `${method} ${path} (setting up a cell): ${reply.text}`);
  return reply;
}

/** A team of the admin's with no stack grants, for a cell that changes or deletes it. */
async function freshTeam(grant?: number): Promise<string> {
  const name = fresh('team');
  await adminCall('POST', '/api/orgs/mx-org/teams/pulumi', { name, displayName: name, description: 'made for one cell' }, 201);
  if (grant) {
    await adminCall('PATCH', `/api/orgs/mx-org/teams/${name}`, { addStackPermission: { projectName: 'app', stackName: 'private', permission: grant } }, 204);
  }
  return name;
}

const emptyBody = (reply: Reply) => assert.equal(reply.text, '');
const names = (items: Array<{ name: string }>) => items.map((item) => item.name).sort();

/** What `GET /api/user/stacks` shows each caller that may list. */
const visibleStacks: Partial<Record<CallerName, string[]>> = {
  outsider: ['other/o/prod'],
  loner: [],
  reader: ['mx-org/app/dev'],
  editor: ['mx-org/app/dev', 'mx-org/team/own'],
  teamAdmin: ['mx-org/app/dev'],
  creator: ['mx-org/app/dev'],
  orgAdmin: ['mx-org/app/dev', 'mx-org/app/private', 'mx-org/lease/source', 'mx-org/lease/target', 'mx-org/team/own', 'mx-org/tok/own'],
  orgToken: ['mx-org/tok/own'],
  adminOrgToken: ['mx-org/app/dev', 'mx-org/app/private', 'mx-org/lease/source', 'mx-org/lease/target', 'mx-org/team/own', 'mx-org/tok/own'],
  teamToken: ['mx-org/app/dev', 'mx-org/team/own'],
};

/** Whether a search of mx-org shows `caller` the resources of mx-org/app/dev: when it may list that stack. */
const searchesDev = (caller: CallerName) => visibleStacks[caller]?.includes('mx-org/app/dev') === true;

/** Each person's role in each team of `mx-org`: the admin made them all, so is their team admin. */
const teamRoles: Record<keyof typeof logins, Record<string, string>> = {
  outsider: {},
  loner: { admins: 'none', editors: 'none', readers: 'none' },
  reader: { admins: 'none', editors: 'none', readers: 'member' },
  editor: { admins: 'none', editors: 'member', readers: 'none' },
  teamAdmin: { admins: 'member', editors: 'none', readers: 'none' },
  creator: { admins: 'none', editors: 'none', readers: 'none' },
  orgAdmin: { admins: 'admin', editors: 'admin', readers: 'admin' },
};

/** Who `GET /api/user` says each caller is: tokens of an organization or team are named after it. */
const whoami = (caller: CallerName) =>
  isPerson(caller) ? logins[caller] : caller === 'teamToken' ? 'editors' : 'mx-org';

const leasePath = (suffix: string) => `${world.leaseTarget.stackPath}/update/${world.leaseTarget.updateId}/${suffix}`;
const fullCheckpoint = () => JSON.stringify({ version: 3, deployment: deploymentWithResources('lease', 'target', 0).deployment });

const stackDenied = (action: string, stack = 'mx-org/app/dev') => new RegExp(`^Forbidden: ${action} permission on stack '${stack}' is required$`);
const freshDenied = (action: string) => new RegExp(`^Forbidden: ${action} permission on stack 'mx-org/fresh/s\\d+' is required$`);
const adminRole = /needs the 'admin' role in organization 'mx-org'/;
const personOnly = /only a person's token may/;

/** The console's script, as its page names it (the name is the content's hash). */
const consoleScript = () => /src="(\/assets\/[^"]+\.js)"/.exec(fs.readFileSync(path.join(consoleDir, 'index.html'), 'utf8'))![1]!;

// prettier-ignore
const matrix: Row[] = [
  // Public probes and service routes.
  { method: 'GET', route: '/healthz',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: () => ({ path: '/healthz' }),
    ok: (r) => assert.deepEqual(r.body, { status: 'ok' }) },
  { method: 'GET', route: '/readyz',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: () => ({ path: '/readyz' }),
    ok: (r) => assert.equal(r.body.status, 'ready') },
  { method: 'GET', route: '/api/cli/version',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: () => ({ path: '/api/cli/version' }),
    ok: (r) => assert.equal(typeof r.body.latestVersion, 'string') },
  { method: 'GET', route: '/api/openapi/pulumi-spec.json',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: () => ({ path: '/api/openapi/pulumi-spec.json' }),
    ok: (r) => assert.equal(r.body.openapi, '3.0.3') },
  // Served only with --metrics-token, which the matrix's server is not given; its own test covers the token.
  { method: 'GET', route: '/metrics',
    expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404],
    request: () => ({ path: '/metrics' }),
    ok: () => assert.fail('metrics are off') },
  // The web console's content-hashed assets: anyone may fetch them, as a browser does before signing in.
  { method: 'GET', route: '/assets/{file}',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: () => ({ path: consoleScript() }),
    ok: (r) => assert.equal(r.headers.get('cache-control'), 'public, max-age=31536000, immutable') },
  { method: 'GET', route: '/api/capabilities',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/capabilities' }),
    ok: (r) => assert.ok(Array.isArray(r.body.capabilities)) },

  // The caller itself.
  { method: 'GET', route: '/api/user',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/user' }),
    ok: (r, { caller }) => assert.equal(r.body.githubLogin, whoami(caller)) },
  { method: 'GET', route: '/api/user/organizations/default',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/user/organizations/default' }),
    ok: (r, { caller }) =>
      assert.deepEqual(r.body, { GitHubLogin: caller === 'orgAdmin' ? 'stackyard' : caller === 'outsider' ? 'other' : 'mx-org', Messages: [] }) },
  { method: 'GET', route: '/api/user/stacks',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/user/stacks' }),
    ok: (r, { caller }) =>
      assert.deepEqual(
        r.body.stacks.map((s: { orgName: string; projectName: string; stackName: string }) => `${s.orgName}/${s.projectName}/${s.stackName}`).sort(),
        visibleStacks[caller],
      ) },
  { method: 'GET', route: '/api/user/tokens',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 401],
    request: () => ({ path: '/api/user/tokens' }),
    ok: (r, { caller }) =>
      assert.deepEqual(
        r.body.tokens.map((t: { description: string }) => t.description),
        [caller === 'orgAdmin' ? 'created at first boot' : 'created by stackyard admin'],
      ),
    denied: personOnly },

  // Organization reads.
  { method: 'GET', route: '/api/orgs/{org}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org' }),
    ok: (r) => assert.equal(r.body.githubLogin, 'mx-org') },
  // Admin only, as the shared HTTP contract of issue 12 has it.
  { method: 'GET', route: '/api/orgs/{org}/members',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/members?type=backend' }),
    ok: (r) =>
      assert.deepEqual(
        r.body.members.map((m: { role: string; user: { githubLogin: string } }) => `${m.user.githubLogin}:${m.role}`).sort(),
        ['admin:admin', 'creator:member', 'editor:member', 'loner:member', 'reader:member', 'teamadmin:member'],
      ),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/teams',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams' }),
    ok: (r, { caller }) => {
      const teams = r.body.teams as Array<{ kind: string; name: string; userRole: string }>;
      assert.deepEqual(names(teams), ['admins', 'editors', 'readers']);
      assert.ok(teams.every((t) => t.kind === 'pulumi'));
      if (isPerson(caller)) assert.deepEqual(Object.fromEntries(teams.map((t) => [t.name, t.userRole])), teamRoles[caller]);
    } },
  { method: 'GET', route: '/api/orgs/{org}/teams/{team}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams/readers' }),
    ok: (r, { caller }) => {
      assert.equal(r.body.name, 'readers');
      assert.deepEqual(
        r.body.members.map((m: { githubLogin: string; role: string }) => `${m.githubLogin}:${m.role}`).sort(),
        ['admin:admin', 'reader:member'],
      );
      assert.deepEqual(r.body.stacks, [{ projectName: 'app', stackName: 'dev', permission: 101 }]);
      if (isPerson(caller)) assert.equal(r.body.userRole, teamRoles[caller].readers);
    } },
  { method: 'GET', route: '/api/orgs/{org}/tokens',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/tokens' }),
    ok: (r) => assert.deepEqual(names(r.body.tokens), ['ci', 'ci-admin']),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/teams/{team}/tokens',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams/editors/tokens' }),
    ok: (r) => assert.deepEqual(names(r.body.tokens), ['editors-ci']),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/auditlogs',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: `/api/orgs/mx-org/auditlogs?startTime=${nowSeconds() + 3600}` }),
    ok: (r) => assert.ok(Array.isArray(r.body.auditLogEvents) && r.body.auditLogEvents.length > 0, r.text),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/auditlogs/export',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: `/api/orgs/mx-org/auditlogs/export?startTime=${nowSeconds() + 3600}` }),
    ok: (r) => assert.ok(r.text.length > 0),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/auditlogs/v2',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/auditlogs/v2' }),
    ok: (r) => assert.ok(Array.isArray(r.body.auditLogEvents) && r.body.auditLogEvents.length > 0, r.text),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/auditlogs/v2/export',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/auditlogs/v2/export?format=cef' }),
    ok: (r) => assert.match(r.text, / CEF:0\|Pulumi\|/),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/auditlogs/event-types',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/auditlogs/event-types' }),
    ok: (r) => assert.ok(r.text.includes('stack-created'), r.text),
    denied: adminRole },
  // Resources under management: organization admins only, at the API's path and the docs' path without /api.
  { method: 'GET', route: '/api/orgs/{org}/resources/summary',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/resources/summary?granularity=daily&lookbackDays=30' }),
    ok: (r) => assert.ok(Array.isArray(r.body.summary) && r.body.summary.length > 0, r.text),
    denied: adminRole },
  { method: 'GET', route: '/orgs/{org}/resources/summary',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/orgs/mx-org/resources/summary?granularity=monthly&lookbackDays=30' }),
    ok: (r) => assert.ok(Array.isArray(r.body.summary) && r.body.summary.length > 0, r.text),
    denied: adminRole },
  { method: 'GET', route: '/api/orgs/{org}/discovered-resources/summary',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/discovered-resources/summary?granularity=daily&lookbackDays=30' }),
    ok: (r) => assert.deepEqual(r.body, { summary: [] }),
    denied: adminRole },

  // Resource search: any member may search; each sees only the resources of stacks it may read,
  // here mx-org/app/dev's four (the other app stack has no state), exactly as GET /api/user/stacks lists them.
  { method: 'GET', route: '/api/orgs/{org}/search/resources',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org/search/resources?query=project:app&facet=stack' }),
    ok: (r, { caller }) =>
      assert.deepEqual([r.body.total, r.body.aggregations], searchesDev(caller) ? [4, { stack: { others: 0, results: [{ name: 'dev', count: 4 }] } }] : [0, { stack: { others: 0, results: [] } }]) },
  { method: 'GET', route: '/api/orgs/{org}/search/resources/export',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org/search/resources/export?query=project:app' }),
    ok: (r, { caller }) => {
      const [header, ...rows] = r.text.trimEnd().split('\n');
      assert.match(header!, /^created,custom,delete,id,modified,/);
      assert.deepEqual(rows.map((row) => row.split(',')[13]), searchesDev(caller) ? ['dev', 'dev', 'dev', 'dev'] : []);
    } },
  { method: 'HEAD', route: '/api/orgs/{org}/search',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/orgs/mx-org/search' }),
    ok: emptyBody },

  // Stack reads: read permission on mx-org/app/dev.
  { method: 'HEAD', route: '/api/stacks/{org}/{project}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/stacks/mx-org/app' }),
    ok: emptyBody },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: dev }),
    ok: (r) => assert.deepEqual([r.body.orgName, r.body.projectName, r.body.stackName], ['mx-org', 'app', 'dev']) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/metadata',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/metadata` }),
    ok: (r) => assert.deepEqual([r.body.stackName, r.body.ownedBy.githubLogin], ['dev', logins.creator]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/config',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: async () => {
      const stack = await freshStack();
      await adminCall('PUT', `${stack.path}/config`, { environment: `fresh/${stack.name}` });
      return { path: `${stack.path}/config` };
    },
    ok: (r) => assert.match(r.body.environment, /^fresh\/s\d+$/) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/export',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/export` }),
    ok: (r) => assert.equal(r.body.deployment.resources.length, 4) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/export/{version}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/export/1` }),
    ok: (r) => assert.equal(r.body.deployment.resources.length, 4) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/resources/count',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/resources/count` }),
    ok: (r) => assert.deepEqual(r.body, { resourceCount: 4, version: 1 }) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/resources/latest',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/resources/latest` }),
    ok: (r) => assert.deepEqual([r.body.resources.length, r.body.version], [4, 1]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/resources/{version}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/resources/1` }),
    ok: (r) => assert.deepEqual([r.body.resources.length, r.body.version], [4, 1]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates` }),
    ok: (r) => assert.deepEqual(r.body.updates.map((u: { kind: string }) => u.kind), ['import']) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/latest',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/latest` }),
    ok: (r) => assert.equal(r.body.updateID, world.importUpdateId) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/latest/previews',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/latest/previews` }),
    ok: (r) => assert.deepEqual(r.body.updates, []) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/{version}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/1` }),
    ok: (r) => assert.deepEqual([r.body.updateID, r.body.info.kind], [world.importUpdateId, 'import']) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/{version}/summary',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/1/summary` }),
    ok: (r) => assert.deepEqual([r.body.result, r.body.resourceCount], ['succeeded', 4]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/{version}/previews',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/1/previews` }),
    ok: (r) => assert.deepEqual([r.body.updates, r.body.total], [[], 0]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/{version}/timeline',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/1/timeline` }),
    ok: (r) => assert.equal(r.body.update.updateID, world.importUpdateId) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/updates/latest/timeline',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/updates/latest/timeline` }),
    ok: (r) => assert.equal(r.body.update.updateID, world.importUpdateId) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/previews/{updateId}/summary',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: async () => {
      const { body } = await adminCall('POST', `${dev}/preview`, program(true));
      return { path: `${dev}/previews/${body.updateID}/summary` };
    },
    ok: (r) => assert.equal(r.body.result, 'not-started') },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/resources/latest/{urn}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/resources/latest/${encodeURIComponent(devStackUrn)}` }),
    ok: (r) => assert.deepEqual([r.body.resource.resource.urn, r.body.version], [devStackUrn, 1]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/resources/{version}/{urn}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/resources/1/${encodeURIComponent(devStackUrn)}` }),
    ok: (r) => assert.deepEqual([r.body.resource.resource.urn, r.body.version], [devStackUrn, 1]) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/update/${world.importUpdateId}` }),
    ok: (r) => assert.deepEqual(r.body, { status: 'succeeded', events: [] }) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/events',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/update/${world.importUpdateId}/events` }),
    ok: (r) => assert.deepEqual(r.body, { events: [], continuationToken: null }) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/decrypt/log-decryption',
    expect: [401, 401, 401, 401, 404, 404, 204, 204, 204, 204, 204, 404, 204, 204, 401],
    request: () => ({ path: `${dev}/decrypt/log-decryption`, body: { secretName: 'app:password' } }),
    ok: emptyBody },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/decrypt/log-batch-decryption',
    expect: [401, 401, 401, 401, 404, 404, 204, 204, 204, 204, 204, 404, 204, 204, 401],
    request: () => ({ path: `${dev}/decrypt/log-batch-decryption`, body: { commandName: 'pulumi stack output' } }),
    ok: emptyBody },

  // Creating stacks needs membership; changing one needs edit.
  { method: 'POST', route: '/api/stacks/{org}/{project}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/stacks/mx-org/made', body: { stackName: fresh('s') } }),
    ok: (r) => assert.deepEqual(r.body, {}) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/tags',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: () => ({ path: `${dev}/tags`, body: { name: fresh('tag'), value: 'v' } }),
    ok: emptyBody, denied: stackDenied('edit') },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/tags',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: ({ label }) => ({ path: `${dev}/tags`, body: { 'pulumi:project': 'app', owner: label } }),
    ok: emptyBody, denied: stackDenied('edit') },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/tags/{tagName}',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: async () => {
      const tag = fresh('tag');
      await adminCall('POST', `${dev}/tags`, { name: tag, value: 'v' }, 204);
      return { path: `${dev}/tags/${tag}`, body: { name: `${tag}-renamed`, value: 'w' } };
    },
    ok: emptyBody, denied: stackDenied('edit') },
  { method: 'DELETE', route: '/api/stacks/{org}/{project}/{stack}/tags/{tagName}',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: async () => {
      const tag = fresh('tag');
      await adminCall('POST', `${dev}/tags`, { name: tag, value: 'v' }, 204);
      return { path: `${dev}/tags/${tag}` };
    },
    ok: emptyBody, denied: stackDenied('edit') },
  { method: 'PUT', route: '/api/stacks/{org}/{project}/{stack}/config',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: async () => {
      const stack = await freshStack();
      return { path: `${stack.path}/config`, body: { environment: `fresh/${stack.name}` } };
    },
    ok: (r) => assert.match(r.body.environment, /^fresh\/s\d+$/), denied: freshDenied('edit') },
  { method: 'DELETE', route: '/api/stacks/{org}/{project}/{stack}/config',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: async () => {
      const stack = await freshStack();
      await adminCall('PUT', `${stack.path}/config`, { environment: `fresh/${stack.name}` });
      return { path: `${stack.path}/config` };
    },
    ok: emptyBody, denied: freshDenied('edit') },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/notifications/settings',
    expect: [401, 401, 401, 401, 404, 404, 403, 403, 200, 200, 200, 404, 200, 403, 401],
    request: () => ({ path: `${dev}/notifications/settings`, body: { notifyUpdateFailure: true, notifyUpdateSuccess: false } }),
    ok: (r) => assert.deepEqual(r.body.notificationSettings, { notifyUpdateFailure: true, notifyUpdateSuccess: false }), denied: stackDenied('admin') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/encrypt',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/encrypt`, body: { plaintext: world.plaintext } }),
    ok: (r) => assert.match(r.body.ciphertext, /^[A-Za-z0-9+/]+=*$/), denied: stackDenied('edit') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/decrypt',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/decrypt`, body: { ciphertext: world.ciphertext } }),
    ok: (r) => assert.deepEqual(r.body, { plaintext: world.plaintext }), denied: stackDenied('edit') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/batch-encrypt',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/batch-encrypt`, body: { plaintexts: [world.plaintext, world.plaintext] } }),
    ok: (r) => assert.equal(r.body.ciphertexts.length, 2), denied: stackDenied('edit') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/batch-decrypt',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/batch-decrypt`, body: { ciphertexts: [world.ciphertext] } }),
    ok: (r) => assert.deepEqual(r.body, { plaintexts: { [world.ciphertext]: world.plaintext } }), denied: stackDenied('edit') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/import',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/import`, body: deploymentWithResources('app', 'dev', 2) }),
    ok: (r) => assert.match(r.body.updateId, /^[0-9a-f-]{36}$/), denied: stackDenied('edit') },

  // Updates: a preview needs read, everything that can change the stack needs edit.
  ...(['preview', 'update', 'refresh', 'destroy'] as const).map((kind): Row => ({
    method: 'POST', route: `/api/stacks/{org}/{project}/{stack}/${kind}`,
    expect: kind === 'preview'
      ? [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401]
      : [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: () => ({ path: `${dev}/${kind}`, body: program(kind === 'preview') }),
    ok: (r) => assert.deepEqual(Object.keys(r.body), ['updateID']),
    denied: stackDenied('edit'),
  })),
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId} (a preview)',
    expect: [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401],
    request: async () => {
      const { body } = await adminCall('POST', `${dev}/preview`, program(true));
      return { path: `${dev}/update/${body.updateID}`, body: { tags: { 'pulumi:project': 'app' }, journalVersion: 0 } };
    },
    // A preview runs on the stack's current version, which the import row moved on.
    ok: (r) => assert.ok(Number.isInteger(r.body.version) && r.body.version >= 1 && typeof r.body.token === 'string', r.text) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId} (an update)',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401],
    request: async () => {
      const stack = await freshStack();
      const { body } = await adminCall('POST', `${stack.path}/update`, program(false));
      return { path: `${stack.path}/update/${body.updateID}`, body: { tags: { 'pulumi:project': 'fresh' }, journalVersion: 0 } };
    },
    ok: (r) => assert.deepEqual([r.body.version, typeof r.body.token], [1, 'string']),
    denied: freshDenied('edit') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/cancel',
    expect: [401, 401, 401, 401, 404, 404, 403, 204, 204, 204, 204, 404, 204, 204, 401],
    request: async () => {
      const stack = await freshStack();
      const { updateId } = await beginUpdate(world.admin, stack.path);
      return { path: `${stack.path}/update/${updateId}/cancel` };
    },
    ok: emptyBody, denied: freshDenied('edit') },

  // Calls a running update makes with its lease: a user's token is the wrong scheme, and another
  // update's lease does not authenticate here (401, checked before the body is read).
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/renew_lease',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('renew_lease'), body: { token: '', duration: 300 } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/checkpoint',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('checkpoint'), rawBody: fullCheckpoint() }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/checkpointverbatim',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('checkpointverbatim'), rawBody: `{"version":3,"untypedDeployment":${JSON.stringify(deploymentWithResources('lease', 'target', 0))},"sequenceNumber":1}` }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/checkpointdelta',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('checkpointdelta'), body: { version: 3, checkpointHash: '0'.repeat(64), sequenceNumber: 2, deploymentDelta: [] } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'PATCH', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/journalentries',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('journalentries'), body: { entries: [] } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/events/batch',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('events/batch'), body: { events: [] } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/events',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('events'), body: { sequence: 0, timestamp: 1, cancelEvent: {} } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/update/{updateId}/complete',
    expect: [401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 401],
    request: () => ({ path: leasePath('complete'), body: { status: 'succeeded' } }),
    ok: () => assert.fail('no caller holds this lease'), lease: true },

  // Personal tokens belong to people; organization and team tokens are managed by organization admins.
  { method: 'POST', route: '/api/user/tokens',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 403, 403, 403, 401],
    request: ({ label }) => ({ path: '/api/user/tokens', body: { description: `made by ${label}` } }),
    ok: (r) => assert.deepEqual([typeof r.body.id, r.body.tokenValue.startsWith('pul-')], ['string', true]),
    denied: personOnly },
  { method: 'DELETE', route: "/api/user/tokens/{tokenId} (the caller's own)",
    expect: [401, 401, 401, 401, 204, 204, 204, 204, 204, 204, 204, 403, 403, 403, 401],
    request: async ({ caller, label }) => {
      // A person deletes a token of their own; a machine token, which owns none, aims at the admin's.
      const owner = isPerson(caller) ? requestAs(world, caller, 'POST', '/api/user/tokens', { body: { description: label } }) : world.admin.post('/api/user/tokens', { description: label });
      const created = await owner;
      assert.equal(created.status, 200, created.text);
      return { path: `/api/user/tokens/${created.body.id}` };
    },
    ok: emptyBody, denied: personOnly },
  { method: 'DELETE', route: "/api/user/tokens/{tokenId} (another person's)",
    expect: [401, 401, 401, 401, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 401],
    request: async ({ label }) => {
      const created = await world.admin.withToken(world.bystanderToken).post('/api/user/tokens', { description: label });
      assert.equal(created.status, 200, created.text);
      return { path: `/api/user/tokens/${created.body.id}` };
    },
    ok: () => assert.fail("nobody may delete another person's token"), denied: personOnly },
  { method: 'POST', route: '/api/orgs/{org}/tokens',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/tokens', body: { name: fresh('org-token-'), description: 'one cell', admin: false } }),
    ok: (r) => assert.deepEqual([typeof r.body.id, r.body.tokenValue.startsWith('pul-')], ['string', true]),
    denied: adminRole },
  { method: 'DELETE', route: '/api/orgs/{org}/tokens/{tokenId}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => {
      const { body } = await adminCall('POST', '/api/orgs/mx-org/tokens', { name: fresh('org-token-'), description: 'one cell' });
      return { path: `/api/orgs/mx-org/tokens/${body.id}` };
    },
    ok: emptyBody, denied: adminRole },
  { method: 'POST', route: '/api/orgs/{org}/teams/{team}/tokens',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams/editors/tokens', body: { name: fresh('team-token-'), description: 'one cell' } }),
    ok: (r) => assert.deepEqual([typeof r.body.id, r.body.tokenValue.startsWith('pul-')], ['string', true]),
    denied: adminRole },
  { method: 'DELETE', route: '/api/orgs/{org}/teams/{team}/tokens/{tokenId}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => {
      const { body } = await adminCall('POST', '/api/orgs/mx-org/teams/editors/tokens', { name: fresh('team-token-'), description: 'one cell' });
      return { path: `/api/orgs/mx-org/teams/editors/tokens/${body.id}` };
    },
    ok: emptyBody, denied: adminRole },

  // Members, teams and settings: organization admins only.
  { method: 'POST', route: '/api/orgs/{org}/members/{username}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    request: async () => {
      const login = fresh('user');
      await createUser(server, login);
      return { path: `/api/orgs/mx-org/members/${login}`, body: { role: 'member' } };
    },
    ok: (r, { label }) => {
      assert.equal(r.body.role, 'member');
      assert.match(r.body.user.githubLogin, /^user\d+$/, label);
    },
    denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/members/{username}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => {
      const login = fresh('user');
      await createUser(server, login, { org: 'mx-org', role: 'member' });
      return { path: `/api/orgs/mx-org/members/${login}`, body: { role: 'admin' } };
    },
    ok: emptyBody, denied: adminRole },
  { method: 'DELETE', route: '/api/orgs/{org}/members/{username}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => {
      const login = fresh('user');
      await createUser(server, login, { org: 'mx-org', role: 'member' });
      return { path: `/api/orgs/mx-org/members/${login}` };
    },
    ok: emptyBody, denied: adminRole },
  { method: 'POST', route: '/api/orgs/{org}/teams/pulumi',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 201, 403, 201, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams/pulumi', body: { name: fresh('team'), displayName: 'One cell', description: 'made by one cell' } }),
    ok: (r) => assert.deepEqual([r.body.kind, r.body.displayName], ['pulumi', 'One cell']),
    denied: adminRole },
  // No organization here is backed by GitHub: an admin learns so; anyone else is refused first.
  { method: 'POST', route: '/api/orgs/{org}/teams/github',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 400, 403, 400, 403, 401],
    request: () => ({ path: '/api/orgs/mx-org/teams/github', body: { name: fresh('team'), displayName: 'GitHub', description: '' } }),
    ok: () => assert.fail('no GitHub team can be made'), denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/teams/{team} (newDisplayName, newDescription)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({ path: `/api/orgs/mx-org/teams/${await freshTeam()}`, body: { newDisplayName: 'Renamed', newDescription: 'changed' } }),
    ok: emptyBody, denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/teams/{team} (memberAction add)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({ path: `/api/orgs/mx-org/teams/${await freshTeam()}`, body: { memberAction: 'add', member: logins.loner } }),
    ok: emptyBody, denied: adminRole },
  { method: 'POST', route: '/api/orgs/{org}/teams/{team} (memberAction add, as the seed sends it)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({ path: `/api/orgs/mx-org/teams/${await freshTeam()}`, body: { memberAction: 'add', member: logins.loner } }),
    ok: emptyBody, denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/teams/{team} (addStackPermission)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({
      path: `/api/orgs/mx-org/teams/${await freshTeam()}`,
      body: { addStackPermission: { projectName: 'app', stackName: 'private', permission: 101 } },
    }),
    ok: emptyBody, denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/teams/{team} (editStackPermission)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({
      path: `/api/orgs/mx-org/teams/${await freshTeam(101)}`,
      body: { editStackPermission: { projectName: 'app', stackName: 'private', permission: 102 } },
    }),
    ok: emptyBody, denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}/teams/{team} (removeStack)',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({ path: `/api/orgs/mx-org/teams/${await freshTeam(101)}`, body: { removeStack: { projectName: 'app', stackName: 'private' } } }),
    ok: emptyBody, denied: adminRole },
  { method: 'DELETE', route: '/api/orgs/{org}/teams/{teamName}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 204, 403, 204, 403, 401],
    request: async () => ({ path: `/api/orgs/mx-org/teams/${await freshTeam()}` }),
    ok: emptyBody, denied: adminRole },
  { method: 'PATCH', route: '/api/orgs/{org}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    // The value the world already has, so no other row sees a change.
    request: () => ({ path: '/api/orgs/mx-org', body: { setDefaultStackPermission: 0 } }),
    ok: (r) => assert.equal(r.body.defaultStackPermission, 0),
    denied: adminRole },

  // Admin on the stack: each cell its own stack.
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/rename',
    expect: [401, 401, 401, 401, 404, 404, 403, 403, 200, 200, 200, 404, 200, 403, 401],
    request: async () => {
      const stack = await freshStack();
      return { path: `${stack.path}/rename`, body: { newName: `${stack.name}-renamed` } };
    },
    ok: (r) => assert.match(r.body.updateId, /^[0-9a-f-]{36}$/), denied: freshDenied('admin') },
  // Into `dest`, of which creator, teamadmin and the admin are members; an organization token of mx-org is not.
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/transfer',
    expect: [401, 401, 401, 401, 404, 404, 403, 403, 204, 204, 204, 404, 404, 403, 401],
    request: async () => ({ path: `${(await freshStack()).path}/transfer`, body: { toOrg: 'dest' } }),
    ok: emptyBody, denied: freshDenied('admin') },
  { method: 'DELETE', route: '/api/stacks/{org}/{project}/{stack}',
    expect: [401, 401, 401, 401, 404, 404, 403, 403, 204, 204, 204, 404, 204, 403, 401],
    request: async () => ({ path: (await freshStack()).path }),
    ok: emptyBody, denied: freshDenied('admin') },
];

// The same routes under each kind's path (`preview/{id}`, …), which Pulumi's generated client calls:
// the same answers as under `update/{id}`. A preview's path has no checkpoint routes.
const updateRoute = '/{stack}/update/{updateId}';
for (const row of matrix.filter((r) => r.route.includes(updateRoute))) {
  for (const kind of ['preview', 'refresh', 'destroy']) {
    if (kind === 'preview' && /checkpoint/.test(row.route)) continue;
    matrix.push({
      ...row,
      route: row.route.replace(updateRoute, `/{stack}/${kind}/{updateId}`),
      request: async (cell) => {
        const request = await row.request(cell);
        return { ...request, path: request.path.replace(/(\/api\/stacks\/[^/]+\/[^/]+\/[^/]+)\/update\//, `$1/${kind}/`) };
      },
    });
  }
}

// ESC environments. Members write (the default), an environment's creator and organization
// admins administer it, team tokens hold nothing. Each cell has an environment of its own, made
// by `creator` in project `default` (where the older two-part paths find it).
const envs = '/api/esc/environments/mx-org';
const envReadable = [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 404, 401] as const;
const envWritable204 = [401, 401, 401, 401, 404, 204, 204, 204, 204, 204, 204, 204, 204, 404, 401] as const;
const envDenied = (action: string) => new RegExp(`^Forbidden: ${action} permission on environment 'mx-org/default/e\\d+' is required$`);

/** An environment of its own for one cell, made by `creator`, with `yaml` as its second revision. */
async function freshEnvironment(yaml = 'values:\n  greeting: hello\n'): Promise<string> {
  const name = fresh('e');
  const created = await world.creator.post(envs, { project: 'default', name });
  assert.equal(created.status, 200, created.text);
  const updated = await world.creator.request('PATCH', `${envs}/default/${name}`, { rawBody: yaml });
  assert.equal(updated.status, 200, updated.text);
  return `${envs}/default/${name}`;
}

async function openedSession(path: string): Promise<string> {
  const opened = await world.creator.post(`${path}/open`);
  assert.equal(opened.status, 200, opened.text);
  return opened.body.id;
}

const environmentRows: Row[] = [
  { method: 'GET', route: '/api/esc/environments',
    expect: [401, 401, 401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: '/api/esc/environments' }),
    ok: (r) => assert.ok(Array.isArray(r.body.environments)) },
  // A team token reads no environment, so its listing is empty.
  { method: 'GET', route: '/api/esc/environments/{org}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: async () => {
      await freshEnvironment();
      return { path: envs };
    },
    ok: (r, cell) => assert.equal(r.body.environments.length > 0, cell.caller !== 'teamToken') },
  { method: 'POST', route: '/api/esc/environments/{org}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 403, 401],
    request: () => ({ path: envs, body: { project: 'default', name: fresh('e') } }),
    ok: (r) => assert.deepEqual(r.body, {}) },
  { method: 'POST', route: '/api/esc/environments/{org}/yaml/check',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: `${envs}/yaml/check`, rawBody: 'values:\n  a: 1\n' }),
    ok: (r) => assert.equal(r.body.properties.a.value, 1) },
  { method: 'POST', route: '/api/esc/environments/{org}/yaml/open',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: () => ({ path: `${envs}/yaml/open`, rawBody: 'values:\n  a: 1\n' }),
    ok: (r) => assert.match(r.body.id, /^[0-9a-f-]{36}$/) },
  // A session opened by the creator: any member of the organization may read it by its id.
  { method: 'GET', route: '/api/esc/environments/{org}/yaml/open/{openSessionID}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401],
    request: async () => {
      const opened = await world.creator.post(`${envs}/yaml/open`, undefined, { rawBody: 'values:\n  a: 1\n' });
      return { path: `${envs}/yaml/open/${opened.body.id}` };
    },
    ok: (r) => assert.equal(r.body.properties.a.value, 1) },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}',
    expect: envReadable,
    request: async () => ({ path: await freshEnvironment() }),
    ok: (r) => assert.equal(r.text, 'values:\n  greeting: hello\n') },
  { method: 'PATCH', route: '/api/esc/environments/{org}/{project}/{env}',
    expect: envReadable,
    request: async () => ({ path: await freshEnvironment(), rawBody: 'values:\n  greeting: bye\n' }),
    ok: (r) => assert.equal(r.headers.get('pulumi-esc-revision'), '3') },
  { method: 'DELETE', route: '/api/esc/environments/{org}/{project}/{env}',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 204, 204, 403, 204, 404, 401],
    request: async () => ({ path: await freshEnvironment() }),
    ok: emptyBody, denied: envDenied('admin') },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/decrypt',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment('values:\n  pw:\n    fn::secret: pw1\n')}/decrypt` }),
    ok: (r) => assert.equal(r.text, 'values:\n  pw:\n    fn::secret: pw1\n') },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/clone',
    expect: envWritable204,
    request: async () => ({ path: `${await freshEnvironment()}/clone`, body: { name: fresh('e') } }),
    ok: emptyBody },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/open',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/open` }),
    ok: (r) => assert.match(r.body.id, /^[0-9a-f-]{36}$/) },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/open/{openSessionID}',
    expect: envReadable,
    request: async () => {
      const path = await freshEnvironment();
      return { path: `${path}/open/${await openedSession(path)}` };
    },
    ok: (r) => assert.equal(r.body.properties.greeting.value, 'hello') },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/versions',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions` }),
    ok: (r) => assert.deepEqual(r.body.map((v: { number: number }) => v.number), [2, 1]) },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/versions/{version}',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions/2` }),
    ok: (r) => assert.equal(r.headers.get('pulumi-esc-revision'), '2') },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/versions/{version}/decrypt',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions/2/decrypt` }),
    ok: (r) => assert.equal(r.text, 'values:\n  greeting: hello\n') },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/versions/{version}/open',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions/2/open` }),
    ok: (r) => assert.match(r.body.id, /^[0-9a-f-]{36}$/) },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/versions/{version}/retract',
    expect: envWritable204,
    request: async () => ({ path: `${await freshEnvironment()}/versions/2/retract`, body: { reason: 'wrong' } }),
    ok: emptyBody },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/versions/tags',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions/tags` }),
    ok: (r) => assert.deepEqual(r.body.tags.map((t: { name: string }) => t.name), ['latest']) },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/versions/tags',
    expect: envWritable204,
    request: async () => ({ path: `${await freshEnvironment()}/versions/tags`, body: { name: 'stable', revision: 2 } }),
    ok: emptyBody },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/versions/tags/{tag}',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/versions/tags/latest` }),
    ok: (r) => assert.equal(r.body.revision, 2) },
  { method: 'PATCH', route: '/api/esc/environments/{org}/{project}/{env}/versions/tags/{tag}',
    expect: envWritable204,
    request: async () => {
      const path = await freshEnvironment();
      await world.creator.post(`${path}/versions/tags`, { name: 'stable', revision: 1 });
      return { path: `${path}/versions/tags/stable`, body: { revision: 2 } };
    },
    ok: emptyBody },
  { method: 'DELETE', route: '/api/esc/environments/{org}/{project}/{env}/versions/tags/{tag}',
    expect: envWritable204,
    request: async () => {
      const path = await freshEnvironment();
      await world.creator.post(`${path}/versions/tags`, { name: 'stable', revision: 1 });
      return { path: `${path}/versions/tags/stable` };
    },
    ok: emptyBody },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/rotate',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/rotate`, body: { paths: null } }),
    ok: (r) => assert.equal(r.body.secretRotationEvent.status, 'succeeded') },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/referrers',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/referrers` }),
    ok: (r) => assert.deepEqual(r.body, { referrers: {} }) },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/tags',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/tags` }),
    ok: (r) => assert.deepEqual(r.body, { tags: {}, nextToken: '0' }) },
  { method: 'POST', route: '/api/esc/environments/{org}/{project}/{env}/tags',
    expect: envReadable,
    request: async () => ({ path: `${await freshEnvironment()}/tags`, body: { name: 'team', value: 'core' } }),
    ok: (r) => assert.deepEqual([r.body.name, r.body.value], ['team', 'core']) },
  { method: 'GET', route: '/api/esc/environments/{org}/{project}/{env}/tags/{tag}',
    expect: envReadable,
    request: async () => {
      const path = await freshEnvironment();
      await world.creator.post(`${path}/tags`, { name: 'team', value: 'core' });
      return { path: `${path}/tags/team` };
    },
    ok: (r) => assert.equal(r.body.value, 'core') },
  { method: 'PATCH', route: '/api/esc/environments/{org}/{project}/{env}/tags/{tag}',
    expect: envReadable,
    request: async () => {
      const path = await freshEnvironment();
      await world.creator.post(`${path}/tags`, { name: 'team', value: 'core' });
      return { path: `${path}/tags/team`, body: { currentTag: { name: 'team', value: 'core' }, newTag: { name: 'team', value: 'edge' } } };
    },
    ok: (r) => assert.equal(r.body.value, 'edge') },
  { method: 'DELETE', route: '/api/esc/environments/{org}/{project}/{env}/tags/{tag}',
    expect: envWritable204,
    request: async () => {
      const path = await freshEnvironment();
      await world.creator.post(`${path}/tags`, { name: 'team', value: 'core' });
      return { path: `${path}/tags/team` };
    },
    ok: emptyBody },
];
// The seed's older two-part paths (`/api/preview/environments/{org}/{env}`, project `default`)
// answer the same; they create with the name in the path, and have no listing across organizations.
const toPreviewRoute = (route: string) =>
  route.replace('/api/esc/environments/{org}/{project}/{env}', '/api/preview/environments/{org}/{env}').replace('/api/esc/environments', '/api/preview/environments');
const toPreviewPath = (path: string) =>
  path.replace('/api/esc/environments/mx-org/default/', '/api/preview/environments/mx-org/').replace('/api/esc/environments', '/api/preview/environments');
for (const row of environmentRows) {
  matrix.push(row);
  if (row.route === '/api/esc/environments' || (row.method === 'POST' && row.route === '/api/esc/environments/{org}')) continue;
  matrix.push({
    ...row,
    route: toPreviewRoute(row.route),
    request: async (cell) => {
      const request = await row.request(cell);
      return { ...request, path: toPreviewPath(request.path) };
    },
  });
}
matrix.push(
  { method: 'POST', route: '/api/preview/environments/{org}/{env}',
    expect: [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 403, 401],
    request: () => ({ path: `/api/preview/environments/mx-org/${fresh('e')}` }),
    ok: (r) => assert.deepEqual(r.body, {}) },
  { method: 'POST', route: '/api/preview/environments/{org}/{env}/versions/tags/{tag}',
    expect: envWritable204,
    request: async () => ({ path: `${toPreviewPath(await freshEnvironment())}/versions/tags/stable`, body: { revision: 2 } }),
    ok: emptyBody },
);

// Webhooks: organization admins manage the organization's, stack admins a stack's (mx-org/app/dev),
// environment admins an environment's. Hooks are made inactive, aimed at a closed port: pings and
// redeliveries are recorded with response code 0, and no event of another row is delivered to them.
const hookTarget = 'http://127.0.0.1:1/permission-matrix';

interface HookScope {
  /** `/api/orgs/{org}/hooks`, …: the route's collection. */
  route: string;
  /** The collection's path for one cell (an environment of its own, for environment hooks). */
  base: () => Promise<string>;
  /** The statuses of a reading call; creation and deletion swap in 201 and 204. */
  expect: readonly number[];
  denied: RegExp;
}

async function existingHook(base: string): Promise<string> {
  const name = fresh('h');
  await adminCall('POST', base, { organizationName: 'mx-org', name, displayName: name, payloadUrl: hookTarget, active: false }, 201);
  return `${base}/${name}`;
}

function hookRows({ route, base, expect, denied }: HookScope): Row[] {
  const swap = (status: number) => expect.map((s) => (s === 200 ? status : s));
  return [
    { method: 'GET', route, expect, denied,
      request: async () => ({ path: await base() }),
      ok: (r) => assert.ok(Array.isArray(r.body)) },
    { method: 'POST', route, expect: swap(201), denied,
      request: async (cell) => ({ path: await base(), body: { organizationName: 'mx-org', name: cell.label, displayName: 'hook', payloadUrl: hookTarget, active: false } }),
      ok: (r, cell) => assert.equal(r.body.name, cell.label) },
    { method: 'GET', route: `${route}/{hookName}`, expect, denied,
      request: async () => ({ path: await existingHook(await base()) }),
      ok: (r) => assert.equal(r.body.payloadUrl, hookTarget) },
    { method: 'PATCH', route: `${route}/{hookName}`, expect, denied,
      request: async () => ({ path: await existingHook(await base()), body: { organizationName: 'mx-org', displayName: 'renamed', active: false } }),
      ok: (r) => assert.equal(r.body.displayName, 'renamed') },
    { method: 'DELETE', route: `${route}/{hookName}`, expect: swap(204), denied,
      request: async () => ({ path: await existingHook(await base()) }),
      ok: emptyBody },
    { method: 'POST', route: `${route}/{hookName}/ping`, expect, denied,
      request: async () => ({ path: `${await existingHook(await base())}/ping` }),
      ok: (r) => assert.deepEqual([r.body.kind, r.body.responseCode], ['ping', 0]) },
    { method: 'GET', route: `${route}/{hookName}/deliveries`, expect, denied,
      request: async () => {
        const hook = await existingHook(await base());
        await adminCall('POST', `${hook}/ping`);
        return { path: `${hook}/deliveries` };
      },
      ok: (r) => assert.equal(r.body.length, 1) },
    { method: 'POST', route: `${route}/{hookName}/deliveries/{event}/redeliver`, expect, denied,
      request: async (cell) => {
        const hook = await existingHook(await base());
        const ping = await adminCall('POST', `${hook}/ping`);
        cell.label = ping.body.id;
        return { path: `${hook}/deliveries/${ping.body.id}/redeliver` };
      },
      ok: (r, cell) => assert.equal(r.body.id, cell.label) },
  ];
}

matrix.push(
  ...hookRows({
    route: '/api/orgs/{org}/hooks',
    base: async () => '/api/orgs/mx-org/hooks',
    expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401],
    denied: adminRole,
  }),
  ...hookRows({
    route: '/api/stacks/{org}/{project}/{stack}/hooks',
    base: async () => `${dev}/hooks`,
    expect: [401, 401, 401, 401, 404, 404, 403, 403, 200, 200, 200, 404, 200, 403, 401],
    denied: stackDenied('admin'),
  }),
);
for (const row of hookRows({
  route: '/api/esc/environments/{org}/{project}/{env}/hooks',
  base: async () => `${await freshEnvironment()}/hooks`,
  expect: [401, 401, 401, 401, 404, 403, 403, 403, 403, 200, 200, 403, 200, 404, 401],
  denied: envDenied('admin'),
})) {
  matrix.push(row, {
    ...row,
    route: toPreviewRoute(row.route),
    request: async (cell) => {
      const request = await row.request(cell);
      return { ...request, path: toPreviewPath(request.path) };
    },
  });
}

// OIDC issuers and their policies are organization admins' to manage; the token exchange takes no
// access token (the ID token is the credential), so every caller gets the same grant.
const issuerAdmin = [401, 401, 401, 401, 404, 403, 403, 403, 403, 403, 200, 403, 200, 403, 401] as const;
const issuerAdmin204 = issuerAdmin.map((s) => (s === 200 ? 204 : s));
const issuerDenied = /needs the 'admin' role in organization 'mx-org'/;
let idp: LocalOidcIssuer | undefined;

/** An issuer of its own for one cell, with the local provider's keys inline, allowing organization tokens. */
async function freshIssuer(): Promise<string> {
  idp ??= await LocalOidcIssuer.start();
  const url = `https://${fresh('issuer')}.example`;
  const created = await adminCall('POST', '/api/orgs/mx-org/oidc/issuers', { name: url, url, jwks: idp.jwks() });
  await adminCall('PATCH', `/api/orgs/mx-org/auth/policies/${created.body.id}`, {
    policies: [{ decision: 'allow', tokenType: 'organization', authorizedPermissions: [], rules: { sub: 'ci' } }],
  });
  return created.body.id;
}
after(() => idp?.close());

matrix.push(
  { method: 'POST', route: '/api/orgs/{org}/oidc/issuers', expect: issuerAdmin, denied: issuerDenied,
    request: ({ label }) => ({ path: '/api/orgs/mx-org/oidc/issuers', body: { name: label, url: `https://${label}.example`, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] } } }),
    ok: (r, cell) => assert.equal(r.body.name, cell.label) },
  { method: 'GET', route: '/api/orgs/{org}/oidc/issuers', expect: issuerAdmin, denied: issuerDenied,
    request: () => ({ path: '/api/orgs/mx-org/oidc/issuers' }),
    ok: (r) => assert.ok(Array.isArray(r.body.oidcIssuers)) },
  { method: 'GET', route: '/api/org/{org}/oidc/issuers', expect: issuerAdmin, denied: issuerDenied,
    request: () => ({ path: '/api/org/mx-org/oidc/issuers' }),
    ok: (r) => assert.ok(Array.isArray(r.body.oidcIssuers)) },
  { method: 'GET', route: '/api/orgs/{org}/oidc/issuers/{issuerId}', expect: issuerAdmin, denied: issuerDenied,
    request: async (cell) => {
      cell.label = await freshIssuer();
      return { path: `/api/orgs/mx-org/oidc/issuers/${cell.label}` };
    },
    ok: (r, cell) => assert.equal(r.body.id, cell.label) },
  { method: 'PATCH', route: '/api/orgs/{org}/oidc/issuers/{issuerId}', expect: issuerAdmin, denied: issuerDenied,
    request: async () => ({ path: `/api/orgs/mx-org/oidc/issuers/${await freshIssuer()}`, body: { name: 'renamed', maxExpiration: 600 } }),
    ok: (r) => assert.deepEqual([r.body.name, r.body.maxExpiration], ['renamed', 600]) },
  { method: 'DELETE', route: '/api/orgs/{org}/oidc/issuers/{issuerId}', expect: issuerAdmin204, denied: issuerDenied,
    request: async () => ({ path: `/api/orgs/mx-org/oidc/issuers/${await freshIssuer()}` }),
    ok: emptyBody },
  { method: 'GET', route: '/api/orgs/{org}/auth/policies/oidcissuers/{issuerId}', expect: issuerAdmin, denied: issuerDenied,
    request: async () => ({ path: `/api/orgs/mx-org/auth/policies/oidcissuers/${await freshIssuer()}` }),
    ok: (r) => assert.equal(r.body.policies[0].decision, 'allow') },
  { method: 'PATCH', route: '/api/orgs/{org}/auth/policies/{policyId}', expect: issuerAdmin, denied: issuerDenied,
    request: async () => ({
      path: `/api/orgs/mx-org/auth/policies/${await freshIssuer()}`,
      body: { policies: [{ decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: {} }] },
    }),
    ok: (r) => assert.deepEqual([r.body.version, r.body.policies[0].decision], [3, 'deny']) },
  { method: 'POST', route: '/api/oauth/token',
    expect: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
    request: async () => {
      const issuerId = await freshIssuer();
      const issuer = (await adminCall('GET', `/api/orgs/mx-org/oidc/issuers/${issuerId}`)).body.issuer;
      const token = await idp!.sign({ iss: issuer, aud: 'urn:pulumi:org:mx-org', sub: 'ci' }, { nowMs: clock.now() });
      return {
        path: '/api/oauth/token',
        body: {
          audience: 'urn:pulumi:org:mx-org',
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
          requested_token_type: 'urn:pulumi:token-type:access_token:organization',
          subject_token: token,
        },
      };
    },
    ok: (r) => assert.deepEqual([r.body.token_type, r.body.expires_in], ['token', 7200]) },
);

// Policy: organization members read packs, groups and violations (violations only of stacks they
// read); organization admins publish and manage; a stack's packs and groups need read on it. The
// archive URLs take no access token: their signature is the credential, so every caller is alike.
const orgMember = [401, 401, 401, 401, 404, 200, 200, 200, 200, 200, 200, 200, 200, 200, 401] as const;
const stackReader = [401, 401, 401, 401, 404, 404, 200, 200, 200, 200, 200, 404, 200, 200, 401] as const;
const anyone = (status: number) => callerNames.map(() => status);
const withStatus = (statuses: readonly number[], ok: number) => statuses.map((s) => (s === 200 ? ok : s));
const policyDenied = /needs the 'admin' role in organization 'mx-org'/;
const mxPacks = '/api/orgs/mx-org/policypacks';
const mxGroups = '/api/orgs/mx-org/policygroups';
const packPolicies = [{ name: 'p', displayName: '', description: 'd', enforcementLevel: 'advisory', message: '' }];
const pathOf = (url: string) => url.slice(server.url.length);

/** A pack version created (and, unless `stop` says otherwise, uploaded and completed) by the admin. */
async function freshPack(stop?: 'created' | 'uploaded'): Promise<{ name: string; uploadPath: string }> {
  const name = fresh('pack');
  const created = await adminCall('POST', mxPacks, { name, displayName: '', versionTag: '1', policies: packPolicies }, 201);
  const uploadPath = pathOf(created.body.uploadURI);
  if (stop !== 'created') assert.equal((await fetch(created.body.uploadURI, { method: 'PUT', body: new Uint8Array(gzipSync(name)) })).status, 200);
  if (stop === undefined) await adminCall('POST', `${mxPacks}/${name}/versions/1/complete`, undefined, 204);
  return { name, uploadPath };
}

/** mx-pack, applied through the default group, and a violation on mx-org/app/dev: made once. */
let policyWorld: Promise<{ downloadPath: string; issueId: string }> | undefined;
const policyFixture = () =>
  (policyWorld ??= (async () => {
    const created = await adminCall('POST', mxPacks, { name: 'mx-pack', displayName: 'MX', versionTag: '1', policies: packPolicies }, 201);
    assert.equal((await fetch(created.body.uploadURI, { method: 'PUT', body: new Uint8Array(gzipSync('mx-pack')) })).status, 200);
    await adminCall('POST', `${mxPacks}/mx-pack/versions/1/complete`, undefined, 204);
    await adminCall('POST', `${mxPacks}/mx-pack/latest`, undefined, 204);
    const update = await beginUpdate(world.admin, dev);
    const event = { sequence: 1, timestamp: nowSeconds(), policyEvent: { resourceUrn: devStackUrn, message: 'm', color: 'raw', policyName: 'p', policyPackName: 'mx-pack', policyPackVersion: '1', policyPackVersionTag: '1', enforcementLevel: 'advisory' } };
    for (const [path, body] of [[`${dev}/update/${update.updateId}/events/batch`, { events: [event] }], [`${dev}/update/${update.updateId}/complete`, { status: 'succeeded' }]] as const) {
      const reply = await world.admin.request('POST', path, withLease(update.token, { body }));
      assert.ok(reply.status < 300, `${path} (setting up policy cells): ${reply.text}`);
    }
    const packsOfDev = await adminCall('GET', `${dev}/policypacks`);
    const issues = await adminCall('POST', '/api/orgs/mx-org/policyresults/issues', {});
    return { downloadPath: pathOf(packsOfDev.body.requiredPolicies[0].packLocation), issueId: issues.body.policyIssues[0].id as string };
  })());

/** A group of its own for one cell. */
async function freshGroup(): Promise<string> {
  const name = fresh('group');
  await adminCall('POST', mxGroups, { name, entityType: 'stacks' }, 204);
  return name;
}

const devViolations = (r: Reply, caller: CallerName) =>
  assert.deepEqual(r.body.policyViolations.map((v: { stackName: string }) => v.stackName), searchesDev(caller) ? ['dev'] : []);

matrix.push(
  { method: 'POST', route: '/api/orgs/{org}/policypacks', expect: withStatus(issuerAdmin, 201), denied: policyDenied,
    request: ({ label }) => ({ path: mxPacks, body: { name: label, displayName: '', versionTag: '1', policies: packPolicies } }),
    ok: (r) => assert.equal(r.body.version, 1) },
  { method: 'GET', route: '/api/orgs/{org}/policypacks', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxPacks}?policypack=mx-pack` }),
    ok: (r) => assert.deepEqual(r.body.policyPacks, [{ name: 'mx-pack', displayName: 'MX', versions: [1], versionTags: ['1'] }]) },
  { method: 'GET', route: '/api/orgs/{org}/policypacks/{policyPackName}/latest', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxPacks}/mx-pack/latest` }),
    ok: (r) => assert.deepEqual([r.body.name, r.body.version, r.body.applied], ['mx-pack', 1, true]) },
  { method: 'POST', route: '/api/orgs/{org}/policypacks/{policyPackName}/latest', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: async () => (await policyFixture(), { path: `${mxPacks}/mx-pack/latest` }),
    ok: emptyBody },
  { method: 'DELETE', route: '/api/orgs/{org}/policypacks/{policyPackName}', expect: issuerAdmin, denied: policyDenied,
    request: async () => ({ path: `${mxPacks}/${(await freshPack()).name}` }),
    ok: emptyBody },
  { method: 'GET', route: '/api/orgs/{org}/policypacks/{policyPackName}/versions/{version}', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxPacks}/mx-pack/versions/1` }),
    ok: (r) => assert.deepEqual([r.body.versionTag, r.body.policies.length], ['1', 1]) },
  { method: 'DELETE', route: '/api/orgs/{org}/policypacks/{policyPackName}/versions/{version}', expect: issuerAdmin, denied: policyDenied,
    request: async () => ({ path: `${mxPacks}/${(await freshPack()).name}/versions/1` }),
    ok: emptyBody },
  { method: 'GET', route: '/api/orgs/{org}/policypacks/{policyPackName}/versions/{version}/schema', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxPacks}/mx-pack/versions/1/schema` }),
    ok: (r) => assert.deepEqual(Object.keys(r.body.configSchema).sort(), ['all', 'p']) },
  { method: 'POST', route: '/api/orgs/{org}/policypacks/{policyPackName}/versions/{version}/complete', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: async () => ({ path: `${mxPacks}/${(await freshPack('uploaded')).name}/versions/1/complete` }),
    ok: emptyBody },
  { method: 'PUT', route: '/api/policypacks/archives/{versionId}', expect: anyone(200),
    request: async () => ({ path: (await freshPack('created')).uploadPath, rawBody: gzipSync('archive') }),
    ok: emptyBody },
  { method: 'GET', route: '/api/policypacks/archives/{versionId}', expect: anyone(200),
    request: async () => ({ path: (await policyFixture()).downloadPath }),
    // The bytes themselves are compared in policy.test.ts; this client reads bodies as text.
    ok: (r) => assert.equal(r.headers.get('content-type'), 'application/gzip') },
  { method: 'GET', route: '/api/orgs/{org}/policygroups', expect: orgMember,
    request: async () => (await policyFixture(), { path: mxGroups }),
    ok: (r) => assert.ok(r.body.policyGroups.some((g: { name: string; numEnabledPolicyPacks: number }) => g.name === 'default-policy-group' && g.numEnabledPolicyPacks === 1)) },
  { method: 'POST', route: '/api/orgs/{org}/policygroups', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: ({ label }) => ({ path: mxGroups, body: { name: label, entityType: 'stacks' } }),
    ok: emptyBody },
  { method: 'GET', route: '/api/orgs/{org}/policygroups/{policyGroup}', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxGroups}/default-policy-group` }),
    ok: (r) => assert.deepEqual(r.body.appliedPolicyPacks.map((p: { name: string }) => p.name), ['mx-pack']) },
  { method: 'PATCH', route: '/api/orgs/{org}/policygroups/{policyGroup}', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: async () => ({ path: `${mxGroups}/${await freshGroup()}`, body: { addStack: { name: 'dev', routingProject: 'app' } } }),
    ok: emptyBody },
  { method: 'PATCH', route: '/api/orgs/{org}/policygroups/{policyGroup}/batch', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: async () => ({ path: `${mxGroups}/${await freshGroup()}/batch`, body: [{ addStack: { name: 'dev', routingProject: 'app' } }, { removeStack: { name: 'dev', routingProject: 'app' } }] }),
    ok: emptyBody },
  { method: 'DELETE', route: '/api/orgs/{org}/policygroups/{policyGroup}', expect: withStatus(issuerAdmin, 204), denied: policyDenied,
    request: async () => ({ path: `${mxGroups}/${await freshGroup()}` }),
    ok: emptyBody },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/policygroups', expect: stackReader,
    request: async () => (await policyFixture(), { path: `${dev}/policygroups` }),
    // PATCH cells add mx-org/app/dev to groups of their own as well.
    ok: (r) => assert.ok(r.body.policyGroups.some((g: { name: string }) => g.name === 'default-policy-group'), r.text) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/policypacks', expect: stackReader,
    request: async () => (await policyFixture(), { path: `${dev}/policypacks` }),
    ok: (r) => assert.deepEqual(r.body.requiredPolicies.map((p: { name: string }) => p.name), ['mx-pack']) },
  { method: 'GET', route: '/api/orgs/{org}/policyresults/violations', expect: orgMember,
    request: async () => (await policyFixture(), { path: '/api/orgs/mx-org/policyresults/violations' }),
    ok: (r, { caller }) => devViolations(r, caller) },
  { method: 'GET', route: '/api/orgs/{org}/policyresults/violationsv2', expect: orgMember,
    request: async () => (await policyFixture(), { path: '/api/orgs/mx-org/policyresults/violationsv2' }),
    ok: (r, { caller }) => devViolations(r, caller) },
  { method: 'POST', route: '/api/orgs/{org}/policyresults/issues/export', expect: orgMember,
    request: async () => (await policyFixture(), { path: '/api/orgs/mx-org/policyresults/issues/export', body: {} }),
    ok: (r, { caller }) => assert.equal(r.text.trimEnd().split('\n').length, searchesDev(caller) ? 2 : 1) },
  { method: 'POST', route: '/api/orgs/{org}/policyresults/issues', expect: orgMember,
    request: async () => (await policyFixture(), { path: '/api/orgs/mx-org/policyresults/issues', body: { startRow: 0, endRow: 100, sortModel: null } }),
    ok: (r, { caller }) => assert.deepEqual([r.body.rowCount, r.body.policyIssues.length], searchesDev(caller) ? [1, 1] : [0, 0]) },
  { method: 'GET', route: '/api/orgs/{org}/policyresults/issues/{issueId}', expect: stackReader,
    request: async () => ({ path: `/api/orgs/mx-org/policyresults/issues/${(await policyFixture()).issueId}` }),
    ok: (r) => assert.deepEqual([r.body.policyIssue.entityId, r.body.policy.name], ['dev', 'p']) },
  { method: 'PATCH', route: '/api/orgs/{org}/policyresults/issues/{issueId}',
    expect: [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401], denied: stackDenied('edit'),
    request: async () => ({ path: `/api/orgs/mx-org/policyresults/issues/${(await policyFixture()).issueId}`, body: { priority: 'p1' } }),
    ok: (r) => assert.equal(r.body.policyIssue.priority, 'p1') },
  { method: 'GET', route: '/api/orgs/{org}/policygroups/metadata', expect: orgMember,
    request: async () => (await policyFixture(), { path: `${mxGroups}/metadata` }),
    ok: (r) => assert.equal(r.body.PreventativeStacks, r.body.TotalStacks) },
);

// Deployments: a stack's settings and deployments take read to see, edit to change, admin to pause;
// an organization's list and metadata are its members', pausing them its admins'. The runner
// protocol takes a pool token (poll, status) or a deployment's job token: no caller here holds one.
// Runner pools: members read them, admins manage them.
const stackEditor = [401, 401, 401, 401, 404, 404, 403, 200, 200, 200, 200, 404, 200, 200, 401] as const;
const stackAdminOnly = [401, 401, 401, 401, 404, 404, 403, 403, 200, 200, 200, 404, 200, 403, 401] as const;
const noJobToken = [401, 401, 401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 401] as const;
const deploySource = { sourceContext: { git: { repoUrl: 'file:///srv/app.git', branch: 'refs/heads/main' } } };
const mxPools = '/api/orgs/mx-org/agent-pools';

/** Settings on mx-org/app/dev, one deployment of it (version 1), and a runner pool: made once. */
let deploymentWorld: Promise<{ deploymentId: string; poolId: string }> | undefined;
const deploymentFixture = () =>
  (deploymentWorld ??= (async () => {
    await adminCall('PUT', `${dev}/deployments/settings`, deploySource);
    const created = await adminCall('POST', `${dev}/deployments`, { operation: 'update' }, 202);
    const pool = await adminCall('POST', mxPools, { name: 'mx-pool' });
    return { deploymentId: created.body.id as string, poolId: pool.body.id as string };
  })());

/** A stack of its own with deployment settings, for a cell that deletes or pauses them. */
async function freshDeployableStack(): Promise<string> {
  const stack = await freshStack();
  await adminCall('PUT', `${stack.path}/deployments/settings`, deploySource);
  return stack.path;
}

matrix.push(
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/settings', expect: stackReader,
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments/settings` }),
    ok: (r) => assert.equal(r.body.sourceContext.git.repoUrl, 'file:///srv/app.git') },
  { method: 'PUT', route: '/api/stacks/{org}/{project}/{stack}/deployments/settings', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments/settings`, body: deploySource }),
    ok: (r) => assert.equal(r.body.sourceContext.git.branch, 'refs/heads/main') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/settings', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments/settings`, body: { operationContext: { preRunCommands: ['true'] } } }),
    ok: (r) => assert.deepEqual(r.body.operationContext.preRunCommands, ['true']) },
  { method: 'DELETE', route: '/api/stacks/{org}/{project}/{stack}/deployments/settings', expect: stackEditor, denied: freshDenied('edit'),
    request: async () => ({ path: `${await freshDeployableStack()}/deployments/settings` }),
    ok: (r) => assert.equal(r.text, 'true') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/settings/encrypt', expect: stackEditor, denied: stackDenied('edit'),
    request: () => ({ path: `${dev}/deployments/settings/encrypt`, body: { secret: 'x' } }),
    ok: (r) => assert.equal(typeof r.body.ciphertext, 'string') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments', expect: withStatus(stackEditor, 202), denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments`, body: { operation: 'preview' } }),
    ok: (r) => assert.ok(r.body.version > 1) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments', expect: stackReader,
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments?asc=true&pageSize=1` }),
    ok: async (r) => assert.equal(r.body.deployments[0].id, (await deploymentFixture()).deploymentId) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/metadata', expect: stackReader,
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments/metadata` }),
    ok: (r) => assert.equal(r.body.stackPaused, false) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/pause', expect: stackAdminOnly, denied: freshDenied('admin'),
    request: async () => ({ path: `${await freshDeployableStack()}/deployments/pause` }),
    ok: emptyBody },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/resume', expect: stackAdminOnly, denied: freshDenied('admin'),
    request: async () => ({ path: `${await freshDeployableStack()}/deployments/resume` }),
    ok: emptyBody },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/version/{version}', expect: stackReader,
    request: async () => (await deploymentFixture(), { path: `${dev}/deployments/version/1` }),
    ok: (r) => assert.equal(r.body.version, 1) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/{deploymentId}', expect: stackReader,
    request: async () => ({ path: `${dev}/deployments/${(await deploymentFixture()).deploymentId}` }),
    ok: (r) => assert.equal(r.body.pulumiOperation, 'update') },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/{deploymentId}/logs', expect: stackReader,
    request: async () => ({ path: `${dev}/deployments/${(await deploymentFixture()).deploymentId}/logs` }),
    ok: (r) => assert.deepEqual(r.body.lines, []) },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/{deploymentId}/updates', expect: stackReader,
    request: async () => ({ path: `${dev}/deployments/${(await deploymentFixture()).deploymentId}/updates` }),
    ok: (r) => assert.deepEqual(r.body, []) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/{deploymentId}/cancel', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => {
      await deploymentFixture();
      const created = await adminCall('POST', `${dev}/deployments`, { operation: 'refresh' }, 202);
      return { path: `${dev}/deployments/${created.body.id}/cancel` };
    },
    ok: emptyBody },
  { method: 'GET', route: '/api/orgs/{org}/deployments', expect: orgMember,
    request: async () => (await deploymentFixture(), { path: '/api/orgs/mx-org/deployments?pageSize=100' }),
    ok: (r, { caller }) => assert.equal(r.body.deployments.some((d: { stackName: string }) => d.stackName === 'dev'), searchesDev(caller)) },
  { method: 'GET', route: '/api/orgs/{org}/deployments/metadata', expect: orgMember,
    request: async () => (await deploymentFixture(), { path: '/api/orgs/mx-org/deployments/metadata' }),
    ok: (r) => assert.ok(r.body.deploymentCounts.total >= 1) },
  { method: 'POST', route: '/api/orgs/{org}/deployments/pause', expect: issuerAdmin, denied: adminRole,
    request: () => ({ path: '/api/orgs/mx-org/deployments/pause' }),
    ok: emptyBody },
  { method: 'POST', route: '/api/orgs/{org}/deployments/resume', expect: issuerAdmin, denied: adminRole,
    request: () => ({ path: '/api/orgs/mx-org/deployments/resume' }),
    ok: emptyBody },
  { method: 'GET', route: '/api/deployments/poll', expect: anyone(401),
    request: () => ({ path: '/api/deployments/poll' }),
    ok: () => assert.fail('no caller holds a pool token') },
  { method: 'GET', route: '/api/deployments/{deploymentId}/status', expect: anyone(401),
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/status` }),
    ok: () => assert.fail('no caller holds a pool token') },
  { method: 'GET', route: '/api/deployments/{deploymentId}/job', expect: noJobToken,
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/job` }),
    ok: () => assert.fail('no caller holds a job token') },
  { method: 'POST', route: '/api/deployments/{deploymentId}/heartbeat', expect: noJobToken,
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/heartbeat` }),
    ok: () => assert.fail('no caller holds a job token') },
  { method: 'POST', route: '/api/deployments/{deploymentId}/steps/{step}', expect: noJobToken,
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/steps/0`, body: { status: 'running' } }),
    ok: () => assert.fail('no caller holds a job token') },
  { method: 'POST', route: '/api/deployments/{deploymentId}/logs', expect: noJobToken,
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/logs`, body: { step: 0, lines: [{ line: 'x' }] } }),
    ok: () => assert.fail('no caller holds a job token') },
  { method: 'POST', route: '/api/deployments/{deploymentId}/complete', expect: noJobToken,
    request: async () => ({ path: `/api/deployments/${(await deploymentFixture()).deploymentId}/complete`, body: { status: 'failed' } }),
    ok: () => assert.fail('no caller holds a job token') },
  { method: 'GET', route: '/api/orgs/{org}/agent-pools', expect: orgMember,
    request: async () => (await deploymentFixture(), { path: mxPools }),
    ok: (r) => assert.ok(r.body.agentPools.some((p: { name: string }) => p.name === 'mx-pool')) },
  { method: 'POST', route: '/api/orgs/{org}/agent-pools', expect: issuerAdmin, denied: adminRole,
    request: ({ label }) => ({ path: mxPools, body: { name: label } }),
    ok: (r) => assert.match(r.body.tokenValue, /^pul-/) },
  { method: 'GET', route: '/api/orgs/{org}/agent-pools/{poolId}', expect: orgMember,
    request: async () => ({ path: `${mxPools}/${(await deploymentFixture()).poolId}` }),
    ok: (r) => assert.deepEqual([r.body.name, r.body.agents], ['mx-pool', []]) },
  { method: 'PATCH', route: '/api/orgs/{org}/agent-pools/{poolId}', expect: issuerAdmin, denied: adminRole,
    request: async ({ label }) => ({ path: `${mxPools}/${(await adminCall('POST', mxPools, { name: label })).body.id}`, body: { description: 'd' } }),
    ok: (r) => assert.equal(r.body.description, 'd') },
  { method: 'DELETE', route: '/api/orgs/{org}/agent-pools/{poolId}', expect: withStatus(issuerAdmin, 204), denied: adminRole,
    request: async ({ label }) => ({ path: `${mxPools}/${(await adminCall('POST', mxPools, { name: label })).body.id}` }),
    ok: emptyBody },
);

// Deployment schedules: read on the stack to see them and their history, edit to change them.
const devSchedules = `${dev}/deployments/schedules`;
const rawSchedule = { scheduleCron: '0 0 * * *', request: { operation: 'update' } };
const scheduleKinds = {
  raw: [devSchedules, rawSchedule],
  drift: [`${dev}/deployments/drift/schedules`, { scheduleCron: '0 0 * * 0', autoRemediate: true }],
  ttl: [`${dev}/deployments/ttl/schedules`, { timestamp: '2099-01-01T00:00:00Z', deleteAfterDestroy: false }],
} as const;

/** A schedule of mx-org/app/dev of its own, for a cell that changes or deletes it; its id. */
async function freshSchedule(kind: keyof typeof scheduleKinds = 'raw'): Promise<string> {
  await deploymentFixture();
  const [route, body] = scheduleKinds[kind];
  return (await adminCall('POST', route, body)).body.id;
}
let scheduleWorld: Promise<string> | undefined;
const scheduleFixture = () => (scheduleWorld ??= freshSchedule());

matrix.push(
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules', expect: stackReader,
    request: async () => (await scheduleFixture(), { path: devSchedules }),
    ok: async (r) => {
      const id = await scheduleFixture();
      assert.ok(r.body.schedules.some((s: { id: string }) => s.id === id), r.text);
      assert.deepEqual(r.body.scheduledDeployments, r.body.schedules);
    } },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: devSchedules, body: rawSchedule }),
    ok: (r) => assert.deepEqual([r.body.kind, r.body.scheduleCron, r.body.definition.request], ['deployment', '0 0 * * *', { operation: 'update' }]) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/drift/schedules', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: scheduleKinds.drift[0], body: scheduleKinds.drift[1] }),
    ok: (r) => assert.equal(r.body.definition.request.operation, 'detect-drift') },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/ttl/schedules', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => (await deploymentFixture(), { path: scheduleKinds.ttl[0], body: scheduleKinds.ttl[1] }),
    ok: (r) => assert.equal(r.body.scheduleOnce, '2099-01-01 00:00:00.000') },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}', expect: stackReader,
    request: async () => ({ path: `${devSchedules}/${await scheduleFixture()}` }),
    ok: async (r) => assert.equal(r.body.id, await scheduleFixture()) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => ({ path: `${devSchedules}/${await freshSchedule()}`, body: { scheduleCron: '30 1 * * *', request: { operation: 'refresh' } } }),
    ok: (r) => assert.deepEqual([r.body.scheduleCron, r.body.definition.request.operation], ['30 1 * * *', 'refresh']) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/drift/schedules/{scheduleID}', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => ({ path: `${scheduleKinds.drift[0]}/${await freshSchedule('drift')}`, body: { scheduleCron: '0 2 * * *' } }),
    ok: (r) => assert.deepEqual([r.body.scheduleCron, r.body.definition.request.operationContext.options.remediateIfDriftDetected], ['0 2 * * *', false]) },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/ttl/schedules/{scheduleID}', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => ({ path: `${scheduleKinds.ttl[0]}/${await freshSchedule('ttl')}`, body: { timestamp: '2098-01-01T00:00:00Z' } }),
    ok: (r) => assert.equal(r.body.scheduleOnce, '2098-01-01 00:00:00.000') },
  { method: 'DELETE', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => ({ path: `${devSchedules}/${await freshSchedule()}` }),
    ok: emptyBody },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}/pause', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => ({ path: `${devSchedules}/${await freshSchedule()}/pause` }),
    ok: emptyBody },
  { method: 'POST', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}/resume', expect: stackEditor, denied: stackDenied('edit'),
    request: async () => {
      const id = await freshSchedule();
      await adminCall('POST', `${devSchedules}/${id}/pause`);
      return { path: `${devSchedules}/${id}/resume` };
    },
    ok: emptyBody },
  { method: 'GET', route: '/api/stacks/{org}/{project}/{stack}/deployments/schedules/{scheduleID}/history', expect: stackReader,
    request: async () => ({ path: `${devSchedules}/${await scheduleFixture()}/history` }),
    ok: (r) => assert.deepEqual(r.body, { scheduleHistoryEvents: [], scheduledDeploymentsHistory: [] }) },
);

/**
 * An outsider learns nothing of what an organization holds; a member who cannot read a stack is
 * told the stack is not found, exactly as for a stack that does not exist.
 */
function notFoundMessage(caller: CallerName, path: string): RegExp {
  if (caller === 'outsider' && path.includes('/mx-org')) return /^Not Found: organization 'mx-org' not found$/;
  if ((caller === 'loner' || caller === 'orgToken') && path.startsWith('/api/stacks/mx-org/')) return /^Not Found: stack 'mx-org\/[^']+' not found$/;
  if (caller === 'teamToken' && /^\/api\/(esc|preview)\/environments\/mx-org\/(default\/)?e\d+/.test(path)) return /^Not Found: environment 'mx-org\/default\/e\d+' not found$/;
  return /not found/;
}

/** A lease on a user's route, or an access token on a lease's route, is the wrong scheme; a bad access token does not authenticate. */
function unauthorizedMessage(caller: CallerName, row: Row): RegExp {
  if (caller === 'anonymous') return /^Unauthorized: No credentials provided or are invalid\.$/;
  if (caller === 'otherLease' && row.lease) return /^Unauthorized: the update token is not a lease of this update$/;
  if (caller === 'otherLease') return /^Unauthorized: malformed Authorization header; expected 'token <access token>'$/;
  if (row.lease) return /^Unauthorized: malformed Authorization header; expected 'update-token <lease token>'$/;
  return /^Unauthorized: No credentials provided or are invalid\.$/;
}

const reasons: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict' };

for (const row of matrix) {
  describe(`${row.method} ${row.route}`, () => {
    callerNames.forEach((caller, column) => {
      const status = row.expect[column]!;
      it(`${status} for ${callerTitles[caller]}`, async () => {
        const cell = { caller, label: fresh('cell') };
        const { path, body, rawBody } = await row.request(cell);
        const reply = await requestAs(world, caller, row.method, path, { body, rawBody });
        assert.equal(reply.status, status, `${row.method} ${path} as ${caller}: ${reply.text}`);
        if (status < 400) return row.ok(reply, cell);
        if (row.method === 'HEAD') return assert.equal(reply.text, '');
        assert.deepEqual(Object.keys(reply.body ?? {}).sort(), ['code', 'message'], reply.text);
        assert.equal(reply.body.code, status);
        assert.match(reply.body.message, new RegExp(`^${reasons[status]}: \\S`));
        if (status === 403 && row.denied) assert.match(reply.body.message, row.denied);
        if (status === 404) assert.match(reply.body.message, notFoundMessage(caller, path));
        if (status === 401) assert.match(reply.body.message, unauthorizedMessage(caller, row));
      });
    });
  });
}

/**
 * Every route the server registered, as `METHOD /path/:param`, read from Fastify's route tree
 * (`├── /segment (GET, HEAD)`, children indented by four columns). The HEAD Fastify adds to each
 * GET is left out.
 */
function registeredRoutes(): string[] {
  const prefixes: string[] = [];
  const routes: string[] = [];
  for (const line of server.server.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + match[2]!;
    prefixes[depth] = path;
    const methods = match[3]?.split(', ') ?? [];
    for (const method of methods) if (method !== 'HEAD' || !methods.includes('GET')) routes.push(`${method} ${path}`);
  }
  return routes;
}

/** `GET /api/stacks/{org}/{project}/{stack} (what)` and `GET /api/stacks/:orgName/:projectName/:stackName` alike. */
const routeKey = (route: string) => route.replace(/ \(.*\)$/, '').replace(/\{[^}]+\}|:\w+/g, '{}');

describe('the permission matrix', () => {
  const cells = matrix.length * callerNames.length;
  it('has a row for every route the server serves, and only for those', () => {
    const served = new Set(registeredRoutes().map(routeKey));
    const covered = new Set(matrix.map((row) => routeKey(`${row.method} ${row.route}`)));
    assert.ok(served.size > 60, `the route tree was read: ${[...served].join(', ')}`);
    assert.deepEqual([...served].filter((route) => !covered.has(route)).sort(), [], 'routes without a row');
    assert.deepEqual([...covered].filter((route) => !served.has(route)).sort(), [], 'rows without a route');
  });

  it(`has ${matrix.length} endpoint rows × ${callerNames.length} callers = ${cells} cells, each row one status per caller`, () => {
    for (const row of matrix) assert.equal(row.expect.length, callerNames.length, `${row.method} ${row.route}`);
    const rowNames = matrix.map((row) => `${row.method} ${row.route}`);
    assert.equal(new Set(rowNames).size, rowNames.length, 'row names are unique');
    console.log(`permission matrix: ${matrix.length} endpoints × ${callerNames.length} callers = ${cells} cells`);
  });
});
