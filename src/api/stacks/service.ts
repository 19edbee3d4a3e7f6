import type { Caller } from '../../auth/caller.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import { requireOrganization, requireStack, stackVisibility, StackPermission, type StackAction } from '../../auth/permissions.js';
import { recordAudit, type AuditActor, type AuditEntry } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { decodeNameTripleToken, encodeContinuationToken } from '../../http/pagination.js';
import { findOrganizationByName, type OrganizationRow } from '../orgs/store.js';
import { appendCheckpoint } from '../state/checkpoints.js';
import { stackRemoved, stackStateSettled } from '../state/settled.js';
import { inspectUntypedDeployment, rewriteStackIdentity, type StackIdentity } from '../state/deployment.js';
import { findStackVersion } from '../state/store.js';
import { addStackVersion, loadStackVersion } from '../state/versions.js';
import { deleteStackBlobs } from '../../jobs/handlers.js';
import { enqueueJob } from '../../jobs/runner.js';
import type { WebhookService } from '../webhooks/service.js';
import { stackEvent } from '../webhooks/stack-events.js';
import { moveStackWebhooks } from '../webhooks/store.js';
import { assertNoRunningUpdate } from '../updates/guard.js';
import { findRunningUpdate } from '../updates/store.js';
import { stackLabel, validateProjectName, validateStackName, validateTag, type StackRef } from './names.js';
import { leaveGroups, renameViolationUrns } from '../policy/store.js';
import { deleteStackPermissionsOfStack, findTeamByName, upsertTeamStackPermission } from '../teams/store.js';
import { storedStackConfig, validateStackConfig, type StackConfig } from './settings.js';
import * as store from './store.js';
import type { EnvironmentService } from '../environments/service.js';
import { parseEnvironmentReference } from '../environments/names.js';
import { findEnvironment } from '../environments/store.js';

export { stackLabel, type StackRef } from './names.js';

export interface CreateStackInput {
  stackName: string;
  tags?: Record<string, string> | null;
  teams?: string[] | null;
  state?: unknown;
  config?: StackConfig | null;
}

export interface StackView {
  id: string;
  orgName: string;
  projectName: string;
  stackName: string;
  currentOperation?: { kind: string; author: string; started: number };
  activeUpdate: string;
  tags: Record<string, string>;
  version: number;
  /** Present when an ESC environment holds the stack's configuration: the CLI reads it from there. */
  config?: StackConfig;
}

export interface StackSummaryView {
  id: string;
  orgName: string;
  projectName: string;
  stackName: string;
  lastUpdate?: number;
  resourceCount?: number;
  /** `self`: where the stack is read over this API (there is no console to link to). */
  links: { self: string };
}

export interface ListStacksQuery {
  organization?: string;
  project?: string;
  tagName?: string;
  tagValue?: string;
  continuationToken?: string;
  maxResults?: number;
}

/** The tag that names a stack's project; it follows the project and cannot be set to another one. */
const projectTag = 'pulumi:project';
const defaultPageSize = 100;

/** What teams named at creation may do with the new stack. */
const createdForTeamPermission = StackPermission.edit;

