import assert from 'node:assert/strict';
import type { ManualClock } from './clock.js';
import { createOrganization, createStack, createUser, deploymentWithResources } from './factories.js';
import { ApiClient, type Reply } from './http.js';
import type { TestServer } from './server.js';
import { beginUpdate } from './updates.js';

/** The permission matrix's columns, in the order its rows list their statuses. */
export const callerNames = [
  'anonymous',
  'garbled',
  'expired',
  'revoked',
  'outsider',
  'loner',
  'reader',
  'editor',
  'teamAdmin',
  'creator',
  'orgAdmin',
  'orgToken',
  'adminOrgToken',
  'teamToken',
  'otherLease',
] as const;
export type CallerName = (typeof callerNames)[number];

export const callerTitles: Record<CallerName, string> = {
  anonymous: 'anonymous (no Authorization header)',
  garbled: 'a garbled token',
  expired: 'an expired personal token',
  revoked: 'a revoked personal token',
  outsider: 'a member of another organization',
  loner: 'a member in no team',
  reader: 'a member of team readers (read)',
  editor: 'a member of team editors (edit)',
  teamAdmin: 'a member of team admins (admin)',
  creator: "the stack's creator",
  orgAdmin: 'an organization admin',
  orgToken: 'an organization token (member)',
  adminOrgToken: 'an admin organization token',
  teamToken: 'a team token of editors',
  otherLease: 'the update token of another update',
};

/** Logins of the callers that are people; the admin is the first boot's. */
export const logins = {
  outsider: 'outsider',
  loner: 'loner',
  reader: 'reader',
  editor: 'editor',
  teamAdmin: 'teamadmin',
  creator: 'creator',
  orgAdmin: 'admin',
} as const satisfies Partial<Record<CallerName, string>>;
export type PersonCaller = keyof typeof logins;
export const isPerson = (caller: CallerName): caller is PersonCaller => caller in logins;

/**
 * What the matrix runs against (organization names take at least three characters, hence `mx-org`).
 * Organization `mx-org` (default stack permission none) holds
 * `mx-org/app/dev`, made by `creator` and granted to teams readers (101), editors (102) and admins (103);
 * `mx-org/app/private` (the admin's, granted to nobody), `mx-org/tok/own` (made by the member organization
 * token), `mx-org/team/own` (made by the editors' team token) and `mx-org/lease/{source,target}`, each with a
 * running update of the admin's. Organization `other` holds `other/o/prod` of its member `outsider`;
 * organization `dest` (admin, creator and teamadmin are members) receives transferred stacks.
 */
export interface PermissionWorld {
  url: string;
  /** The organization admin's client, which builds targets for single cells. */
  admin: ApiClient;
  creator: ApiClient;
  /** The Authorization header each caller sends; none for anonymous. */
  authorization: Record<CallerName, string | undefined>;
  /** A ciphertext of `mx-org/app/dev` whose plaintext is `plaintext` (base64). */
  ciphertext: string;
  plaintext: string;
  /** The update `mx-org/app/dev`'s import in the setup made, finished. */
  importUpdateId: string;
  /** A running update whose lease `otherLease` does not hold. */
  leaseTarget: { stackPath: string; updateId: string };
  /** A person's token owned by none of the callers (`bystander`). */
  bystanderToken: string;
}

export const teamGrants = { readers: 101, editors: 102, admins: 103 } as const;
const teamMembers = { readers: logins.reader, editors: logins.editor, admins: logins.teamAdmin } as const;

/** Sends one request as `caller`: its own Authorization header and nothing else. */
export function requestAs(
  world: PermissionWorld,
  caller: CallerName,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | Buffer } = {},
): Promise<Reply> {
  const header = world.authorization[caller];
  return new ApiClient(world.url).request(method, path, { ...options, token: null, headers: header ? { Authorization: header } : {} });
}

async function expectStatus(reply: Promise<Reply>, status: number, what: string): Promise<Reply> {
  const settled = await reply;
  assert.equal(settled.status, status, `${what}: ${settled.text}`);
  return settled;
}

/** Grants the three teams on a stack exactly what they hold on `mx-org/app/dev`. */
export async function grantTeams(admin: ApiClient, projectName: string, stackName: string): Promise<void> {
  for (const [team, permission] of Object.entries(teamGrants)) {
    await expectStatus(
      admin.patch(`/api/orgs/mx-org/teams/${team}`, { addStackPermission: { projectName, stackName, permission } }),
      204,
      `granting ${team} ${permission} on ${projectName}/${stackName}`,
    );
  }
}

