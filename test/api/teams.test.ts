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


const teamEvent = (event: string, description: string, user_login = 'admin', token_name: string | null = null) => ({
  event,
  description,
  user_login,
  token_name,
  req_org_admin: 1,
  req_stack_admin: 0,
  auth_failure: 0,
});

const refusal = (user_login: string, description: string, token_name: string | null = null) => ({
  event: 'auth-failure-organization-role',
  description,
  user_login,
  token_name,
  req_org_admin: 0,
  req_stack_admin: 0,
  auth_failure: 1,
});

const adminRefusal = (user_login: string, action: string, org: string, token_name: string | null = null) =>
  refusal(user_login, `Refused ${action} in organization "${org}": the admin role is required`, token_name);

const person = (login: string, role: 'admin' | 'member') => ({ name: login, githubLogin: login, avatarUrl: '', role });

async function createTeam(org: string, name: string, body: Record<string, unknown> = {}): Promise<void> {
  const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name, ...body });
  assert.equal(reply.status, 201, reply.text);
}

async function updateTeam(org: string, team: string, body: unknown, token = server.adminToken): Promise<void> {
  const reply = await api.patch(`/api/orgs/${org}/teams/${team}`, body, { token });
  assert.deepEqual([reply.status, reply.text], [204, ''], `PATCH ${team} ${JSON.stringify(body)}`);
}

async function teamToken(org: string, team: string, name: string): Promise<string> {
  const reply = await api.post(`/api/orgs/${org}/teams/${team}/tokens`, { name, description: '' });
  assert.equal(reply.status, 200, reply.text);
  return reply.body.tokenValue;
}

async function orgToken(org: string, name: string, admin: boolean): Promise<string> {
  const reply = await api.post(`/api/orgs/${org}/tokens`, { name, description: name, admin });
  assert.equal(reply.status, 200, reply.text);
  return reply.body.tokenValue;
}

describe('POST /api/orgs/{org}/teams/pulumi', () => {
  const org = 'tcreate';
  let memberToken: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    memberToken = await createUser(server, 'cr-amy', { org, role: 'member' });
  });

  it('creates the team (201, a Team), makes the creating person its admin, and records team-created', async () => {
    const mark = await auditMark(server);
    const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'platform', displayName: 'Platform team', description: 'Runs the platform' });
    const expected = {
      kind: 'pulumi',
      name: 'platform',
      displayName: 'Platform team',
      description: 'Runs the platform',
      members: [person('admin', 'admin')],
      stacks: [],
      userRole: 'admin',
    };
    assert.deepEqual([reply.status, reply.body], [201, expected]);
    assert.deepEqual(await auditAfter(server, org, mark), [teamEvent('team-created', 'Created team "platform"')]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams/platform`)).body, expected);
  });

  it('defaults the display name to the name and the description to empty', async () => {
    const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'A.b_c-9' });
    assert.deepEqual([reply.status, reply.body], [
      201,
      { kind: 'pulumi', name: 'A.b_c-9', displayName: 'A.b_c-9', description: '', members: [person('admin', 'admin')], stacks: [], userRole: 'admin' },
    ]);
    const empty = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'x'.repeat(40), displayName: '', description: '' });
    assert.deepEqual([empty.status, empty.body.displayName], [201, 'x'.repeat(40)]);
  });

  it('answers 400 for names Pulumi refuses and a display name over 100 characters, 409 for a taken name; none is recorded', async () => {
    const mark = await auditMark(server);
    for (const name of ['', 'x'.repeat(41), 'has space', 'slash/y', 'ümlaut', 'semi;colon']) {
      const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { code: 400, message: `Bad Request: invalid team name '${name}': it must be 1 to 40 characters of letters, digits, '-', '_' and '.'` },
      ]);
    }
    const long = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'long', displayName: 'd'.repeat(101) });
    assert.deepEqual([long.status, long.body], [400, { code: 400, message: "Bad Request: a team's display name must be 1 to 100 characters; it has 101" }]);
    const taken = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'platform' });
    assert.deepEqual([taken.status, taken.body], [409, { code: 409, message: `Conflict: team 'platform' already exists in organization '${org}'` }]);
    const noName = await api.post(`/api/orgs/${org}/teams/pulumi`, { displayName: 'nameless' });
    assert.equal(noName.status, 400);
    assert.match(noName.body.message, /^Bad Request: .*name/);
    assert.deepEqual(await auditAfter(server, org, mark), []);
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams`)).body.teams.map((t: any) => t.name), ['A.b_c-9', 'platform', 'x'.repeat(40)]);
  });

  it('lets an admin organization token create a team, which starts with no members', async () => {
    const token = await orgToken(org, 'creator-ci', true);
    const mark = await auditMark(server);
    const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'bots' }, { token });
    assert.deepEqual([reply.status, reply.body], [
      201,
      { kind: 'pulumi', name: 'bots', displayName: 'bots', description: '', members: [], stacks: [], userRole: 'none' },
    ]);
    assert.deepEqual(await auditAfter(server, org, mark), [teamEvent('team-created', 'Created team "bots"', 'org:tcreate', 'creator-ci')]);
  });

  it('is refused to a member, a member organization token and a team token (403), and to outsiders (404)', async () => {
    const memberOrgToken = await orgToken(org, 'member-ci', false);
    const platformToken = await teamToken(org, 'platform', 'platform-ci');
    const outsider = await createUser(server, 'cr-out');
    const mark = await auditMark(server);
    for (const token of [memberToken, memberOrgToken, platformToken]) {
      const reply = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'sneaky' }, { token });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message: `Forbidden: creating a team needs the 'admin' role in organization '${org}'` }]);
    }
    const outside = await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'sneaky' }, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'sneaky' }, { token: null })).status, 401);
    assert.deepEqual(await auditAfter(server, org, mark), [
      adminRefusal('cr-amy', 'creating a team', org),
      adminRefusal('org:tcreate', 'creating a team', org, 'member-ci'),
      adminRefusal('team:tcreate/platform', 'creating a team', org, 'platform-ci'),
    ]);
    assert.equal((await api.get(`/api/orgs/${org}/teams/sneaky`)).status, 404);
  });
});

