import pino, { type Logger } from 'pino';
import { AdminService } from './admin/service.js';
import { OrganizationService } from './api/orgs/service.js';
import { StackService } from './api/stacks/service.js';
import { StackSettingsService } from './api/stacks/settings.js';
import { EnvironmentService } from './api/environments/service.js';
import type { StackOutputsSource } from './api/environments/providers.js';
import { StateService } from './api/state/service.js';
import { StateMaterializer } from './api/updates/materialize.js';
import { UpdateService } from './api/updates/service.js';
import { SecretsService } from './api/secrets/service.js';
import { UserService } from './api/user/service.js';
import { TokenService } from './api/tokens/service.js';
import { TeamService } from './api/teams/service.js';
import { AuditService } from './api/auditlogs/service.js';
import { WebhookService } from './api/webhooks/service.js';
import { TokenExchangeService } from './api/oidc/exchange.js';
import { httpDocumentFetcher, type OidcDocumentFetcher } from './api/oidc/fetcher.js';
import { OidcIssuerService } from './api/oidc/service.js';
import { UsageService } from './api/usage/service.js';
import { SearchService } from './api/search/service.js';
import { PolicyService } from './api/policy/service.js';
import { PolicyResultsService } from './api/policy/results.js';
import { AgentPoolService } from './api/agent-pools/service.js';
import { DeploymentService } from './api/deployments/service.js';
import { DeploymentRunService } from './api/deployments/runs.js';
import { WebhookDeploymentTrigger } from './api/deployments/webhook-trigger.js';
import { ScheduleService } from './api/schedules/service.js';
import { SettingsSecrets } from './api/deployments/settings.js';
import { generateAccessToken, hashAccessToken } from './auth/tokens.js';
import { UrlSigner } from './auth/signed-urls.js';
import { systemClock, uuidGenerator, type Clock, type IdGenerator } from './clock.js';
import type { Config } from './config.js';
import { loadMasterKey } from './crypto/master-key.js';
import type { DatabaseHandle } from './db/dialect.js';
import { openDatabase } from './db/open.js';
import type { BlobStore } from './blobs/blob-store.js';
import { decompressStored } from './blobs/gzip.js';
import { openBlobStore } from './blobs/open.js';
import { withReadCache } from './blobs/read-cache.js';
import { jobHandlers } from './jobs/handlers.js';
import { openMetrics, type Metrics } from './metrics/metrics.js';
import { JobRunner } from './jobs/runner.js';

export interface Services {
  users: UserService;
  tokens: TokenService;
  organizations: OrganizationService;
  teams: TeamService;
  audit: AuditService;
  stacks: StackService;
  stackSettings: StackSettingsService;
  state: StateService;
  updates: UpdateService;
  secrets: SecretsService;
  admin: AdminService;
  environments: EnvironmentService;
  webhooks: WebhookService;
  oidcIssuers: OidcIssuerService;
  tokenExchange: TokenExchangeService;
  usage: UsageService;
  search: SearchService;
  policy: PolicyService;
  policyResults: PolicyResultsService;
  agentPools: AgentPoolService;
  deployments: DeploymentService;
  deploymentRuns: DeploymentRunService;
  schedules: ScheduleService;
}

/** Everything a request handler or a command can reach, built once. */
export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  blobs: BlobStore;
  /** Background work; `startServer` runs it, commands that only open the context do not. */
  jobs: JobRunner;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  metrics: Metrics;
  services: Services;
  /** The default pool's token: configured, or made at start for the in-process runner. */
  defaultPoolToken: string;
  close(): Promise<void>;
}

export interface ContextOverrides {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Where OIDC discovery documents and key sets come from. */
  oidcFetcher?: OidcDocumentFetcher;
}

/** Memory for blobs read lately (src/blobs/read-cache.ts): about 250 compressed states of 1,000 resources. */
const blobReadCacheBytes = 16 * 1024 * 1024;

/** Never logged, wherever they appear in a logged object. */
export const redactedPaths = [
  'req.headers.authorization',
  'headers.authorization',
  '*.token',
  '*.accessToken',
  '*.plaintext',
  '*.plaintexts',
  '*.secret',
  // The token exchange's ID token in, access token out.
  '*.subject_token',
  '*.access_token',
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } });
}

