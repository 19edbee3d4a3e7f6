import type { AuditActor } from '../../audit/record.js';
import { recordAudit } from '../../audit/record.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { UpdateKind } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { findMembership, findOrganizationByName, type OrganizationRow } from '../../api/orgs/store.js';
import type { SecretsService } from '../../api/secrets/service.js';
import { validateProjectName, validateStackName, validateTag } from '../../api/stacks/names.js';
import { findProject, findStack, insertProject, insertStack, updateStack, upsertTags } from '../../api/stacks/store.js';
import { addStackVersion } from '../../api/state/versions.js';
import { stackStateSettled } from '../../api/state/settled.js';
import { insertUpdate } from '../../api/updates/store.js';
import { findUserByLogin, type UserRow } from '../../api/user/store.js';
import { listDiyStacks, readDiyStack, type DiyStack, type DiyStackFile, type HistoryRecord, type ImportedDeployment, type LayoutVersion } from './diy.js';
import { PassphraseError, type PassphraseCrypter } from './passphrase.js';
import { PassphraseKeys, passphraseState, reencryptConfig, reencryptDeployment } from './reencrypt.js';
import type { BackendSource } from './source.js';

export interface ImportBackendOptions {
  /** The organization the stacks are created in; it must exist. */
  organization: string;
  /** Who the stacks and their updates are recorded as made by; a member of the organization. */
  author: string;
  /** The project of stacks in the layout without projects whose states name none. */
  legacyProject?: string;
  /** When given, passphrase-protected secrets are re-encrypted as service secrets. */
  passphrase?: string;
}

export type StackOutcome =
  | { stack: string; status: 'imported'; versions: number; secrets: number }
  | { stack: string; status: 'skipped'; reason: string }
  | { stack: string; status: 'failed'; reason: string };

export interface ImportSummary {
  imported: number;
  skipped: number;
  failed: number;
  /** Versions (updates of history) created in the imported stacks. */
  versions: number;
  outcomes: StackOutcome[];
}

export interface ImportProgress {
  start(total: number): void;
  stack(outcome: StackOutcome): void;
}

/** One version to create: an update of the history, or the state the stack had when imported. */
interface PlannedVersion {
  record: HistoryRecord;
  deployment?: ImportedDeployment;
}

const alreadyExists = 'it already exists in the organization';

/**
 * `stackyard admin import-backend`: creates every stack of a DIY backend, with its history, in an
 * organization. Each stack is written in one transaction, so a failure leaves none of it; a stack
 * that exists already is skipped, so a second run imports only what the first did not.
 */