describe('POST /api/orgs/{org}/teams/github', () => {
  const org = 'tgithub';
  before(() => createOrganization(server, org, 'admin'));

  it('answers 400: no organization here is backed by GitHub', async () => {
    const mark = await auditMark(server);
    const reply = await api.post(`/api/orgs/${org}/teams/github`, { githubTeamId: 42 });
    assert.deepEqual([reply.status, reply.body], [
      400,
      {
        code: 400,
        message: `Bad Request: organization '${org}' is not backed by GitHub, so it has no GitHub teams; create a team with POST /api/orgs/${org}/teams/pulumi`,
      },
    ]);
    assert.deepEqual(await auditAfter(server, org, mark), []);
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams`)).body, { teams: [] });
  });

  it('is refused to a member (403) and an outsider (404) first', async () => {
    const member = await createUser(server, 'gh-amy', { org, role: 'member' });
    const outsider = await createUser(server, 'gh-out');
    const refused = await api.post(`/api/orgs/${org}/teams/github`, {}, { token: member });
    assert.deepEqual([refused.status, refused.body], [403, { code: 403, message: `Forbidden: creating a team needs the 'admin' role in organization '${org}'` }]);
    const outside = await api.post(`/api/orgs/${org}/teams/github`, {}, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
  });
});

describe('GET /api/orgs/{org}/teams', () => {
  const org = 'tlist';
  let amy: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    amy = await createUser(server, 'ls-amy', { org, role: 'member' });
  });

  it('answers an empty list for an organization without teams', async () => {
    const reply = await api.get(`/api/orgs/${org}/teams`, { token: amy });
    assert.deepEqual([reply.status, reply.body], [200, { teams: [] }]);
  });

  it('lists every team in name order with the caller’s role in each', async () => {
    await createTeam(org, 'gamma', { displayName: 'Gamma', description: 'third' });
    await createTeam(org, 'alpha', { displayName: 'Alpha', description: 'first' });
    await createTeam(org, 'beta');
    await updateTeam(org, 'alpha', { memberAction: 'add', member: 'ls-amy' });
    await updateTeam(org, 'beta', { memberAction: 'add', member: 'ls-amy' });
    await updateTeam(org, 'beta', { memberAction: 'promote', member: 'ls-amy' });
    await updateTeam(org, 'gamma', { memberAction: 'remove', member: 'admin' });
    const teams = (roles: string[]) => ({
      teams: [
        { kind: 'pulumi', name: 'alpha', displayName: 'Alpha', description: 'first', userRole: roles[0] },
        { kind: 'pulumi', name: 'beta', displayName: 'beta', description: '', userRole: roles[1] },
        { kind: 'pulumi', name: 'gamma', displayName: 'Gamma', description: 'third', userRole: roles[2] },
      ],
    });
    const byAmy = await api.get(`/api/orgs/${org}/teams`, { token: amy });
    assert.deepEqual([byAmy.status, byAmy.body], [200, teams(['member', 'admin', 'none'])]);
    const byAdmin = await api.get(`/api/orgs/${org}/teams`);
    assert.deepEqual([byAdmin.status, byAdmin.body], [200, teams(['admin', 'admin', 'none'])]);
    const byTeamToken = await api.get(`/api/orgs/${org}/teams`, { token: await teamToken(org, 'alpha', 'alpha-ci') });
    assert.deepEqual([byTeamToken.status, byTeamToken.body], [200, teams(['member', 'none', 'none'])]);
    const byOrgToken = await api.get(`/api/orgs/${org}/teams`, { token: await orgToken(org, 'lister', false) });
    assert.deepEqual([byOrgToken.status, byOrgToken.body], [200, teams(['none', 'none', 'none'])]);
  });

  it('answers 404 to outsiders and 401 without a token', async () => {
    const outsider = await createUser(server, 'ls-out');
    const reply = await api.get(`/api/orgs/${org}/teams`, { token: outsider });
    assert.deepEqual([reply.status, reply.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    assert.equal((await api.get(`/api/orgs/${org}/teams`, { token: null })).status, 401);
  });
});

describe('GET /api/orgs/{org}/teams/{team}', () => {
  const org = 'tget';
  let bob: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    bob = await createUser(server, 'get-bob', { org, role: 'member' });
    await createUser(server, 'get-amy', { org, role: 'member' });
    for (const [project, stack] of [['b-proj', 'dev'], ['a-proj', 'prod'], ['a-proj', 'dev']]) await createStack(api, org, project!, stack!);
    await createTeam(org, 'ops', { displayName: 'Operations', description: 'Keeps things running' });
    await updateTeam(org, 'ops', { memberAction: 'add', member: 'get-bob' });
    await updateTeam(org, 'ops', { memberAction: 'add', member: 'get-amy' });
    await updateTeam(org, 'ops', { memberAction: 'promote', member: 'get-amy' });
    await updateTeam(org, 'ops', { addStackPermission: { projectName: 'b-proj', stackName: 'dev', permission: 101 } });
    await updateTeam(org, 'ops', { addStackPermission: { projectName: 'a-proj', stackName: 'prod', permission: 103 } });
    await updateTeam(org, 'ops', { addStackPermission: { projectName: 'a-proj', stackName: 'dev', permission: 102 } });
  });

  it('shows members with their team roles and stacks with their permissions, both sorted, to any member', async () => {
    const expected = (userRole: string) => ({
      kind: 'pulumi',
      name: 'ops',
      displayName: 'Operations',
      description: 'Keeps things running',
      members: [person('admin', 'admin'), person('get-amy', 'admin'), person('get-bob', 'member')],
      stacks: [
        { projectName: 'a-proj', stackName: 'dev', permission: 102 },
        { projectName: 'a-proj', stackName: 'prod', permission: 103 },
        { projectName: 'b-proj', stackName: 'dev', permission: 101 },
      ],
      userRole,
    });
    const byBob = await api.get(`/api/orgs/${org}/teams/ops`, { token: bob });
    assert.deepEqual([byBob.status, byBob.body], [200, expected('member')]);
    const byAdmin = await api.get(`/api/orgs/${org}/teams/ops`);
    assert.deepEqual([byAdmin.status, byAdmin.body], [200, expected('admin')]);
    const loner = await createUser(server, 'get-cy', { org, role: 'member' });
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams/ops`, { token: loner })).body, expected('none'));
  });

  it('answers 404 for a missing team and to outsiders', async () => {
    const missing = await api.get(`/api/orgs/${org}/teams/nope`);
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: `Not Found: team 'nope' not found in organization '${org}'` }]);
    const outsider = await createUser(server, 'get-out');
    const outside = await api.get(`/api/orgs/${org}/teams/ops`, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
  });
});

