import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { ManualClock } from '../helpers/clock.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient, type Reply } from '../helpers/http.js';
import { LocalOidcIssuer, selfSignedCertificate, unsignedToken } from '../helpers/oidc-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// OIDC issuers, authorization policies and token exchange (issue 17): a local identity provider on
// loopback signs ID tokens; the server fetches its discovery document and keys, verifies each token
// and judges it by the issuer's policy; the tokens it issues then work, or do not, on real routes.

let server: TestServer;
let api: ApiClient;
let org: string;
let idp: LocalOidcIssuer;
let issuerId: string;
const clock = new ManualClock();
const audience = () => `urn:pulumi:org:${org}`;

before(async () => {
  server = await startTestServer({ overrides: { clock }, captureLogs: true });
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  idp = await LocalOidcIssuer.start();
  await createUser(server, 'alice', { org });
  await createStack(api, org, 'proj', 'dev');
  assert.equal((await api.post(`/api/orgs/${org}/teams/pulumi`, { name: 'deployers', displayName: 'Deployers' })).status, 201);
  const granted = await api.patch(`/api/orgs/${org}/teams/deployers`, { addStackPermission: { projectName: 'proj', stackName: 'dev', permission: 101 } });
  assert.equal(granted.status, 204, granted.text);
  const registered = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'ci', url: idp.url });
  assert.equal(registered.status, 200, registered.text);
  issuerId = registered.body.id;
  const policy = await api.patch(`/api/orgs/${org}/auth/policies/${issuerId}`, { policies: ciPolicies() });
  assert.equal(policy.status, 200, policy.text);
});
after(async () => {
  await idp.close();
  await server.close();
});

/** What the tests' CI may obtain: the repository acme/app (but not acme/evil-twin) and its main branch. */
function ciPolicies() {
  return [
    { decision: 'allow', tokenType: 'organization', authorizedPermissions: ['admin'], rules: { aud: audience(), sub: 'repo:acme/*' } },
    { decision: 'allow', tokenType: 'team', teamName: 'deploy*', authorizedPermissions: [], rules: { sub: 'repo:acme/*' } },
    { decision: 'allow', tokenType: 'personal', userLogin: 'alice', authorizedPermissions: [], rules: { sub: 'repo:acme/app:ref:refs/heads/main' } },
    { decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: { sub: 'repo:acme/evil*' } },
  ];
}

const sub = 'repo:acme/app:ref:refs/heads/main';
const sign = (claims: Record<string, unknown> = {}, options: { lifetimeSeconds?: number; kid?: string } = {}) =>
  idp.sign({ aud: audience(), sub, ...claims }, { nowMs: clock.now(), ...options });

interface ExchangeFields {
  subject_token: string;
  requested_token_type?: string;
  scope?: string;
  expiration?: string;
  audience?: string;
  grant_type?: string;
  subject_token_type?: string;
}

/** `POST /api/oauth/token` as `pulumi login --oidc-token` sends it: form-encoded, no Authorization. */
/** Every ID token sent and access token received, which no log line may hold. */
const secrets: string[] = [];

async function exchange(fields: ExchangeFields, encoding: 'form' | 'json' = 'form'): Promise<Reply> {
  const reply = await sendExchange(fields, encoding);
  secrets.push(fields.subject_token, ...(reply.body?.access_token ? [reply.body.access_token] : []));
  return reply;
}

