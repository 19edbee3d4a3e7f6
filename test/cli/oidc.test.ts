import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditAfter, auditMark } from '../helpers/audit.js';
import { PulumiCli } from '../helpers/cli.js';
import { createStack, createUser } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { LocalOidcIssuer } from '../helpers/oidc-issuer.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// `pulumi login --oidc-token` (issue 17): the real CLI exchanges an ID token of a local identity
// provider for an organization, team or personal token, stores it, and then works as that token
// may: as the organization, as team `deployers` (read on proj/dev only), or as alice.

let server: TestServer;
let admin: ApiClient;
let org: string;
let idp: LocalOidcIssuer;
/** Older CLIs (the CLI matrix builds some) have no OIDC login: their tests are skipped, saying so. */
let cliHasOidcLogin = false;
const clis: PulumiCli[] = [];

/** A CLI with no access token of its own: it logs in with an ID token, as CI does. */
class OidcCli extends PulumiCli {
  override env(): NodeJS.ProcessEnv {
    const { PULUMI_ACCESS_TOKEN: _, ...env } = super.env();
    return env;
  }
}

function freshCli(): OidcCli {
  const cli = new OidcCli(server.url, '');
  clis.push(cli);
  return cli;
}

before(async () => {
  server = await startTestServer();
  org = server.org;
  admin = new ApiClient(server.url, server.adminToken);
  idp = await LocalOidcIssuer.start();
  cliHasOidcLogin = (await freshCli().ok(['login', '--help'])).stdout.includes('--oidc-token');
  await createUser(server, 'alice', { org });
  await createStack(admin, org, 'proj', 'dev');
  assert.equal((await admin.post(`/api/orgs/${org}/teams/pulumi`, { name: 'deployers', displayName: 'Deployers' })).status, 201);
  assert.equal((await admin.patch(`/api/orgs/${org}/teams/deployers`, { addStackPermission: { projectName: 'proj', stackName: 'dev', permission: 101 } })).status, 204);
  const issuer = await admin.post(`/api/orgs/${org}/oidc/issuers`, { name: 'ci', url: idp.url });
  assert.equal(issuer.status, 200, issuer.text);
  const policy = await admin.patch(`/api/orgs/${org}/auth/policies/${issuer.body.id}`, {
    policies: [
      { decision: 'allow', tokenType: 'organization', authorizedPermissions: [], rules: { aud: `urn:pulumi:org:${org}`, sub: 'repo:acme/*' } },
      { decision: 'allow', tokenType: 'team', teamName: 'deployers', authorizedPermissions: [], rules: { sub: 'repo:acme/*' } },
      { decision: 'allow', tokenType: 'personal', userLogin: 'alice', authorizedPermissions: [], rules: { sub: 'repo:acme/*' } },
      { decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: { sub: 'repo:acme/evil' } },
    ],
  });
  assert.equal(policy.status, 200, policy.text);
});
after(async () => {
  for (const cli of clis) cli.cleanup();
  await idp.close();
  await server.close();
});

const idToken = (sub = 'repo:acme/app') => idp.sign({ aud: `urn:pulumi:org:${org}`, sub }, { nowMs: Date.now() });

describe('pulumi login --oidc-token', () => {
  it('--oidc-org: an organization token, with which whoami, stack ls and stack init work; the exchange is audited', async (t) => {
    if (!cliHasOidcLogin) return t.skip('this CLI has no pulumi login --oidc-token');
    const cli = freshCli();
    const mark = await auditMark(server);
    await cli.ok(['login', '--oidc-token', await idToken(), '--oidc-org', org, '--oidc-expiration', '30m', server.url]);
    assert.equal((await cli.ok(['whoami'])).stdout.trim(), org);
    await cli.ok(['stack', 'init', `${org}/proj/from-ci`]);
    const { stdout } = await cli.ok(['stack', 'ls', '--all', '--json', '--fully-qualify-stack-names']);
    assert.deepEqual(JSON.parse(stdout).map((s: { name: string }) => s.name).sort(), [`${org}/proj/dev`, `${org}/proj/from-ci`]);
    const events = (await auditAfter(server, org, mark)).map((e) => [e.event, e.description]);
    assert.deepEqual(events[0], ['organization-token-created-for-oidc-issuer', 'Exchanged an OIDC token of issuer "ci" (subject "repo:acme/app") for an organization token, valid 1800 s']);
  });

  it('--oidc-team: a team token that reads proj/dev and may not change it', async (t) => {
    if (!cliHasOidcLogin) return t.skip('this CLI has no pulumi login --oidc-token');
    const cli = freshCli();
    await cli.ok(['login', '--oidc-token', await idToken(), '--oidc-org', org, '--oidc-team', 'deployers', server.url]);
    assert.equal((await cli.ok(['whoami'])).stdout.trim(), 'deployers');
    assert.match((await cli.ok(['stack', 'tag', 'ls', '--stack', `${org}/proj/dev`])).stdout, /^NAME +VALUE/);
    const tag = await cli.run(['stack', 'tag', 'set', 'owner', 'ci', '--stack', `${org}/proj/dev`]);
    assert.notEqual(tag.code, 0);
    assert.match(tag.stderr, /edit permission on stack '[^']+\/proj\/dev' is required/);
  });

  it('--oidc-user: a personal token of alice', async (t) => {
    if (!cliHasOidcLogin) return t.skip('this CLI has no pulumi login --oidc-token');
    const cli = freshCli();
    await cli.ok(['login', '--oidc-token', await idToken(), '--oidc-org', org, '--oidc-user', 'alice', server.url]);
    assert.equal((await cli.ok(['whoami'])).stdout.trim(), 'alice');
  });

  it('a token a deny rule matches: the CLI reports the server\'s RFC 6749 error and stays logged out', async (t) => {
    if (!cliHasOidcLogin) return t.skip('this CLI has no pulumi login --oidc-token');
    const cli = freshCli();
    const login = await cli.run(['login', '--oidc-token', await idToken('repo:acme/evil'), '--oidc-org', org, server.url]);
    assert.notEqual(login.code, 0);
    assert.match(login.stderr, /OIDC token exchange failed: .*"error":"invalid_grant","error_description":"a deny policy of issuer 'ci' matches this token"/);
    const whoami = await cli.run(['whoami']);
    assert.notEqual(whoami.code, 0);
  });
});
