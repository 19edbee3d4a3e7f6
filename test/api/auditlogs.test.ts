import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import zlib from 'node:zlib';
import { createOrganization, createStack, createUser, deploymentWithResources } from '../helpers/factories.js';
import { ManualClock } from '../helpers/clock.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

let server: TestServer;
let admin: ApiClient;
let org: string;
let adminTokenId: string;
const clock = new ManualClock();
const adminUser = { name: 'admin', githubLogin: 'admin', avatarUrl: '' };
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

before(async () => {
  server = await startTestServer({ overrides: { clock } });
  admin = new ApiClient(server.url, server.adminToken);
  org = server.org;
  adminTokenId = (await admin.get('/api/user/tokens')).body.tokens[0].id;
  await createOrganization(server, 'other', 'admin');
});
after(() => server.close());

const seconds = () => Math.floor(clock.now() / 1000);

/** Every event a query matches, following continuation tokens to the end. */
async function allEvents(query = '', api = admin, path = `/api/orgs/${org}/auditlogs/v2`): Promise<any[]> {
  const events: any[] = [];
  let token: string | undefined;
  do {
    const params = new URLSearchParams(query);
    if (token) params.set('continuationToken', token);
    const reply = await api.get(`${path}?${params}`);
    assert.equal(reply.status, 200, reply.text);
    events.push(...reply.body.auditLogEvents);
    token = reply.body.continuationToken;
  } while (token);
  return events;
}

/** What `action` recorded: the clock moves to a second of its own first, and that second on is read back. */
async function recorded(action: () => Promise<unknown>): Promise<any[]> {
  clock.advance(1000);
  const from = seconds();
  await action();
  return allEvents(`startTime=${from}`);
}

/** The event an admin request with the admin's personal token writes now. */
const byAdmin = (event: string, description: string, extra: Record<string, unknown> = {}) => ({
  timestamp: seconds(),
  sourceIP: '127.0.0.1',
  event,
  description,
  user: adminUser,
  tokenID: adminTokenId,
  ...extra,
});

async function ok<T extends { status: number; text: string }>(reply: Promise<T>, status = 200): Promise<T> {
  const r = await reply;
  assert.equal(r.status, status, r.text);
  return r;
}

