import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createStack, createUser } from '../helpers/factories.js';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

const db = () => server.server.ctx.database.db;
const isoTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;


const adminEvent = (event: string, description: string, user_login = 'admin') => ({
  event,
  description,
  user_login,
  token_name: null,
  req_org_admin: 1,
  req_stack_admin: 0,
  auth_failure: 0,
});

const roleRefusal = (user_login: string, action: string, org: string, token_name: string | null = null) => ({
  event: 'auth-failure-organization-role',
  description: `Refused ${action} in organization "${org}": the admin role is required`,
  user_login,
  token_name,
  req_org_admin: 0,
  req_stack_admin: 0,
  auth_failure: 1,
});

/** A member as `GET /api/orgs/{org}/members` lists them, its times checked and left out. */
function member(body: any) {
  assert.match(body.created, isoTime);
  assert.match(body.fgaRole.modifiedAt, isoTime);
  return { ...body, created: 'T', fgaRole: { ...body.fgaRole, modifiedAt: 'T' } };
}

const expectedMember = (login: string, role: 'admin' | 'member', teams: string[] = []) => ({
  role,
  user: { name: login, githubLogin: login, avatarUrl: '', email: '' },
  created: 'T',
  knownToPulumi: true,
  virtualAdmin: false,
  fgaRole: { id: role, name: role === 'admin' ? 'Admin' : 'Member', modifiedAt: 'T' },
  teams,
});

async function orgToken(org: string, name: string, admin: boolean): Promise<string> {
  const reply = await api.post(`/api/orgs/${org}/tokens`, { name, description: name, admin });
  assert.equal(reply.status, 200, reply.text);
  return reply.body.tokenValue;
}

async function teamWith(org: string, team: string, ...members: string[]): Promise<string> {
  assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: team })).status, 201);
  for (const login of members) assert.equal((await api.patch(`/api/orgs/${org}/teams/${team}`, { memberAction: 'add', member: login })).status, 204);
  const reply = await api.post(`/api/orgs/${org}/teams/${team}/tokens`, { name: `${team}-token`, description: '' });
  assert.equal(reply.status, 200, reply.text);
  return reply.body.tokenValue;
}