async function sendExchange(fields: ExchangeFields, encoding: 'form' | 'json'): Promise<Reply> {
  const body = {
    audience: audience(),
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    requested_token_type: 'urn:pulumi:token-type:access_token:organization',
    scope: '',
    ...fields,
  };
  return encoding === 'json'
    ? api.request('POST', '/api/oauth/token', { token: null, body })
    : api.request('POST', '/api/oauth/token', { token: null, rawBody: new URLSearchParams(body).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

function refused(reply: Reply, error: string, description: string | RegExp): void {
  assert.equal(reply.status, 400, reply.text);
  assert.equal(reply.headers.get('cache-control'), 'no-store');
  assert.deepEqual(Object.keys(reply.body), ['error', 'error_description']);
  assert.equal(reply.body.error, error, reply.text);
  if (typeof description === 'string') assert.equal(reply.body.error_description, description);
  else assert.match(reply.body.error_description, description);
}

describe('POST /api/orgs/{org}/oidc/issuers and the issuer routes', () => {
  it('registers an issuer by URL: its discovery document and keys are fetched; thumbprints [] when none were given; a default policy denies everything', async () => {
    const other = await LocalOidcIssuer.start();
    try {
      const mark = await auditMark(server);
      const reply = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'gitlab', url: `${other.url}/`, maxExpiration: 3600 });
      assert.equal(reply.status, 200, reply.text);
      const { id, created, modified, ...rest } = reply.body;
      assert.match(id, /^[0-9a-f-]{36}$/);
      assert.equal(created, modified);
      assert.deepEqual(rest, { name: 'gitlab', url: `${other.url}/`, issuer: other.url, thumbprints: [], jwks: other.jwks(), maxExpiration: 3600 });
      assert.deepEqual(other.requests, ['/.well-known/openid-configuration', '/keys']);
      const policy = await api.get(`/api/orgs/${org}/auth/policies/oidcissuers/${id}`);
      assert.equal(policy.status, 200);
      assert.deepEqual({ ...policy.body, created: undefined, modified: undefined }, {
        id, version: 1, created: undefined, modified: undefined,
        policies: [{ decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: {} }],
      });
      assert.deepEqual((await auditAfter(server, org, mark)).map((e) => [e.event, e.description]), [['oidc-issuer-registered', `Registered OIDC issuer "gitlab" (${other.url})`]]);

      const again = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'twice', url: other.url });
      assert.deepEqual([again.status, again.body], [409, { code: 409, message: `Conflict: the issuer '${other.url}' is already registered in organization '${org}'` }]);
      assert.equal((await api.delete(`/api/orgs/${org}/oidc/issuers/${id}`)).status, 204);
    } finally {
      await other.close();
    }
  });

  it('registers an issuer with an inline key set: nothing is fetched; private keys and empty sets are refused', async () => {
    const reply = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'k8s', url: 'https://kubernetes.default.svc/', jwks: idp.jwks() });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([reply.body.issuer, reply.body.jwks, reply.body.thumbprints], ['https://kubernetes.default.svc', idp.jwks(), []]);
    assert.equal((await api.delete(`/api/orgs/${org}/oidc/issuers/${reply.body.id}`)).status, 204);

    const secret = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'x', url: 'https://x.example', jwks: { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB' }] } });
    assert.deepEqual([secret.status, secret.body], [400, { code: 400, message: 'Bad Request: jwks must hold public keys only' }]);
    const empty = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'x', url: 'https://x.example', jwks: { keys: [] } });
    assert.deepEqual([empty.status, empty.body], [400, { code: 400, message: 'Bad Request: jwks must be a JWK Set with 1 to 100 keys' }]);
    const unreachable = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'x', url: 'http://127.0.0.1:1' });
    assert.equal(unreachable.status, 400);
    assert.match(unreachable.body.message, /^Bad Request: could not read the issuer's OpenID configuration and keys: GET http:\/\/127\.0\.0\.1:1\/\.well-known\/openid-configuration failed/);
    const notUrl = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'x', url: 'ftp://x' });
    assert.deepEqual([notUrl.status, notUrl.body], [400, { code: 400, message: 'Bad Request: the issuer url must be an http or https URL' }]);
  });

  it('lists, reads, updates and deletes issuers; the seed\'s /api/org/{org}/oidc/issuers lists the same', async () => {
    const list = await api.get(`/api/orgs/${org}/oidc/issuers`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.oidcIssuers.map((i: { name: string }) => i.name), ['ci']);
    assert.deepEqual((await api.get(`/api/org/${org}/oidc/issuers`)).body, list.body);
    const one = await api.get(`/api/orgs/${org}/oidc/issuers/${issuerId}`);
    assert.deepEqual(one.body, list.body.oidcIssuers[0]);

    const unnamed = await api.patch(`/api/orgs/${org}/oidc/issuers/${issuerId}`, { thumbprints: [] });
    assert.deepEqual([unnamed.status, unnamed.body], [400, { code: 400, message: 'Bad Request: the issuer name is required' }]);
    const badPrint = await api.patch(`/api/orgs/${org}/oidc/issuers/${issuerId}`, { name: 'ci', thumbprints: ['abc'] });
    assert.deepEqual([badPrint.status, badPrint.body], [400, { code: 400, message: 'Bad Request: a thumbprint is the SHA-256 fingerprint of a certificate: 64 hex digits' }]);
    const mark = await auditMark(server);
    clock.advance(1000);
    const renamed = await api.patch(`/api/orgs/${org}/oidc/issuers/${issuerId}`, { name: 'ci-renamed', thumbprints: null });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'ci-renamed');
    assert.notEqual(renamed.body.modified, renamed.body.created);
    assert.equal(renamed.body.url, idp.url);
    assert.equal((await api.patch(`/api/orgs/${org}/oidc/issuers/${issuerId}`, { name: 'ci' })).status, 200);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => e.event), ['oidc-issuer-updated', 'oidc-issuer-updated']);

    const missing = await api.get(`/api/orgs/${org}/oidc/issuers/nope`);
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: "Not Found: oidc issuer 'nope' not found" }]);
    assert.equal((await api.delete(`/api/orgs/${org}/oidc/issuers/nope`)).status, 404);
    assert.equal((await api.get(`/api/orgs/${org}/auth/policies/oidcissuers/nope`)).status, 404);
  });

  it('replaces a policy whole, in the order given, a version at a time; an empty list is refused', async () => {
    const other = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'policy-test', url: 'https://policy.example', jwks: idp.jwks() });
    const id = other.body.id;
    const policies = [
      { decision: 'deny', tokenType: 'team', teamName: 'ops', authorizedPermissions: [], rules: { '"kubernetes.io".pod.name': 'runner-*' } },
      { decision: 'allow', tokenType: 'runner', runnerID: 'r1', authorizedPermissions: [], rules: {} },
    ];
    const mark = await auditMark(server);
    const updated = await api.patch(`/api/orgs/${org}/auth/policies/${id}`, { policies });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual([updated.body.id, updated.body.version, updated.body.policies], [id, 2, policies]);
    assert.deepEqual((await api.get(`/api/orgs/${org}/auth/policies/oidcissuers/${id}`)).body, updated.body);
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => [e.event, e.description]), [['authorization-policy-updated', 'Replaced the authorization policy of OIDC issuer "policy-test" (2 policies)']]);

    const empty = await api.patch(`/api/orgs/${org}/auth/policies/${id}`, { policies: [] });
    assert.deepEqual([empty.status, empty.body], [400, { code: 400, message: 'Bad Request: policy definition can not be empty' }]);
    const teamless = await api.patch(`/api/orgs/${org}/auth/policies/${id}`, { policies: [{ decision: 'allow', tokenType: 'team', authorizedPermissions: [], rules: {} }] });
    assert.deepEqual([teamless.status, teamless.body], [400, { code: 400, message: 'Bad Request: policies[0]: a team policy needs teamName' }]);
    const missing = await api.patch(`/api/orgs/${org}/auth/policies/nope`, { policies });
    assert.deepEqual([missing.status, missing.body], [404, { code: 404, message: "Not Found: authorization policy 'nope' not found" }]);

    const deleted = await auditMark(server);
    assert.equal((await api.delete(`/api/orgs/${org}/oidc/issuers/${id}`)).status, 204);
    assert.equal((await api.get(`/api/orgs/${org}/oidc/issuers/${id}`)).status, 404);
    assert.equal((await api.get(`/api/orgs/${org}/auth/policies/oidcissuers/${id}`)).status, 404);
    assert.deepEqual((await auditAfter(server, org, deleted)).map((e) => e.event), ['oidc-issuer-deleted']);
  });

  it('members who are not admins are refused with 403; outsiders get 404', async () => {
    const bob = await createUser(server, 'bob', { org });
    const reply = await api.get(`/api/orgs/${org}/oidc/issuers`, { token: bob });
    assert.deepEqual([reply.status, reply.body], [403, { code: 403, message: `Forbidden: listing OIDC issuers needs the 'admin' role in organization '${org}'` }]);
    const stranger = await createUser(server, 'stranger');
    assert.equal((await api.get(`/api/orgs/${org}/oidc/issuers`, { token: stranger })).status, 404);
  });
});

