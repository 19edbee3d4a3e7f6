import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../helpers/clock.js';
import { createOrganization, createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startReplica, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let org: string;
const clock = new ManualClock();
const nowSeconds = () => Math.floor(clock.now() / 1000);

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
});
after(() => server.close());

const tokenRow = (id: string) =>
  server.server.ctx.database.db.selectFrom('access_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('POST /api/user/tokens', () => {
  it('issues a working token, returned once, stored only as a hash', async () => {
    const reply = await api.post('/api/user/tokens', { description: 'laptop', expires: 0 });
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.body).sort(), ['id', 'tokenValue']);
    assert.match(reply.body.tokenValue, /^pul-[0-9a-f]{40}$/);
    const me = await api.get('/api/user', { token: reply.body.tokenValue });
    assert.equal(me.body.githubLogin, 'admin');
    const row = await tokenRow(reply.body.id);
    assert.equal(row.kind, 'personal');
    assert.notEqual(row.token_hash, reply.body.tokenValue);
    assert.equal(JSON.stringify(row).includes(reply.body.tokenValue), false);
  });

  it('takes an expiry up to two years ahead, and refuses the past and beyond', async () => {
    const ok = await api.post('/api/user/tokens', { description: 'ci', expires: nowSeconds() + 3600 });
    assert.equal(ok.status, 200);
    const past = await api.post('/api/user/tokens', { description: 'old', expires: nowSeconds() - 10 });
    assert.equal(past.status, 400);
    assert.match(past.body.message, /expires must be 0 \(never\) or a Unix time in the future/);
    const far = await api.post('/api/user/tokens', { description: 'far', expires: nowSeconds() + 3 * 366 * 24 * 3600 });
    assert.equal(far.status, 400);
    assert.match(far.body.message, /at most two years from now/);
    const negative = await api.post('/api/user/tokens', { description: 'neg', expires: -1 });
    assert.equal(negative.status, 400);
    assert.equal((await api.post('/api/user/tokens', { expires: 0 })).status, 400);
  });

  it('stops opening anything once expired', async () => {
    const { body } = await api.post('/api/user/tokens', { description: 'short', expires: nowSeconds() + 60 });
    assert.equal((await api.get('/api/user', { token: body.tokenValue })).status, 200);
    clock.advance(120_000);
    const reply = await api.get('/api/user', { token: body.tokenValue });
    assert.deepEqual(reply.body, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });
  });
});

describe('GET /api/user/tokens', () => {
  it("lists the caller's own tokens, expired ones only with show_expired", async () => {
    const token = await createUser(server, 'lister', { org });
    const lister = api.withToken(token);
    const live = (await lister.post('/api/user/tokens', { description: 'live', expires: 0 })).body;
    const brief = (await lister.post('/api/user/tokens', { description: 'brief', expires: nowSeconds() + 30 })).body;
    clock.advance(60_000);
    const listed = await lister.get('/api/user/tokens');
    assert.equal(listed.status, 200);
    const descriptions = listed.body.tokens.map((t: { description: string }) => t.description);
    assert.deepEqual(descriptions.sort(), ['created by stackyard admin', 'live']);
    const entry = listed.body.tokens.find((t: { id: string }) => t.id === live.id);
    assert.deepEqual(
      { ...entry, created: undefined },
      { id: live.id, name: '', description: 'live', created: undefined, lastUsed: 0, expires: 0, admin: false, createdBy: 'lister', type: 'personal' },
    );
    assert.match(entry.created, /^\d{4}-\d\d-\d\dT/);
    const all = await lister.get('/api/user/tokens?show_expired=true');
    assert.ok(all.body.tokens.some((t: { id: string }) => t.id === brief.id));
  });

  it('records the last use at most once a minute', async () => {
    const { body } = await api.post('/api/user/tokens', { description: 'used', expires: 0 });
    const firstUse = nowSeconds();
    await api.get('/api/user', { token: body.tokenValue });
    clock.advance(30_000);
    await api.get('/api/user', { token: body.tokenValue });
    assert.equal(Math.floor((await tokenRow(body.id)).last_used_at! / 1000), firstUse);
    clock.advance(31_000);
    await api.get('/api/user', { token: body.tokenValue });
    assert.equal(Math.floor((await tokenRow(body.id)).last_used_at! / 1000), nowSeconds());
    const listed = (await api.get('/api/user/tokens')).body.tokens.find((t: { id: string }) => t.id === body.id);
    assert.equal(listed.lastUsed, nowSeconds());
  });
});