/** GET over node:http, which leaves the body as sent (fetch would gunzip it). */
function rawGet(path: string, token: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    // No keep-alive agent: a connection left open would hold up the server's close.
    const headers = { Authorization: `token ${token}`, 'Accept-Encoding': 'gzip' };
    const request = http.get(`${server.url}${path}`, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, bytes: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks; rows end in CRLF or LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      assert.equal(field, '', `a quote may only open a field (offset ${i})`);
      quoted = true;
      i++;
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += c === '\r' ? 2 : 1;
    } else {
      assert.ok(c !== '\r', `a bare CR outside quotes (offset ${i})`);
      field += c;
      i++;
    }
  }
  assert.equal(quoted, false, 'an unterminated quoted field');
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** The seven header fields, split on unescaped pipes with `\\` and `\|` undone, then the extension text as is. */
function splitCefHeader(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (fields.length === 7) {
      fields.push(text.slice(i));
      return fields;
    }
    if (c === '\\') {
      const next = text[++i];
      assert.ok(next === '\\' || next === '|', `only \\\\ and \\| are escapes in a CEF header, got \\${next}`);
      field += next;
    } else if (c === '|') {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  fields.push(field);
  return fields;
}

/** `key=value` pairs separated by spaces; a value ends where the next unescaped `key=` begins. */
function parseCefExtensions(text: string): Array<[string, string]> {
  const starts: Array<{ at: number; key: string; valueAt: number }> = [];
  const keyPattern = /(?:^| )([A-Za-z0-9_]+)=/g;
  for (let m = keyPattern.exec(text); m; m = keyPattern.exec(text)) {
    const at = m.index + (m[0].startsWith(' ') ? 1 : 0);
    if (text[at - 1] === '\\') continue;
    starts.push({ at, key: m[1]!, valueAt: m.index + m[0].length });
  }
  return starts.map((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.at - 1 : text.length;
    const raw = text.slice(s.valueAt, end);
    assert.doesNotMatch(raw.replace(/\\[\\=nr]/g, ''), /[=\\\n\r]/, `unescaped = \\ or line break in the value of ${s.key}`);
    const value = raw.replace(/\\([\\=nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c));
    return [s.key, value] as [string, string];
  });
}

describe('audit events of every mutation', () => {
  const stack = '/api/stacks/stackyard/proj';

  it('records one event per stack change, with the caller, its token and the action’s flags', async () => {
    assert.deepEqual(await recorded(() => ok(admin.post(stack, { stackName: 'dev' }))), [byAdmin('stack-created', 'Created stack "proj/dev"')]);
    assert.deepEqual(await recorded(() => ok(admin.post(`${stack}/dev/tags`, { name: 'owner', value: 'ops' }), 204)), [
      byAdmin('stack-tag-created', 'Set tag "owner" on stack "proj/dev"'),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.patch(`${stack}/dev/tags/owner`, { name: 'team', value: 'ops' }), 204)), [
      byAdmin('stack-tag-updated', 'Changed tag "owner" of stack "proj/dev"'),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.delete(`${stack}/dev/tags/team`), 204)), [
      byAdmin('stack-tag-deleted', 'Removed tag "team" from stack "proj/dev"'),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.patch(`${stack}/dev/tags`, { 'pulumi:project': 'proj', env: 'dev' }), 204)), [
      byAdmin('stack-tag-updated', 'Replaced the tags of stack "proj/dev"'),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.post(`${stack}/dev/rename`, { newName: 'stage' }))), [
      byAdmin('stack-renamed', 'Renamed stack "proj/dev" to "proj/stage"', { reqStackAdmin: true }),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.post(`${stack}/stage/transfer`, { toOrg: 'other' }), 204)), [
      byAdmin('stack-transferred-to-organization', 'Transferred stack "proj/stage" to organization "other"', { reqStackAdmin: true }),
    ]);
    assert.deepEqual(await allEvents('', admin, '/api/orgs/other/auditlogs/v2'), [], 'the event stays with the organization the stack left');
    assert.deepEqual(await recorded(() => ok(admin.delete('/api/stacks/other/proj/stage'), 204)), [], 'the deletion is the other organization’s event');
    const deleted = await allEvents('', admin, '/api/orgs/other/auditlogs/v2');
    assert.deepEqual(deleted, [byAdmin('stack-deleted', 'Deleted stack "proj/stage"', { reqStackAdmin: true })]);
  });

  it('records state import and export, and decryption but not encryption', async () => {
    await createStack(admin, org, 'proj', 'state');
    const path = `${stack}/state`;
    assert.deepEqual(await recorded(() => ok(admin.post(`${path}/import`, deploymentWithResources('proj', 'state', 1)))), [
      byAdmin('stack-imported', 'Imported a checkpoint into stack "proj/state"'),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.get(`${path}/export`))), [byAdmin('stack-exported', 'Exported stack "proj/state"')]);
    assert.deepEqual(await recorded(() => ok(admin.get(`${path}/export/1`))), [byAdmin('stack-exported', 'Exported stack "proj/state" at version 1')]);
    // Exports write their events together, just after (src/audit/deferred.ts): every one of a burst is recorded.
    const burst = await recorded(() => Promise.all(Array.from({ length: 25 }, () => ok(admin.get(`${path}/export`)))));
    assert.deepEqual(burst, Array.from({ length: 25 }, () => byAdmin('stack-exported', 'Exported stack "proj/state"')));
    let ciphertext = '';
    const encryption = await recorded(async () => {
      ciphertext = (await ok(admin.post(`${path}/encrypt`, { plaintext: b64('hunter2') }))).body.ciphertext;
    });
    assert.deepEqual(encryption, [], 'encrypting reveals nothing');
    assert.deepEqual(await recorded(() => ok(admin.post(`${path}/decrypt`, { ciphertext }))), [
      byAdmin('secret-decrypted', `Decrypted secret value for stack "proj/state" (cipher text suffix: "${ciphertext.slice(-8)}")`),
    ]);
    assert.deepEqual(await recorded(() => ok(admin.post(`${path}/batch-decrypt`, { ciphertexts: [ciphertext, ciphertext] }))), [
      byAdmin('secrets-batch-decrypted', 'Decrypted 2 secret values for stack "proj/state"'),
    ]);
  });

  it('records an update’s start and completion (named after its author) and a cancel', async () => {
    await createStack(admin, org, 'proj', 'up');
    const path = `${stack}/up`;
    let run = { updateId: '', token: '' };
    assert.deepEqual(
      await recorded(async () => {
        run = await beginUpdate(admin, path);
      }),
      [byAdmin('stack-update-started', `Started update "${run.updateId}" for stack "proj/up"`)],
    );
    assert.deepEqual(
      await recorded(() =>
        ok(admin.patch(`${path}/update/${run.updateId}/checkpoint`, { version: 3, deployment: deploymentWithResources('proj', 'up', 0).deployment }, withLease(run.token)), 204),
      ),
      [],
      'checkpoints are part of the update, not events of their own',
    );
    const completion = await recorded(() => ok(admin.post(`${path}/update/${run.updateId}/complete`, { status: 'succeeded' }, withLease(run.token)), 204));
    // The lease is the only credential of a completion: no access token is named.
    const { tokenID: _, ...completed } = byAdmin('stack-update-completed', `Completed update "${run.updateId}" for stack "proj/up" (succeeded)`);
    assert.deepEqual(completion, [completed]);

    let second = { updateId: '' };
    await recorded(async () => {
      second = await beginUpdate(admin, path, 'refresh');
    });
    assert.deepEqual(await recorded(() => ok(admin.post(`${path}/update/${second.updateId}/cancel`), 204)), [
      byAdmin('stack-update-canceled', `Canceled refresh "${second.updateId}" for stack "proj/up"`),
    ]);
    assert.deepEqual(await recorded(() => beginUpdate(admin, path, 'preview')), [], 'a preview changes nothing');
  });

  it('records personal, organization and team tokens created and deleted', async () => {
    let personal = '';
    assert.deepEqual(
      await recorded(async () => {
        personal = (await ok(admin.post('/api/user/tokens', { description: 'laptop' }))).body?.id ?? '';
      }),
      [byAdmin('personal-token-created', 'Created personal access token "laptop" for "admin"')],
    );
    assert.deepEqual(await recorded(() => ok(admin.delete(`/api/user/tokens/${personal}`), 204)), [
      byAdmin('personal-token-deleted', 'Deleted personal access token "laptop" of "admin"'),
    ]);

    let orgToken = '';
    assert.deepEqual(
      await recorded(async () => {
        orgToken = (await ok(admin.post(`/api/orgs/${org}/tokens`, { name: 'nightly', description: 'cron', admin: true }))).body?.id ?? '';
      }),
      [byAdmin('organization-token-created', 'Created admin organization access token "nightly"', { reqOrgAdmin: true })],
    );
    assert.deepEqual(await recorded(() => ok(admin.delete(`/api/orgs/${org}/tokens/${orgToken}`), 204)), [
      byAdmin('organization-token-deleted', 'Deleted organization access token "nightly"', { reqOrgAdmin: true }),
    ]);

    const created = await recorded(() => ok(admin.post(`/api/orgs/${org}/teams/pulumi`, { name: 'platform', displayName: 'Platform', description: 'infra' }), 201));
    assert.deepEqual(created, [byAdmin('team-created', 'Created team "platform"', { reqOrgAdmin: true })]);
    let teamToken = '';
    assert.deepEqual(
      await recorded(async () => {
        teamToken = (await ok(admin.post(`/api/orgs/${org}/teams/platform/tokens`, { name: 'platform-ci', description: '' }))).body?.id ?? '';
      }),
      [byAdmin('team-token-created', 'Created access token "platform-ci" for team "platform"', { reqOrgAdmin: true })],
    );
    assert.deepEqual(await recorded(() => ok(admin.delete(`/api/orgs/${org}/teams/platform/tokens/${teamToken}`), 204)), [
      byAdmin('team-token-deleted', 'Deleted access token "platform-ci" of team "platform"', { reqOrgAdmin: true }),
    ]);
  });

  it('records member, organization-setting and team changes as one admin event each', async () => {
    await createUser(server, 'newbie');
    // Their wording belongs to the members and teams areas; here: one event, its kind, caller and flags.
    const one = async (action: () => Promise<unknown>, event: string) => {
      const events = await recorded(action);
      assert.equal(events.length, 1, `${event}: ${JSON.stringify(events)}`);
      const [{ description, ...rest }] = events;
      assert.equal(typeof description, 'string');
      assert.ok(description.length > 0);
      const { description: _, ...expected } = byAdmin(event, '', { reqOrgAdmin: true });
      assert.deepEqual(rest, expected, event);
    };
    await one(() => ok(admin.post(`/api/orgs/${org}/members/newbie`, { role: 'member' })), 'member-added');
    await one(() => ok(admin.patch(`/api/orgs/${org}/members/newbie`, { role: 'admin' }), 204), 'member-role-changed');
    await one(() => ok(admin.patch(`/api/orgs/${org}/teams/platform`, { memberAction: 'add', member: 'newbie' }), 204), 'team-updated');
    await one(() => ok(admin.delete(`/api/orgs/${org}/teams/platform`), 204), 'team-deleted');
    await one(() => ok(admin.delete(`/api/orgs/${org}/members/newbie`), 204), 'member-removed');
    await one(() => ok(admin.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 101 })), 'organization-settings-changed');
    await one(() => ok(admin.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 102 })), 'organization-settings-changed');
  });

  it('names an organization token’s caller as the organization, with the token’s name and id', async () => {
    const { id, tokenValue } = (await ok(admin.post(`/api/orgs/${org}/tokens`, { name: 'ci-deploy', description: '', admin: true }))).body;
    const ci = admin.withToken(tokenValue);
    assert.deepEqual(await recorded(() => ok(ci.post(stack, { stackName: 'by-ci' }))), [
      {
        timestamp: seconds(),
        sourceIP: '127.0.0.1',
        event: 'stack-created',
        description: 'Created stack "proj/by-ci"',
        user: { name: org, githubLogin: `org:${org}`, avatarUrl: '' },
        tokenID: id,
        tokenName: 'ci-deploy',
        actorName: org,
      },
    ]);
  });
});