describe('GET /api/orgs/{org}/members', () => {
  const org = 'listing';
  let memberToken: string;
  let teamToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'lst-amy', { org, role: 'member' });
    await createUser(server, 'lst-zed', { org, role: 'admin' });
    await createUser(server, 'lst-bea', { org: 'stackyard', role: 'member' });
    teamToken = await teamWith(org, 'ops', 'lst-amy');
  });

  it('lists people in login order with role, user, teams and the rest of OrganizationMember, never a token’s machine user', async () => {
    // Using an organization token makes its machine user (`org:listing`), who must not be listed.
    const adminToken = await orgToken(org, 'lister', true);
    assert.equal((await api.get('/api/user', { token: adminToken })).status, 200);
    for (const query of ['?type=backend', '']) {
      const reply = await api.get(`/api/orgs/${org}/members${query}`);
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.body), ['members']);
      assert.deepEqual(reply.body.members.map(member), [
        // The team's creator (the admin) is its first member.
        expectedMember('admin', 'admin', ['ops']),
        expectedMember('lst-amy', 'member', ['ops']),
        expectedMember('lst-zed', 'admin'),
      ]);
    }
    const byToken = await api.get(`/api/orgs/${org}/members?type=backend`, { token: adminToken });
    assert.equal(byToken.status, 200);
    assert.deepEqual(byToken.body.members.map((m: any) => m.user.githubLogin), ['admin', 'lst-amy', 'lst-zed']);
  });

  it('answers 400 for another type and for a garbled continuation token', async () => {
    const type = await api.get(`/api/orgs/${org}/members?type=frontend`);
    assert.deepEqual([type.status, type.body], [400, { code: 400, message: "Bad Request: invalid member type 'frontend': it must be 'backend'" }]);
    const garbled = await api.get(`/api/orgs/${org}/members?continuationToken=%%%`);
    assert.deepEqual([garbled.status, garbled.body], [400, { code: 400, message: 'Bad Request: invalid continuation token' }]);
    const notALogin = await api.get(`/api/orgs/${org}/members?continuationToken=${Buffer.from('[1]').toString('base64url')}`);
    assert.deepEqual([notALogin.status, notALogin.body], [400, { code: 400, message: 'Bad Request: invalid continuation token' }]);
  });

  it('pages by 100 with a continuation token', async () => {
    await createOrganization(server, 'paged', 'admin');
    const logins = Array.from({ length: 150 }, (_, i) => `pg${String(i).padStart(3, '0')}`);
    for (const login of logins) await createUser(server, login, { org: 'paged', role: 'member' });
    const first = await api.get('/api/orgs/paged/members?type=backend');
    assert.equal(first.status, 200);
    assert.equal(first.body.members.length, 100);
    assert.deepEqual(first.body.members.map((m: any) => m.user.githubLogin), ['admin', ...logins.slice(0, 99)]);
    assert.equal(typeof first.body.continuationToken, 'string');
    const second = await api.get(`/api/orgs/paged/members?type=backend&continuationToken=${first.body.continuationToken}`);
    assert.equal(second.status, 200);
    assert.deepEqual(Object.keys(second.body), ['members']);
    assert.deepEqual(second.body.members.map((m: any) => m.user.githubLogin), logins.slice(99));
  });

  it('is for organization admins: 403 to a member, a team token and a member organization token; 404 to outsiders; 401 without a token', async () => {
    const memberOrgToken = await orgToken(org, 'member-lister', false);
    const outsider = await createUser(server, 'lst-out');
    const mark = await auditMark(server);
    const message = `Forbidden: listing organization members needs the 'admin' role in organization '${org}'`;
    for (const token of [memberToken, teamToken, memberOrgToken]) {
      const reply = await api.get(`/api/orgs/${org}/members`, { token });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message }]);
    }
    assert.deepEqual(await auditAfter(server, org, mark), [
      roleRefusal('lst-amy', 'listing organization members', org),
      roleRefusal('team:listing/ops', 'listing organization members', org, 'ops-token'),
      roleRefusal('org:listing', 'listing organization members', org, 'member-lister'),
    ]);
    const outside = await api.get(`/api/orgs/${org}/members`, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    const missing = await api.get('/api/orgs/no-such-org/members');
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: "Not Found: organization 'no-such-org' not found" }]);
    const anonymous = await api.get(`/api/orgs/${org}/members`, { token: null });
    assert.deepEqual([anonymous.status, anonymous.body.code], [401, 401]);
  });
});

