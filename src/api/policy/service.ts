import { recordAudit, type AuditEntry } from '../../audit/record.js';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization, requireStack } from '../../auth/permissions.js';
import type { SignedQuery, UrlSigner } from '../../auth/signed-urls.js';
import { policyPackKey, type BlobStore } from '../../blobs/blob-store.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { deletePolicyPackBlobs } from '../../jobs/handlers.js';
import { enqueueJob, type JobRunner } from '../../jobs/runner.js';
import type { OrganizationRow } from '../orgs/store.js';
import type { StackRef } from '../stacks/names.js';
import { findStack, type StackRecord } from '../stacks/store.js';
import { configSchemas, DefaultPolicyGroup, validateConfig, validateName, validatePolicies, type PublishedPolicy } from './rules.js';
import * as store from './store.js';

/** How long the URL a publish uploads its archive to, and the URL an update downloads a pack from, work. */
const uploadUrlMs = 60 * 60_000;
const downloadUrlMs = 60 * 60_000;
/** Where archives are uploaded and downloaded, by version id; the signed URL is the credential. */
const archivePath = (versionId: string) => `/api/policypacks/archives/${versionId}`;

export interface CreatePolicyPackRequest {
  name: string;
  displayName: string;
  versionTag?: string;
  policies: PublishedPolicy[];
  runtime?: string;
  [field: string]: unknown;
}

/** A pack version as groups name it (`PolicyPackMetadata`). */
export interface PolicyPackMetadata {
  name: string;
  displayName?: string;
  version?: number;
  versionTag?: string;
  config?: Record<string, unknown> | null;
  environments?: string[] | null;
}

export interface StackReference {
  name: string;
  routingProject: string;
}

export interface UpdatePolicyGroupRequest {
  newName?: string;
  addStack?: StackReference;
  removeStack?: StackReference;
  addPolicyPack?: PolicyPackMetadata;
  removePolicyPack?: PolicyPackMetadata;
  stacks?: StackReference[] | null;
  policyPacks?: PolicyPackMetadata[] | null;
  addInsightsAccount?: unknown;
  removeInsightsAccount?: unknown;
  insightsAccounts?: string[] | null;
  agentPoolId?: string;
  stackMatchRule?: unknown;
  accountMatchRule?: unknown;
  /** Accepted: with no rules, there is nothing to remove. */
  removeStackMatchRule?: boolean;
  removeAccountMatchRule?: boolean;
}

/** Groups here hold the stacks added to them; stacks joining by their tags is not implemented, and said so. */
function refuseMatchRules(request: { stackMatchRule?: unknown; accountMatchRule?: unknown }): void {
  if ((request.stackMatchRule ?? null) !== null || (request.accountMatchRule ?? null) !== null) {
    throw new ApiError('bad_request', 'match rules (stacks joining a policy group by their tags) are not supported by this server; add stacks to the group by name');
  }
}

/** What an update is told to run (`RequiredPolicy`). */
export interface RequiredPolicy {
  name: string;
  version: number;
  versionTag: string;
  displayName: string;
  packLocation: string;
  config?: Record<string, unknown>;
  environments?: string[];
}

const stackLabel = (ref: StackReference) => `"${ref.routingProject}/${ref.name}"`;

const parseJson = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