describe('PATCH /api/orgs/{org}/teams/{team}', () => {
  const org = 'tpatch';
  let amy: string;
  let bob: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    amy = await createUser(server, 'pt-amy', { org, role: 'member' });
    bob = await createUser(server, 'pt-bob', { org, role: 'member' });
    await createUser(server, 'pt-cy', { org, role: 'member' });
    await createUser(server, 'pt-out');
    await createStack(api, org, 'app', 'dev');
    await createStack(api, org, 'app', 'prod');
    await createTeam(org, 'ops');
    await createTeam(org, 'other');
  });

  const team = async (name = 'ops') => (await api.get(`/api/orgs/${org}/teams/${name}`)).body;

  it('changes the display name and description, recording one team-updated', async () => {
    const mark = await auditMark(server);
    await updateTeam(org, 'ops', { newDisplayName: 'Operations', newDescription: 'Keeps things running' });
    assert.deepEqual([(await team()).displayName, (await team()).description], ['Operations', 'Keeps things running']);
    await updateTeam(org, 'ops', { newDescription: '' });
    assert.deepEqual([(await team()).displayName, (await team()).description], ['Operations', '']);
    assert.deepEqual(await auditAfter(server, org, mark), [
      teamEvent('team-updated', 'Updated team "ops": display name set to "Operations"; description changed'),
      teamEvent('team-updated', 'Updated team "ops": description changed'),
    ]);
    const tooLong = await api.patch(`/api/orgs/${org}/teams/ops`, { newDisplayName: 'd'.repeat(101) });
    assert.deepEqual([tooLong.status, tooLong.body], [400, { code: 400, message: "Bad Request: a team's display name must be 1 to 100 characters; it has 101" }]);
  });

  it('adds, promotes, demotes and removes members, one event each', async () => {
    const mark = await auditMark(server);
    await updateTeam(org, 'ops', { memberAction: 'add', member: 'pt-amy' });
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-amy', 'member')]);
    await updateTeam(org, 'ops', { memberAction: 'promote', member: 'pt-amy' });
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-amy', 'admin')]);
    await updateTeam(org, 'ops', { memberAction: 'demote', member: 'pt-amy' });
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-amy', 'member')]);
    await updateTeam(org, 'ops', { memberAction: 'remove', member: 'pt-amy' });
    assert.deepEqual((await team()).members, [person('admin', 'admin')]);
    assert.deepEqual(await auditAfter(server, org, mark), [
      teamEvent('team-updated', 'Updated team "ops": added member "pt-amy"'),
      teamEvent('team-updated', 'Updated team "ops": made "pt-amy" a team admin'),
      teamEvent('team-updated', 'Updated team "ops": made "pt-amy" a team member'),
      teamEvent('team-updated', 'Updated team "ops": removed member "pt-amy"'),
    ]);
  });

  it('accepts POST as PATCH, as Pulumi’s own example sends it', async () => {
    const reply = await api.post(`/api/orgs/${org}/teams/ops`, { memberAction: 'add', member: 'pt-bob' });
    assert.deepEqual([reply.status, reply.text], [204, '']);
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-bob', 'member')]);
  });

  it('answers 400 for adding a non-member or an unknown user, 409 for a team member, 404 for others not in the team, 400 for a bad action', async () => {
    const mark = await auditMark(server);
    const cases: Array<[unknown, number, string]> = [
      [{ memberAction: 'add', member: 'pt-out' }, 400, `Bad Request: user 'pt-out' is not a member of organization '${org}'; only members can join its teams`],
      [{ memberAction: 'add', member: 'nobody' }, 400, `Bad Request: user 'nobody' is not a member of organization '${org}'; only members can join its teams`],
      [{ memberAction: 'add', member: 'pt-bob' }, 409, "Conflict: user 'pt-bob' is already a member of team 'ops'"],
      [{ memberAction: 'remove', member: 'pt-cy' }, 404, "Not Found: user 'pt-cy' is not a member of team 'ops'"],
      [{ memberAction: 'promote', member: 'nobody' }, 404, "Not Found: user 'nobody' is not a member of team 'ops'"],
      [{ memberAction: 'demote', member: 'pt-out' }, 404, "Not Found: user 'pt-out' is not a member of team 'ops'"],
      [{ memberAction: 'kick', member: 'pt-bob' }, 400, "Bad Request: invalid memberAction 'kick': it must be 'add', 'remove', 'promote' or 'demote'"],
      [{ member: 'pt-bob' }, 400, 'Bad Request: memberAction and member go together; both are required'],
      [{ memberAction: 'add' }, 400, 'Bad Request: memberAction and member go together; both are required'],
    ];
    for (const [body, status, message] of cases) {
      const reply = await api.patch(`/api/orgs/${org}/teams/ops`, body);
      assert.deepEqual([reply.status, reply.body], [status, { code: status, message }], JSON.stringify(body));
    }
    assert.deepEqual(await auditAfter(server, org, mark), []);
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-bob', 'member')]);
  });

  it('grants, changes and removes stack permissions, one event each', async () => {
    const mark = await auditMark(server);
    await updateTeam(org, 'ops', { addStackPermission: { projectName: 'app', stackName: 'prod', permission: 101 } });
    await updateTeam(org, 'ops', { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 103 } });
    assert.deepEqual((await team()).stacks, [
      { projectName: 'app', stackName: 'dev', permission: 103 },
      { projectName: 'app', stackName: 'prod', permission: 101 },
    ]);
    await updateTeam(org, 'ops', { editStackPermission: { projectName: 'app', stackName: 'prod', permission: 102 } });
    assert.deepEqual((await team()).stacks, [
      { projectName: 'app', stackName: 'dev', permission: 103 },
      { projectName: 'app', stackName: 'prod', permission: 102 },
    ]);
    await updateTeam(org, 'ops', { removeStack: { projectName: 'app', stackName: 'dev' } });
    assert.deepEqual((await team()).stacks, [{ projectName: 'app', stackName: 'prod', permission: 102 }]);
    assert.deepEqual(await auditAfter(server, org, mark), [
      teamEvent('team-updated', 'Updated team "ops": granted read on stack "app/prod"'),
      teamEvent('team-updated', 'Updated team "ops": granted admin on stack "app/dev"'),
      teamEvent('team-updated', 'Updated team "ops": changed to edit on stack "app/prod"'),
      teamEvent('team-updated', 'Updated team "ops": removed stack "app/dev"'),
    ]);
  });

  it('answers 400 for a permission other than 101, 102 or 103, 404 for a missing stack or a stack without a grant', async () => {
    const mark = await auditMark(server);
    const cases: Array<[unknown, number, string]> = [];
    for (const field of ['addStackPermission', 'editStackPermission']) {
      for (const permission of [0, 100, 104]) {
        cases.push([
          { [field]: { projectName: 'app', stackName: 'dev', permission } },
          400,
          `Bad Request: invalid stack permission ${permission}: it must be 101 (read), 102 (edit) or 103 (admin)`,
        ]);
      }
      cases.push([{ [field]: { projectName: 'app', stackName: 'nope', permission: 101 } }, 404, `Not Found: stack '${org}/app/nope' not found`]);
    }
    cases.push([{ removeStack: { projectName: 'app', stackName: 'dev' } }, 404, "Not Found: team 'ops' has no permission on stack 'app/dev'"]);
    cases.push([{ removeStack: { projectName: 'nope', stackName: 'dev' } }, 404, `Not Found: stack '${org}/nope/dev' not found`]);
    for (const [body, status, message] of cases) {
      const reply = await api.patch(`/api/orgs/${org}/teams/ops`, body);
      assert.deepEqual([reply.status, reply.body], [status, { code: status, message }], JSON.stringify(body));
    }
    const text = await api.patch(`/api/orgs/${org}/teams/ops`, { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 'read' } });
    assert.equal(text.status, 400);
    assert.match(text.body.message, /^Bad Request: .*permission/);
    assert.deepEqual(await auditAfter(server, org, mark), []);
    assert.deepEqual((await team()).stacks, [{ projectName: 'app', stackName: 'prod', permission: 102 }]);
  });

  it('applies several fields of one request together, in one event, or none of them', async () => {
    const mark = await auditMark(server);
    await updateTeam(org, 'ops', {
      newDisplayName: 'Ops',
      memberAction: 'add',
      member: 'pt-cy',
      addStackPermission: { projectName: 'app', stackName: 'dev', permission: 101 },
    });
    assert.deepEqual(await auditAfter(server, org, mark), [
      teamEvent('team-updated', 'Updated team "ops": display name set to "Ops"; added member "pt-cy"; granted read on stack "app/dev"'),
    ]);
    // The grant fails, so the new display name and the removal are rolled back with it.
    const failed = await api.patch(`/api/orgs/${org}/teams/ops`, {
      newDisplayName: 'Rolled back',
      memberAction: 'remove',
      member: 'pt-cy',
      addStackPermission: { projectName: 'app', stackName: 'nope', permission: 101 },
    });
    assert.deepEqual([failed.status, failed.body], [404, { code: 404, message: `Not Found: stack '${org}/app/nope' not found` }]);
    const after = await team();
    assert.equal(after.displayName, 'Ops');
    assert.deepEqual(after.members.map((m: any) => m.githubLogin), ['admin', 'pt-bob', 'pt-cy']);
    assert.equal((await auditAfter(server, org, mark)).length, 1);
  });

  it('answers 400 for an empty request, 404 for a missing team or environment', async () => {
    const empty = await api.patch(`/api/orgs/${org}/teams/ops`, {});
    assert.deepEqual([empty.status, empty.body], [400, { code: 400, message: 'Bad Request: nothing to change: the request names no team update' }]);
    const environment = await api.patch(`/api/orgs/${org}/teams/ops`, { addEnvironmentPermission: { envName: 'e', projectName: 'p', permission: 'read' } });
    assert.deepEqual([environment.status, environment.body], [404, { code: 404, message: `Not Found: environment '${org}/p/e' not found` }]);
    const missing = await api.patch(`/api/orgs/${org}/teams/nope`, { newDescription: 'x' });
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: `Not Found: team 'nope' not found in organization '${org}'` }]);
  });

  it('lets a team admin manage the members of their team, and nothing else', async () => {
    await updateTeam(org, 'ops', { memberAction: 'add', member: 'pt-amy' });
    await updateTeam(org, 'ops', { memberAction: 'promote', member: 'pt-amy' });
    const mark = await auditMark(server);
    await updateTeam(org, 'ops', { memberAction: 'remove', member: 'pt-cy' }, amy);
    await updateTeam(org, 'ops', { memberAction: 'promote', member: 'pt-bob' }, amy);
    await updateTeam(org, 'ops', { memberAction: 'demote', member: 'pt-bob' }, amy);
    assert.deepEqual((await team()).members, [person('admin', 'admin'), person('pt-amy', 'admin'), person('pt-bob', 'member')]);
    const byTeamAdmin = (description: string) => ({ ...teamEvent('team-updated', description, 'pt-amy') });
    assert.deepEqual(await auditAfter(server, org, mark), [
      byTeamAdmin('Updated team "ops": removed member "pt-cy"'),
      byTeamAdmin('Updated team "ops": made "pt-bob" a team admin'),
      byTeamAdmin('Updated team "ops": made "pt-bob" a team member'),
    ]);

    const refusedMark = await auditMark(server);
    const grant = await api.patch(`/api/orgs/${org}/teams/ops`, { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 103 } }, { token: amy });
    assert.deepEqual([grant.status, grant.body], [403, { code: 403, message: `Forbidden: changing team 'ops' needs the 'admin' role in organization '${org}'` }]);
    const rename = await api.patch(`/api/orgs/${org}/teams/ops`, { newDisplayName: 'Mine' }, { token: amy });
    assert.deepEqual([rename.status, rename.body], [403, { code: 403, message: `Forbidden: changing team 'ops' needs the 'admin' role in organization '${org}'` }]);
    const otherTeam = await api.patch(`/api/orgs/${org}/teams/other`, { memberAction: 'add', member: 'pt-amy' }, { token: amy });
    const membersMessage = (teamName: string) =>
      `Forbidden: managing the members of team '${teamName}' needs the 'admin' role in organization '${org}' or in the team`;
    assert.deepEqual([otherTeam.status, otherTeam.body], [403, { code: 403, message: membersMessage('other') }]);
    // A plain member of the team may not manage it either.
    const byMember = await api.patch(`/api/orgs/${org}/teams/ops`, { memberAction: 'remove', member: 'pt-amy' }, { token: bob });
    assert.deepEqual([byMember.status, byMember.body], [403, { code: 403, message: membersMessage('ops') }]);
    const membersRefusal = (login: string, teamName: string) =>
      refusal(login, `Refused managing the members of team "${teamName}": the admin role in the organization or the team is required`);
    assert.deepEqual(await auditAfter(server, org, refusedMark), [
      adminRefusal('pt-amy', "changing team 'ops'", org),
      adminRefusal('pt-amy', "changing team 'ops'", org),
      membersRefusal('pt-amy', 'other'),
      membersRefusal('pt-bob', 'ops'),
    ]);
    assert.deepEqual((await team()).stacks, [
      { projectName: 'app', stackName: 'dev', permission: 101 },
      { projectName: 'app', stackName: 'prod', permission: 102 },
    ]);
  });

  it('is refused to team tokens and member organization tokens (403), to outsiders (404); an admin organization token may', async () => {
    const opsToken = await teamToken(org, 'ops', 'ops-ci');
    const memberOrgToken = await orgToken(org, 'patch-ci', false);
    const outsider = await createUser(server, 'pt-far');
    const mark = await auditMark(server);
    const membersMessage = `Forbidden: managing the members of team 'ops' needs the 'admin' role in organization '${org}' or in the team`;
    for (const token of [opsToken, memberOrgToken]) {
      const members = await api.patch(`/api/orgs/${org}/teams/ops`, { memberAction: 'add', member: 'pt-cy' }, { token });
      assert.deepEqual([members.status, members.body], [403, { code: 403, message: membersMessage }]);
      const grant = await api.patch(`/api/orgs/${org}/teams/ops`, { removeStack: { projectName: 'app', stackName: 'dev' } }, { token });
      assert.deepEqual([grant.status, grant.body], [403, { code: 403, message: `Forbidden: changing team 'ops' needs the 'admin' role in organization '${org}'` }]);
    }
    const outside = await api.patch(`/api/orgs/${org}/teams/ops`, { newDescription: 'x' }, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    const membersRefusal = (login: string, token: string) =>
      refusal(login, 'Refused managing the members of team "ops": the admin role in the organization or the team is required', token);
    assert.deepEqual(await auditAfter(server, org, mark), [
      membersRefusal('team:tpatch/ops', 'ops-ci'),
      adminRefusal('team:tpatch/ops', "changing team 'ops'", org, 'ops-ci'),
      membersRefusal('org:tpatch', 'patch-ci'),
      adminRefusal('org:tpatch', "changing team 'ops'", org, 'patch-ci'),
    ]);

    const adminOrgToken = await orgToken(org, 'patch-admin', true);
    const adminMark = await auditMark(server);
    await updateTeam(org, 'ops', { newDescription: 'by token' }, adminOrgToken);
    assert.deepEqual(await auditAfter(server, org, adminMark), [teamEvent('team-updated', 'Updated team "ops": description changed', 'org:tpatch', 'patch-admin')]);
  });
});