/** Builds the world through the HTTP API (users through the operator's factory), once per file. */
export async function buildPermissionWorld(server: TestServer, clock: ManualClock): Promise<PermissionWorld> {
  const admin = new ApiClient(server.url, server.adminToken);

  // Memberships are ordered by when they began: mx-org is the second of the admin's (after the
  // first boot's organization) and the first of everyone else's, dest comes later.
  clock.advance(1000);
  await createOrganization(server, 'mx-org', 'admin');
  await createOrganization(server, 'other');
  const settings = await expectStatus(admin.patch('/api/orgs/mx-org', { setDefaultStackPermission: 0 }), 200, 'PATCH /api/orgs/mx-org');
  assert.equal(settings.body.defaultStackPermission, 0, settings.text);

  const tokenOf: Partial<Record<CallerName, string>> = { orgAdmin: server.adminToken };
  tokenOf.outsider = await createUser(server, logins.outsider, { org: 'other', role: 'member' });
  for (const caller of ['loner', 'reader', 'editor', 'teamAdmin', 'creator'] as const) {
    tokenOf[caller] = await createUser(server, logins[caller], { org: 'mx-org', role: 'member' });
  }
  const bystanderToken = await createUser(server, 'bystander');
  clock.advance(1000);
  await createOrganization(server, 'dest', 'admin');
  for (const login of [logins.creator, logins.teamAdmin]) {
    await expectStatus(admin.post(`/api/orgs/dest/members/${login}`, { role: 'member' }), 200, `adding ${login} to dest`);
  }

  const creator = admin.withToken(tokenOf.creator!);
  await createStack(creator, 'mx-org', 'app', 'dev');
  await createStack(admin, 'mx-org', 'app', 'private');
  await createStack(admin.withToken(tokenOf.outsider), 'other', 'o', 'prod');

  for (const [team, member] of Object.entries(teamMembers)) {
    const created = await expectStatus(
      admin.post('/api/orgs/mx-org/teams/pulumi', { name: team, displayName: `Team ${team}`, description: `${team} of mx-org/app/dev` }),
      201,
      `creating team ${team}`,
    );
    assert.equal(created.body.name, team, created.text);
    await expectStatus(admin.patch(`/api/orgs/mx-org/teams/${team}`, { memberAction: 'add', member }), 204, `adding ${member} to ${team}`);
  }
  await grantTeams(admin, 'app', 'dev');

  const orgToken = await expectStatus(admin.post('/api/orgs/mx-org/tokens', { name: 'ci', description: 'member token', admin: false }), 200, 'org token');
  tokenOf.orgToken = orgToken.body.tokenValue;
  const adminOrgToken = await expectStatus(admin.post('/api/orgs/mx-org/tokens', { name: 'ci-admin', description: 'admin token', admin: true }), 200, 'admin org token');
  tokenOf.adminOrgToken = adminOrgToken.body.tokenValue;
  const teamToken = await expectStatus(admin.post('/api/orgs/mx-org/teams/editors/tokens', { name: 'editors-ci', description: 'team token' }), 200, 'team token');
  tokenOf.teamToken = teamToken.body.tokenValue;
  await createStack(admin.withToken(tokenOf.orgToken!), 'mx-org', 'tok', 'own');
  await createStack(admin.withToken(tokenOf.teamToken!), 'mx-org', 'team', 'own');

  const imported = await expectStatus(admin.post('/api/stacks/mx-org/app/dev/import', deploymentWithResources('app', 'dev', 2)), 200, 'import');
  const plaintext = Buffer.from('hello').toString('base64');
  const encrypted = await expectStatus(admin.post('/api/stacks/mx-org/app/dev/encrypt', { plaintext }), 200, 'encrypt');

  // Expired by the server's clock, not by waiting; revoked through the API.
  const soon = Math.floor(clock.now() / 1000) + 60;
  const expiring = await expectStatus(admin.post('/api/user/tokens', { description: 'expires in a minute', expires: soon }), 200, 'expiring token');
  const revoked = await expectStatus(admin.post('/api/user/tokens', { description: 'revoked at once' }), 200, 'revoked token');
  await expectStatus(admin.delete(`/api/user/tokens/${revoked.body.id}`), 204, 'revoking');
  clock.advance(120_000);

  // Leases are taken after the clock moved, so they stay valid for the whole file.
  await createStack(admin, 'mx-org', 'lease', 'source');
  await createStack(admin, 'mx-org', 'lease', 'target');
  const source = await beginUpdate(admin, '/api/stacks/mx-org/lease/source');
  const target = await beginUpdate(admin, '/api/stacks/mx-org/lease/target');

  const authorization: Record<CallerName, string | undefined> = {
    anonymous: undefined,
    garbled: `token pul-${'x'.repeat(40)}`,
    expired: `token ${expiring.body.tokenValue}`,
    revoked: `token ${revoked.body.tokenValue}`,
    outsider: `token ${tokenOf.outsider}`,
    loner: `token ${tokenOf.loner}`,
    reader: `token ${tokenOf.reader}`,
    editor: `token ${tokenOf.editor}`,
    teamAdmin: `token ${tokenOf.teamAdmin}`,
    creator: `token ${tokenOf.creator}`,
    orgAdmin: `token ${tokenOf.orgAdmin}`,
    orgToken: `token ${tokenOf.orgToken}`,
    adminOrgToken: `token ${tokenOf.adminOrgToken}`,
    teamToken: `token ${tokenOf.teamToken}`,
    otherLease: `update-token ${source.token}`,
  };
  return {
    url: server.url,
    admin,
    creator,
    authorization,
    ciphertext: encrypted.body.ciphertext,
    plaintext,
    importUpdateId: imported.body.updateId,
    leaseTarget: { stackPath: '/api/stacks/mx-org/lease/target', updateId: target.updateId },
    bystanderToken,
  };
}