describe('refused requests', () => {
  let mallory: ApiClient;
  let malloryTokenId: string;
  const malloryUser = { name: 'mallory', githubLogin: 'mallory', avatarUrl: '' };

  before(async () => {
    mallory = admin.withToken(await createUser(server, 'mallory', { org: 'stackyard', role: 'member' }));
    malloryTokenId = (await mallory.get('/api/user/tokens')).body.tokens[0].id;
    await createStack(admin, org, 'guarded', 'prod');
  });

  it('records a member’s 403 on an admin-only route as one auth-failure-organization-role event', async () => {
    let reply = { status: 0, body: undefined as any };
    const events = await recorded(async () => {
      reply = await mallory.get(`/api/orgs/${org}/auditlogs`);
    });
    assert.deepEqual(reply.body, { code: 403, message: `Forbidden: reading the audit log needs the 'admin' role in organization '${org}'` });
    assert.deepEqual(events, [
      {
        timestamp: seconds(),
        sourceIP: '127.0.0.1',
        event: 'auth-failure-organization-role',
        description: `Refused reading the audit log in organization "${org}": the admin role is required`,
        user: malloryUser,
        tokenID: malloryTokenId,
        authFailure: true,
      },
    ]);
    const tokens = await recorded(async () => assert.equal((await mallory.post(`/api/orgs/${org}/tokens`, { name: 'x', description: '' })).status, 403));
    assert.deepEqual(tokens.map((e) => [e.event, e.description, e.authFailure]), [
      ['auth-failure-organization-role', `Refused creating an organization token in organization "${org}": the admin role is required`, true],
    ]);
  });

  it('records a denied stack action as auth-failure-stack-permission, and not the action', async () => {
    let reply = { status: 0, body: undefined as any };
    const events = await recorded(async () => {
      reply = await mallory.delete(`/api/stacks/${org}/guarded/prod`);
    });
    assert.deepEqual(reply.body, { code: 403, message: "Forbidden: admin permission on stack 'stackyard/guarded/prod' is required" });
    assert.deepEqual(events, [
      {
        timestamp: seconds(),
        sourceIP: '127.0.0.1',
        event: 'auth-failure-stack-permission',
        description: 'Refused an operation on stack "guarded/prod": admin permission is required, edit is held',
        user: malloryUser,
        tokenID: malloryTokenId,
        authFailure: true,
      },
    ]);
    assert.equal((await admin.get(`/api/stacks/${org}/guarded/prod`)).status, 200, 'the stack is still there');
  });

  it('records a token that does not authenticate as one user-login-failed event', async () => {
    let reply = { status: 0, body: undefined as any };
    const events = await recorded(async () => {
      reply = await admin.get(`/api/orgs/${org}/auditlogs`, { token: 'pul-0123456789abcdef0123456789abcdef01234567' });
    });
    assert.deepEqual(reply.body, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });
    assert.deepEqual(events, [
      {
        timestamp: seconds(),
        sourceIP: '127.0.0.1',
        event: 'user-login-failed',
        description: 'Refused GET /api/orgs/:orgName/auditlogs: the access token is unknown, expired or revoked',
        user: { name: '', githubLogin: '', avatarUrl: '' },
        authFailure: true,
      },
    ]);
  });

  it('records nothing for a 400, 404 or 409', async () => {
    const refusals: Array<[string, () => Promise<{ status: number }>, number]> = [
      ['a stack name that is not a string', () => admin.post(`/api/stacks/${org}/guarded`, { stackName: 42 }), 400],
      ['a tag without a value', () => mallory.post(`/api/stacks/${org}/guarded/prod/tags`, { name: 'x' }), 400],
      ['a malformed JSON body', () => admin.request('POST', `/api/stacks/${org}/guarded`, { rawBody: '{"stackName":' }), 400],
      ['a stack that exists', () => admin.post(`/api/stacks/${org}/guarded`, { stackName: 'prod' }), 409],
      ['an unknown stack', () => admin.delete(`/api/stacks/${org}/guarded/nope`), 404],
      ['an unknown token', () => admin.delete('/api/user/tokens/nope'), 404],
    ];
    for (const [what, request, status] of refusals) {
      const events = await recorded(async () => assert.equal((await request()).status, status, what));
      assert.deepEqual(events, [], what);
    }
  });
});