describe('POST /api/oauth/token: tokens that are granted', () => {
  it('an organization token (form-encoded, as the CLI sends it): a member of the organization, not an admin, for the requested lifetime', async () => {
    const mark = await auditMark(server);
    const reply = await exchange({ subject_token: await sign(), expiration: '3600' });
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.headers.get('cache-control'), 'no-store');
    const { access_token, ...rest } = reply.body;
    assert.match(access_token, /^pul-[0-9a-f]{40}$/);
    assert.deepEqual(rest, { issued_token_type: 'urn:pulumi:token-type:access_token:organization', token_type: 'token', expires_in: 3600, scope: '' });
    const as = api.withToken(access_token);
    assert.equal((await as.get('/api/user')).body.githubLogin, org);
    assert.equal((await as.get(`/api/stacks/${org}/proj/dev`)).status, 200);
    const tokens = await as.get(`/api/orgs/${org}/tokens`);
    assert.equal(tokens.status, 403, tokens.text);
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => [e.event, e.description]).slice(0, 1), [
      ['organization-token-created-for-oidc-issuer', `Exchanged an OIDC token of issuer "ci" (subject "${sub}") for an organization token, valid 3600 s`],
    ]);
    const issuer = await api.get(`/api/orgs/${org}/oidc/issuers/${issuerId}`);
    assert.equal(issuer.body.lastUsed, new Date(clock.now()).toISOString());

    // The token lives as long as granted, by the server's clock.
    clock.advance(3601 * 1000);
    assert.equal((await as.get('/api/user')).status, 401);
  });

  it('an admin organization token (JSON, as pulumi/auth-actions sends it) when the allow grants admin; no expiration asks for two hours', async () => {
    const reply = await exchange({ subject_token: await sign(), scope: 'admin', expiration: undefined }, 'json');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([reply.body.expires_in, reply.body.scope], [7200, 'admin']);
    assert.equal((await api.withToken(reply.body.access_token).get(`/api/orgs/${org}/tokens`)).status, 200);
  });

  it('a team token holds exactly the team\'s grants: it reads proj/dev and may not tag it', async () => {
    const reply = await exchange({ subject_token: await sign({ sub: 'repo:acme/other:ref:refs/heads/x' }), requested_token_type: 'urn:pulumi:token-type:access_token:team', scope: 'team:deployers' });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([reply.body.issued_token_type, reply.body.scope], ['urn:pulumi:token-type:access_token:team', 'team:deployers']);
    const as = api.withToken(reply.body.access_token);
    assert.equal((await as.get('/api/user')).body.githubLogin, 'deployers');
    assert.equal((await as.get(`/api/stacks/${org}/proj/dev`)).status, 200);
    const tag = await as.post(`/api/stacks/${org}/proj/dev/tags`, { name: 'x', value: 'y' });
    assert.deepEqual([tag.status, tag.body.message], [403, `Forbidden: edit permission on stack '${org}/proj/dev' is required`]);
  });

  it('a personal token acts as the user the scope names; the issued lifetime is capped at the issuer\'s maximum', async () => {
    const reply = await exchange({ subject_token: await sign(), requested_token_type: 'urn:pulumi:token-type:access_token:personal', scope: 'user:alice', expiration: '999999' });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([reply.body.scope, reply.body.expires_in], ['user:alice', 25 * 3600]);
    assert.equal((await api.withToken(reply.body.access_token).get('/api/user')).body.githubLogin, 'alice');
  });
});

