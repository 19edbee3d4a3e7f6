import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashAccessToken } from '../../auth/tokens.js';
import type { Caller } from '../../auth/caller.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import type { UpdateStatus } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import { findUserById } from '../user/store.js';
import { closeViolationsOfGoneResources, recordPolicyEvents } from '../policy/results.js';
import type { PolicyService, RequiredPolicy } from '../policy/service.js';
import type { WebhookService } from '../webhooks/service.js';
import { updateEndedEvent } from '../webhooks/stack-events.js';
import { rawJsonMembers } from '../../http/raw-json.js';
import { validateTag } from '../stacks/names.js';
import { stackLabel, type StackRef, type StackService } from '../stacks/service.js';
import { updateStack, type StackRecord } from '../stacks/store.js';
import { countResources, emptyDeployment, inspectUntypedDeploymentBytes } from '../state/deployment.js';
import { copyStackVersion, setResourceCount } from '../state/store.js';
import { settledStackOf, stackStateSettled } from '../state/settled.js';
import { findStackVersion } from '../state/store.js';
import { loadStackVersion, loadStateBefore, writeStackState } from '../state/versions.js';
import { jsonSyntaxError } from '../../http/json-syntax.js';
import { eventKind, eventUrn, kindsOfTypeFilter } from './events.js';
import { applyDelta, checkDeltaResult, diffText } from './delta.js';
import { checkFullCheckpoint, storedEdits } from './full-checkpoint.js';
import { PieceText } from './piece-text.js';
import { journalRow, JournalKind, UnreplayableError, validateJournalEntry, type JournalEntry } from './journal.js';
import type { StateMaterializer, WorkingCheckpoint } from './materialize.js';
import { layoutOfJson } from './state-layout.js';
import { assertNoRunningUpdate } from './guard.js';
import { serviceUpdate, updateInfo } from './presenter.js';
import * as store from './store.js';
import { linkUpdate as linkDeploymentUpdate } from '../deployments/store.js';

/** The kinds the CLI creates at `POST .../{kind}`; resource import arrives as `update`. */
export const programKinds = ['update', 'preview', 'refresh', 'destroy'] as const;
export type ProgramKind = (typeof programKinds)[number];

export interface UpdateProgramRequest {
  name: string;
  runtime: string;
  main?: string;
  description?: string;
  options: { dryRun?: boolean } & Record<string, unknown>;
  config?: Record<string, unknown>;
  metadata?: { message?: string; environment?: Record<string, string> | null };
}

/** The CLI assumes five minutes and renews at half-life; never grant less. */
const leaseMs = 300_000;
const eventsPageSize = 1000;
type PreviewsQuery = { asc?: boolean; page?: number; pageSize?: number };
const stackLabelOf = (stack: StackRecord) => stackLabel({ organization: stack.organization_name, project: stack.project_name, stack: stack.name });
const finished: UpdateStatus[] = ['succeeded', 'failed', 'cancelled'];

export class UpdateService {
  constructor(
    private readonly deps: {
      db: Executor;
      clock: Clock;
      ids: IdGenerator;
      blobs: BlobStore;
      stacks: StackService;
      materializer: StateMaterializer;
      journaling: boolean;
      webhooks: WebhookService;
      publicUrl: string;
      policy: PolicyService;
    },
  ) {}