describe('team stack grants', () => {
  const org = 'tgrant';
  let amy: string;
  let bob: string;
  let cy: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    amy = await createUser(server, 'gr-amy', { org, role: 'member' });
    bob = await createUser(server, 'gr-bob', { org, role: 'member' });
    cy = await createUser(server, 'gr-cy', { org, role: 'member' });
    await createStack(api, org, 'app', 'dev');
    await createStack(api, org, 'app', 'other');
    const settings = await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 });
    assert.deepEqual([settings.status, settings.body.defaultStackPermission], [200, 0]);
    await createTeam(org, 'readers');
    await createTeam(org, 'editors');
    await updateTeam(org, 'readers', { memberAction: 'add', member: 'gr-amy' });
    await updateTeam(org, 'editors', { memberAction: 'add', member: 'gr-bob' });
    await updateTeam(org, 'readers', { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 101 } });
    await updateTeam(org, 'editors', { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 102 } });
  });

  const getStack = (token: string, stack = 'dev') => api.get(`/api/stacks/${org}/app/${stack}`, { token });
  const tag = (token: string, value: string) => api.post(`/api/stacks/${org}/app/dev/tags`, { name: `t-${value}`, value }, { token });
  const notFound = (stack = 'dev') => ({ code: 404, message: `Not Found: stack '${org}/app/${stack}' not found` });
  const editRequired = { code: 403, message: `Forbidden: edit permission on stack '${org}/app/dev' is required` };

  it('lets a read grant read and not edit, an edit grant edit, and no grant nothing', async () => {
    const read = await getStack(amy);
    assert.deepEqual([read.status, read.body.stackName], [200, 'dev']);
    const refused = await tag(amy, 'amy');
    assert.deepEqual([refused.status, refused.body], [403, editRequired]);
    assert.equal((await getStack(bob)).status, 200);
    const edited = await tag(bob, 'bob');
    assert.deepEqual([edited.status, edited.text], [204, '']);
    assert.equal((await getStack(amy)).body.tags['t-bob'], 'bob');
    const none = await getStack(cy);
    assert.deepEqual([none.status, none.body], [404, notFound()]);
  });

  it('grants exactly the stack named', async () => {
    for (const token of [amy, bob]) {
      const other = await getStack(token, 'other');
      assert.deepEqual([other.status, other.body], [404, notFound('other')]);
    }
  });

  it('gives a team token exactly its team’s grant', async () => {
    const token = await teamToken(org, 'readers', 'readers-ci');
    assert.equal((await getStack(token)).status, 200);
    const refused = await tag(token, 'tok');
    assert.deepEqual([refused.status, refused.body], [403, editRequired]);
  });

  it('follows editStackPermission and removeStack at once', async () => {
    await updateTeam(org, 'readers', { editStackPermission: { projectName: 'app', stackName: 'dev', permission: 102 } });
    const edited = await tag(amy, 'amy');
    assert.deepEqual([edited.status, edited.text], [204, '']);
    await updateTeam(org, 'readers', { removeStack: { projectName: 'app', stackName: 'dev' } });
    const gone = await getStack(amy);
    assert.deepEqual([gone.status, gone.body], [404, notFound()]);
  });

  it('ends with the membership: a member taken out of the team loses the grant', async () => {
    await updateTeam(org, 'editors', { memberAction: 'remove', member: 'gr-bob' });
    const gone = await getStack(bob);
    assert.deepEqual([gone.status, gone.body], [404, notFound()]);
  });
});

