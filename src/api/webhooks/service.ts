import { createHash, createHmac, randomBytes } from 'node:crypto';
import { recordAudit } from '../../audit/record.js';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization, requireStack } from '../../auth/permissions.js';
import type { Clock } from '../../clock.js';
import { open, seal } from '../../crypto/aead.js';
import type { Executor } from '../../db/executor.js';
import { afterCommit, transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { enqueueJob, type JobRunner } from '../../jobs/runner.js';
import { requireEnvironment, type EnvironmentRef } from '../environments/policy.js';
import { findOrganizationById } from '../orgs/store.js';
import type { StackRef } from '../stacks/service.js';
import { filterEntry, kindOf, subscribes, subscriptionProblem, webhookFormats, type WebhookFilter, type WebhookFormat, type WebhookScope } from './events.js';
import { postDelivery, headerLines, type AttemptResult } from './delivery.js';
import { pingContent, renderBody, type EventContent, type PayloadUser } from './payloads.js';
import * as store from './store.js';

/** The job that delivers one event to one hook: payload `QueuedDelivery`. */
export const deliverWebhookJob = 'deliver-webhook';

/** Attempts per event: the first and four retries (2, 4, 8, 16 s apart), on network errors and 5xx only. */
export const maxDeliveryAttempts = 5;
/** Attempts kept per hook for `…/deliveries`. */
const keptDeliveries = 500;
/** Attempts `…/deliveries` lists. */
const listedDeliveries = 100;
/** PATCH's "clear the secret" value, as the CLIs send it. */
const removeSecret = '__remove-secret';

export interface QueuedDelivery {
  webhookId: string;
  eventId: string;
  kind: string;
  body: string;
  /** Who raised the event: a `pulumi_deployments` hook's deployment is requested as them. */
  actorUserId?: string;
}

/** Starts the deployment a `pulumi_deployments` hook delivers to (deployments/webhook-trigger.ts). */
export type DeploymentTrigger = (organizationId: string, target: string, actorUserId: string | undefined, check: boolean) => Promise<{ status: number; body: string }>;

/** Where a hook lives, as its routes name it. */
export type HookScopeRef =
  | { scope: 'organization'; organization: string }
  | { scope: 'stack'; stack: StackRef }
  | { scope: 'environment'; environment: EnvironmentRef };

/** A resolved scope: its organization, its key, and the names the wire form repeats. */
interface HookScope {
  scope: WebhookScope;
  organizationId: string;
  organizationName: string;
  key: string;
  stackId?: string;
  environmentId?: string;
  projectName?: string;
  stackName?: string;
  envName?: string;
}

/** A hook as clients send it (`Webhook`); response-only fields they echo back are ignored. */
export interface WebhookInput {
  /** Required on creation (the schema says so); PATCH bodies may leave it out. */
  organizationName?: string;
  projectName?: string;
  stackName?: string;
  envName?: string;
  name?: string;
  displayName?: string;
  payloadUrl?: string;
  secret?: string;
  active?: boolean;
  format?: string;
  filters?: string[] | null;
  groups?: string[] | null;
}

/** What fires an event: where it happened, who caused it, and its content. */
export interface WebhookEvent {
  event: WebhookFilter;
  organizationId: string;
  stackId?: string;
  environmentId?: string;
  actor?: { id: string; name: string; login: string; avatar_url: string };
  content: EventContent;
}

export class WebhookService {
  constructor(
    private readonly deps: {
      db: Executor;
      clock: Clock;
      ids: { next(): string };
      masterKey: Buffer;
      jobs: JobRunner;
      refusePrivateTargets: boolean;
      /** Late-bound: the deployments area is built after, and on top of, webhooks. */
      deploymentTrigger: () => DeploymentTrigger;
    },
  ) {}

  async list(caller: Caller, ref: HookScopeRef) {
    const scope = await this.resolveScope(this.deps.db, caller, ref);
    return (await store.listWebhooks(this.deps.db, scope.organizationId, scope.key)).map((hook) => toWire(scope, hook));
  }

  async get(caller: Caller, ref: HookScopeRef, name: string) {
    const scope = await this.resolveScope(this.deps.db, caller, ref);
    return toWire(scope, await this.findHook(this.deps.db, scope, name));
  }

  async create(caller: Caller, ref: HookScopeRef, input: WebhookInput) {
    return transaction(this.deps.db, async (tx) => {
      const scope = await this.resolveScope(tx, caller, ref);
      assertBodyMatchesUrl(scope, input);
      const format = (input.format || 'raw') as WebhookFormat;
      const filters = input.filters ?? [];
      const groups = input.groups ?? [];
      validateHook(scope.scope, { displayName: input.displayName, payloadUrl: input.payloadUrl, format, filters, groups });
      let name = input.name ?? '';
      if (name === '') {
        do name = randomBytes(4).toString('hex');
        while (await store.findWebhook(tx, scope.organizationId, scope.key, name));
      } else {
        validateName(name);
        if (await store.findWebhook(tx, scope.organizationId, scope.key, name)) throw new ApiError('conflict', `Webhook with name ${name} already exists.`);
      }
      const id = this.deps.ids.next();
      const now = this.deps.clock.now();
      await store.insertWebhook(tx, {
        id,
        organization_id: scope.organizationId,
        scope_key: scope.key,
        stack_id: scope.stackId ?? null,
        environment_id: scope.environmentId ?? null,
        name,
        display_name: input.displayName!,
        payload_url: input.payloadUrl!,
        format,
        active: input.active ? 1 : 0,
        filters: JSON.stringify(filters),
        groups: JSON.stringify(groups),
        ...this.secretColumns(id, input.secret || undefined),
        created_at: now,
        updated_at: now,
      });
      await this.audit(tx, caller, scope, 'webhook-created', `Created ${scope.scope} webhook "${name}"${scopeLabel(scope)}`);
      return toWire(scope, (await store.findWebhookById(tx, id))!);
    });
  }

  /**
   * PATCH: display name, active, filters and groups are replaced by the body (absent lists clear,
   * as the CLIs rely on); payload URL and format are kept when absent; the secret is kept unless
   * one is given or `__remove-secret` clears it.
   */
  async update(caller: Caller, ref: HookScopeRef, name: string, input: WebhookInput) {
    return transaction(this.deps.db, async (tx) => {
      const scope = await this.resolveScope(tx, caller, ref);
      const hook = await this.findHook(tx, scope, name);
      assertBodyMatchesUrl(scope, input);
      const next = {
        displayName: input.displayName ?? hook.display_name,
        payloadUrl: input.payloadUrl ?? hook.payload_url,
        format: (input.format || hook.format) as WebhookFormat,
        filters: input.filters ?? [],
        groups: input.groups ?? [],
      };
      validateHook(scope.scope, next);
      const secret = input.secret === removeSecret ? { secret_sealed: null, secret_digest: '' } : input.secret ? this.secretColumns(hook.id, input.secret) : {};
      await store.changeWebhook(tx, hook.id, {
        display_name: next.displayName,
        payload_url: next.payloadUrl,
        format: next.format,
        active: (input.active ?? hook.active === 1) ? 1 : 0,
        filters: JSON.stringify(next.filters),
        groups: JSON.stringify(next.groups),
        ...secret,
        updated_at: this.deps.clock.now(),
      });
      await this.audit(tx, caller, scope, 'webhook-updated', `Changed ${scope.scope} webhook "${name}"${scopeLabel(scope)}`);
      return toWire(scope, (await store.findWebhookById(tx, hook.id))!);
    });
  }

  async remove(caller: Caller, ref: HookScopeRef, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const scope = await this.resolveScope(tx, caller, ref);
      const hook = await this.findHook(tx, scope, name);
      await store.deleteWebhook(tx, hook.id);
      await this.audit(tx, caller, scope, 'webhook-deleted', `Deleted ${scope.scope} webhook "${name}"${scopeLabel(scope)}`);
    });
  }

  /** Sends a ping now, whether or not the hook is active, and returns the attempt. */
  async ping(caller: Caller, ref: HookScopeRef, name: string) {
    const scope = await this.resolveScope(this.deps.db, caller, ref);
    const hook = await this.findHook(this.deps.db, scope, name);
    const ping = pingContent(this.deps.clock.now());
    const body = renderBody(hook.format as WebhookFormat, ping.raw, ping.summary);
    return this.attempt(hook, this.deps.ids.next(), 'ping', body, 1, caller.user.id);
  }

  async deliveries(caller: Caller, ref: HookScopeRef, name: string) {
    const scope = await this.resolveScope(this.deps.db, caller, ref);
    const hook = await this.findHook(this.deps.db, scope, name);
    return (await store.listDeliveries(this.deps.db, hook.id, listedDeliveries)).map(deliveryToWire);
  }

  /** Sends an event's original payload again, now, with the same id. */
  async redeliver(caller: Caller, ref: HookScopeRef, name: string, eventId: string) {
    const scope = await this.resolveScope(this.deps.db, caller, ref);
    const hook = await this.findHook(this.deps.db, scope, name);
    const previous = await store.findDelivery(this.deps.db, hook.id, eventId);
    if (!previous) throw new ApiError('not_found', `webhook event '${eventId}' of webhook '${name}' not found`);
    return this.attempt(hook, eventId, previous.kind, previous.payload, previous.attempt + 1, caller.user.id);
  }

  private async startDeployment(hook: store.WebhookRow, kind: string, actorUserId: string | undefined): Promise<AttemptResult> {
    const started = performance.now();
    const outcome = await this.deps.deploymentTrigger()(hook.organization_id, hook.payload_url, actorUserId, kind === 'ping');
    return { durationMs: Math.round(performance.now() - started), responseCode: outcome.status, responseHeaders: 'Content-Type: application/json', responseBody: outcome.body };
  }

  /** Whether any active hook of the organization could hear of an event: to skip costly lookups when none can. */
  async hasActiveHooks(db: Executor, organizationId: string): Promise<boolean> {
    return store.hasActiveWebhooks(db, organizationId);
  }

  /**
   * Queues the event for every active hook that subscribes to it, in the transaction of the
   * change that caused it (an outbox): it is delivered if and only if that change commits.
   */
  async fire(tx: Executor, event: WebhookEvent): Promise<void> {
    const keys = ['org', ...(event.stackId ? [store.scopeKey({ stackId: event.stackId })] : []), ...(event.environmentId ? [store.scopeKey({ environmentId: event.environmentId })] : [])];
    const entry = filterEntry(event.event)!;
    const hooks = (await store.activeWebhooksFor(tx, event.organizationId, keys)).filter(
      (hook) => entry.scopes.includes(scopeOfKey(hook.scope_key)) && subscribes(JSON.parse(hook.filters), JSON.parse(hook.groups), event.event),
    );
    if (hooks.length === 0) return;
    const org = await findOrganizationById(tx, event.organizationId);
    if (!org) return;
    const raw = {
      ...(event.actor && { user: userInfo(event.actor) }),
      organization: { name: org.display_name || org.name, githubLogin: org.name, avatarUrl: '' },
      ...event.content.fields,
    };
    const kind = kindOf(event.event);
    for (const hook of hooks) {
      const delivery: QueuedDelivery = {
        webhookId: hook.id,
        eventId: this.deps.ids.next(),
        kind,
        body: renderBody(hook.format as WebhookFormat, raw, event.content.summary),
        ...(hook.format === 'pulumi_deployments' && event.actor && { actorUserId: event.actor.id }),
      };
      await enqueueJob(tx, this.deps.clock, deliverWebhookJob, delivery);
    }
    afterCommit(tx, () => this.deps.jobs.wake());
  }

  /**
   * The job: one attempt of a queued event. Throws (so the job runner retries it with backoff)
   * after a network error or a 5xx, until the last attempt; a deleted or deactivated hook gets none.
   */
  async deliverQueued(delivery: QueuedDelivery, previousAttempts: number): Promise<void> {
    const hook = await store.findWebhookById(this.deps.db, delivery.webhookId);
    if (!hook || hook.active !== 1) return;
    const attempt = previousAttempts + 1;
    const result = await this.attempt(hook, delivery.eventId, delivery.kind, delivery.body, attempt, delivery.actorUserId);
    const retryable = result.responseCode === 0 || result.responseCode >= 500;
    if (retryable && hook.format !== 'pulumi_deployments' && attempt < maxDeliveryAttempts) {
      throw new Error(`webhook '${hook.name}' delivery ${delivery.eventId} attempt ${attempt} failed (${result.responseCode || result.responseBody})`);
    }
  }

  /** One POST of a body to a hook (or the deployment a `pulumi_deployments` hook starts), recorded whatever its outcome. */
  private async attempt(hook: store.WebhookRow, eventId: string, kind: string, body: string, attempt: number, actorUserId?: string) {
    const headers: Record<string, string> = {
      Accept: '*/*',
      'Content-Type': 'application/json',
      'Pulumi-Webhook-Id': eventId,
      'Pulumi-Webhook-Kind': kind,
    };
    const secret = this.openSecret(hook);
    if (secret !== undefined) headers['Pulumi-Webhook-Signature'] = createHmac('sha256', secret).update(body).digest('hex');
    const sentAt = this.deps.clock.now();
    const result: AttemptResult =
      hook.format === 'pulumi_deployments'
        ? await this.startDeployment(hook, kind, actorUserId)
        : await postDelivery({ url: hook.payload_url, body, headers, refusePrivateTargets: this.deps.refusePrivateTargets });
    const row = {
      webhook_id: hook.id,
      event_id: eventId,
      kind,
      payload: body,
      attempt,
      sent_at: sentAt,
      duration_ms: result.durationMs,
      request_url: hook.payload_url,
      request_headers: headerLines(headers),
      response_code: result.responseCode,
      response_headers: result.responseHeaders,
      response_body: result.responseBody,
    };
    await transaction(this.deps.db, async (tx) => {
      // The hook may have gone while the request was out: then there is nothing to record it under.
      if (!(await store.findWebhookById(tx, hook.id))) return;
      await store.insertDelivery(tx, row);
      await store.pruneDeliveries(tx, hook.id, keptDeliveries);
    });
    return deliveryToWire(row);
  }

  private async resolveScope(db: Executor, caller: Caller, ref: HookScopeRef): Promise<HookScope> {
    switch (ref.scope) {
      case 'organization': {
        const org = await requireOrganization(db, caller, ref.organization, 'admin', 'managing organization webhooks');
        return { scope: 'organization', organizationId: org.id, organizationName: org.name, key: 'org' };
      }
      case 'stack': {
        const stack = await requireStack(db, caller, ref.stack, 'admin');
        return {
          scope: 'stack',
          organizationId: stack.organization_id,
          organizationName: stack.organization_name,
          key: store.scopeKey({ stackId: stack.id }),
          stackId: stack.id,
          projectName: stack.project_name,
          stackName: stack.name,
        };
      }
      case 'environment': {
        const { org, env } = await requireEnvironment(db, caller, ref.environment, 'admin');
        return {
          scope: 'environment',
          organizationId: org.id,
          organizationName: org.name,
          key: store.scopeKey({ environmentId: env.id }),
          environmentId: env.id,
          projectName: env.project,
          envName: env.name,
        };
      }
    }
  }

  private async findHook(db: Executor, scope: HookScope, name: string): Promise<store.WebhookRow> {
    const hook = await store.findWebhook(db, scope.organizationId, scope.key, name);
    if (!hook) throw new ApiError('not_found', `webhook '${name}' not found`);
    return hook;
  }

  private secretColumns(hookId: string, secret: string | undefined) {
    if (secret === undefined) return { secret_sealed: null, secret_digest: '' };
    return {
      secret_sealed: seal(this.deps.masterKey, Buffer.from(secret, 'utf8'), `webhook-secret:${hookId}`),
      secret_digest: createHash('sha256').update(secret).digest('hex'),
    };
  }

  private openSecret(hook: store.WebhookRow): Buffer | undefined {
    if (!hook.secret_sealed) return undefined;
    const secret = open(this.deps.masterKey, Buffer.from(hook.secret_sealed), `webhook-secret:${hook.id}`);
    if (!secret) throw new Error(`the secret of webhook '${hook.name}' does not open with this server's master key`);
    return secret;
  }

  private async audit(tx: Executor, caller: Caller, scope: HookScope, event: 'webhook-created' | 'webhook-updated' | 'webhook-deleted', description: string) {
    await recordAudit(tx, this.deps.clock, caller, { organizationId: scope.organizationId, event, description });
  }
}