export class BackendImportService {
  constructor(
    private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; blobs: BlobStore; secrets: SecretsService; publicUrl: string },
  ) {}

  async importBackend(source: BackendSource, options: ImportBackendOptions, progress: ImportProgress): Promise<ImportSummary> {
    const db = this.deps.db;
    const org = await findOrganizationByName(db, options.organization);
    if (!org) {
      throw new ApiError('not_found', `organization '${options.organization}' not found; create it first (stackyard admin create-org ${options.organization})`);
    }
    const author = await findUserByLogin(db, options.author);
    if (!author) throw new ApiError('not_found', `user '${options.author}' not found`);
    if (!(await findMembership(db, org.id, author.id))) {
      throw new ApiError('bad_request', `user '${options.author}' is not a member of organization '${org.name}'; pass --author with one who is`);
    }
    await source.check();
    const listing = await listDiyStacks(source);
    const keys = options.passphrase === undefined ? undefined : new PassphraseKeys(options.passphrase);
    const summary: ImportSummary = { imported: 0, skipped: 0, failed: 0, versions: 0, outcomes: [] };
    progress.start(listing.stacks.length);
    for (const file of listing.stacks) {
      const outcome = await this.importStack(source, listing.layout, file, { org, author, options, keys }).catch(
        // A stack of the layout without projects is named alone until its state is read.
        (error: unknown): StackOutcome => ({ stack: file.project === undefined ? file.name : `${file.project}/${file.name}`, status: 'failed', reason: (error as Error).message }),
      );
      summary.outcomes.push(outcome);
      summary[outcome.status]++;
      if (outcome.status === 'imported') summary.versions += outcome.versions;
      progress.stack(outcome);
    }
    return summary;
  }

  private async importStack(
    source: BackendSource,
    layout: LayoutVersion,
    file: DiyStackFile,
    context: { org: OrganizationRow; author: UserRow; options: ImportBackendOptions; keys?: PassphraseKeys },
  ): Promise<StackOutcome> {
    const { org, author, options, keys } = context;
    // Where the path names the project, an existing stack is skipped before anything is read.
    if (file.project !== undefined && (await findStack(this.deps.db, org.id, file.project, file.name))) {
      return { stack: `${file.project}/${file.name}`, status: 'skipped', reason: alreadyExists };
    }
    const stack = await readDiyStack(source, layout, file, options.legacyProject);
    const label = `${stack.project}/${stack.name}`;
    try {
      validateProjectName(stack.project);
      validateStackName(stack.name);
      for (const [name, value] of Object.entries(stack.tags)) validateTag(name, value);
    } catch (error) {
      return { stack: label, status: 'failed', reason: (error as Error).message };
    }
    if (stack.tags['pulumi:project'] !== undefined && stack.tags['pulumi:project'] !== stack.project) {
      return { stack: label, status: 'failed', reason: `its tag 'pulumi:project' names '${stack.tags['pulumi:project']}', not its project` };
    }
    const crypters = keys ? await this.openPassphraseKeys(stack, keys) : undefined;
    const plan = planVersions(stack, source.description);
    const result = await transaction(this.deps.db, (tx) => this.writeStack(tx, { org, author, stack, plan, crypters, backend: source.description }));
    if (result === 'exists') return { stack: label, status: 'skipped', reason: alreadyExists };
    return { stack: label, status: 'imported', versions: plan.versions.length, secrets: result.secrets };
  }

  /** The crypters of every passphrase state the stack's deployments name, each checked against the passphrase. */
  private async openPassphraseKeys(stack: DiyStack, keys: PassphraseKeys): Promise<Map<string, PassphraseCrypter>> {
    const crypters = new Map<string, PassphraseCrypter>();
    for (const deployment of [stack.current, ...stack.history.map((h) => h.deployment)]) {
      const state = passphraseState(deployment);
      if (state === undefined || crypters.has(state)) continue;
      try {
        crypters.set(state, await keys.open(state));
      } catch (error) {
        if (error instanceof PassphraseError) throw new Error(`its secrets cannot be re-encrypted: ${error.message}`);
        throw error;
      }
    }
    return crypters;
  }

  private async writeStack(
    tx: Executor,
    input: {
      org: OrganizationRow;
      author: UserRow;
      stack: DiyStack;
      plan: ReturnType<typeof planVersions>;
      crypters?: Map<string, PassphraseCrypter>;
      backend: string;
    },
  ): Promise<'exists' | { secrets: number }> {
    const { org, author, stack, plan, crypters, backend } = input;
    if (await findStack(tx, org.id, stack.project, stack.name)) return 'exists';
    const now = this.deps.clock.now();
    let project = await findProject(tx, org.id, stack.project);
    if (!project) {
      project = { id: this.deps.ids.next(), organization_id: org.id, name: stack.project, created_at: now };
      await insertProject(tx, project);
    }
    const stackId = this.deps.ids.next();
    const createdAt = plan.versions[0] ? plan.versions[0].record.startTime * 1000 : stack.modified;
    await insertStack(tx, {
      id: stackId,
      project_id: project.id,
      name: stack.name,
      version: 0,
      active_update_id: '',
      created_at: Math.round(createdAt),
      created_by_user_id: author.id,
    });
    await upsertTags(tx, stackId, stack.tags);

    const label = `${stack.project}/${stack.name}`;
    const seal = crypters && crypters.size > 0 ? await this.deps.secrets.sealerFor(tx, { id: stackId, label: `${org.name}/${label}` }) : undefined;
    const serviceState = { url: this.deps.publicUrl, owner: org.name, project: stack.project, stack: stack.name };
    let secrets = 0;
    const reencrypt = (deployment: ImportedDeployment | undefined) => {
      const state = passphraseState(deployment);
      if (!deployment || !seal || state === undefined) return deployment;
      const rewritten = reencryptDeployment(deployment, crypters!.get(state)!, seal, serviceState);
      secrets += rewritten.secrets;
      return rewritten.deployment;
    };

    // The newest state stored, and when: what the stack's derived data (search, usage) starts from.
    let newest: { bytes: Buffer; resourceCount: number } | undefined;
    let newestAt = Math.round(stack.modified);
    if (plan.initialState) {
      // A stack never updated keeps its state as version 0, as a stack created with a state does.
      const deployment = reencrypt(plan.initialState)!;
      newest = deployment;
      await addStackVersion(tx, this.deps.blobs, {
        stack_id: stackId,
        version: 0,
        deployment: deployment.bytes,
        resource_count: deployment.resourceCount,
        created_at: Math.round(stack.modified),
      });
    }
    let version = 0;
    let updateId = '';
    for (const planned of plan.versions) {
      version++;
      updateId = this.deps.ids.next();
      const { record } = planned;
      const deployment = reencrypt(planned.deployment);
      let config = record.config;
      if (seal && configIsPassphrase(planned.deployment)) {
        const rewritten = reencryptConfig(config, (ciphertext) => decryptWithAny(ciphertext, planned.deployment, crypters!, record.key), seal);
        config = rewritten.config;
        secrets += rewritten.secrets;
      }
      const startedAt = record.startTime * 1000;
      const endedAt = record.endTime * 1000;
      await insertUpdate(tx, {
        id: updateId,
        stack_id: stackId,
        // History may hold `resource-import`, a kind Stackyard's own updates never have; it is shown as recorded.
        kind: record.kind as UpdateKind,
        status: record.result,
        version,
        author_user_id: author.id,
        created_at: startedAt,
        started_at: startedAt,
        ended_at: endedAt,
        message: record.message,
        environment: JSON.stringify(record.environment),
        config: JSON.stringify(config),
        resource_changes: record.resourceChanges ? JSON.stringify(record.resourceChanges) : null,
        resource_count: deployment ? deployment.resourceCount : null,
      });
      if (deployment) {
        newest = deployment;
        newestAt = endedAt;
        await addStackVersion(tx, this.deps.blobs, {
          stack_id: stackId,
          version,
          deployment: deployment.bytes,
          resource_count: deployment.resourceCount,
          created_at: endedAt,
        });
      }
    }
    await updateStack(tx, stackId, { version, active_update_id: updateId });
    await stackStateSettled(tx, { id: stackId, organizationId: org.id, project: stack.project, stack: stack.name }, newest && { deployment: newest.bytes, resourceCount: newest.resourceCount }, newestAt);

    const actor: AuditActor = { user: author, sourceIp: '' };
    await recordAudit(tx, this.deps.clock, actor, { organizationId: org.id, event: 'stack-created', description: `Created stack "${label}"` });
    await recordAudit(tx, this.deps.clock, actor, {
      organizationId: org.id,
      event: 'stack-imported',
      description: `Imported stack "${label}" with ${plan.versions.length} versions of history from the DIY backend ${backend}${seal ? `, its ${secrets} secrets re-encrypted as service secrets` : ''}`,
    });
    return { secrets };
  }
}