describe('DELETE /api/user/tokens/{tokenId}', () => {
  it('revokes the token at once, and only the owner may', async () => {
    const { body } = await api.post('/api/user/tokens', { description: 'doomed', expires: 0 });
    const other = await createUser(server, 'stranger-tok', { org });
    const foreign = await api.delete(`/api/user/tokens/${body.id}`, { token: other });
    assert.deepEqual(foreign.body, { code: 404, message: `Not Found: access token '${body.id}' not found` });
    assert.equal((await api.delete(`/api/user/tokens/${body.id}`)).status, 204);
    assert.equal((await api.get('/api/user', { token: body.tokenValue })).status, 401);
    assert.equal((await api.delete(`/api/user/tokens/${body.id}`)).status, 404);
  });
});

describe('/api/orgs/{org}/tokens', () => {
  it('issues organization tokens that act as the organization', async () => {
    const reply = await api.post(`/api/orgs/${org}/tokens`, { name: 'ci-deploy', description: 'CI', expires: 0 });
    assert.equal(reply.status, 200);
    const me = await api.get('/api/user', { token: reply.body.tokenValue });
    assert.equal(me.status, 200);
    assert.equal(me.body.githubLogin, org);
    assert.deepEqual(me.body.organizations, [{ githubLogin: org, name: org, avatarUrl: '', role: 'member' }]);
    assert.deepEqual(me.body.tokenInfo, { name: 'ci-deploy', organization: org, team: '' });
    const listed = (await api.get(`/api/orgs/${org}/tokens`)).body.tokens;
    const entry = listed.find((t: { id: string }) => t.id === reply.body.id);
    assert.deepEqual(
      { ...entry, created: undefined },
      { id: reply.body.id, name: 'ci-deploy', description: 'CI', created: undefined, lastUsed: nowSeconds(), expires: 0, admin: false, createdBy: 'admin', type: 'organization' },
    );
  });

  it('keeps names unique in the organization, revoked tokens included, and at most 40 characters', async () => {
    const first = await api.post(`/api/orgs/${org}/tokens`, { name: 'release', description: '', expires: 0 });
    assert.equal((await api.delete(`/api/orgs/${org}/tokens/${first.body.id}`)).status, 204);
    assert.equal((await api.get('/api/user', { token: first.body.tokenValue })).status, 401);
    const again = await api.post(`/api/orgs/${org}/tokens`, { name: 'release', description: '', expires: 0 });
    assert.equal(again.status, 409);
    assert.match(again.body.message, /'release' already exists or existed/);
    const long = await api.post(`/api/orgs/${org}/tokens`, { name: 'x'.repeat(41), description: '', expires: 0 });
    assert.deepEqual(long.body, { code: 400, message: 'Bad Request: token name must be at most 40 characters' });
    const unnamed = await api.post(`/api/orgs/${org}/tokens`, { description: '', expires: 0 });
    assert.deepEqual(unnamed.body, { code: 400, message: 'Bad Request: a token name is required' });
  });

  it('is managed by organization admins and admin organization tokens only', async () => {
    const member = await createUser(server, 'tok-member', { org });
    const refused = await api.post(`/api/orgs/${org}/tokens`, { name: 'nope', description: '', expires: 0 }, { token: member });
    assert.deepEqual(refused.body, {
      code: 403,
      message: `Forbidden: creating an organization token needs the 'admin' role in organization '${org}'`,
    });
    await createOrganization(server, 'elsewhere-tok');
    const outsider = await api.get('/api/orgs/elsewhere-tok/tokens');
    assert.deepEqual(outsider.body, { code: 404, message: "Not Found: organization 'elsewhere-tok' not found" });

    const plain = (await api.post(`/api/orgs/${org}/tokens`, { name: 'plain', description: '', expires: 0 })).body.tokenValue;
    assert.equal((await api.post(`/api/orgs/${org}/tokens`, { name: 'by-plain', description: '', expires: 0 }, { token: plain })).status, 403);
    const admin = (await api.post(`/api/orgs/${org}/tokens`, { name: 'adm', description: '', expires: 0, admin: true })).body.tokenValue;
    const byAdmin = await api.post(`/api/orgs/${org}/tokens`, { name: 'by-admin', description: '', expires: 0 }, { token: admin });
    assert.equal(byAdmin.status, 200);
    // A machine identity has no personal tokens.
    const personal = await api.post('/api/user/tokens', { description: 'x', expires: 0 }, { token: admin });
    assert.equal(personal.status, 403);
  });

  it('answers 404 for a token of another organization', async () => {
    await createOrganization(server, 'second-tok', 'admin');
    const theirs = (await api.post('/api/orgs/second-tok/tokens', { name: 'theirs', description: '', expires: 0 })).body;
    const reply = await api.delete(`/api/orgs/${org}/tokens/${theirs.id}`);
    assert.deepEqual(reply.body, { code: 404, message: `Not Found: organization access token '${theirs.id}' not found` });
    assert.equal((await api.get('/api/user', { token: theirs.tokenValue })).status, 200);
  });
});