describe('GET /api/orgs/{org}/auditlogs and /auditlogs/v2', () => {
  it('pages newest first, 100 events a page, with a continuation token only while more remain', async () => {
    await createStack(admin, org, 'paging', 'many');
    const path = `/api/stacks/${org}/paging/many/tags`;
    clock.advance(1000);
    const from = seconds();
    const descriptions: string[] = [];
    for (let i = 0; i < 65; i++) {
      await ok(admin.post(path, { name: `t${i}`, value: 'v' }), 204);
      descriptions.push(`Set tag "t${i}" on stack "paging/many"`);
      // Several events share each millisecond and second: the order still holds.
      if (i % 10 === 0) clock.advance(400);
    }
    for (let i = 0; i < 65; i++) {
      await ok(admin.delete(`${path}/t${i}`), 204);
      descriptions.push(`Removed tag "t${i}" from stack "paging/many"`);
    }
    const newestFirst = descriptions.reverse();

    const first = await admin.get(`/api/orgs/${org}/auditlogs/v2?startTime=${from}`);
    assert.equal(first.body.auditLogEvents.length, 100);
    assert.match(first.body.continuationToken, /^[A-Za-z0-9_-]+$/);
    const second = await admin.get(`/api/orgs/${org}/auditlogs/v2?startTime=${from}&continuationToken=${first.body.continuationToken}`);
    assert.equal(second.status, 200);
    assert.deepEqual(Object.keys(second.body), ['auditLogEvents'], 'no continuation token on the last page');
    const paged = [...first.body.auditLogEvents, ...second.body.auditLogEvents];
    assert.deepEqual(paged.map((e) => e.description), newestFirst);
    const times = paged.map((e) => e.timestamp);
    assert.deepEqual(times, [...times].sort((a, b) => b - a));

    // V1 with no startTime starts now and pages on into everything older.
    const v1 = await allEvents('', admin, `/api/orgs/${org}/auditlogs`);
    assert.deepEqual(v1.slice(0, 130).map((e) => e.description), newestFirst);
    assert.ok(v1.length > 130);
    const v1First = await admin.get(`/api/orgs/${org}/auditlogs`);
    assert.equal(v1First.body.auditLogEvents.length, 100);
    assert.ok(v1First.body.continuationToken);

    const deletions = await admin.get(`/api/orgs/${org}/auditlogs/v2?startTime=${from}&eventFilter=stack-tag-deleted`);
    assert.deepEqual(deletions.body.auditLogEvents.map((e: any) => e.description), newestFirst.slice(0, 65));
    assert.equal(deletions.body.continuationToken, undefined);
    const alias = await admin.get(`/api/orgs/${org}/auditlogs/v2?startTime=${from}&eventType=stack-tag-deleted`);
    assert.deepEqual(alias.body, deletions.body);
    const v1Filter = await allEvents(`eventFilter=stack-tag-created`, admin, `/api/orgs/${org}/auditlogs`);
    assert.deepEqual(v1Filter.map((e) => e.description).slice(0, 65), newestFirst.slice(65));
    assert.ok(v1Filter.every((e) => e.event === 'stack-tag-created'));
  });

  it('filters by user, by login or the CLI’s `user`, and answers 404 for an unknown user', async () => {
    const keeper = admin.withToken(await createUser(server, 'timekeeper', { org: 'stackyard', role: 'member' }));
    const times: number[] = [];
    for (const name of ['t1', 't2', 't3']) {
      clock.advance(10_000);
      times.push(seconds());
      await ok(keeper.post(`/api/stacks/${org}/clock`, { stackName: name }));
    }
    await ok(admin.post(`/api/stacks/${org}/clock`, { stackName: 'by-admin' }));
    const [t1, t2, t3] = times as [number, number, number];
    const stacksOf = async (query: string, version = 'v2') => {
      const path = version === 'v2' ? `/api/orgs/${org}/auditlogs/v2` : `/api/orgs/${org}/auditlogs`;
      return (await allEvents(query, admin, path)).map((e) => [e.timestamp, e.description.replace(/^Created stack "clock\/(.*)"$/, '$1')]);
    };
    const all = [
      [t3, 't3'],
      [t2, 't2'],
      [t1, 't1'],
    ];
    assert.deepEqual(await stacksOf('userFilter=timekeeper'), all);
    assert.deepEqual(await stacksOf('user=timekeeper'), all);
    assert.deepEqual(await stacksOf('userFilter=timekeeper', 'v1'), all);

    // V1: startTime (and endTime) are upper bounds, inclusive.
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t2}`, 'v1'), all.slice(1));
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t2 - 1}`, 'v1'), all.slice(2));
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&endTime=${t1}`, 'v1'), all.slice(2));
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t3}&endTime=${t2}`, 'v1'), all.slice(1));
    // V2: startTime is the lower bound and endTime the upper one, both inclusive.
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t2}`), all.slice(0, 2));
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&endTime=${t2}`), all.slice(1));
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t2}&endTime=${t2}`), [[t2, 't2']]);
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t1 + 1}&endTime=${t3 - 1}`), [[t2, 't2']]);
    assert.deepEqual(await stacksOf(`userFilter=timekeeper&startTime=${t3 + 1}`), []);

    for (const path of ['/auditlogs', '/auditlogs/v2', '/auditlogs/export', '/auditlogs/v2/export']) {
      const missing = await admin.get(`/api/orgs/${org}${path}?userFilter=nobody`);
      assert.deepEqual(missing.body, { code: 404, message: 'Not Found: user not found' }, path);
    }
  });

  it('answers 400 for bad numbers, tokens, formats and event types', async () => {
    const bad: Array<[string, string]> = [
      ['startTime=-1', 'querystring/startTime must be >= 0'],
      ['startTime=abc', 'querystring/startTime must be integer'],
      ['startTime=1.5', 'querystring/startTime must be integer'],
      [`startTime=${2 ** 53}`, 'querystring/startTime must be <= 9007199254740991'],
      ['endTime=-5', 'querystring/endTime must be >= 0'],
      [`endTime=1e300`, 'querystring/endTime must be <= 9007199254740991'],
      ['continuationToken=%25%25', 'invalid continuation token'],
      [`continuationToken=${Buffer.from('"x"').toString('base64url')}`, 'invalid continuation token'],
      [`continuationToken=${Buffer.from('{"t":1.5,"id":2}').toString('base64url')}`, 'invalid continuation token'],
      ['format=xml', 'querystring/format must be equal to constant'],
      ['eventFilter=stack.update', "unknown audit event type 'stack.update'"],
      ['startTime=20&endTime=10', 'startTime (20) is after endTime (10)'],
    ];
    for (const [query, message] of bad) {
      const reply = await admin.get(`/api/orgs/${org}/auditlogs/v2?${query}`);
      assert.deepEqual(reply.body, { code: 400, message: `Bad Request: ${message}` }, query);
    }
    const v1 = await admin.get(`/api/orgs/${org}/auditlogs?startTime=-1`);
    assert.equal(v1.status, 400);
  });

  it('is for organization admins: outsiders get 404, members and member tokens 403, admin tokens 200', async () => {
    const outsider = admin.withToken(await createUser(server, 'outsider', { org: 'other', role: 'admin' }));
    const memberToken = (await ok(admin.post(`/api/orgs/${org}/tokens`, { name: 'member-token', description: '', admin: false }))).body.tokenValue;
    const adminToken = (await ok(admin.post(`/api/orgs/${org}/tokens`, { name: 'admin-token', description: '', admin: true }))).body.tokenValue;
    for (const path of ['/auditlogs', '/auditlogs/v2', '/auditlogs/export', '/auditlogs/v2/export', '/auditlogs/event-types']) {
      const url = `/api/orgs/${org}${path}`;
      assert.deepEqual((await outsider.get(url)).body, { code: 404, message: `Not Found: organization '${org}' not found` }, path);
      assert.equal((await admin.get(url, { token: memberToken })).status, 403, path);
      assert.equal((await admin.get(url, { token: adminToken })).status, 200, path);
    }
    assert.equal((await admin.get('/api/orgs/nowhere/auditlogs')).status, 404);
  });
});