  async create(
    caller: Caller,
    ref: StackRef,
    kind: ProgramKind,
    program: UpdateProgramRequest,
    cliVersion = '',
  ): Promise<{ updateID: string; requiredPolicies?: RequiredPolicy[] }> {
    const dryRun = kind === 'preview' || program.options.dryRun === true;
    // Previews read; everything that can change the stack needs edit.
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, dryRun ? 'read' : 'edit');
    const { config = {}, metadata = {}, ...rest } = program;
    const updateID = this.deps.ids.next();
    await transaction(this.deps.db, async (tx) => {
      await store.insertUpdate(tx, {
        id: updateID,
        stack_id: stack.id,
        kind,
        status: 'not started',
        version: 0,
        author_user_id: caller.user.id,
        created_at: this.deps.clock.now(),
        started_at: null,
        ended_at: null,
        dry_run: dryRun ? 1 : 0,
        program: JSON.stringify(rest),
        config: JSON.stringify(config),
        message: metadata.message ?? '',
        environment: JSON.stringify(metadata.environment ?? {}),
        cli_version: cliVersion,
      });
      // An update a deployment's runner makes is one of that deployment's updates.
      if (caller.scope) await linkDeploymentUpdate(tx, caller.scope.deploymentId, updateID);
    });
    // Only previews and updates run policy packs; the CLI ignores them elsewhere.
    const requiredPolicies = kind === 'update' || kind === 'preview' ? await this.deps.policy.requiredPolicies(this.deps.db, stack) : [];
    return { updateID, ...(requiredPolicies.length > 0 && { requiredPolicies }) };
  }

  /** Takes the stack (unless a preview), assigns the version, hands out the lease. */
  async start(
    caller: Caller,
    ref: StackRef,
    updateId: string,
    tags: Record<string, string> | undefined,
    journalVersion = 0,
  ): Promise<{ version: number; token: string; tokenExpiration: number; journalVersion?: number }> {
    for (const [name, value] of Object.entries(tags ?? {})) validateTag(name, value);
    return transaction(this.deps.db, async (tx) => {
      let stack = await this.deps.stacks.resolve(tx, caller, ref, 'read');
      const update = await this.findUpdate(tx, stack, updateId);
      if (update.dry_run === 0) stack = await this.deps.stacks.resolve(tx, caller, ref, 'edit');
      if (update.status !== 'not started') {
        throw new ApiError('conflict', `update '${updateId}' has already been started (status: ${update.status})`);
      }
      const now = this.deps.clock.now();
      let version = stack.version;
      if (update.dry_run === 0) {
        await assertNoRunningUpdate(tx, stack.id);
        version = stack.version + 1;
        // The new version starts as a copy of the last state (or an empty one on a new stack), so
        // every version history reports can be exported; checkpoints overwrite it, and a failed or
        // cancelled update leaves whatever it last wrote, as the engine intends.
        if (!(await copyStackVersion(tx, stack.id, version, now))) {
          await writeStackState(tx, this.deps.blobs, stack.id, version, emptyDeployment(now), now);
        }
        await updateStack(tx, stack.id, { version, active_update_id: update.id });
        if (tags) await this.deps.stacks.setAllTags(tx, stack, tags);
        await this.deps.stacks.audit(tx, caller, stack, 'stack-update-started', `Started ${update.kind} "${update.id}" for stack "${stack.project_name}/${stack.name}"`);
      }
      const token = `${update.id}.${randomBytes(24).toString('base64url')}`;
      const leaseExpiresAt = now + leaseMs;
      // Journal version 1 when the CLI can send it; its version-2 state migrations are not spoken here.
      const journaled = this.deps.journaling && update.dry_run === 0 && journalVersion >= 1;
      await store.changeUpdate(tx, update.id, {
        status: 'running',
        version,
        started_at: now,
        // Leases are credentials like access tokens, and are stored the same way.
        lease_token_hash: hashAccessToken(token),
        lease_expires_at: leaseExpiresAt,
        journal_version: journaled ? 1 : 0,
      });
      return { version, token, tokenExpiration: Math.floor(leaseExpiresAt / 1000), ...(journaled && { journalVersion: 1 }) };
    });
  }

  async renewLease(ref: StackRef, updateId: string, lease: string, duration: number): Promise<{ token: string; tokenExpiration: number }> {
    if (!Number.isInteger(duration) || duration < 0 || duration > 300) {
      throw new ApiError('bad_request', 'Renewal duration must be between 0 and 300 seconds');
    }
    return transaction(this.deps.db, async (tx) => {
      const { update } = await this.holdLease(tx, ref, updateId, lease);
      const expiresAt = this.deps.clock.now() + leaseMs;
      await store.changeUpdate(tx, update.id, { lease_expires_at: expiresAt });
      return { token: lease, tokenExpiration: Math.floor(expiresAt / 1000) };
    });
  }

  /**
   * `PATCH .../checkpoint`: the whole deployment; the latest write wins. The server numbers these
   * saves itself and keeps each as its difference from the one before when it has that at hand,
   * as it keeps delta checkpoints: the CLI sends the whole state on every step, and storing it
   * whole each time is most of what such a save costs. Checking it whole would be the rest, so
   * only what changed since the previous one is checked (full-checkpoint.ts).
   */
  async saveFullCheckpoint(ref: StackRef, updateId: string, lease: string, raw: Buffer | undefined): Promise<void> {
    const materializer = this.deps.materializer;
    // Checked before the lease is: against the last one this process saved for the update, if any.
    const { checked, changes } = await checkFullCheckpoint(raw, materializer.lastSaved(updateId)?.full);
    const { text } = checked;
    const saved = await transaction(this.deps.db, async (tx) => {
      const { update } = await this.holdLease(tx, ref, updateId, lease);
      this.assertWritesState(update);
      const sequence = update.checkpoint_sequence + 1;
      const previous = materializer.atHand(update);
      const edits = previous && ((previous.full && storedEdits(previous.full, checked, changes)) ?? diffText(previous.text.bytes(), text.bytes()));
      await materializer.storeSequenced(tx, update, sequence, text, edits && { delta: JSON.stringify(edits), hash: text.crc32Check() });
      return { id: update.id, sequence };
    });
    materializer.remember(saved.id, { sequence: saved.sequence, text, full: checked });
  }

  /** `PATCH .../checkpointverbatim`: the CLI's own text of the deployment, kept byte for byte. */
  async saveVerbatimCheckpoint(ref: StackRef, updateId: string, lease: string, raw: Buffer | undefined): Promise<void> {
    // One walk over the members: the deployment (the whole state) sits before sequenceNumber.
    const members = raw ? rawJsonMembers(raw) : new Map<string, Buffer>();
    const sequenceBytes = members.get('sequenceNumber');
    const sequence = this.sequenceOf(sequenceBytes && JSON.parse(sequenceBytes.toString('utf8')));
    const bytes = members.get('untypedDeployment');
    if (!bytes) throw new ApiError('bad_request', "the checkpoint has no 'untypedDeployment'");
    inspectUntypedDeploymentBytes(bytes);
    const text = PieceText.of(bytes);
    // The body parser checked the JSON; where its resources lie is what the next delta is checked against.
    const layout = layoutOfJson(bytes);
    await this.saveSequenced(ref, updateId, lease, sequence, async (tx, update) => {
      await this.deps.materializer.storeSequenced(tx, update, sequence, text);
      return { text, layout };
    });
  }

  /** `PATCH .../checkpointdelta`: edits to the previous text of this update, checked by hash. */
  async saveDeltaCheckpoint(ref: StackRef, updateId: string, lease: string, body: unknown): Promise<void> {
    const request = body as { sequenceNumber?: unknown; checkpointHash?: unknown; deploymentDelta?: unknown };
    const sequence = this.sequenceOf(request.sequenceNumber);
    if (typeof request.checkpointHash !== 'string' || !/^[0-9a-f]{64}$/.test(request.checkpointHash)) {
      throw new ApiError('bad_request', 'checkpointHash must be a hex SHA-256');
    }
    const hash = request.checkpointHash;
    await this.saveSequenced(ref, updateId, lease, sequence, async (tx, update) => {
      const materializer = this.deps.materializer;
      const kept = materializer.atHand(update);
      const base = await materializer.checkpointText(tx, update);
      if (!base) throw new ApiError('conflict', 'a delta checkpoint needs a previous verbatim checkpoint in this update');
      const { text, ranges } = applyDelta(base, request.deploymentDelta, hash);
      const layout = await checkDeltaResult(text, sequence, kept?.layout && { layout: kept.layout, ranges });
      await materializer.storeSequenced(tx, update, sequence, text, { delta: JSON.stringify(request.deploymentDelta), hash });
      return { text, layout };
    });
  }

  /**
   * `PATCH .../journalentries`: the CLI numbers entries as the engine makes them and sends them
   * as they are ready, so numbers arrive out of order and with gaps; an entry seen before is a
   * retry and is ignored, and replay follows the numbers.
   */
  async saveJournalEntries(ref: StackRef, updateId: string, lease: string, raw: unknown[]): Promise<void> {
    const entries = raw.map((entry, index) => validateJournalEntry(entry, index));
    const rows = entries.map(journalRow);
    await transaction(this.deps.db, async (tx) => {
      const { update } = await this.holdLease(tx, ref, updateId, lease);
      if (update.journal_version === 0) {
        throw new ApiError('conflict', `update '${updateId}' sends checkpoints, not journal entries`);
      }
      const added = await store.insertJournalEntries(tx, update.id, rows);
      if (added === 0) return;
      const journal_entry_count = update.journal_entry_count + added;
      await store.changeUpdate(tx, update.id, { journal_entry_count });
      // An entry accepted now must replay at the end: those that can fail are checked against the
      // state the whole journal makes, and refusing one rolls back its batch.
      if (entries.some(mayFailReplay)) await this.checkReplay(tx, { ...update, journal_entry_count }, entries);
    });
  }

  private async checkReplay(tx: Executor, update: store.UpdateRow, batch: JournalEntry[]): Promise<void> {
    try {
      await this.deps.materializer.replay(tx, update);
    } catch (error) {
      if (!(error instanceof UnreplayableError) || error.urn === undefined) throw error;
      // A conflict between resources is the fault of the newest entry that brings one of them.
      const culprit = batch.filter((entry) => entry.state?.urn === error.urn).sort((a, b) => b.sequenceID - a.sequenceID)[0];
      const where = culprit
        ? `journal entry sequenceID ${culprit.sequenceID} (kind ${culprit.kind})`
        : `journal entries sequenceID ${Math.min(...batch.map((e) => e.sequenceID))} to ${Math.max(...batch.map((e) => e.sequenceID))}`;
      throw new UnreplayableError(`${where}: ${error.message}`);
    }
  }

  async recordEvents(ref: StackRef, updateId: string, lease: string, events: Array<Record<string, unknown>>): Promise<void> {
    const rows = events.map((event, index) => {
      const sequence = event['sequence'];
      if (!Number.isInteger(sequence) || (sequence as number) < 0) {
        throw new ApiError('bad_request', `events[${index}].sequence must be a whole number`);
      }
      return { sequence: sequence as number, kind: eventKind(event), urn: eventUrn(event) ?? null, event: JSON.stringify(event) };
    });
    const summary = events.find((e) => typeof e['summaryEvent'] === 'object' && e['summaryEvent'] !== null)?.['summaryEvent'] as
      | { resourceChanges?: Record<string, number> }
      | undefined;
    await transaction(this.deps.db, async (tx) => {
      const { stack, update } = await this.holdLease(tx, ref, updateId, lease);
      await store.insertEvents(tx, update.id, rows);
      const source = { stackId: stack.id, updateId: update.id, dryRun: update.dry_run === 1, version: update.dry_run === 1 ? null : update.version };
      await recordPolicyEvents(tx, this.deps, source, events);
      if (summary?.resourceChanges) {
        await store.changeUpdate(tx, update.id, { resource_changes: JSON.stringify(summary.resourceChanges) });
      }
    });
  }

  /** Ends the update and frees the stack; repeating the same completion is a no-op. */
  async complete(ref: StackRef, updateId: string, lease: string, status: 'succeeded' | 'failed' | 'cancelled', sourceIp: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { stack, update } = await this.holdLease(tx, ref, updateId, lease, { allowFinished: true });
      if (finished.includes(update.status)) {
        if (update.status === status) return;
        throw new ApiError('conflict', `update '${updateId}' has already ended (status: ${update.status})`);
      }
      const ended = await this.end(tx, stack, update, status);
      if (update.dry_run === 0) {
        // The lease is the only credential here: the event names the update's author.
        const author = await findUserById(tx, update.author_user_id);
        if (author) {
          await this.deps.stacks.audit(tx, { user: author, sourceIp }, stack, 'stack-update-completed', `Completed ${update.kind} "${update.id}" for stack "${stack.project_name}/${stack.name}" (${ended})`);
        }
      }
    });
  }

  /** `pulumi cancel`: ends a running update with the user's token and invalidates its lease. */
  async cancel(caller: Caller, ref: StackRef, updateId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const stack = await this.deps.stacks.resolve(tx, caller, ref, 'edit');
      const update = await this.findUpdate(tx, stack, updateId);
      if (update.status === 'cancelled') return;
      if (finished.includes(update.status)) {
        throw new ApiError('conflict', `update '${updateId}' has already ended (status: ${update.status}) and cannot be cancelled`);
      }
      await this.end(tx, stack, update, 'cancelled');
      await this.deps.stacks.audit(tx, caller, stack, 'stack-update-canceled', `Canceled ${update.kind} "${update.id}" for stack "${stack.project_name}/${stack.name}"`);
    });
  }

  /** `UpdateResults`: what the CLI polls after `stack import`; a token while it can still change. */
  async results(caller: Caller, ref: StackRef, updateId: string) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const update = await this.findUpdate(this.deps.db, stack, updateId);
    return { status: update.status, events: [], ...(!finished.includes(update.status) && { continuationToken: '0' }) };
  }

  /**
   * A page of the update's engine events in sequence order, filtered by type codes (or kind names)
   * and resource URN. While the update runs, batches may arrive out of order; only the events up to
   * the first missing sequence number are activated, and only those are returned unless
   * `includeNonActivated`, so a continuation token never passes an event still on its way.
   */
  async events(
    caller: Caller,
    ref: StackRef,
    updateId: string,
    query: { continuationToken?: string; type?: string[]; urn?: string; includeNonActivated?: boolean },
  ) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const update = await this.findUpdate(this.deps.db, stack, updateId);
    const after = query.continuationToken === undefined ? -1 : Number(query.continuationToken);
    if (!Number.isInteger(after) || after < -1) throw new ApiError('bad_request', 'invalid continuation token');
    const kinds = kindsOfTypeFilter(query.type ?? []);
    const ended = finished.includes(update.status);
    const through = ended || query.includeNonActivated ? undefined : await this.activatedThrough(update.id, after);
    const rows = await store.listEvents(this.deps.db, update.id, { after, kinds, urn: query.urn, through, limit: eventsPageSize });
    const full = rows.length === eventsPageSize;
    const last = full ? rows[rows.length - 1]!.sequence : (through ?? rows[rows.length - 1]?.sequence ?? after);
    const done = ended && !full;
    const events = rows.map((row) => ({ ...(JSON.parse(row.event) as Record<string, unknown>), type: row.kind }));
    return { events, continuationToken: done ? null : String(Math.max(last, after)) };
  }

  /** The last sequence number before the first missing one after `after` (counting from 0 or 1 on the first page). */
  private async activatedThrough(updateId: string, after: number): Promise<number> {
    let expected = after + 1;
    for (;;) {
      const sequences = await store.listEventSequences(this.deps.db, updateId, expected - 1, eventsPageSize);
      if (expected === 0 && sequences[0] === 1) expected = 1;
      for (const sequence of sequences) {
        if (sequence !== expected) return expected - 1;
        expected++;
      }
      if (sequences.length < eventsPageSize) return expected - 1;
    }
  }

  async history(caller: Caller, ref: StackRef, query: { outputType?: string; page?: number; pageSize?: number }) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const { limit, offset } = paging(query.page, query.pageSize);
    const rows = await store.listUpdates(this.deps.db, stack.id, { dryRun: false, newestFirst: true, limit, offset });
    if (query.outputType !== undefined && query.outputType !== 'cli') {
      return {
        updates: rows.map((row) => serviceUpdate(row, stack.version)),
        itemsPerPage: limit ?? rows.length,
        total: await store.countUpdates(this.deps.db, stack.id, false),
      };
    }
    return { updates: rows.map(updateInfo) };
  }

  async latest(caller: Caller, ref: StackRef) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    return serviceUpdate(await this.latestRow(stack, ref), stack.version);
  }

  /** Previews created since the stack's latest update. */
  async latestPreviews(caller: Caller, ref: StackRef, query: PreviewsQuery) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const afterSeq = await store.latestUpdateSeq(this.deps.db, stack.id);
    return this.previewsBetween(stack, afterSeq, undefined, query);
  }

  /** Updates running now in every stack, for metrics. */
  async countRunning(): Promise<number> {
    return store.countRunningUpdates(this.deps.db);
  }

  /** `updates/{version}`: the update that made that version, as the service lists it. */
  async byVersion(caller: Caller, ref: StackRef, version: number) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    return serviceUpdate(await this.updateOfVersion(stack, version), stack.version);
  }

  /** `updates/{version}/summary` and `previews/{updateID}/summary`: when it ran, how it ended, how many resources it left. */
  async summary(caller: Caller, ref: StackRef, which: { version: number } | { previewId: string }) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const row: store.UpdateRow = 'version' in which ? await this.updateOfVersion(stack, which.version) : await this.previewOf(stack, which.previewId);
    const info = updateInfo(row);
    // An update's count is its version's; a preview stores no version, only what it reported.
    const version = row.dry_run === 0 ? await findStackVersion(this.deps.db, stack.id, row.version) : undefined;
    return { startTime: info.startTime, endTime: info.endTime, result: info.result, resourceCount: version?.resource_count ?? row.resource_count ?? 0 };
  }

  /** `updates/{version}/previews`: the previews run between the update before it and it. */
  async previewsOf(caller: Caller, ref: StackRef, version: number, query: PreviewsQuery) {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const update = await this.updateOfVersion(stack, version);
    const afterSeq = await store.latestUpdateSeq(this.deps.db, stack.id, update.seq);
    return this.previewsBetween(stack, afterSeq, update.seq, query);
  }

  /**
   * `updates/{version}/timeline` (and `latest/timeline`): the update with the previews that led up
   * to it. Collated events come from deployments and pull requests, which start no update here.
   */
  async timeline(caller: Caller, ref: StackRef, version: number | 'latest') {
    const stack = await this.deps.stacks.resolve(this.deps.db, caller, ref, 'read');
    const update = version === 'latest' ? await this.latestRow(stack, ref) : await this.updateOfVersion(stack, version);
    const afterSeq = await store.latestUpdateSeq(this.deps.db, stack.id, update.seq);
    const previews = await store.listUpdates(this.deps.db, stack.id, { dryRun: true, afterSeq, beforeSeq: update.seq, newestFirst: false });
    return {
      update: serviceUpdate(update, stack.version),
      previews: previews.map((row) => serviceUpdate(row, stack.version)),
      collatedUpdateEvents: [],
    };
  }

  private async previewsBetween(stack: StackRecord, afterSeq: number, beforeSeq: number | undefined, query: PreviewsQuery) {
    const { limit, offset } = paging(query.page, query.pageSize);
    const rows = await store.listUpdates(this.deps.db, stack.id, { dryRun: true, afterSeq, beforeSeq, newestFirst: query.asc === false, limit, offset });
    return {
      updates: rows.map((row) => serviceUpdate(row, stack.version)),
      itemsPerPage: limit ?? rows.length,
      total: await store.countUpdates(this.deps.db, stack.id, true, afterSeq, beforeSeq),
    };
  }

  private async updateOfVersion(stack: StackRecord, version: number): Promise<store.HistoryRow> {
    const [row] = await store.listUpdates(this.deps.db, stack.id, { dryRun: false, version, newestFirst: true, limit: 1 });
    if (!row) throw new ApiError('not_found', `stack '${stackLabelOf(stack)}' has no update of version ${version}`);
    return row;
  }

  private async latestRow(stack: StackRecord, ref: StackRef): Promise<store.HistoryRow> {
    const [row] = await store.listUpdates(this.deps.db, stack.id, { dryRun: false, newestFirst: true, limit: 1 });
    if (!row) throw new ApiError('not_found', `stack '${stackLabel(ref)}' has no updates`);
    return row;
  }

  private async previewOf(stack: StackRecord, previewId: string): Promise<store.UpdateRow> {
    const row = await store.findUpdate(this.deps.db, stack.id, previewId);
    if (!row || row.dry_run !== 1) throw new ApiError('not_found', `preview '${previewId}' not found on stack '${stackLabelOf(stack)}'`);
    return row;
  }

  private async findUpdate(db: Executor, stack: StackRecord, updateId: string): Promise<store.UpdateRow> {
    const update = await store.findUpdate(db, stack.id, updateId);
    if (!update) throw new ApiError('not_found', `update '${updateId}' not found on stack '${stackLabelOf(stack)}'`);
    return update;
  }

  /**
   * The update whose lease `lease` is: the lease is the credential of every call a running
   * update makes, so a wrong, expired or ended lease is a 403, which the CLI reads as lost.
   */
  private async holdLease(
    tx: Executor,
    ref: StackRef,
    updateId: string,
    lease: string,
    options: { allowFinished?: boolean } = {},
  ): Promise<{ stack: StackRecord; update: store.UpdateRow }> {
    const stack = await this.deps.stacks.resolveByName(tx, ref);
    const update = await this.findUpdate(tx, stack, updateId);
    const stored = update.lease_token_hash === null ? undefined : Buffer.from(update.lease_token_hash, 'hex');
    if (!stored || !timingSafeEqual(stored, Buffer.from(hashAccessToken(lease), 'hex'))) {
      throw new ApiError('forbidden', `the lease token does not belong to update '${updateId}'`);
    }
    if (options.allowFinished && finished.includes(update.status)) return { stack, update };
    if (update.status !== 'running') {
      throw new ApiError('forbidden', `the lease of update '${updateId}' is no longer valid (status: ${update.status})`);
    }
    if (update.lease_expires_at === null || update.lease_expires_at <= this.deps.clock.now()) {
      throw new ApiError('forbidden', `the lease of update '${updateId}' has expired`);
    }
    return { stack, update };
  }

  /**
   * Records the end, invalidates the lease and counts the resources the update left; returns the
   * status it ended with. An update whose state cannot be rebuilt (written before writes were
   * checked on arrival) ends as failed with the state it started from, so that it never holds
   * the stack for good; why is added to its message, which history shows.
   */
  private async end(tx: Executor, stack: StackRecord, update: store.UpdateRow, status: UpdateStatus): Promise<UpdateStatus> {
    const now = this.deps.clock.now();
    const writesState = update.dry_run === 0 && update.started_at !== null;
    let materialized: Buffer | undefined;
    let unreplayable: string | undefined;
    try {
      materialized = await this.deps.materializer.materialize(tx, update);
      const text = writesState ? (materialized ?? (await loadStackVersion(tx, this.deps.blobs, stack.id, update.version))?.deployment) : undefined;
      const syntax = text && jsonSyntaxError(text);
      if (syntax) throw new UnreplayableError(`the state is not JSON: ${syntax}`);
      materialized = text;
    } catch (error) {
      if (!(error instanceof UnreplayableError)) throw error;
      unreplayable = error.message;
      materialized = writesState ? await this.keepStartingState(tx, stack, update, now) : undefined;
    }
    this.deps.materializer.forget(update.id);
    let resourceCount: number | undefined;
    if (materialized) {
      resourceCount = countResources(materialized);
      await setResourceCount(tx, stack.id, update.version, resourceCount);
      if (writesState) {
        await stackStateSettled(tx, settledStackOf(stack), { deployment: materialized, resourceCount }, now);
        await closeViolationsOfGoneResources(tx, stack.id, update.id, materialized, now);
      }
    }
    const ended = unreplayable === undefined ? status : 'failed';
    await store.changeUpdate(tx, update.id, {
      status: ended,
      ended_at: now,
      lease_expires_at: now,
      ...(resourceCount !== undefined && { resource_count: resourceCount }),
      ...(unreplayable !== undefined && {
        message: `${update.message}${update.message ? '\n' : ''}[stackyard] ended as failed, its state could not be rebuilt: ${unreplayable}`,
      }),
    });
    if (update.started_at !== null) await this.fireEnded(tx, stack, update, ended);
    return ended;
  }

  /** The update's webhook event (`update_succeeded`, `preview_failed`…), in the transaction that ends it. */
  private async fireEnded(tx: Executor, stack: StackRecord, update: store.UpdateRow, ended: UpdateStatus): Promise<void> {
    const author = await findUserById(tx, update.author_user_id);
    const names = { organization: stack.organization_name, project: stack.project_name, stack: stack.name };
    const fired = updateEndedEvent(
      this.deps.publicUrl,
      names,
      { id: update.id, kind: update.kind, dryRun: update.dry_run === 1, version: update.version, succeeded: ended === 'succeeded', resourceChanges: update.resource_changes },
      author?.login,
    );
    if (fired) await this.deps.webhooks.fire(tx, { organizationId: stack.organization_id, stackId: stack.id, ...(author && { actor: author }), ...fired });
  }

  /** Puts back the state the update started from (the stack's previous version) and drops what it sent. */
  private async keepStartingState(tx: Executor, stack: StackRecord, update: store.UpdateRow, now: number): Promise<Buffer> {
    const previous = (await loadStateBefore(tx, this.deps.blobs, stack.id, update.version)) ?? emptyDeployment(now);
    await writeStackState(tx, this.deps.blobs, stack.id, update.version, previous, now);
    await store.deleteCheckpointDeltas(tx, update.id);
    await store.changeUpdate(tx, update.id, {
      materialized_entry_count: update.journal_entry_count,
      materialized_checkpoint_sequence: update.checkpoint_sequence,
    });
    return previous;
  }

  private assertWritesState(update: store.UpdateRow): void {
    if (update.dry_run === 1) throw new ApiError('conflict', `update '${update.id}' is a preview and does not write checkpoints`);
    if (update.journal_version > 0) throw new ApiError('conflict', `update '${update.id}' sends journal entries, not checkpoints`);
  }

  private sequenceOf(value: unknown): number {
    if (!Number.isInteger(value) || (value as number) < 1) throw new ApiError('bad_request', 'sequenceNumber must be a whole number from 1');
    return value as number;
  }

  /**
   * Verbatim and delta saves are numbered per update: the next number is applied, a number
   * already applied is a retry and changes nothing, and a gap is a 409. `save` stores the
   * checkpoint and returns its text (and layout), kept for the next delta once it is committed.
   */
  private async saveSequenced(
    ref: StackRef,
    updateId: string,
    lease: string,
    sequence: number,
    save: (tx: Executor, update: store.UpdateRow) => Promise<Omit<WorkingCheckpoint, 'sequence'>>,
  ): Promise<void> {
    const saved = await transaction(this.deps.db, async (tx) => {
      const { update } = await this.holdLease(tx, ref, updateId, lease);
      this.assertWritesState(update);
      if (sequence <= update.checkpoint_sequence) return undefined;
      if (sequence !== update.checkpoint_sequence + 1) {
        throw new ApiError('conflict', `checkpoint sequenceNumber ${sequence} skips ahead; expected ${update.checkpoint_sequence + 1}`);
      }
      return { id: update.id, checkpoint: await save(tx, update) };
    });
    if (saved) this.deps.materializer.remember(saved.id, { sequence, ...saved.checkpoint });
  }
}

/**
 * Whether replay can fail on this entry once its shape is checked: it names another operation's
 * resource, replaces the base, or carries aliases (which two resources must not share).
 */
function mayFailReplay(entry: JournalEntry): boolean {
  switch (entry.kind) {
    case JournalKind.outputs:
    case JournalKind.refreshSuccess:
    case JournalKind.write:
    case JournalKind.rebuiltBaseState:
      return true;
    case JournalKind.success:
      return (entry.deleteNew ?? null) !== null || (entry.pendingReplacementNew ?? null) !== null || (Array.isArray(entry.state?.aliases) && entry.state.aliases.length > 0);
    default:
      return false;
  }
}

/**
 * Pages count from 1; page 0, or neither page nor size, is everything. A page without a size (or
 * with size 0) holds 10, and a size without a page is the first page.
 */
function paging(page?: number, pageSize?: number): { limit?: number; offset?: number } {
  if (page === 0 || (page === undefined && !pageSize)) return {};
  const size = pageSize || defaultPageSize;
  return { limit: size, offset: ((page ?? 1) - 1) * size };
}

const defaultPageSize = 10;

