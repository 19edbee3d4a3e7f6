// Pulumi's generated Go client (github.com/pulumi/pulumi-cloud-sdk/go) against a real server: the
// program in test/sdk/check/ calls the identity and access API, the stack and update API, the
// environment API, the webhooks of all three scopes, OIDC issuers, resources under management,
// resource search, policy as code (packs, groups, violations, issues) and deployments (runner
// pools, settings, deployments, and the runner's poll and status) through the SDK's typed client,
// so every response is decoded into Pulumi's own types. It is built once into the git-ignored
// .cache/sdk/ with the Go toolchain and the module proxy, and rebuilt only when its sources change.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createStack, createUser, deploymentWithResources } from './helpers/factories.js';
import { ApiClient } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = path.join(root, 'test/sdk/check');
const binary = path.join(root, '.cache/sdk/check');

/** Builds the check unless the binary is newer than every source file. */
function buildCheck(): string {
  const sources = fs.readdirSync(sourceDir).filter((name) => /\.go$|^go\.(mod|sum)$/.test(name));
  const newestSource = Math.max(...sources.map((name) => fs.statSync(path.join(sourceDir, name)).mtimeMs));
  if (fs.existsSync(binary) && fs.statSync(binary).mtimeMs > newestSource) return binary;
  fs.mkdirSync(path.dirname(binary), { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-o', `${binary}.tmp`, '.'], { cwd: sourceDir, stdio: ['ignore', 'inherit', 'inherit'] });
  fs.renameSync(`${binary}.tmp`, binary);
  return binary;
}

function runCheck(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(binary, [], { env: { PATH: process.env.PATH, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const identityOperations = [
  'AddOrganizationMember',
  'CreateOrgToken',
  'CreatePersonalToken',
  'CreatePulumiTeam',
  'CreateTeamToken',
  'DeleteOrgToken',
  'DeleteOrganizationMember',
  'DeletePersonalToken',
  'DeleteTeam',
  'DeleteTeamToken',
  'GetCurrentUser',
  'GetTeam',
  'ListAuditLogEventsHandlerV1',
  'ListAuditLogEventsHandlerV2',
  'ListOrgTokens',
  'ListOrganizationMembers',
  'ListPersonalTokens',
  'ListTeamTokens',
  'ListTeams',
  'UpdateOrganizationMember',
  'UpdateTeam',
];

const stackOperations = [
  'CompleteUpdate_destroy',
  'CompleteUpdate_preview',
  'CompleteUpdate_update',
  'CreateStack',
  'CreateUpdateForDestroy',
  'CreateUpdateForPreview',
  'CreateUpdateForUpdate',
  'DeleteStackConfig',
  'GetEngineEvents_destroy',
  'GetEngineEvents_update',
  'GetLatestStackResource',
  'GetLatestUpdateTimeline',
  'GetStackConfig',
  'GetStackMetadata',
  'GetStackPreviewSummary',
  'GetStackPreviews',
  'GetStackResource',
  'GetStackUpdate',
  'GetStackUpdateSummary',
  'GetStackUpdates',
  'GetUpdateStatusForDestroy',
  'GetUpdateTimeline',
  'ListUserStacks',
  'PatchUpdateVerbatimCheckpoint_destroy',
  'PatchUpdateVerbatimCheckpoint_update',
  'RecordEngineEventBatch_update',
  'RecordEngineEvent_destroy',
  'RecordEngineEvent_update',
  'RenewUpdateLease_update',
  'StartUpdateForDestroy',
  'StartUpdateForPreview',
  'StartUpdateForUpdate',
  'UpdateStackConfig',
  'UpdateStackNotificationSettings',
];

const environmentOperations = [
  'CheckYAML_esc',
  'CloneEnvironment',
  'CreateEnvironmentTag_esc_environments',
  'CreateEnvironment_esc_environments',
  'CreateRevisionTag_esc_environments_versions_tags',
  'DecryptEnvironment_esc_environments',
  'DeleteEnvironmentTag_esc_environments',
  'DeleteEnvironment_esc_environments',
  'DeleteRevisionTag_esc_environments',
  'GetEnvironmentTag_esc_environments',
  'ListEnvironmentReferrers_esc_environments',
  'ListEnvironmentRevisions_esc_environments',
  'ListEnvironmentTags_esc_environments',
  'ListOrgEnvironments_esc',
  'ListRevisionTags_esc_environments_versions',
  'OpenEnvironment_esc_environments',
  'OpenYAML_esc',
  'ReadAnonymousOpenEnvironment_esc',
  'ReadEnvironment_esc_environments',
  'ReadEnvironment_esc_environments_versions',
  'ReadOpenEnvironment_esc_environments',
  'ReadRevisionTag_esc_environments',
  'RetractEnvironmentRevision_esc_environments',
  'RotateEnvironment',
  'UpdateEnvironmentTag_esc_environments',
  'UpdateEnvironment_esc_environments',
  'UpdateRevisionTag_esc_environments',
];

// Each of the eight webhook operations of an organization, a stack, an environment and an environment at
// its older /api/preview path.
const webhookOperations = [
  'CreateOrganizationWebhook',
  'CreateStackWebhook',
  'CreateWebhook_esc_environments',
  'CreateWebhook_preview_environments',
  'DeleteOrganizationWebhook',
  'DeleteStackWebhook',
  'DeleteWebhook_esc_environments',
  'DeleteWebhook_preview_environments',
  'GetOrganizationWebhook',
  'GetOrganizationWebhookDeliveries',
  'GetStackWebhook',
  'GetStackWebhookDeliveries',
  'GetWebhookDeliveries_esc_environments',
  'GetWebhookDeliveries_preview_environments',
  'GetWebhook_esc_environments',
  'GetWebhook_preview_environments',
  'ListOrganizationWebhooks',
  'ListStackWebhooks',
  'ListWebhooks_esc_environments',
  'ListWebhooks_preview_environments',
  'PingOrganizationWebhook',
  'PingStackWebhook',
  'PingWebhook_esc_environments',
  'PingWebhook_preview_environments',
  'RedeliverOrganizationWebhookEvent',
  'RedeliverStackWebhookEvent',
  'RedeliverWebhookEvent_esc_environments',
  'RedeliverWebhookEvent_preview_environments',
  'UpdateOrganizationWebhook',
  'UpdateStackWebhook',
  'UpdateWebhook_esc_environments',
  'UpdateWebhook_preview_environments',
];

/** test/sdk/check/oidc.go: an issuer with an inline key set and its authorization policy. */
const oidcOperations = [
  'DeleteOidcIssuer',
  'GetAuthPolicy',
  'GetOidcIssuer',
  'List_orgs_oidc_issuers',
  'RegisterOidcIssuer',
  'UpdateAuthPolicy',
  'UpdateOidcIssuer',
];

/** test/sdk/check/usage.go: resources under management, hourly and monthly, and a refused window. */
const usageOperations = ['GetUsageSummaryResourceHours'];

/** test/sdk/check/search.go: resource search, its CSV export and whether search is available. */
const searchOperations = ['ExportOrgResourceSearchQuery', 'GetOrgResourceSearchQuery', 'SearchClusterAvailable'];

/**
 * test/sdk/check/policy.go: a policy pack published (its archive at the signed upload URL), listed,
 * read and removed; a policy group made, changed, renamed and deleted; a stack's groups and required
 * packs (the archive downloaded from packLocation); a violation an update reported, as a violation,
 * as an issue triaged, and in the issues' CSV export; the organization's policy protection.
 */
const policyOperations = [
  'BatchUpdatePolicyGroup',
  'CompletePolicyPack',
  'CreatePolicyPack',
  'DeletePolicyGroup',
  'DeletePolicyPackVersion',
  'DeletePolicyPack_orgs_policypacks',
  'ExportPolicyIssues',
  'GetPolicyGroup',
  'GetPolicyGroupMetadata',
  'GetPolicyIssue',
  'GetPolicyPack',
  'GetPolicyPackConfigSchema',
  'GetStackPolicyGroups',
  'GetStackPolicyPacks',
  'ListPolicyGroups',
  'ListPolicyIssues',
  'ListPolicyPacks_orgs',
  'ListPolicyViolationsV2',
  'NewPolicyGroup',
  'UpdatePolicyGroup',
  'UpdatePolicyIssue',
];

/**
 * test/sdk/check/deployments.go: a runner pool made, read (without its token), renamed and deleted;
 * a stack's deployment settings replaced, patched, read and deleted, a secret encrypted ahead; a
 * deployment queued, read by id and version, listed for the stack and the organization, held by
 * pauses of the stack and the organization, claimed by the pool's runner (poll, status), run with
 * its job token, read with its jobs, logs in both modes and update, and completed; a second one
 * cancelled while queued; the organization's counts.
 */
const deploymentOperations = [
  'CancelDeployment',
  'CreateAPIDeploymentHandlerV2',
  'CreateOrgAgentPool',
  'DeleteDeploymentSettings',
  'DeleteOrgAgentPool',
  'EncryptDeploymentSettingsSecret',
  'GetAgentPool',
  'GetDeployment',
  'GetDeploymentLogs',
  'GetDeploymentSettings',
  'GetDeploymentUpdates',
  'GetDeployment_version',
  'GetDeploymentsStatus',
  'ListOrgAgentPool',
  'ListOrgDeployments',
  'ListStackDeploymentsHandlerV2',
  'OrgDeploymentsMetadata',
  'PatchDeploymentSettings',
  'PatchOrgAgentPool',
  'PauseOrgDeployments',
  'PauseStackDeployments',
  'PollDeploymentsQueue',
  'ReplaceDeploymentSettings',
  'ResumeOrgDeployments',
  'ResumeStackDeployments',
  'StackDeploymentsMetadata',
];

/**
 * test/sdk/check/deployments.go, checkSchedules: raw, drift and TTL schedules created (and refused),
 * listed, read, replaced, paused and resumed; a one-time schedule fired, with its history; all deleted.
 */
const scheduleOperations = [
  'CreateScheduledDeployment',
  'CreateScheduledDriftDeployment',
  'CreateScheduledTTLDeployment',
  'DeleteScheduledDeployment',
  'ListScheduledDeployment',
  'ListScheduledDeploymentHistory',
  'PauseScheduledDeployment',
  'ReadScheduledDeployment',
  'ResumeScheduledDeployment',
  'UpdateScheduledDeployment',
  'UpdateScheduledDriftDeployment',
  'UpdateScheduledTTLDeployment',
];

const operations = [
  ...identityOperations,
  ...stackOperations,
  ...environmentOperations,
  ...webhookOperations,
  ...oidcOperations,
  ...usageOperations,
  ...searchOperations,
  ...policyOperations,
  ...deploymentOperations,
  ...scheduleOperations,
].sort();

let server: TestServer;
let api: ApiClient;
let env: Record<string, string>;

before(async () => {
  buildCheck();
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  await createUser(server, 'carol');
  await createStack(api, server.org, 'proj', 'dev');
  // What test/sdk/check/search.go searches: in `dev`, thing-0 protected and thing-1 with a secret output.
  const searched = deploymentWithResources('searched', 'dev', 3);
  const [, , thing0, thing1] = searched.deployment.resources as Array<Record<string, any>>;
  thing0!.protect = true;
  thing1!.outputs.token = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'AAAA' };
  for (const [stack, state] of [['dev', searched], ['prod', deploymentWithResources('searched', 'prod', 1)]] as const) {
    await createStack(api, server.org, 'searched', stack);
    const imported = await api.post(`/api/stacks/${server.org}/searched/${stack}/import`, state);
    assert.equal(imported.status, 200, imported.text);
  }
  env = {
    STACKYARD_URL: server.url,
    STACKYARD_ADMIN_TOKEN: server.adminToken,
    STACKYARD_ORG: server.org,
    STACKYARD_MEMBER: 'carol',
    STACKYARD_STACK: 'proj/dev',
    STACKYARD_SEARCH_PROJECT: 'searched',
  };
});
after(async () => {
  await server.close();
});

describe('Pulumi’s Go SDK (pulumi-cloud-sdk/go) on the identity, stack, update, environment, webhook, OIDC issuer, usage, search, policy and deployment API', () => {
  it('drives tokens, members, teams, the user and the audit log, then a stack through an update, a preview and a destroy and every read of its history, an environment through every operation built, the webhooks of an organization, a stack and an environment, an OIDC issuer with its policy, the organization’s resources under management, a search of its resources with their export, and a policy pack through publish, a group, a stack’s required packs, a reported violation and its issue, and a runner pool, a stack’s deployment settings and a deployment through queue, pause, claim, run, logs, updates and completion', async (t) => {
    const result = await runCheck(env);
    t.diagnostic(result.stdout.trim());
    assert.equal(result.code, 0, `exit ${result.code}\n${result.stderr}${result.stdout}`);
    const match = /^sdk check passed: (\d+) calls, (\d+) operations: (.+)\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    assert.deepEqual(match[3]!.split(' '), operations);
    assert.equal(Number(match[2]), operations.length);
    assert.ok(Number(match[1]) >= 37 + stackOperations.length, 'every call ran, each audit log listing at least one page');
    assert.equal(result.stderr, '');

    // The check cleaned up after itself: no team, carol is no member, no organization token, no webhook.
    assert.equal((await api.get(`/api/orgs/${server.org}/teams/sdk-team`)).status, 404);
    const members = await api.get(`/api/orgs/${server.org}/members?type=backend`);
    assert.equal(members.status, 200);
    assert.deepEqual(members.body.members.map((m: { user: { githubLogin: string } }) => m.user.githubLogin), ['admin']);
    assert.deepEqual((await api.get(`/api/orgs/${server.org}/tokens`)).body, { tokens: [] });
    assert.deepEqual((await api.get(`/api/orgs/${server.org}/hooks`)).body, []);
    assert.deepEqual((await api.get(`/api/stacks/${server.org}/proj/dev/hooks`)).body, []);
    assert.deepEqual((await api.get(`/api/orgs/${server.org}/oidc/issuers`)).body, { oidcIssuers: [] });
    assert.deepEqual((await api.get(`/api/orgs/${server.org}/policypacks`)).body, { policyPacks: [] });
    const policyGroups = await api.get(`/api/orgs/${server.org}/policygroups`);
    assert.deepEqual(policyGroups.body.policyGroups.map((g: { name: string; numEnabledPolicyPacks: number }) => [g.name, g.numEnabledPolicyPacks]), [['default-policy-group', 0]]);
  });

  it('stops at the first failed call with exit 1 and the server’s status and message', async () => {
    const result = await runCheck({ ...env, STACKYARD_ADMIN_TOKEN: 'pul-0000000000000000000000000000000000000000' });
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^sdk check failed: GetCurrentUser: HTTP 401: /);
  });
});