export class StackService {
  constructor(
    private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; blobs: BlobStore; jobs: { wake(): void }; publicUrl: string; environments: EnvironmentService; webhooks: WebhookService },
  ) {}

  /** The stack, if the caller may `action` it (src/auth/permissions.ts); 404 or 403 otherwise. */
  async resolve(db: Executor, caller: Caller, ref: StackRef, action: StackAction): Promise<store.StackRecord> {
    return requireStack(db, caller, ref, action);
  }

  /** Records an audit event about a stack in its organization, in the change's transaction. */
  async audit(tx: Executor, caller: AuditActor, stack: store.StackRecord, event: AuditEntry['event'], description: string): Promise<void> {
    await recordAudit(tx, this.deps.clock, caller, { organizationId: stack.organization_id, event, description });
  }

  /** The stack by its names alone, for calls whose credential is an update's lease, not a user. */
  async resolveByName(db: Executor, ref: StackRef): Promise<store.StackRecord> {
    const org = await findOrganizationByName(db, ref.organization);
    const stack = org && (await store.findStack(db, org.id, ref.project, ref.stack));
    if (!stack) throw new ApiError('not_found', `stack '${stackLabel(ref)}' not found`);
    return stack;
  }

  async create(caller: Caller, organization: string, project: string, input: CreateStackInput): Promise<void> {
    validateProjectName(project);
    validateStackName(input.stackName);
    const tags = input.tags ?? {};
    for (const [name, value] of Object.entries(tags)) validateTag(name, value);
    if (tags[projectTag] !== undefined && tags[projectTag] !== project) {
      throw new ApiError('bad_request', `tag '${projectTag}' must name the stack's project '${project}'`);
    }
    const config = input.config ? validateStackConfig(input.config) : undefined;
    const initialState = input.state === undefined || input.state === null ? undefined : input.state;
    const stateSummary = initialState === undefined ? undefined : inspectUntypedDeployment(initialState);

    const ref = { organization, project, stack: input.stackName };
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, organization, 'member');
      const teams = [];
      for (const name of input.teams ?? []) {
        const team = await findTeamByName(tx, org.id, name);
        if (!team) throw new ApiError('bad_request', `team '${name}' not found in organization '${organization}'`);
        teams.push(team);
      }
      const projectRow = await this.findOrCreateProject(tx, org, project);
      if (await store.findStack(tx, org.id, project, input.stackName)) {
        throw new ApiError('conflict', `stack '${stackLabel(ref)}' already exists`);
      }
      const now = this.deps.clock.now();
      const stackId = this.deps.ids.next();
      await store.insertStack(tx, {
        id: stackId,
        project_id: projectRow.id,
        name: input.stackName,
        version: 0,
        active_update_id: '',
        created_at: now,
        created_by_user_id: caller.user.id,
      });
      // A team token's stack belongs to its team; teams named in the request may edit it.
      if (caller.principal.kind === 'team') await upsertTeamStackPermission(tx, caller.principal.teamId, stackId, StackPermission.admin);
      for (const team of teams) await upsertTeamStackPermission(tx, team.id, stackId, createdForTeamPermission);
      await store.upsertTags(tx, stackId, tags);
      if (config) {
        await store.upsertStackSettings(tx, { stack_id: stackId, notify_update_failure: 0, notify_update_success: 0, config: JSON.stringify(config) });
        // `stack init --remote-config` tells the user it created the environment: it is made here, empty.
        const env = parseEnvironmentReference(config.environment);
        if (!(await findEnvironment(tx, org.id, env.project, env.name))) await this.deps.environments.createIn(tx, caller, org, env.project, env.name, '');
      }
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'stack-created',
        description: `Created stack "${project}/${input.stackName}"`,
      });
      const names = { organization: org.name, project, stack: input.stackName };
      await this.deps.webhooks.fire(tx, { organizationId: org.id, stackId, actor: caller.user, ...stackEvent(this.deps.publicUrl, names, 'created', caller.user.login) });
      if (stateSummary) {
        // An initial state is the stack's version 0: readable by export, not an update of its own.
        const deployment = Buffer.from(JSON.stringify(initialState));
        await addStackVersion(tx, this.deps.blobs, { stack_id: stackId, version: 0, deployment, resource_count: stateSummary.resourceCount, created_at: now });
        await stackStateSettled(tx, { id: stackId, organizationId: org.id, project, stack: input.stackName }, { deployment, resourceCount: stateSummary.resourceCount }, now);
      }
    });
  }

  async projectExists(caller: Caller, organization: string, project: string): Promise<boolean> {
    const org = await requireOrganization(this.deps.db, caller, organization, 'member');
    return (await store.findProject(this.deps.db, org.id, project)) !== undefined;
  }

  async get(caller: Caller, ref: StackRef): Promise<StackView> {
    const db = this.deps.db;
    const stack = await this.resolve(db, caller, ref, 'read');
    const running = await findRunningUpdate(db, stack.id);
    const config = storedStackConfig(await store.findStackSettings(db, stack.id));
    return {
      id: stack.id,
      orgName: stack.organization_name,
      projectName: stack.project_name,
      stackName: stack.name,
      ...(running && {
        currentOperation: {
          kind: running.kind,
          author: running.author_login,
          started: Math.floor((running.started_at ?? running.created_at) / 1000),
        },
      }),
      activeUpdate: stack.active_update_id,
      tags: await store.listTags(db, stack.id),
      version: stack.version,
      ...(config && { config }),
    };
  }

  async remove(caller: Caller, ref: StackRef, force: boolean): Promise<void> {
    await transaction(this.deps.db, async (tx) => this.removeStack(tx, caller, await this.resolve(tx, caller, ref, 'admin'), force));
    this.deps.jobs.wake();
  }

  /**
   * Deletes a stack whose deletion is already allowed: by `remove`, or by a destroy deployment
   * asked to delete its stack after (TTL schedules), in the name of who asked for it.
   */
  async removeStack(tx: Executor, actor: AuditActor, stack: store.StackRecord, force: boolean): Promise<void> {
    await assertNoRunningUpdate(tx, stack.id);
    const latest = await findStackVersion(tx, stack.id);
    if (!force && latest && latest.resource_count > 0) {
      // The CLI matches this exact message to suggest --force.
      throw new ApiError('bad_request', 'Stack still contains resources.');
    }
    await stackRemoved(tx, { id: stack.id, organizationId: stack.organization_id }, this.deps.clock.now());
    await store.deleteStack(tx, stack.id);
    await this.audit(tx, actor, stack, 'stack-deleted', `Deleted stack "${stack.project_name}/${stack.name}"`);
    const names = { organization: stack.organization_name, project: stack.project_name, stack: stack.name };
    await this.deps.webhooks.fire(tx, { organizationId: stack.organization_id, actor: actor.user, ...stackEvent(this.deps.publicUrl, names, 'deleted', actor.user.login) });
    // Its states' bytes go in the background: a bucket may hold thousands of them.
    await enqueueJob(tx, this.deps.clock, deleteStackBlobs, { stackId: stack.id });
  }

  async list(caller: Caller, query: ListStacksQuery): Promise<{ stacks: StackSummaryView[]; continuationToken?: string }> {
    if (query.tagValue !== undefined && query.tagName === undefined) {
      throw new ApiError('bad_request', 'tagValue needs tagName');
    }
    const pageSize = query.maxResults ?? defaultPageSize;
    const after = query.continuationToken === undefined ? undefined : decodeNameTripleToken(query.continuationToken);
    const rows = await store.listStacks(this.deps.db, {
      visibility: await stackVisibility(this.deps.db, caller),
      organization: query.organization,
      project: query.project,
      tagName: query.tagName,
      tagValue: query.tagValue,
      after,
      limit: pageSize + 1,
    });
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      stacks: page.map((r) => ({
        id: r.id,
        orgName: r.organization_name,
        projectName: r.project_name,
        stackName: r.stack_name,
        ...(r.last_update !== null && { lastUpdate: Math.floor(r.last_update / 1000) }),
        resourceCount: r.resource_count ?? 0,
        links: { self: `${this.deps.publicUrl}/api/stacks/${[r.organization_name, r.project_name, r.stack_name].map(encodeURIComponent).join('/')}` },
      })),
      ...(rows.length > pageSize &&
        last && {
          continuationToken: encodeContinuationToken([last.organization_name, last.project_name, last.stack_name]),
        }),
    };
  }

  async addTag(caller: Caller, ref: StackRef, name: string, value: string): Promise<void> {
    validateTag(name, value);
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.resolve(tx, caller, ref, 'edit');
      const tags = await store.listTags(tx, stack.id);
      if (tags[name] !== undefined) throw new ApiError('bad_request', `tag '${name}' already exists on stack '${stackLabel(ref)}'`);
      this.checkProjectTag(stack, name, value);
      await store.upsertTags(tx, stack.id, { [name]: value });
      await this.audit(tx, caller, stack, 'stack-tag-created', `Set tag "${name}" on stack "${stack.project_name}/${stack.name}"`);
    });
  }

  /** `PATCH .../tags/{tagName}`: renames and/or revalues one existing tag. */
  async updateTag(caller: Caller, ref: StackRef, tagName: string, name: string, value: string): Promise<void> {
    validateTag(name, value);
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.resolve(tx, caller, ref, 'edit');
      const tags = await store.listTags(tx, stack.id);
      if (tags[tagName] === undefined) throw new ApiError('not_found', `tag '${tagName}' not found on stack '${stackLabel(ref)}'`);
      if (name !== tagName && tags[name] !== undefined) {
        throw new ApiError('bad_request', `tag '${name}' already exists on stack '${stackLabel(ref)}'`);
      }
      this.checkProjectTag(stack, name, value);
      await store.deleteTag(tx, stack.id, tagName);
      await store.upsertTags(tx, stack.id, { [name]: value });
      await this.audit(tx, caller, stack, 'stack-tag-updated', `Changed tag "${tagName}" of stack "${stack.project_name}/${stack.name}"`);
    });
  }

  async removeTag(caller: Caller, ref: StackRef, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.resolve(tx, caller, ref, 'edit');
      if (!(await store.deleteTag(tx, stack.id, name))) {
        throw new ApiError('not_found', `tag '${name}' not found on stack '${stackLabel(ref)}'`);
      }
      await this.audit(tx, caller, stack, 'stack-tag-deleted', `Removed tag "${name}" from stack "${stack.project_name}/${stack.name}"`);
    });
  }

  /** The whole-set update `pulumi stack tag set/rm` sends: the body becomes the stack's tags. */
  async replaceTags(caller: Caller, ref: StackRef, tags: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(tags)) validateTag(name, value);
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.resolve(tx, caller, ref, 'edit');
      await this.setAllTags(tx, stack, tags);
      await this.audit(tx, caller, stack, 'stack-tag-updated', `Replaced the tags of stack "${stack.project_name}/${stack.name}"`);
    });
  }

  async rename(caller: Caller, ref: StackRef, newName: string, newProject: string): Promise<{ updateId: string }> {
    const target = { organization: ref.organization, project: newProject || ref.project, stack: newName || ref.stack };
    validateProjectName(target.project);
    validateStackName(target.stack);
    return transaction(this.deps.db, async (tx) => {
      const stack = await this.resolve(tx, caller, ref, 'admin');
      if (target.project === stack.project_name && target.stack === stack.name) {
        throw new ApiError('bad_request', 'no rename to apply: the new name and project are the current ones');
      }
      await assertNoRunningUpdate(tx, stack.id);
      const org = await requireOrganization(tx, caller, ref.organization, 'member');
      const moved = await this.moveStack(tx, caller, stack, org, target);
      await this.audit(tx, caller, stack, 'stack-renamed', `Renamed stack "${stack.project_name}/${stack.name}" to "${target.project}/${target.stack}"`);
      return moved;
    });
  }

  async transfer(caller: Caller, ref: StackRef, toOrg: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      // Moving a stack out of an organization needs admin on it; the receiving side needs a member.
      const stack = await this.resolve(tx, caller, ref, 'admin');
      const destination = await requireOrganization(tx, caller, toOrg, 'member');
      if (destination.id === stack.organization_id) {
        throw new ApiError('bad_request', `stack '${stackLabel(ref)}' is already in organization '${toOrg}'`);
      }
      await assertNoRunningUpdate(tx, stack.id);
      await this.moveStack(tx, caller, stack, destination, { organization: toOrg, project: stack.project_name, stack: stack.name });
      // Grants of the old organization's teams do not follow the stack into another organization.
      await deleteStackPermissionsOfStack(tx, stack.id);
      // Its own webhooks go with it; the old organization's hooks no longer hear of it.
      await moveStackWebhooks(tx, stack.id, destination.id);
      // It leaves the old organization's policy groups and is in the new one's default group.
      await leaveGroups(tx, stack.id);
      await this.audit(tx, caller, stack, 'stack-transferred-to-organization', `Transferred stack "${stack.project_name}/${stack.name}" to organization "${toOrg}"`);
    });
  }

  /** Gives a stack a new address and rewrites its newest checkpoint to match. */
  private async moveStack(
    tx: Executor,
    caller: Caller,
    stack: store.StackRecord,
    org: OrganizationRow,
    target: StackIdentity,
  ): Promise<{ updateId: string }> {
    if (await store.findStack(tx, org.id, target.project, target.stack)) {
      throw new ApiError('conflict', `stack '${target.organization}/${target.project}/${target.stack}' already exists`);
    }
    const projectRow = await this.findOrCreateProject(tx, org, target.project);
    await store.updateStack(tx, stack.id, { name: target.stack, project_id: projectRow.id });
    const tags = await store.listTags(tx, stack.id);
    if (tags[projectTag] !== undefined) await store.upsertTags(tx, stack.id, { [projectTag]: target.project });

    const latest = await loadStackVersion(tx, this.deps.blobs, stack.id);
    const from = { organization: stack.organization_name, project: stack.project_name, stack: stack.name };
    const checkpoint = latest && {
      deployment: rewriteStackIdentity(latest.deployment, from, target),
      resourceCount: latest.resource_count,
    };
    await renameViolationUrns(tx, stack.id, `urn:pulumi:${from.stack}::${from.project}::`, `urn:pulumi:${target.stack}::${target.project}::`);
    const appended = await appendCheckpoint(tx, this.deps, caller, stack, 'rename', checkpoint);
    const settled = { id: stack.id, organizationId: org.id, project: target.project, stack: target.stack };
    await stackStateSettled(tx, settled, checkpoint, this.deps.clock.now());
    return appended;
  }

  private async findOrCreateProject(tx: Executor, org: OrganizationRow, name: string): Promise<store.ProjectRow> {
    const existing = await store.findProject(tx, org.id, name);
    if (existing) return existing;
    const project = { id: this.deps.ids.next(), organization_id: org.id, name, created_at: this.deps.clock.now() };
    await store.insertProject(tx, project);
    return project;
  }

  /**
   * Makes `tags` (their names and values already validated) the stack's whole set, under the same
   * rules wherever they come from: `PATCH tags`, or the tags an update brings when it starts.
   */
  async setAllTags(tx: Executor, stack: store.StackRecord, tags: Record<string, string>): Promise<void> {
    const projectValue = Object.hasOwn(tags, projectTag) ? tags[projectTag] : undefined;
    if (projectValue !== undefined) this.checkProjectTag(stack, projectTag, projectValue);
    await store.deleteAllTags(tx, stack.id);
    await store.upsertTags(tx, stack.id, tags);
  }

  private checkProjectTag(stack: store.StackRecord, name: string, value: string): void {
    if (name === projectTag && value !== stack.project_name) {
      throw new ApiError('bad_request', `tag '${projectTag}' must name the stack's project '${stack.project_name}'`);
    }
  }
}