describe('DELETE /api/orgs/{org}/teams/{team}', () => {
  const org = 'tdelete';
  let amy: string;
  before(async () => {
    await createOrganization(server, org, 'admin');
    amy = await createUser(server, 'del-amy', { org, role: 'member' });
    await createStack(api, org, 'app', 'dev');
    await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 });
  });

  it('deletes the team with its members and grants, revokes its tokens (401 at once), and records team-deleted', async () => {
    await createTeam(org, 'doomed');
    await updateTeam(org, 'doomed', { memberAction: 'add', member: 'del-amy' });
    await updateTeam(org, 'doomed', { addStackPermission: { projectName: 'app', stackName: 'dev', permission: 102 } });
    const token = await teamToken(org, 'doomed', 'doomed-ci');
    assert.equal((await api.get('/api/user', { token })).status, 200);
    assert.equal((await api.get(`/api/stacks/${org}/app/dev`, { token: amy })).status, 200);
    const { id: teamId } = await db().selectFrom('teams').select('id').where('name', '=', 'doomed').executeTakeFirstOrThrow();

    const mark = await auditMark(server);
    const reply = await api.delete(`/api/orgs/${org}/teams/doomed`);
    assert.deepEqual([reply.status, reply.text], [204, '']);
    assert.deepEqual(await auditAfter(server, org, mark), [teamEvent('team-deleted', 'Deleted team "doomed"')]);

    const user = await api.get('/api/user', { token });
    assert.deepEqual([user.status, user.body], [401, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' }]);
    assert.equal((await api.get(`/api/stacks/${org}/app/dev`, { token })).status, 401);
    assert.equal((await api.get(`/api/stacks/${org}/app/dev`, { token: amy })).status, 404);
    const missing = await api.get(`/api/orgs/${org}/teams/doomed`);
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: `Not Found: team 'doomed' not found in organization '${org}'` }]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams`)).body, { teams: [] });
    assert.deepEqual(await db().selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute(), []);
    assert.deepEqual(await db().selectFrom('team_stack_permissions').select('stack_id').where('team_id', '=', teamId).execute(), []);
    const row = await db().selectFrom('access_tokens').select(['kind', 'team_id', 'revoked_at']).where('name', '=', 'doomed-ci').executeTakeFirstOrThrow();
    assert.deepEqual({ ...row, revoked_at: typeof row.revoked_at }, { kind: 'team', team_id: null, revoked_at: 'number' });
  });

  it('keeps the revoked token’s name taken, even by a new team of the same name', async () => {
    await createTeam(org, 'doomed');
    const reused = await api.post(`/api/orgs/${org}/teams/doomed/tokens`, { name: 'doomed-ci', description: '' });
    assert.deepEqual([reused.status, reused.body], [
      409,
      { code: 409, message: `Conflict: a token named 'doomed-ci' already exists or existed in organization '${org}'; token names are never reused` },
    ]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/teams/doomed`)).body.members, [person('admin', 'admin')]);
  });

  it('answers 404 for a missing team and to outsiders; refuses members, member organization tokens and team tokens (403)', async () => {
    await createTeam(org, 'kept');
    const keptToken = await teamToken(org, 'kept', 'kept-ci');
    const memberOrgToken = await orgToken(org, 'delete-ci', false);
    const outsider = await createUser(server, 'del-out');
    const mark = await auditMark(server);
    const missing = await api.delete(`/api/orgs/${org}/teams/nope`);
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: `Not Found: team 'nope' not found in organization '${org}'` }]);
    for (const token of [amy, memberOrgToken, keptToken]) {
      const reply = await api.delete(`/api/orgs/${org}/teams/kept`, { token });
      assert.deepEqual([reply.status, reply.body], [403, { code: 403, message: `Forbidden: deleting a team needs the 'admin' role in organization '${org}'` }]);
    }
    const outside = await api.delete(`/api/orgs/${org}/teams/kept`, { token: outsider });
    assert.deepEqual([outside.status, outside.body], [404, { code: 404, message: `Not Found: organization '${org}' not found` }]);
    assert.deepEqual(await auditAfter(server, org, mark), [
      adminRefusal('del-amy', 'deleting a team', org),
      adminRefusal('org:tdelete', 'deleting a team', org, 'delete-ci'),
      adminRefusal('team:tdelete/kept', 'deleting a team', org, 'kept-ci'),
    ]);
    assert.equal((await api.get('/api/user', { token: keptToken })).status, 200);
    assert.equal((await api.get(`/api/orgs/${org}/teams/kept`)).status, 200);
  });
});