describe('POST /api/orgs/{org}/members/{login}', () => {
  const org = 'adding';
  let memberToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'add-member', { org, role: 'member' });
  });

  it('adds an existing user with the role asked, answers the OrganizationMember, and records member-added', async () => {
    const token = await createUser(server, 'add-bob');
    const mark = await auditMark(server);
    const reply = await api.post(`/api/orgs/${org}/members/add-bob`, { role: 'admin' });
    assert.equal(reply.status, 200);
    assert.deepEqual(member(reply.body), expectedMember('add-bob', 'admin'));
    assert.deepEqual(await auditAfter(server, org, mark), [adminEvent('member-added', `Added "add-bob" to organization "${org}" as admin`)]);
    const user = await api.get('/api/user', { token });
    assert.deepEqual(user.body.organizations, [{ githubLogin: org, name: org, avatarUrl: '', role: 'admin' }]);
    const listed = await api.get(`/api/orgs/${org}/members`);
    assert.deepEqual(listed.body.members.map(member), [
      expectedMember('add-bob', 'admin'),
      expectedMember('add-member', 'member'),
      expectedMember('admin', 'admin'),
    ]);
  });

  it('answers 404 for an unknown user or a token’s machine user, 409 for a member, 400 for another role; none is recorded', async () => {
    await createUser(server, 'add-carl');
    await orgToken(org, 'adder', true);
    const mark = await auditMark(server);
    const unknown = await api.post(`/api/orgs/${org}/members/nobody`, { role: 'member' });
    assert.deepEqual([unknown.status, unknown.body], [404, { code: 404, message: "Not Found: user 'nobody' not found" }]);
    const machine = await api.post(`/api/orgs/${org}/members/${encodeURIComponent('org:adding')}`, { role: 'member' });
    assert.deepEqual([machine.status, machine.body], [404, { code: 404, message: "Not Found: user 'org:adding' not found" }]);
    const again = await api.post(`/api/orgs/${org}/members/add-member`, { role: 'member' });
    assert.deepEqual([again.status, again.body], [409, { code: 409, message: `Conflict: user 'add-member' is already a member of organization '${org}'` }]);
    for (const role of ['owner', 'billing-manager', 'none']) {
      const reply = await api.post(`/api/orgs/${org}/members/add-carl`, { role });
      assert.deepEqual([reply.status, reply.body], [400, { code: 400, message: `Bad Request: invalid organization role '${role}': it must be 'admin' or 'member'` }]);
    }
    const noRole = await api.post(`/api/orgs/${org}/members/add-carl`, {});
    assert.equal(noRole.status, 400);
    assert.match(noRole.body.message, /^Bad Request: .*role/);
    assert.deepEqual(await auditAfter(server, org, mark), []);
  });

  it('is refused to a member (403, recorded) and an outsider (404), and adds nobody', async () => {
    const outsider = await createUser(server, 'add-out');
    await createUser(server, 'add-dan');
    const mark = await auditMark(server);
    const refused = await api.post(`/api/orgs/${org}/members/add-dan`, { role: 'member' }, { token: memberToken });
    assert.deepEqual([refused.status, refused.body], [
      403,
      { code: 403, message: `Forbidden: adding organization members needs the 'admin' role in organization '${org}'` },
    ]);
    const outside = await api.post(`/api/orgs/${org}/members/add-dan`, { role: 'member' }, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    assert.deepEqual(await auditAfter(server, org, mark), [roleRefusal('add-member', 'adding organization members', org)]);
    const listed = await api.get(`/api/orgs/${org}/members`);
    assert.equal(listed.body.members.some((m: any) => m.user.githubLogin === 'add-dan'), false);
  });

  it('lets an admin organization token add members, recorded under the token’s name', async () => {
    const token = await orgToken(org, 'provisioner', true);
    await createUser(server, 'add-eve');
    const mark = await auditMark(server);
    const reply = await api.post(`/api/orgs/${org}/members/add-eve`, { role: 'member' }, { token });
    assert.equal(reply.status, 200);
    assert.deepEqual(member(reply.body), expectedMember('add-eve', 'member'));
    assert.deepEqual(await auditAfter(server, org, mark), [
      { ...adminEvent('member-added', `Added "add-eve" to organization "${org}" as member`, 'org:adding'), token_name: 'provisioner' },
    ]);
  });
});