describe('POST /api/oauth/token: tokens that are refused, each with its RFC 6749 error', () => {
  it('a token for another audience', async () => {
    refused(await exchange({ subject_token: await sign({ aud: 'urn:pulumi:org:someone-else' }) }), 'invalid_grant', "the token's audience (aud) is not the requested audience");
  });
  it('an expired token, and one not valid yet (60 s of clock skew allowed)', async () => {
    refused(await exchange({ subject_token: await sign({ exp: Math.floor(clock.now() / 1000) - 61 }) }), 'invalid_grant', 'the token has expired');
    refused(await exchange({ subject_token: await sign({ nbf: Math.floor(clock.now() / 1000) + 600 }) }), 'invalid_grant', 'the token is not valid yet (nbf)');
    refused(await exchange({ subject_token: await sign({ exp: undefined }) }), 'invalid_grant', 'the token has no valid expiry (exp)');
  });
  it('a bad signature: signed by a key the issuer never published, under its key id', async () => {
    const stranger = await LocalOidcIssuer.start();
    try {
      const forged = await stranger.sign({ iss: idp.url, aud: audience(), sub }, { nowMs: clock.now(), kid: idp.keys[0]!.kid });
      refused(await exchange({ subject_token: forged }), 'invalid_grant', "the token's signature does not verify");
    } finally {
      await stranger.close();
    }
  });
  it('alg: none', async () => {
    const now = Math.floor(clock.now() / 1000);
    refused(await exchange({ subject_token: unsignedToken({ iss: idp.url, aud: audience(), sub, iat: now, exp: now + 600 }) }), 'invalid_grant', "the token's signing algorithm is not allowed");
  });
  it('an issuer the organization has not registered, and an organization that does not exist, alike', async () => {
    refused(await exchange({ subject_token: await sign({ iss: 'https://elsewhere.example' }) }), 'invalid_grant', `the token's issuer 'https://elsewhere.example' is not registered in organization '${org}'`);
    refused(await exchange({ subject_token: await sign({ aud: 'urn:pulumi:org:nobody' }), audience: 'urn:pulumi:org:nobody' }), 'invalid_grant', `the token's issuer '${idp.url}' is not registered in organization 'nobody'`);
  });
  it('an unknown key id fetches the keys again once; after a rotation the new key verifies', async () => {
    clock.advance(11_000);
    const before = idp.requests.length;
    refused(await exchange({ subject_token: await sign({}, { kid: 'nope' }) }), 'invalid_grant', "no key of the issuer matches the token's key id 'nope'");
    assert.deepEqual(idp.requests.slice(before), ['/keys']);
    // Asked again at once: not fetched again.
    refused(await exchange({ subject_token: await sign({}, { kid: 'nope' }) }), 'invalid_grant', "no key of the issuer matches the token's key id 'nope'");
    assert.equal(idp.requests.length, before + 1);

    clock.advance(11_000);
    await idp.rotate();
    const reply = await exchange({ subject_token: await sign() });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(idp.requests.slice(before + 1), ['/keys']);
    const issuer = await api.get(`/api/orgs/${org}/oidc/issuers/${issuerId}`);
    assert.deepEqual(issuer.body.jwks, idp.jwks());
  });
  it("a token whose lifetime is past the issuer's maximum expiration", async () => {
    const capped = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'short', url: 'https://short.example', jwks: idp.jwks(), maxExpiration: 600 });
    assert.equal(capped.status, 200, capped.text);
    await api.patch(`/api/orgs/${org}/auth/policies/${capped.body.id}`, { policies: ciPolicies() });
    const token = await idp.sign({ iss: 'https://short.example', aud: audience(), sub }, { nowMs: clock.now(), lifetimeSeconds: 3600 });
    refused(await exchange({ subject_token: token }), 'invalid_grant', "the token is valid for 3600 s, longer than the issuer's maximum expiration of 600 s");
    const fine = await idp.sign({ iss: 'https://short.example', aud: audience(), sub }, { nowMs: clock.now(), lifetimeSeconds: 300 });
    const granted = await exchange({ subject_token: fine });
    assert.deepEqual([granted.status, granted.body.expires_in], [200, 600]);
    await api.delete(`/api/orgs/${org}/oidc/issuers/${capped.body.id}`);
  });
  it('denied by a deny rule, whatever allows it too; no matching rule; admin not granted to a team policy', async () => {
    refused(await exchange({ subject_token: await sign({ sub: 'repo:acme/evil-twin:ref:refs/heads/main' }) }), 'invalid_grant', "a deny policy of issuer 'ci' matches this token");
    refused(await exchange({ subject_token: await sign({ sub: 'repo:other/app:ref:refs/heads/main' }) }), 'invalid_grant', "no policy of issuer 'ci' allows an organization token for this token's claims");
    refused(
      await exchange({ subject_token: await sign({ sub: 'repo:acme/app:ref:refs/heads/feature' }), requested_token_type: 'urn:pulumi:token-type:access_token:personal', scope: 'user:alice' }),
      'invalid_grant',
      "no policy of issuer 'ci' allows a personal token for 'alice' for this token's claims",
    );
    refused(
      await exchange({ subject_token: await sign(), requested_token_type: 'urn:pulumi:token-type:access_token:team', scope: 'team:admins' }),
      'invalid_grant',
      "no policy of issuer 'ci' allows a team token for 'admins' for this token's claims",
    );
  });
  it('an inline key that cannot be imported: invalid_grant, never a 500', async () => {
    const broken = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'broken', url: 'https://broken.example', jwks: { keys: [{ kty: 'RSA', kid: idp.keys[0]!.kid, alg: 'RS256', n: 'AQAB', e: 'AQAB' }] } });
    assert.equal(broken.status, 200, broken.text);
    await api.patch(`/api/orgs/${org}/auth/policies/${broken.body.id}`, { policies: ciPolicies() });
    const token = await idp.sign({ iss: 'https://broken.example', aud: audience(), sub }, { nowMs: clock.now(), key: idp.keys[0] });
    refused(await exchange({ subject_token: token }), 'invalid_grant', "the issuer's keys cannot verify this token");
    await api.delete(`/api/orgs/${org}/oidc/issuers/${broken.body.id}`);
  });
  it('a team or user that does not exist, once a policy allows it', async () => {
    refused(await exchange({ subject_token: await sign(), requested_token_type: 'urn:pulumi:token-type:access_token:team', scope: 'team:deploy-nobody' }), 'invalid_scope', `team 'deploy-nobody' not found in organization '${org}'`);
  });
  it('malformed requests: invalid_request, unsupported_grant_type, invalid_scope; never a 500', async () => {
    const token = await sign();
    refused(await exchange({ subject_token: token, grant_type: '' }), 'invalid_request', 'grant_type is required');
    refused(await exchange({ subject_token: token, grant_type: 'password' }), 'unsupported_grant_type', 'grant_type must be urn:ietf:params:oauth:grant-type:token-exchange');
    refused(await exchange({ subject_token: token, grant_type: 'refresh_token' }), 'unsupported_grant_type', 'this server issues no refresh tokens');
    refused(await exchange({ subject_token: token, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' }), 'invalid_request', 'subject_token_type must be urn:ietf:params:oauth:token-type:id_token');
    refused(await exchange({ subject_token: '' }), 'invalid_request', 'subject_token is required');
    refused(await exchange({ subject_token: 'not-a-jwt' }), 'invalid_grant', 'the subject token is not a JWT');
    refused(await exchange({ subject_token: token, audience: 'acme' }), 'invalid_request', 'audience must be urn:pulumi:org:<organization>');
    refused(await exchange({ subject_token: token, requested_token_type: 'urn:pulumi:token-type:access_token:runner', scope: 'runner:r1' }), 'invalid_request', 'runner tokens are not issued: this server has no deployment runners');
    refused(await exchange({ subject_token: token, requested_token_type: 'urn:pulumi:token-type:access_token:team' }), 'invalid_scope', "a team token needs the scope 'team:<name>'");
    refused(await exchange({ subject_token: token, scope: 'team:x' }), 'invalid_scope', "an organization token's scope is empty or 'admin'");
    refused(await exchange({ subject_token: token, expiration: '1h' }), 'invalid_request', 'expiration must be a whole number of seconds');
    const broken = await api.request('POST', '/api/oauth/token', { token: null, rawBody: '{"grant_type":' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error, 'invalid_request');
    const twice = await api.request('POST', '/api/oauth/token', { token: null, rawBody: 'scope=a&scope=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    refused(twice, 'invalid_request', 'the parameter scope is given more than once');
    const typed = await api.request('POST', '/api/oauth/token', { token: null, body: { grant_type: 7 } });
    assert.equal(typed.body.error, 'invalid_request');
  });
  it('refusals are audited in the organization the audience names', async () => {
    const mark = await auditMark(server);
    await exchange({ subject_token: await sign({ sub: 'repo:acme/evil' }) });
    const events = await auditAfter(server, org, mark);
    assert.deepEqual(events.map((e) => [e.event, e.description, e.user_login, e.auth_failure]), [
      ['oidc-token-exchange-failed', "Refused an OIDC token exchange for an organization token: a deny policy of issuer 'ci' matches this token", '', 1],
    ]);
  });
});

describe('issuers served over HTTPS: pinned thumbprints', () => {
  let tlsIssuer: LocalOidcIssuer;
  let thumbprint: string;
  before(async () => {
    const tls = selfSignedCertificate();
    thumbprint = tls.thumbprint;
    tlsIssuer = await LocalOidcIssuer.start({ tls });
  });
  after(() => tlsIssuer.close());

  it('a self-signed certificate is trusted when its SHA-256 is pinned (colons and case as openssl prints them are accepted)', async () => {
    const printed = thumbprint.toUpperCase().match(/../g)!.join(':');
    const reply = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'tls', url: tlsIssuer.url, thumbprints: [printed] });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual([reply.body.issuer, reply.body.thumbprints], [tlsIssuer.url, [thumbprint]]);
    await api.patch(`/api/orgs/${org}/auth/policies/${reply.body.id}`, { policies: ciPolicies() });
    const token = await tlsIssuer.sign({ aud: audience(), sub }, { nowMs: clock.now() });
    assert.equal((await exchange({ subject_token: token })).status, 200);
    await api.delete(`/api/orgs/${org}/oidc/issuers/${reply.body.id}`);
  });

  it('another thumbprint is refused and audited; no thumbprint leaves the certificate to the system\'s authorities, which refuse it', async () => {
    const mark = await auditMark(server);
    const wrong = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'tls', url: tlsIssuer.url, thumbprints: ['00'.repeat(32)] });
    assert.equal(wrong.status, 400);
    assert.equal(
      wrong.body.message,
      `Bad Request: could not read the issuer's OpenID configuration and keys: the TLS certificate of ${new URL(tlsIssuer.url).host} (SHA-256 ${thumbprint}) is not one of the issuer's thumbprints`,
    );
    assert.deepEqual((await auditAfter(server, org, mark)).map((e) => [e.event, e.auth_failure]), [['oidc-issuer-validation-failed', 1]]);
    const unpinned = await api.post(`/api/orgs/${org}/oidc/issuers`, { name: 'tls', url: tlsIssuer.url });
    assert.equal(unpinned.status, 400);
    assert.match(unpinned.body.message, /self.signed certificate|self-signed/i);
  });
});

describe('logs', () => {
  it('hold no ID token and no issued access token', () => {
    const logged = JSON.stringify(server.logs());
    assert.ok(secrets.length > 20);
    for (const secret of secrets.filter((s) => s.length > 20)) assert.ok(!logged.includes(secret), 'a token was logged');
  });
});