/**
 * The versions to create: one per update of the history, oldest first, each with the checkpoint
 * saved with it; then, when the stack's state is not the last one its history saved (a
 * `pulumi stack import` or `pulumi state` command since, which the DIY backend does not record),
 * that state as an `import`. A stack without history keeps its state as version 0.
 */
export function planVersions(stack: DiyStack, backend: string): { versions: PlannedVersion[]; initialState?: ImportedDeployment } {
  const versions: PlannedVersion[] = stack.history.map((record) => ({ record, deployment: record.deployment }));
  if (versions.length === 0) return { versions, initialState: stack.current };
  const lastSaved = [...versions].reverse().find((v) => v.deployment)?.deployment;
  if (stack.current && !(lastSaved && lastSaved.bytes.equals(stack.current.bytes))) {
    const seconds = Math.floor(stack.modified / 1000);
    versions.push({
      record: {
        kind: 'import',
        startTime: seconds,
        endTime: seconds,
        result: 'succeeded',
        message: `The state in ${backend} when it was imported, changed since the last update of its history`,
        environment: {},
        config: {},
        key: backend,
      },
      deployment: stack.current,
    });
  }
  return { versions };
}

/** Whether an update's config was encrypted by the passphrase: its state says so, or it saved none to say otherwise. */
function configIsPassphrase(deployment: ImportedDeployment | undefined): boolean {
  return deployment === undefined || passphraseState(deployment) !== undefined;
}

/** Opens a secure config value with the crypter of the update's own state first, then any other of the stack's. */
function decryptWithAny(ciphertext: string, deployment: ImportedDeployment | undefined, crypters: Map<string, PassphraseCrypter>, where: string): Buffer {
  const own = passphraseState(deployment);
  const ordered = [...(own !== undefined && crypters.has(own) ? [crypters.get(own)!] : []), ...crypters.values()];
  for (const crypter of ordered) {
    try {
      return crypter.decrypt(ciphertext);
    } catch (error) {
      if (!(error instanceof PassphraseError)) throw error;
    }
  }
  throw new Error(`${where}: a secure config value does not decrypt with the passphrase`);
}
