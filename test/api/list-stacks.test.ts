import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let org: string;

/** Follows continuation tokens the way the CLI does, collecting every page. */
async function listAll(query: string, token?: string) {
  const pages: Array<{ stacks: any[]; continuationToken?: string }> = [];
  let continuation: string | undefined;
  do {
    const sep = query ? '&' : '';
    const suffix = continuation ? `${sep}continuationToken=${encodeURIComponent(continuation)}` : '';
    const reply = await api.get(`/api/user/stacks?${query}${suffix}`, token ? { token } : undefined);
    assert.equal(reply.status, 200, reply.text);
    pages.push(reply.body);
    continuation = reply.body.continuationToken;
  } while (continuation);
  return { pages, stacks: pages.flatMap((p) => p.stacks) };
}

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  await createOrganization(server, 'other-org', 'admin');
  for (let i = 0; i < 130; i++) {
    const project = i % 2 === 0 ? 'even' : 'odd';
    await createStack(api, org, project, `s${String(i).padStart(3, '0')}`, { parity: project, ...(i % 10 === 0 && { tens: 'yes' }) });
  }
  await createStack(api, 'other-org', 'even', 'elsewhere', { parity: 'even' });
});
after(() => server.close());

describe('GET /api/user/stacks', () => {
  it('pages through every visible stack in order, 100 at a time', async () => {
    const { pages, stacks } = await listAll('');
    assert.deepEqual(pages.map((p) => p.stacks.length), [100, 31]);
    assert.equal(typeof pages[0]!.continuationToken, 'string');
    assert.equal('continuationToken' in pages[1]!, false);
    assert.equal(stacks.length, 131);
    assert.equal(new Set(stacks.map((s) => `${s.orgName}/${s.projectName}/${s.stackName}`)).size, 131);
    const first = stacks[0];
    assert.match(first.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { ...first, id: 'x' },
      { id: 'x', orgName: 'other-org', projectName: 'even', stackName: 'elsewhere', resourceCount: 0, links: { self: `${server.url}/api/stacks/other-org/even/elsewhere` } },
    );
  });

  it('honours maxResults', async () => {
    const { pages, stacks } = await listAll('maxResults=40');
    assert.deepEqual(pages.map((p) => p.stacks.length), [40, 40, 40, 11]);
    assert.equal(stacks.length, 131);
  });

  it('filters by organization and project', async () => {
    const { stacks } = await listAll(`organization=${org}&project=odd`);
    assert.equal(stacks.length, 65);
    assert.ok(stacks.every((s) => s.orgName === org && s.projectName === 'odd'));
    assert.deepEqual((await listAll('organization=other-org')).stacks.map((s) => s.stackName), ['elsewhere']);
  });

  it('filters by tag name, and by tag name and value', async () => {
    const tens = Array.from({ length: 13 }, (_, k) => `s${String(k * 10).padStart(3, '0')}`);
    assert.deepEqual((await listAll('tagName=tens')).stacks.map((s) => s.stackName), tens);
    const even = await listAll('tagName=parity&tagValue=even');
    assert.equal(even.stacks.length, 66);
    assert.ok(even.stacks.every((s) => s.projectName === 'even'));
  });

  it('shows a user only the stacks of their organizations', async () => {
    const token = await createUser(server, 'other-member', { org: 'other-org' });
    const { stacks } = await listAll('', token);
    assert.deepEqual(stacks.map((s) => `${s.orgName}/${s.projectName}/${s.stackName}`), ['other-org/even/elsewhere']);
    assert.deepEqual((await listAll(`organization=${org}`, token)).stacks, []);
  });

  it('lists each caller its own stacks when callers differ only in which organizations they see', async () => {
    // Same shape of query as other-member's (one organization), other values.
    const token = await createUser(server, 'org-member', { org });
    const { stacks } = await listAll(`project=even`, token);
    assert.equal(stacks.length, 65);
    assert.ok(stacks.every((s) => s.orgName === org));
    const other = await createUser(server, 'other-member-2', { org: 'other-org' });
    assert.deepEqual((await listAll('project=even', other)).stacks.map((s) => s.stackName), ['elsewhere']);
  });

  it('lists the stacks of a member of many organizations', async () => {
    const many = Array.from({ length: 20 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
    for (const name of many) {
      await createOrganization(server, name, 'admin');
      await createStack(api, name, 'p', 'only');
    }
    const token = await createUser(server, 'many-member');
    for (const name of many.slice(0, 18)) await server.server.ctx.services.admin.addMember(name, 'many-member', 'member');
    const { stacks } = await listAll('', token);
    assert.deepEqual(stacks.map((s) => s.orgName), many.slice(0, 18));
  });

  it('answers 400 for a bad continuation token and for tagValue without tagName', async () => {
    const bad = await api.get('/api/user/stacks?continuationToken=not-a-token');
    assert.deepEqual(bad.body, { code: 400, message: 'Bad Request: invalid continuation token' });
    const lonely = await api.get('/api/user/stacks?tagValue=x');
    assert.deepEqual(lonely.body, { code: 400, message: 'Bad Request: tagValue needs tagName' });
    const tooMany = await api.get('/api/user/stacks?maxResults=0');
    assert.equal(tooMany.status, 400);
  });

  it('answers 401 without a token', async () => {
    assert.equal((await api.get('/api/user/stacks', { token: null })).status, 401);
  });
});