describe('PATCH /api/orgs/{org}/members/{login}', () => {
  const org = 'roles';
  let memberToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'rol-bob', { org, role: 'member' });
    await createUser(server, 'rol-out');
  });

  const roleOf = async (login: string, token = server.adminToken) =>
    (await api.get(`/api/orgs/${org}/members`, { token })).body.members.find((m: any) => m.user.githubLogin === login)?.role;

  it('changes the role (204, no body) and records member-role-changed', async () => {
    const mark = await auditMark(server);
    const reply = await api.patch(`/api/orgs/${org}/members/rol-bob`, { role: 'admin' });
    assert.deepEqual([reply.status, reply.text], [204, '']);
    assert.equal(await roleOf('rol-bob'), 'admin');
    const user = await api.get('/api/user', { token: memberToken });
    assert.deepEqual(user.body.organizations, [{ githubLogin: org, name: org, avatarUrl: '', role: 'admin' }]);
    assert.deepEqual(await auditAfter(server, org, mark), [adminEvent('member-role-changed', 'Changed organization role for "rol-bob" to admin')]);
  });

  it('records nothing when the role is already the one asked', async () => {
    const mark = await auditMark(server);
    assert.equal((await api.patch(`/api/orgs/${org}/members/rol-bob`, { role: 'admin' })).status, 204);
    assert.deepEqual(await auditAfter(server, org, mark), []);
  });

  it('answers 400 for demoting the last admin, and lets the other go while two are left', async () => {
    // rol-bob demotes the first-boot admin, leaving himself as the last admin.
    const mark = await auditMark(server);
    assert.equal((await api.patch(`/api/orgs/${org}/members/admin`, { role: 'member' }, { token: memberToken })).status, 204);
    const last = await api.patch(`/api/orgs/${org}/members/rol-bob`, { role: 'member' }, { token: memberToken });
    assert.deepEqual([last.status, last.body], [
      400,
      { code: 400, message: `Bad Request: cannot demote 'rol-bob': they are the last admin of organization '${org}', which must keep at least one` },
    ]);
    assert.equal(await roleOf('rol-bob', memberToken), 'admin');
    assert.equal(await roleOf('admin', memberToken), 'member');
    assert.deepEqual(await auditAfter(server, org, mark), [adminEvent('member-role-changed', 'Changed organization role for "admin" to member', 'rol-bob')]);
    // Restored, so the rest of the file's admin calls work.
    assert.equal((await api.patch(`/api/orgs/${org}/members/admin`, { role: 'admin' }, { token: memberToken })).status, 204);
  });

  it('answers 400 for another role, 404 for an unknown user and for a non-member', async () => {
    const role = await api.patch(`/api/orgs/${org}/members/rol-bob`, { role: 'superuser' });
    assert.deepEqual([role.status, role.body], [400, { code: 400, message: "Bad Request: invalid organization role 'superuser': it must be 'admin' or 'member'" }]);
    const unknown = await api.patch(`/api/orgs/${org}/members/nobody`, { role: 'member' });
    assert.deepEqual([unknown.status, unknown.body], [404, { code: 404, message: "Not Found: user 'nobody' not found" }]);
    const outsider = await api.patch(`/api/orgs/${org}/members/rol-out`, { role: 'member' });
    assert.deepEqual([outsider.status, outsider.body], [404, { code: 404, message: `Not Found: user 'rol-out' is not a member of organization '${org}'` }]);
  });

  it('is refused to a member (403) and a team token (403)', async () => {
    const carl = await createUser(server, 'rol-carl', { org, role: 'member' });
    const teamToken = await teamWith(org, 'devs', 'rol-carl');
    const mark = await auditMark(server);
    const message = `Forbidden: changing organization roles needs the 'admin' role in organization '${org}'`;
    for (const token of [carl, teamToken]) {
      const reply = await api.patch(`/api/orgs/${org}/members/rol-carl`, { role: 'admin' }, { token });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message }]);
    }
    assert.equal(await roleOf('rol-carl'), 'member');
    assert.deepEqual(await auditAfter(server, org, mark), [
      roleRefusal('rol-carl', 'changing organization roles', org),
      roleRefusal('team:roles/devs', 'changing organization roles', org, 'devs-token'),
    ]);
  });
});