export class PolicyService {
  constructor(
    private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; blobs: BlobStore; jobs: JobRunner; signer: UrlSigner },
  ) {}

  // Packs.

  /** `pulumi policy publish`, first step: a new, incomplete version and the URL its archive goes to. */
  async createPack(caller: Caller, orgName: string, input: CreatePolicyPackRequest) {
    validateName('policy pack name', input.name);
    const versionTag = input.versionTag ?? '';
    if (versionTag !== '') validateName('version tag', versionTag);
    validatePolicies(input.policies);
    const { name, displayName, versionTag: _, policies, runtime = '', ...details } = input;
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'publishing a policy pack');
      const now = this.deps.clock.now();
      const pack = await store.findOrInsertPack(tx, { id: this.deps.ids.next(), organization_id: org.id, name, created_at: now });
      const versions = await store.listVersions(tx, pack.id, { incomplete: true });
      const published = versions.find((v) => v.complete === 1);
      if (published && published.runtime !== '' && runtime !== '' && published.runtime !== runtime) {
        throw new ApiError('bad_request', `policy pack '${name}' is published for runtime '${published.runtime}'; a version for runtime '${runtime}' is refused`);
      }
      const sameTag = versions.find((v) => versionTag !== '' && v.version_tag === versionTag);
      if (sameTag?.complete === 1) throw new ApiError('conflict', `policy pack '${name}' version '${versionTag}' is already published; a version tag is never published twice`);
      // An unfinished publish of the same tag is replaced by this one.
      if (sameTag) await this.dropVersions(tx, [sameTag.id]);
      const version = await store.nextVersionNumber(tx, pack.id);
      const id = this.deps.ids.next();
      await store.insertVersion(tx, {
        id,
        pack_id: pack.id,
        version,
        // Packs of SDKs too old to send a tag are addressed by number, as the CLI does.
        version_tag: versionTag === '' ? String(version) : versionTag,
        display_name: displayName,
        runtime,
        policies: JSON.stringify(policies),
        details: JSON.stringify(details),
        blob_key: null,
        complete: 0,
        created_at: now,
      });
      return { version, uploadURI: this.deps.signer.sign('PUT', archivePath(id), uploadUrlMs), requiredHeaders: {} };
    });
  }

  /** The archive's bytes, sent to the signed URL `createPack` gave. */
  async uploadArchive(versionId: string, signed: SignedQuery, bytes: Buffer): Promise<void> {
    this.deps.signer.verify('PUT', archivePath(versionId), signed);
    if (bytes.length === 0) throw new ApiError('bad_request', 'the request has no body: send the policy pack archive (.tgz)');
    if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      throw new ApiError('bad_request', 'a policy pack archive is a gzip-compressed tar file (.tgz); these bytes are not gzip');
    }
    await transaction(this.deps.db, async (tx) => {
      const version = await store.findVersionById(tx, versionId);
      if (!version) throw new ApiError('not_found', 'this policy pack version no longer exists');
      if (version.complete === 1) throw new ApiError('conflict', `policy pack '${version.pack_name}' version '${version.version_tag}' is complete; its archive cannot change`);
      const key = policyPackKey(versionId, bytes);
      await this.deps.blobs.put(tx, key, bytes);
      await store.changeVersion(tx, versionId, { blob_key: key });
    });
  }

  /** The archive of a complete version, for the signed URL an update was given. */
  async downloadArchive(versionId: string, signed: SignedQuery): Promise<Buffer> {
    this.deps.signer.verify('GET', archivePath(versionId), signed);
    const version = await store.findVersionById(this.deps.db, versionId);
    if (!version || version.complete !== 1 || version.blob_key === null) throw new ApiError('not_found', 'this policy pack version does not exist');
    const bytes = await this.deps.blobs.get(this.deps.db, version.blob_key);
    if (!bytes) throw new ApiError('not_found', 'this policy pack version has no archive');
    return bytes;
  }

  async completePack(caller: Caller, orgName: string, name: string, versionRef: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'publishing a policy pack');
      const version = await this.findVersion(tx, org, name, versionRef, { incomplete: true });
      if (version.complete === 1) throw new ApiError('bad_request', 'Policy Pack is already complete');
      if (version.blob_key === null) {
        throw new ApiError('bad_request', `the archive of policy pack '${name}' version '${version.version_tag}' has not been uploaded to its uploadURI`);
      }
      await store.changeVersion(tx, version.id, { complete: 1 });
      // A publish is recorded when it completes: before that, nothing of it is visible or enforceable.
      await this.audit(tx, caller, org, 'policy-pack-created', `Published policy pack "${name}" version "${version.version_tag}"`);
    });
  }

  async listPacks(caller: Caller, orgName: string, name?: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const byName = new Map<string, { name: string; displayName: string; versions: number[]; versionTags: string[] }>();
    for (const row of await store.listCompleteVersions(this.deps.db, org.id, name)) {
      let pack = byName.get(row.name);
      if (!pack) byName.set(row.name, (pack = { name: row.name, displayName: row.display_name, versions: [], versionTags: [] }));
      pack.versions.push(Number(row.version));
      pack.versionTags.push(row.version_tag);
    }
    return { policyPacks: [...byName.values()] };
  }

  async getPack(caller: Caller, orgName: string, name: string, versionRef: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const version = await this.findVersion(this.deps.db, org, name, versionRef);
    const applied = await store.appliedVersionIds(this.deps.db, [version.id]);
    return {
      name,
      displayName: version.display_name,
      version: Number(version.version),
      versionTag: version.version_tag,
      policies: JSON.parse(version.policies) as PublishedPolicy[],
      applied: applied.has(version.id),
    };
  }

  async packSchema(caller: Caller, orgName: string, name: string, versionRef: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const version = await this.findVersion(this.deps.db, org, name, versionRef);
    return { configSchema: configSchemas(JSON.parse(version.policies) as PublishedPolicy[]) };
  }

  /** Deletes every version; refused while a group applies any of them. */
  async deletePack(caller: Caller, orgName: string, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'deleting a policy pack');
      const pack = await store.findPack(tx, org.id, name);
      if (!pack) throw new ApiError('not_found', `policy pack '${name}' not found`);
      const groups = await store.groupsApplying(tx, pack.id);
      if (groups.length > 0) throw new ApiError('bad_request', `Cannot delete an enabled Policy Pack: '${name}' is applied to policy groups ${groups.join(', ')}; disable it there first`);
      await this.dropVersions(tx, (await store.listVersions(tx, pack.id, { incomplete: true })).map((v) => v.id));
      await store.deletePack(tx, pack.id);
      await this.audit(tx, caller, org, 'policy-pack-deleted', `Deleted policy pack "${name}" with all its versions`);
    });
    this.deps.jobs.wake();
  }

  async deleteVersion(caller: Caller, orgName: string, name: string, versionRef: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'deleting a policy pack');
      const version = await this.findVersion(tx, org, name, versionRef, { incomplete: true });
      const groups = await store.groupsApplying(tx, version.pack_id, version.id);
      if (groups.length > 0) {
        throw new ApiError('conflict', `Cannot delete a Policy Pack that is applied to Policy Groups: '${name}' version '${version.version_tag}' is applied to ${groups.join(', ')}`);
      }
      await this.dropVersions(tx, [version.id]);
      await this.audit(tx, caller, org, 'policy-pack-deleted', `Deleted version "${version.version_tag}" of policy pack "${name}"`);
    });
    this.deps.jobs.wake();
  }

  /** Applies the newest version of a pack through the default group. */
  async applyLatest(caller: Caller, orgName: string, name: string): Promise<void> {
    await this.updateGroup(caller, orgName, DefaultPolicyGroup, [{ addPolicyPack: { name } }]);
  }

  private async dropVersions(tx: Executor, ids: string[]): Promise<void> {
    await store.deleteVersions(tx, ids);
    if (ids.length > 0) await enqueueJob(tx, this.deps.clock, deletePolicyPackBlobs, { versionIds: ids });
  }

  /** A version by tag, else by number, or `latest`; an incomplete one is a 400 unless asked for. */
  private async findVersion(db: Executor, org: OrganizationRow, name: string, ref: string, options: { incomplete?: boolean } = {}) {
    const pack = await store.findPack(db, org.id, name);
    const versions = pack ? await store.listVersions(db, pack.id, { incomplete: true }) : [];
    if (versions.length === 0) throw new ApiError('not_found', `policy pack '${name}' not found`);
    const version =
      ref === 'latest'
        ? versions.find((v) => v.complete === 1)
        : (versions.find((v) => v.version_tag === ref) ?? versions.find((v) => String(v.version) === ref));
    if (!version) throw new ApiError('not_found', `policy pack '${name}' has no version '${ref}'`);
    if (version.complete !== 1 && !options.incomplete) throw new ApiError('bad_request', `policy pack '${name}' version '${version.version_tag}' is not complete: its publish has not finished`);
    return version;
  }

  // Groups.

  async listGroups(caller: Caller, orgName: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    await this.defaultGroup(this.deps.db, org.id);
    return { policyGroups: (await store.listGroupSummaries(this.deps.db, org.id)).map(groupSummary) };
  }

  /** How much of the organization's stacks policy protects (`PolicyGroupMetadata`); this server has no cloud accounts. */
  async groupMetadata(caller: Caller, orgName: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    await this.defaultGroup(this.deps.db, org.id);
    const counts = await store.protectionCounts(this.deps.db, org.id);
    return {
      ProtectedStacks: counts.any.stacks,
      ProtectedStackResources: counts.any.resources,
      PreventativeStacks: counts.preventative.stacks,
      PreventativeStackResources: counts.preventative.resources,
      AuditStacks: counts.audit.stacks,
      AuditStackResources: counts.audit.resources,
      TotalStacks: counts.total.stacks,
      TotalStackResources: counts.total.resources,
      ProtectedAccounts: 0,
      ProtectedAccountResources: 0,
      TotalAccounts: 0,
      TotalAccountResources: 0,
    };
  }

  async createGroup(
    caller: Caller,
    orgName: string,
    input: { name: string; entityType?: string; mode?: string; agentPoolId?: string; stackMatchRule?: unknown; accountMatchRule?: unknown },
  ): Promise<void> {
    refuseMatchRules(input);
    const entityType = input.entityType ?? 'stacks';
    validateName('policy group name', input.name);
    if (input.name === 'metadata') throw new ApiError('bad_request', "policy group name 'metadata' is reserved");
    if (entityType === 'accounts') throw new ApiError('bad_request', "entity type 'accounts' (Insights cloud accounts) is not supported by this server; use 'stacks'");
    if (entityType !== 'stacks') throw new ApiError('bad_request', `entity type '${entityType}' is invalid: use 'stacks'`);
    const mode = input.mode ?? 'preventative';
    if (mode !== 'preventative' && mode !== 'audit') throw new ApiError('bad_request', `mode '${mode}' is invalid: use 'preventative' or 'audit'`);
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'managing policy groups');
      await this.defaultGroup(tx, org.id);
      if (await store.findGroup(tx, org.id, input.name)) throw new ApiError('conflict', `policy group '${input.name}' already exists`);
      await store.insertGroup(tx, {
        id: this.deps.ids.next(),
        organization_id: org.id,
        name: input.name,
        is_default: 0,
        entity_type: entityType,
        mode,
        agent_pool_id: input.agentPoolId ?? '',
        created_at: this.deps.clock.now(),
      });
      await this.audit(tx, caller, org, 'policy-group-created', `Created ${mode} policy group "${input.name}"`);
    });
  }

  async getGroup(caller: Caller, orgName: string, name: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const group = await this.findGroup(this.deps.db, org, name);
    const stacks = await store.groupStacks(this.deps.db, group);
    const packs = await store.appliedPacks(this.deps.db, [group.id]);
    return {
      name: group.name,
      isOrgDefault: group.is_default === 1,
      entityType: group.entity_type,
      mode: group.mode,
      stacks: stacks.map((s) => ({ name: s.stack, routingProject: s.project })),
      appliedPolicyPacks: packs.map((p) => ({
        name: p.pack_name,
        displayName: p.display_name,
        version: Number(p.version),
        versionTag: p.version_tag,
        ...(p.config !== null && { config: parseJson<Record<string, unknown>>(p.config) }),
        ...(p.environments !== null && { environments: parseJson<string[]>(p.environments) }),
      })),
      accounts: [],
      ...(group.agent_pool_id !== '' && { agentPoolId: group.agent_pool_id }),
    };
  }

  /**
   * One PATCH (or each of a batch, in order, in one transaction). Within a request the list
   * replacements come first, then single additions and removals, then the rename, so that
   * `pulumi policy group edit`'s lists apply to the group it names.
   */
  async updateGroup(caller: Caller, orgName: string, name: string, changes: UpdatePolicyGroupRequest[]): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'managing policy groups');
      let group = await this.findGroup(tx, org, name);
      const packsBefore = await store.appliedPacks(tx, [group.id]);
      for (const change of changes) group = await this.applyChange(tx, caller, org, group, change);
      await this.auditPackChanges(tx, caller, org, group, packsBefore);
    });
  }

  private async applyChange(tx: Executor, caller: Caller, org: OrganizationRow, group: store.GroupRow, change: UpdatePolicyGroupRequest): Promise<store.GroupRow> {
    refuseMatchRules(change);
    if (change.addInsightsAccount !== undefined || change.removeInsightsAccount !== undefined || (change.insightsAccounts ?? []).length > 0) {
      throw new ApiError('bad_request', 'Insights cloud accounts are not supported by this server; policy groups hold stacks');
    }
    const groupUpdated = (description: string) => this.audit(tx, caller, org, 'policy-group-updated', description);
    if (change.stacks !== undefined && change.stacks !== null) {
      const ids = [];
      for (const ref of change.stacks) ids.push(await this.stackId(tx, org, ref));
      await store.replaceMembers(tx, group, ids);
      const names = change.stacks.map(stackLabel);
      await groupUpdated(`Set the stacks of policy group "${group.name}" to ${names.length === 0 ? 'none' : names.join(', ')}`);
    }
    if (change.policyPacks !== undefined && change.policyPacks !== null) {
      await store.unapplyAllPacks(tx, group.id);
      for (const pack of change.policyPacks) await this.apply(tx, org, group, pack);
    }
    if (change.addStack) {
      await store.setMembership(tx, group, await this.stackId(tx, org, change.addStack), true);
      await groupUpdated(`Added stack ${stackLabel(change.addStack)} to policy group "${group.name}"`);
    }
    if (change.removeStack) {
      await store.setMembership(tx, group, await this.stackId(tx, org, change.removeStack), false);
      await groupUpdated(`Removed stack ${stackLabel(change.removeStack)} from policy group "${group.name}"`);
    }
    if (change.addPolicyPack) await this.apply(tx, org, group, change.addPolicyPack);
    if (change.removePolicyPack) await this.unapply(tx, group, change.removePolicyPack);
    if (change.agentPoolId !== undefined && change.agentPoolId !== group.agent_pool_id) {
      await store.changeGroup(tx, group.id, { agent_pool_id: change.agentPoolId });
      await groupUpdated(`Set the agent pool of policy group "${group.name}" to ${change.agentPoolId === '' ? 'none' : `"${change.agentPoolId}"`}`);
      group = { ...group, agent_pool_id: change.agentPoolId };
    }
    if (change.newName !== undefined && change.newName !== group.name) {
      if (group.is_default === 1) throw new ApiError('bad_request', 'the default Policy Group cannot be renamed');
      validateName('policy group name', change.newName);
      if (change.newName === 'metadata') throw new ApiError('bad_request', "policy group name 'metadata' is reserved");
      if (await store.findGroup(tx, org.id, change.newName)) throw new ApiError('conflict', `policy group '${change.newName}' already exists`);
      await store.changeGroup(tx, group.id, { name: change.newName });
      await groupUpdated(`Renamed policy group "${group.name}" to "${change.newName}"`);
      group = { ...group, name: change.newName };
    }
    return group;
  }

  /**
   * Records what a PATCH did to the group's packs, from the packs it applied before and after:
   * a pack newly enabled, moved to another version or given other config is `policy-pack-enabled`,
   * one no longer applied `policy-pack-disabled`. One rule for single changes and full lists.
   */
  private async auditPackChanges(tx: Executor, caller: Caller, org: OrganizationRow, group: store.GroupRow, before: store.AppliedPackRecord[]): Promise<void> {
    const after = await store.appliedPacks(tx, [group.id]);
    const previous = new Map(before.map((p) => [p.pack_id, p]));
    for (const pack of after) {
      const old = previous.get(pack.pack_id);
      previous.delete(pack.pack_id);
      if (old && old.version_id === pack.version_id && old.config === pack.config && old.environments === pack.environments) continue;
      const what = old && old.version_id === pack.version_id ? 'Changed the configuration of' : 'Enabled';
      await this.audit(tx, caller, org, 'policy-pack-enabled', `${what} policy pack "${pack.pack_name}" version "${pack.version_tag}" in policy group "${group.name}"`);
    }
    for (const pack of previous.values()) {
      await this.audit(tx, caller, org, 'policy-pack-disabled', `Disabled policy pack "${pack.pack_name}" in policy group "${group.name}"`);
    }
  }

  /** Applies a pack version: the one named by tag, else number, else the newest; config checked against it. */
  private async apply(tx: Executor, org: OrganizationRow, group: store.GroupRow, pack: PolicyPackMetadata): Promise<void> {
    const ref = pack.versionTag || (pack.version !== undefined && pack.version > 0 ? String(pack.version) : 'latest');
    const version = await this.findVersion(tx, org, pack.name, ref);
    if (pack.config) validateConfig(pack.name, version.id, JSON.parse(version.policies) as PublishedPolicy[], pack.config);
    await store.applyPack(tx, {
      group_id: group.id,
      pack_id: version.pack_id,
      version_id: version.id,
      config: pack.config ? JSON.stringify(pack.config) : null,
      environments: pack.environments && pack.environments.length > 0 ? JSON.stringify(pack.environments) : null,
      created_at: this.deps.clock.now(),
    });
  }

  /** Disables a pack in the group: any version of it, or the one named. */
  private async unapply(tx: Executor, group: store.GroupRow, pack: PolicyPackMetadata): Promise<void> {
    const applied = (await store.appliedPacks(tx, [group.id])).find((p) => p.pack_name === pack.name);
    if (!applied) throw new ApiError('not_found', `policy pack '${pack.name}' is not enabled in policy group '${group.name}'`);
    const named = pack.versionTag || (pack.version ? String(pack.version) : '');
    if (named !== '' && named !== applied.version_tag && named !== String(applied.version)) {
      throw new ApiError('not_found', `policy group '${group.name}' enables version '${applied.version_tag}' of policy pack '${pack.name}', not '${named}'`);
    }
    await store.unapplyPack(tx, group.id, applied.pack_id);
  }

  async deleteGroup(caller: Caller, orgName: string, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'managing policy groups');
      const group = await this.findGroup(tx, org, name);
      if (group.is_default === 1) throw new ApiError('bad_request', 'Cannot delete the default Policy Group');
      await store.deleteGroup(tx, group.id);
      await this.audit(tx, caller, org, 'policy-group-deleted', `Deleted policy group "${group.name}"`);
    });
  }

  private audit(tx: Executor, caller: Caller, org: OrganizationRow, event: AuditEntry['event'], description: string): Promise<void> {
    return recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event, description });
  }

  private async findGroup(db: Executor, org: OrganizationRow, name: string): Promise<store.GroupRow> {
    const group = name === DefaultPolicyGroup ? await this.defaultGroup(db, org.id) : await store.findGroup(db, org.id, name);
    if (!group) throw new ApiError('not_found', `policy group '${name}' not found`);
    return group;
  }

  private defaultGroup(db: Executor, organizationId: string): Promise<store.GroupRow> {
    return store.defaultGroup(db, {
      id: this.deps.ids.next(),
      organization_id: organizationId,
      name: DefaultPolicyGroup,
      is_default: 1,
      entity_type: 'stacks',
      mode: 'preventative',
      agent_pool_id: '',
      created_at: this.deps.clock.now(),
    });
  }

  private async stackId(db: Executor, org: OrganizationRow, ref: StackReference): Promise<string> {
    const stack = await findStack(db, org.id, ref.routingProject, ref.name);
    if (!stack) throw new ApiError('not_found', `stack '${org.name}/${ref.routingProject}/${ref.name}' not found`);
    return stack.id;
  }

  // A stack's policy.

  async stackGroups(caller: Caller, ref: StackRef) {
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    await this.defaultGroup(this.deps.db, stack.organization_id);
    return { policyGroups: (await store.listGroupSummaries(this.deps.db, stack.organization_id, stack.id)).map(groupSummary) };
  }

  async stackPacks(caller: Caller, ref: StackRef, mode?: string) {
    if (mode !== undefined && mode !== 'audit' && mode !== 'preventative') throw new ApiError('bad_request', `mode '${mode}' is invalid: use 'audit' or 'preventative'`);
    const stack = await requireStack(this.deps.db, caller, ref, 'read');
    return { requiredPolicies: await this.requiredPolicies(this.deps.db, stack, mode) };
  }

  /**
   * The packs the stack's groups apply, for an update to run: each version once (two entries of
   * one version would share the CLI's install folder), a named group's config before the default
   * group's, and a fresh download URL each.
   */
  async requiredPolicies(db: Executor, stack: StackRecord, mode: string | undefined = 'preventative'): Promise<RequiredPolicy[]> {
    const groups = await store.groupsOfStack(db, stack.organization_id, stack.id, mode);
    const applied = (await store.appliedPacks(db, groups)).sort((a, b) => a.group_is_default - b.group_is_default);
    const seen = new Set<string>();
    const required: RequiredPolicy[] = [];
    for (const pack of applied) {
      if (seen.has(pack.version_id)) continue;
      seen.add(pack.version_id);
      required.push({
        name: pack.pack_name,
        version: Number(pack.version),
        versionTag: pack.version_tag,
        displayName: pack.display_name,
        packLocation: this.deps.signer.sign('GET', archivePath(pack.version_id), downloadUrlMs),
        ...(pack.config !== null && { config: parseJson<Record<string, unknown>>(pack.config) }),
        ...(pack.environments !== null && { environments: parseJson<string[]>(pack.environments) }),
      });
    }
    return required.sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
  }
}

function groupSummary(group: Awaited<ReturnType<typeof store.listGroupSummaries>>[number]) {
  return {
    name: group.name,
    isOrgDefault: group.is_default === 1,
    numStacks: group.stack_count,
    numAccounts: 0,
    entityType: group.entity_type,
    mode: group.mode,
    numEnabledPolicyPacks: group.pack_count,
  };
}