describe('GET /api/orgs/{org}/auditlogs/event-types', () => {
  it('lists the catalog with display names, descriptions and flags', async () => {
    const reply = await admin.get(`/api/orgs/${org}/auditlogs/event-types`);
    assert.equal(reply.status, 200);
    const types: any[] = reply.body.eventTypes;
    const byId = new Map(types.map((t) => [t.event, t]));
    assert.equal(byId.size, types.length, 'each event once');
    assert.deepEqual(byId.get('stack-deleted'), {
      event: 'stack-deleted',
      displayName: 'Stack Deleted',
      description: 'A stack was deleted.',
      requiresOrgAdmin: false,
      requiresStackAdmin: true,
      authenticationFailure: false,
      deprecated: false,
    });
    assert.deepEqual(byId.get('user-login-failed')?.authenticationFailure, true);
    assert.deepEqual(byId.get('organization-token-created')?.requiresOrgAdmin, true);
    for (const t of types) {
      assert.deepEqual(Object.keys(t), ['event', 'displayName', 'description', 'requiresOrgAdmin', 'requiresStackAdmin', 'authenticationFailure', 'deprecated']);
      assert.match(t.event, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(t.displayName.length > 0 && t.description.endsWith('.'), t.event);
    }
    // Every event this file recorded is in the catalog, with the flags it was recorded with.
    for (const e of await allEvents()) {
      const type = byId.get(e.event);
      assert.ok(type, e.event);
      assert.equal(e.reqOrgAdmin ?? false, type.requiresOrgAdmin, e.event);
      assert.equal(e.reqStackAdmin ?? false, type.requiresStackAdmin, e.event);
      assert.equal(e.authFailure ?? false, type.authenticationFailure, e.event);
    }
  });
});

describe('GET /api/orgs/{org}/auditlogs/export and /auditlogs/v2/export', () => {
  let displayNames: Map<string, string>;
  let ids: { org: string; users: Map<string, string> };
  /** A description with every character CSV and CEF must escape. */
  const awkward = 'ci, "nightly" | a=b \\ c\nsecond line';

  before(async () => {
    displayNames = new Map((await admin.get(`/api/orgs/${org}/auditlogs/event-types`)).body.eventTypes.map((t: any) => [t.event, t.displayName]));
    clock.advance(1000);
    await ok(admin.post('/api/user/tokens', { description: awkward }));
    const db = server.server.ctx.database.db;
    const orgRow = await db.selectFrom('organizations').select('id').where('name', '=', org).executeTakeFirstOrThrow();
    const users = await db.selectFrom('users').select(['id', 'login']).execute();
    ids = { org: orgRow.id, users: new Map(users.map((u) => [u.login, u.id])) };
  });

  it('sends the whole range as gzip CSV, one row per JSON event, with the documented columns', async () => {
    const json = await allEvents();
    assert.ok(json.length > 150);
    const reply = await rawGet(`/api/orgs/${org}/auditlogs/v2/export`, server.adminToken);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.match(reply.headers['content-type'] ?? '', /^text\/plain/);
    const rows = parseCsv(zlib.gunzipSync(reply.bytes).toString('utf8'));
    assert.deepEqual(rows[0], [
      'Timestamp',
      'Name',
      'Login',
      'Event',
      'Description',
      'SourceIP',
      'RequireOrgAdmin',
      'RequireStackAdmin',
      'AuthenticationFailure',
      'TokenID',
      'TokenName',
      'ActorName',
      'ActorUrn',
    ]);
    assert.deepEqual(
      rows.slice(1),
      json.map((e) => [
        new Date(e.timestamp * 1000).toISOString().replace('.000Z', 'Z'),
        e.user.name,
        e.user.githubLogin,
        displayNames.get(e.event),
        e.description,
        e.sourceIP,
        String(e.reqOrgAdmin ?? false),
        String(e.reqStackAdmin ?? false),
        String(e.authFailure ?? false),
        e.tokenID ?? '',
        e.tokenName ?? '',
        e.actorName ?? '',
        '',
      ]),
    );
    assert.ok(rows.some((r) => r[4] === `Created personal access token "${awkward}" for "admin"`), 'quotes, commas and line breaks survive');
    assert.match(rows[1]![0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // fetch() unzips it as any client that honours Content-Encoding does; csv is the default format.
    const viaFetch = await admin.get(`/api/orgs/${org}/auditlogs/v2/export?format=csv`);
    assert.deepEqual(parseCsv(viaFetch.text), rows);
  });

  it('applies the same filters and time semantics as the list', async () => {
    const csvOf = async (path: string) => parseCsv((await admin.get(`/api/orgs/${org}${path}`)).text).slice(1);
    const keeper = await csvOf('/auditlogs/v2/export?userFilter=timekeeper&eventFilter=stack-created');
    assert.deepEqual(keeper.map((r) => r[4]), ['Created stack "clock/t3"', 'Created stack "clock/t2"', 'Created stack "clock/t1"']);
    const listed = await allEvents('userFilter=timekeeper');
    const t2 = listed[1].timestamp;
    assert.deepEqual((await csvOf(`/auditlogs/export?userFilter=timekeeper&startTime=${t2}`)).map((r) => r[4]), [
      'Created stack "clock/t2"',
      'Created stack "clock/t1"',
    ]);
    assert.deepEqual((await csvOf(`/auditlogs/v2/export?user=timekeeper&startTime=${t2}`)).map((r) => r[4]), [
      'Created stack "clock/t3"',
      'Created stack "clock/t2"',
    ]);
    assert.deepEqual(await csvOf(`/auditlogs/v2/export?userFilter=timekeeper&startTime=${2 ** 40}`), []);
    const empty = await admin.get(`/api/orgs/${org}/auditlogs/v2/export?format=cef&startTime=${2 ** 40}`);
    assert.equal(empty.status, 200);
    assert.equal(empty.text, '');
  });

  it('sends CEF lines with Pulumi’s header and alphabetical extensions, escaped per the CEF spec', async () => {
    const json = await allEvents();
    const reply = await rawGet(`/api/orgs/${org}/auditlogs/v2/export?format=cef`, server.adminToken);
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.match(reply.headers['content-type'] ?? '', /^text\/plain/);
    const text = zlib.gunzipSync(reply.bytes).toString('utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, json.length);
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    lines.forEach((line, i) => {
      const e = json[i];
      const m = /^([A-Z][a-z]{2}) (\d\d) (\d\d):(\d\d):(\d\d) (\S+) (CEF:0\|.*)$/.exec(line);
      assert.ok(m, line);
      const [, month, day, hh, mm, ss, host, cef] = m;
      const header = splitCefHeader(cef!);
      assert.equal(header.length, 8, line);
      const extensions = parseCefExtensions(header[7]!);
      const ext = Object.fromEntries(extensions);
      const rt = Number(ext.rt);
      const at = new Date(rt);
      assert.deepEqual(
        [month, Number(day), Number(hh), Number(mm), Number(ss), host],
        [months[at.getUTCMonth()], at.getUTCDate(), at.getUTCHours(), at.getUTCMinutes(), at.getUTCSeconds(), '127.0.0.1'],
      );
      assert.equal(Math.floor(rt / 1000), e.timestamp);
      assert.deepEqual(header.slice(0, 7), ['CEF:0', 'Pulumi', 'Pulumi Service', '1.0', displayNames.get(e.event), e.description.replace(/\n/g, ' '), '0']);
      assert.deepEqual(extensions, [
        ['authenticationFailure', String(e.authFailure ?? false)],
        ['dvchost', '127.0.0.1'],
        ['orgID', ids.org],
        ['requireOrgAdmin', String(e.reqOrgAdmin ?? false)],
        ['requireStackAdmin', String(e.reqStackAdmin ?? false)],
        ['rt', ext.rt],
        ['src', e.sourceIP],
        ['suser', e.user.githubLogin],
        ['tokenID', e.tokenID ?? ''],
        ['tokenName', e.tokenName ?? ''],
        ['userID', ids.users.get(e.user.githubLogin) ?? ''],
      ]);
    });
    const awkwardLine = lines.find((l) => l.includes('personal access token "ci'));
    assert.ok(awkwardLine?.includes('|Created personal access token "ci, "nightly" \\| a=b \\\\ c second line" for "admin"|0|'), awkwardLine);
  });

  it('escapes what CEF extension values must escape', async () => {
    const { id, tokenValue } = (await ok(admin.post(`/api/orgs/${org}/tokens`, { name: 'a=b\\c', description: '', admin: true }))).body;
    clock.advance(1000);
    await ok(admin.withToken(tokenValue).post(`/api/stacks/${org}/cef`, { stackName: 'escaped' }));
    const text = (await admin.get(`/api/orgs/${org}/auditlogs/v2/export?format=cef&startTime=${seconds()}`)).text;
    const line = text.trimEnd();
    assert.equal(text.split('\n').length, 2, 'one line');
    assert.ok(line.includes(` tokenID=${id} tokenName=a\\=b\\\\c userID=`), line);
    assert.deepEqual(Object.fromEntries(parseCefExtensions(splitCefHeader(line.slice(line.indexOf('CEF:0')))[7]!)).tokenName, 'a=b\\c');
  });

  it('answers 400 for an unknown format, as JSON', async () => {
    const reply = await admin.get(`/api/orgs/${org}/auditlogs/export?format=json`);
    assert.deepEqual(reply.body, { code: 400, message: "Bad Request: format must be 'csv' or 'cef', not 'json'" });
    assert.equal(reply.headers.get('content-encoding'), null);
  });
});
