import type { Caller } from '../../auth/caller.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { AuditService } from '../auditlogs/service.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { assertNoRunningUpdate } from '../updates/guard.js';
import type { StateMaterializer } from '../updates/materialize.js';
import { findUnmaterializedUpdate } from '../updates/store.js';
import { stackLabel, type StackRef, type StackService } from '../stacks/service.js';
import { appendCheckpoint } from './checkpoints.js';
import { settledStackOf, stackStateSettled } from './settled.js';
import { containsSecret, emptyDeployment, inspectUntypedDeployment } from './deployment.js';
import { presentResources, type StackResourcesView } from './resources.js';
import { findStackVersion } from './store.js';
import { loadStackVersion, loadStoredState } from './versions.js';

export class StateService {
  constructor(
    private readonly deps: {
      db: Executor;
      clock: Clock;
      ids: IdGenerator;
      blobs: BlobStore;
      stacks: StackService;
      materializer: StateMaterializer;
      audit: Pick<AuditService, 'recordRead'>;
    },
  ) {}

  /** The bytes of the newest checkpoint, or of `version`, exactly as they were stored. */
  /** The state as stored: gzip-compressed (or, stored before compression at rest, its text). */
  async export(caller: Caller, ref: StackRef, version?: number): Promise<Buffer> {
    const stack = await this.readableStack(caller, ref);
    const stored = await loadStoredState(this.deps.db, this.deps.blobs, stack.id, version);
    if (!stored && version !== undefined) throw new ApiError('not_found', `stack '${stackLabel(ref)}' has no version ${version}`);
    this.deps.audit.recordRead(caller, {
      organizationId: stack.organization_id,
      event: 'stack-exported',
      description: `Exported stack "${stack.project_name}/${stack.name}"${version === undefined ? '' : ` at version ${version}`}`,
    });
    return stored ?? emptyDeployment(stack.created_at);
  }

  /** Replaces the stack's state with the client's deployment; `raw` is stored byte for byte. */
  async import(caller: Caller, ref: StackRef, raw: Buffer, parsed: unknown): Promise<{ updateId: string }> {
    const summary = inspectUntypedDeployment(parsed);
    return transaction(this.deps.db, async (tx) => {
      const stack = await this.deps.stacks.resolve(tx, caller, ref, 'edit');
      const provider = summary.secretsProvider;
      if (provider?.type === 'service' && containsSecret(parsed)) {
        const owner = provider.state?.['owner'];
        const project = provider.state?.['project'];
        const name = provider.state?.['stack'];
        if (owner !== stack.organization_name || project !== stack.project_name || name !== stack.name) {
          throw new ApiError('bad_request', 'cannot import deployment with encrypted secrets from a different stack');
        }
      }
      await assertNoRunningUpdate(tx, stack.id);
      const { updateId } = await appendCheckpoint(tx, this.deps, caller, stack, 'import', {
        deployment: raw,
        resourceCount: summary.resourceCount,
      });
      await stackStateSettled(tx, settledStackOf(stack), { deployment: raw, resourceCount: summary.resourceCount }, this.deps.clock.now());
      await this.deps.stacks.audit(tx, caller, stack, 'stack-imported', `Imported a checkpoint into stack "${stack.project_name}/${stack.name}"`);
      return { updateId };
    });
  }

  async resourceCount(caller: Caller, ref: StackRef): Promise<{ resourceCount: number; version: number }> {
    const stack = await this.readableStack(caller, ref);
    const row = await findStackVersion(this.deps.db, stack.id);
    return { resourceCount: row?.resource_count ?? 0, version: stack.version };
  }

  async resources(caller: Caller, ref: StackRef, version?: number): Promise<StackResourcesView> {
    const stack = await this.readableStack(caller, ref);
    const row = await loadStackVersion(this.deps.db, this.deps.blobs, stack.id, version);
    if (!row && version !== undefined) throw new ApiError('not_found', `stack '${stackLabel(ref)}' has no version ${version}`);
    return presentResources(row?.deployment, version ?? stack.version);
  }

  /** `resources/{version}/{urn}` and `resources/latest/{urn}`: one resource of a version. */
  async resource(caller: Caller, ref: StackRef, urn: string, version?: number) {
    const { resources, region, version: found } = await this.resources(caller, ref, version);
    const match = resources.find((r) => r.resource.urn === urn);
    if (!match) throw new ApiError('not_found', `resource '${urn}' not found in version ${found} of stack '${stackLabel(ref)}'`);
    // `resource` is a ResourceInfo, `{resource: …}`, as each element of the version's list is.
    return { region, resource: match, version: found };
  }

  /** The stack, with what a running update sent apart from its state folded in first, so reads see it. */
  private async readableStack(caller: Caller, ref: StackRef) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    if (await findUnmaterializedUpdate(this.deps.db, stack.id)) {
      await transaction(this.deps.db, async (tx) => {
        const update = await findUnmaterializedUpdate(tx, stack.id);
        if (update) await this.deps.materializer.materialize(tx, update);
      });
    }
    return stack;
  }
}