describe('DELETE /api/orgs/{org}/members/{login}', () => {
  const org = 'removing';
  let bobToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    bobToken = await createUser(server, 'rm-bob', { org, role: 'member' });
    await createUser(server, 'rm-out');
  });

  it('removes the member and their team memberships in one go: their token stops opening the organization’s stacks at once', async () => {
    const bob = api.withToken(bobToken);
    await createStack(bob, org, 'app', 'bobs');
    await createStack(api, org, 'app', 'shared');
    await teamWith(org, 'ops', 'rm-bob');
    assert.equal((await api.patch(`/api/orgs/${org}/teams/ops`, { addStackPermission: { projectName: 'app', stackName: 'shared', permission: 103 } })).status, 204);
    assert.equal((await bob.get(`/api/stacks/${org}/app/shared`)).status, 200);
    assert.equal((await bob.get(`/api/stacks/${org}/app/bobs`)).status, 200);

    const mark = await auditMark(server);
    const reply = await api.delete(`/api/orgs/${org}/members/rm-bob`);
    assert.deepEqual([reply.status, reply.text], [204, '']);
    assert.deepEqual(await auditAfter(server, org, mark), [adminEvent('member-removed', `Removed "rm-bob" from organization "${org}"`)]);

    // Neither the stack they created nor the team's grant opens anything now.
    for (const stack of ['shared', 'bobs']) {
      const gone = await bob.get(`/api/stacks/${org}/app/${stack}`);
      assert.deepEqual([gone.status, gone.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    }
    assert.deepEqual((await bob.get('/api/user')).body.organizations, []);
    const team = await api.get(`/api/orgs/${org}/teams/ops`);
    assert.deepEqual(team.body.members.map((m: any) => m.githubLogin), ['admin']);
    const { id: userId } = await db().selectFrom('users').select('id').where('login', '=', 'rm-bob').executeTakeFirstOrThrow();
    assert.deepEqual(await db().selectFrom('team_members').select('team_id').where('user_id', '=', userId).execute(), []);
    assert.deepEqual((await api.get(`/api/orgs/${org}/members`)).body.members.map((m: any) => m.user.githubLogin), ['admin']);
  });

  it('keeps their memberships in other organizations’ teams', async () => {
    await createOrganization(server, 'elsewhere', 'admin');
    await createUser(server, 'rm-cy', { org, role: 'member' });
    await api.post('/api/orgs/elsewhere/members/rm-cy', { role: 'member' });
    await teamWith('elsewhere', 'far', 'rm-cy');
    assert.equal((await api.delete(`/api/orgs/${org}/members/rm-cy`)).status, 204);
    assert.deepEqual((await api.get('/api/orgs/elsewhere/teams/far')).body.members.map((m: any) => m.githubLogin), ['admin', 'rm-cy']);
  });

  it('answers 400 for the last admin, 404 for an unknown user and for a non-member, and records nothing', async () => {
    const mark = await auditMark(server);
    const last = await api.delete(`/api/orgs/${org}/members/admin`);
    assert.deepEqual([last.status, last.body], [
      400,
      { code: 400, message: `Bad Request: cannot remove 'admin': they are the last admin of organization '${org}', which must keep at least one` },
    ]);
    const unknown = await api.delete(`/api/orgs/${org}/members/nobody`);
    assert.deepEqual([unknown.status, unknown.body], [404, { code: 404, message: "Not Found: user 'nobody' not found" }]);
    const outsider = await api.delete(`/api/orgs/${org}/members/rm-out`);
    assert.deepEqual([outsider.status, outsider.body], [404, { code: 404, message: `Not Found: user 'rm-out' is not a member of organization '${org}'` }]);
    assert.deepEqual(await auditAfter(server, org, mark), []);
    assert.deepEqual((await api.get(`/api/orgs/${org}/members`)).body.members.map((m: any) => m.user.githubLogin), ['admin']);
  });

  it('removes an admin while another admin is left', async () => {
    await createUser(server, 'rm-ada', { org, role: 'admin' });
    assert.equal((await api.delete(`/api/orgs/${org}/members/rm-ada`)).status, 204);
    assert.deepEqual((await api.get(`/api/orgs/${org}/members`)).body.members.map((m: any) => m.user.githubLogin), ['admin']);
  });

  it('is refused to a member (403) and a member organization token (403), who remove nobody', async () => {
    const dee = await createUser(server, 'rm-dee', { org, role: 'member' });
    const token = await orgToken(org, 'remover', false);
    const mark = await auditMark(server);
    const message = `Forbidden: removing organization members needs the 'admin' role in organization '${org}'`;
    for (const caller of [dee, token]) {
      const reply = await api.delete(`/api/orgs/${org}/members/rm-dee`, { token: caller });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message }]);
    }
    assert.deepEqual(await auditAfter(server, org, mark), [
      roleRefusal('rm-dee', 'removing organization members', org),
      roleRefusal('org:removing', 'removing organization members', org, 'remover'),
    ]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/members`)).body.members.map((m: any) => m.user.githubLogin), ['admin', 'rm-dee']);
  });
});

describe('GET /api/orgs/{org}', () => {
  const org = 'reading';
  let memberToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'rd-amy', { org, role: 'member' });
  });

  it('shows the organization to its members, with the default stack permission', async () => {
    const expected = { githubLogin: org, name: org, avatarUrl: '', repos: [], defaultStackPermission: 102 };
    for (const token of [server.adminToken, memberToken, await orgToken(org, 'reader', false)]) {
      const reply = await api.get(`/api/orgs/${org}`, { token });
      assert.deepEqual([reply.status, reply.body], [200, expected]);
    }
  });

  it('answers 404 to outsiders and for a missing organization, 401 without a token', async () => {
    const outsider = await createUser(server, 'rd-out');
    const outside = await api.get(`/api/orgs/${org}`, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    const missing = await api.get('/api/orgs/nowhere');
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: "Not Found: organization 'nowhere' not found" }]);
    assert.equal((await api.get(`/api/orgs/${org}`, { token: null })).status, 401);
  });
});

describe('PATCH /api/orgs/{org}', () => {
  const org = 'settings';
  let memberToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'set-amy', { org, role: 'member' });
    await createStack(api, org, 'app', 'dev');
  });

  it('sets the default stack permission, answers the metadata, and records organization-settings-changed', async () => {
    const mark = await auditMark(server);
    const reply = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 });
    assert.equal(reply.status, 200);
    assert.match(reply.body.id, /^[0-9a-f-]{36}$/);
    assert.match(reply.body.created, isoTime);
    assert.deepEqual({ ...reply.body, id: 'x', created: 'T' }, {
      id: 'x',
      kind: 'pulumi',
      created: 'T',
      defaultStackPermission: 0,
      memberCount: 2,
      stackCount: 1,
      userRole: 'admin',
    });
    assert.deepEqual(await auditAfter(server, org, mark), [
      adminEvent('organization-settings-changed', `Changed the default stack permission of organization "${org}" from edit to none`),
    ]);
    assert.equal((await api.get(`/api/orgs/${org}`)).body.defaultStackPermission, 0);
    // Members now see only what a team grants them or what they created.
    const hidden = await api.get(`/api/stacks/${org}/app/dev`, { token: memberToken });
    assert.deepEqual([hidden.status, hidden.body], [404, { code: 404, message: `Not Found: stack '${org}/app/dev' not found` }]);
  });

  it('takes every Pulumi value in turn: read lets members read but not edit', async () => {
    const mark = await auditMark(server);
    assert.equal((await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 101 })).status, 200);
    assert.equal((await api.get(`/api/stacks/${org}/app/dev`, { token: memberToken })).status, 200);
    assert.equal((await api.post(`/api/stacks/${org}/app/dev/tags`, { name: 'k', value: 'v' }, { token: memberToken })).status, 403);
    assert.equal((await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 103 })).status, 200);
    assert.equal((await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 102 })).status, 200);
    const events = (await auditAfter(server, org, mark)).filter((e) => e.event === 'organization-settings-changed');
    assert.deepEqual(events.map((e) => e.description), [
      `Changed the default stack permission of organization "${org}" from none to read`,
      `Changed the default stack permission of organization "${org}" from read to admin`,
      `Changed the default stack permission of organization "${org}" from admin to edit`,
    ]);
  });

  it('records nothing when the value does not change', async () => {
    const mark = await auditMark(server);
    const reply = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 102 });
    assert.deepEqual([reply.status, reply.body.defaultStackPermission], [200, 102]);
    assert.deepEqual(await auditAfter(server, org, mark), []);
  });

  it('answers 400 for another value, a missing one, a non-number and a setting Stackyard lacks', async () => {
    for (const value of [104, 1, -1]) {
      const reply = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: value });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { code: 400, message: `Bad Request: invalid default stack permission ${value}: it must be 0 (none), 101 (read), 102 (edit) or 103 (admin)` },
      ]);
    }
    const missing = await api.patch(`/api/orgs/${org}`, {});
    assert.deepEqual([missing.status, missing.body], [400, { code: 400, message: 'Bad Request: no setting to change: setDefaultStackPermission is missing' }]);
    const text = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 'read' });
    assert.equal(text.status, 400);
    assert.match(text.body.message, /^Bad Request: .*setDefaultStackPermission/);
    const other = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 101, setDefaultEnvironmentPermission: 'read' });
    assert.deepEqual([other.status, other.body], [
      400,
      { code: 400, message: "Bad Request: unsupported organization setting 'setDefaultEnvironmentPermission'; only setDefaultStackPermission can be changed" },
    ]);
    assert.equal((await api.get(`/api/orgs/${org}`)).body.defaultStackPermission, 102);
  });

  it('is refused to a member, a member organization token and a team token (403), and to outsiders (404)', async () => {
    const memberOrgToken = await orgToken(org, 'settings-ci', false);
    const teamToken = await teamWith(org, 'ops');
    const outsider = await createUser(server, 'set-out');
    const mark = await auditMark(server);
    const message = `Forbidden: changing organization settings needs the 'admin' role in organization '${org}'`;
    for (const token of [memberToken, memberOrgToken, teamToken]) {
      const reply = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 }, { token });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message }]);
    }
    const outside = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 }, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    assert.deepEqual(await auditAfter(server, org, mark), [
      roleRefusal('set-amy', 'changing organization settings', org),
      roleRefusal('org:settings', 'changing organization settings', org, 'settings-ci'),
      roleRefusal('team:settings/ops', 'changing organization settings', org, 'ops-token'),
    ]);
    assert.equal((await api.get(`/api/orgs/${org}`)).body.defaultStackPermission, 102);
  });
});