export async function createContext(config: Config, overrides: ContextOverrides = {}): Promise<AppContext> {
  // Read first: a bad key should stop start-up before anything else is opened.
  const masterKey = loadMasterKey(config.masterKey);
  const database = await openDatabase(config.databaseUrl);
  const clock = overrides.clock ?? systemClock;
  const ids = overrides.ids ?? uuidGenerator;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const db = database.db;
  // Its sources are read at each scrape, by when the services below exist.
  const metrics: Metrics = await openMetrics(config.metricsToken !== '', {
    updatesInFlight: () => services.updates.countRunning(),
    jobsQueued: () => jobs.queued(),
    pool: database.pool,
  });
  // Reads kept outside the timing, so that the blob metrics count what the store itself does.
  const blobs = withReadCache(metrics.timedBlobStore(await openBlobStore(config.blobStore, clock)), blobReadCacheBytes);
  const jobs: JobRunner = new JobRunner({
    database,
    clock,
    logger,
    handlers: jobHandlers({ db, blobs, clock, webhooks: (): WebhookService => webhooks, deploymentRuns: (): DeploymentRunService => services.deploymentRuns, schedules: (): ScheduleService => services.schedules }),
    failed: (kind) => metrics.jobFailed(kind),
  });

  const webhooks: WebhookService = new WebhookService({
    db,
    clock,
    ids,
    masterKey,
    jobs,
    refusePrivateTargets: config.webhookRefusePrivateTargets,
    deploymentTrigger: () => (organizationId, target, actorUserId, check) => webhookDeployments.trigger(organizationId, target, actorUserId, check),
  });
  const users = new UserService({ db, clock, ids });
  const oidcFetcher = overrides.oidcFetcher ?? httpDocumentFetcher;
  const organizations = new OrganizationService({ db, clock, ids });
  // Read when an environment opens `pulumi-stacks`, by when the services below exist.
  const stackOutputs: StackOutputsSource = {
    // An export is the state as stored (gzip-compressed at rest); the provider reads its text.
    exportLatest: async (caller, ref) => decompressStored(await services.state.export(caller, ref)),
    decrypt: (caller, ref, ciphertexts) => services.secrets.decrypt(caller, ref, ciphertexts, true),
  };
  const environments = new EnvironmentService({ db, clock, ids, masterKey, stackOutputs, jobs, publicUrl: config.publicUrl, webhooks });
  const stacks = new StackService({ db, clock, ids, blobs, jobs, publicUrl: config.publicUrl, environments, webhooks });
  const materializer = new StateMaterializer({ clock, blobs });
  const defaultPoolToken = config.defaultPoolToken || generateAccessToken();
  const agentPools = new AgentPoolService({ db, clock, ids, defaultPoolTokenHash: hashAccessToken(defaultPoolToken) });
  const secrets = new SettingsSecrets(masterKey);
  const tokens = new TokenService({ db, clock, ids });
  const deployments = new DeploymentService({ db, dialect: database.dialect, clock, ids, secrets, webhooks, jobs, publicUrl: config.publicUrl });
  const webhookDeployments = new WebhookDeploymentTrigger({ db, deployments });
  const policy = new PolicyService({ db, clock, ids, blobs, jobs, signer: new UrlSigner(masterKey, clock, config.publicUrl) });
  const audit = new AuditService({ db, clock, publicHost: new URL(config.publicUrl).hostname, logger });
  const services: Services = {
    users,
    tokens,
    organizations,
    teams: new TeamService({ db, clock, ids }),
    audit,
    stacks,
    stackSettings: new StackSettingsService({ db, stacks }),
    state: new StateService({ db, clock, ids, blobs, stacks, materializer, audit }),
    updates: new UpdateService({ db, clock, ids, blobs, stacks, materializer, journaling: config.journaling, webhooks, publicUrl: config.publicUrl, policy }),
    secrets: new SecretsService({ db, clock, stacks, masterKey, logger }),
    admin: new AdminService({ db, users, tokens, organizations }),
    environments,
    webhooks,
    oidcIssuers: new OidcIssuerService({ db, clock, ids, fetcher: oidcFetcher }),
    tokenExchange: new TokenExchangeService({ db, clock, tokens, fetcher: oidcFetcher }),
    usage: new UsageService({ db, clock }),
    search: new SearchService({ db, blobs }),
    policy,
    policyResults: new PolicyResultsService({ db, clock }),
    agentPools,
    deployments,
    deploymentRuns: new DeploymentRunService({
      db,
      dialect: database.dialect,
      clock,
      secrets,
      pools: agentPools,
      tokens,
      deployments,
      stacks,
      webhooks,
      jobs,
      publicUrl: config.publicUrl,
      claimTtlMs: config.deploymentClaimTtlMs,
    }),
    schedules: new ScheduleService({ db, clock, ids, secrets, deployments, jobs }),
  };
  return { config, database, blobs, jobs, clock, ids, logger, metrics, services, defaultPoolToken, close: async () => {
      await audit.flushReads();
      await db.destroy();
    },
  };
}