const scopeOfKey = (key: string): WebhookScope => (key === 'org' ? 'organization' : key.startsWith('stack:') ? 'stack' : 'environment');

const scopeLabel = (scope: HookScope) =>
  scope.scope === 'stack' ? ` of stack "${scope.projectName}/${scope.stackName}"` : scope.scope === 'environment' ? ` of environment "${scope.projectName}/${scope.envName}"` : '';

const userInfo = (user: { name: string; login: string; avatar_url: string }): PayloadUser => ({
  name: user.name,
  githubLogin: user.login,
  avatarUrl: user.avatar_url,
});

const hookNamePattern = /^[a-zA-Z0-9._-]{1,32}$/;

function validateName(name: string): void {
  if (!hookNamePattern.test(name)) throw new ApiError('bad_request', `invalid webhook name '${name}': 1 to 32 letters, digits, '.', '_' or '-'`);
}

function assertBodyMatchesUrl(scope: HookScope, input: WebhookInput): void {
  if (input.organizationName !== undefined && input.organizationName !== scope.organizationName) throw new ApiError('bad_request', "Organization name from request body doesn't match URL.");
  if (scope.scope === 'stack') {
    if (input.stackName !== undefined && input.stackName !== scope.stackName) throw new ApiError('bad_request', "Stack name from request body doesn't match URL");
    if (input.projectName !== undefined && input.projectName !== scope.projectName) throw new ApiError('bad_request', "Project name from request body doesn't match URL");
  }
  if (scope.scope === 'environment') {
    if (input.envName !== undefined && input.envName !== scope.envName) throw new ApiError('bad_request', "Environment name from request body doesn't match URL");
    if (input.projectName !== undefined && input.projectName !== scope.projectName) throw new ApiError('bad_request', "Project name from request body doesn't match URL");
  }
}