describe('/api/orgs/{org}/teams/{team}/tokens', () => {
  it('issues team tokens that act as the team, and stop with the team', async () => {
    assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'builders', displayName: 'Builders', description: '' })).status, 201);
    const reply = await api.post(`/api/orgs/${org}/teams/builders/tokens`, { name: 'builders-ci', description: 'team CI', expires: 0 });
    assert.equal(reply.status, 200);
    const me = await api.get('/api/user', { token: reply.body.tokenValue });
    assert.equal(me.body.githubLogin, 'builders');
    assert.deepEqual(me.body.tokenInfo, { name: 'builders-ci', organization: org, team: 'builders' });
    const listed = (await api.get(`/api/orgs/${org}/teams/builders/tokens`)).body.tokens;
    assert.deepEqual(
      listed.map((t: { name: string; type: string }) => [t.name, t.type]),
      [['builders-ci', 'team']],
    );
    // Team and organization token names share one namespace.
    const clash = await api.post(`/api/orgs/${org}/tokens`, { name: 'builders-ci', description: '', expires: 0 });
    assert.equal(clash.status, 409);
    assert.equal((await api.get(`/api/orgs/${org}/teams/nobody/tokens`)).status, 404);
    assert.equal((await api.delete(`/api/orgs/${org}/teams/builders/tokens/${reply.body.id}`)).status, 204);
    assert.equal((await api.get('/api/user', { token: reply.body.tokenValue })).status, 401);
  });
});

// A server keeps what it looked up about access while no table of it changes (src/auth/access-cache.ts).
describe('access changed elsewhere', () => {
  it('is seen by the next request: a revocation or a removal through another replica, or a write to the database', async () => {
    const replica = await startReplica(server);
    try {
      const there = new ApiClient(replica.url, server.adminToken);
      const { body } = await api.post('/api/user/tokens', { description: 'shared', expires: 0 });
      assert.equal((await api.get('/api/user', { token: body.tokenValue })).status, 200);
      assert.equal((await there.get('/api/user', { token: body.tokenValue })).status, 200);
      assert.equal((await there.delete(`/api/user/tokens/${body.id}`)).status, 204);
      assert.deepEqual((await api.get('/api/user', { token: body.tokenValue })).body, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });

      const member = await createUser(server, 'cached-member', { org });
      await createStack(api, org, 'cached', 'dev');
      assert.equal((await api.get(`/api/stacks/${org}/cached/dev`, { token: member })).status, 200);
      assert.equal((await there.delete(`/api/orgs/${org}/members/cached-member`)).status, 204);
      assert.equal((await api.get(`/api/stacks/${org}/cached/dev`, { token: member })).status, 404);
      assert.equal((await api.get('/api/user/stacks', { token: member })).body.stacks.length, 0);

      const direct = await api.post('/api/user/tokens', { description: 'direct', expires: 0 });
      assert.equal((await api.get('/api/user', { token: direct.body.tokenValue })).status, 200);
      await server.server.ctx.database.db.updateTable('access_tokens').set({ revoked_at: clock.now() }).where('id', '=', direct.body.id).execute();
      assert.equal((await api.get('/api/user', { token: direct.body.tokenValue })).status, 401);
    } finally {
      await replica.close();
    }
  });
});