function validateHook(
  scope: WebhookScope,
  hook: { displayName: string | undefined; payloadUrl: string | undefined; format: string; filters: string[]; groups: string[] },
): void {
  if (!hook.displayName || hook.displayName.trim() === '') throw new ApiError('bad_request', 'invalid webhook display name: it must not be empty');
  if (hook.displayName.length > 256) throw new ApiError('bad_request', 'invalid webhook display name: at most 256 characters');
  if (!(webhookFormats as readonly string[]).includes(hook.format)) {
    throw new ApiError('bad_request', `invalid webhook format '${hook.format}'; valid formats: ${webhookFormats.join(', ')}`);
  }
  if (hook.format === 'pulumi_deployments' && scope === 'organization') {
    throw new ApiError('bad_request', "'pulumi_deployments' format can only be used on stack or environment webhooks.");
  }
  const problem = payloadUrlProblem(hook.format as WebhookFormat, hook.payloadUrl ?? '');
  if (problem) throw new ApiError('bad_request', `invalid webhook payload URL: ${problem}`);
  const subscription = subscriptionProblem(scope, hook.filters, hook.groups);
  if (subscription) throw new ApiError('bad_request', subscription);
}

/** The rules Pulumi applies to a payload URL for each format. */
function payloadUrlProblem(format: WebhookFormat, payloadUrl: string): string | undefined {
  if (payloadUrl === '') return 'it must not be empty';
  if (payloadUrl.length > 2048) return 'at most 2048 characters';
  if (format === 'pulumi_deployments') {
    return /^[^\s/]+\/[^\s/]+$/.test(payloadUrl) ? undefined : `'pulumi_deployments' webhooks name a stack as '<project>/<stack>', got '${payloadUrl}'`;
  }
  if (format === 'slack' && !payloadUrl.startsWith('https://hooks.slack.com/')) return `Slack webhooks post to 'https://hooks.slack.com/…', got '${payloadUrl}'`;
  let url: URL;
  try {
    url = new URL(payloadUrl);
  } catch {
    return `'${payloadUrl}' is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme must be http or https, got '${url.protocol.slice(0, -1)}'`;
  if (url.hostname === '') return `'${payloadUrl}' has no host`;
  return undefined;
}

function toWire(scope: HookScope, hook: store.WebhookRow) {
  const filters = JSON.parse(hook.filters) as string[];
  const groups = JSON.parse(hook.groups) as string[];
  return {
    organizationName: scope.organizationName,
    ...(scope.projectName !== undefined && { projectName: scope.projectName }),
    ...(scope.stackName !== undefined && { stackName: scope.stackName }),
    ...(scope.envName !== undefined && { envName: scope.envName }),
    name: hook.name,
    displayName: hook.display_name,
    payloadUrl: hook.payload_url,
    active: hook.active === 1,
    format: hook.format,
    ...(filters.length > 0 && { filters }),
    ...(groups.length > 0 && { groups }),
    hasSecret: hook.secret_digest !== '',
    secretCiphertext: hook.secret_digest,
  };
}

function deliveryToWire(row: Omit<store.DeliveryRow, 'id'>) {
  return {
    id: row.event_id,
    kind: row.kind,
    payload: row.payload,
    timestamp: Math.floor(Number(row.sent_at) / 1000),
    duration: row.duration_ms,
    requestUrl: row.request_url,
    requestHeaders: row.request_headers,
    responseCode: row.response_code,
    responseHeaders: row.response_headers,
    responseBody: row.response_body,
  };
}
