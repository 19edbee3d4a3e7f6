import { createHash, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { decompressStored } from '../../blobs/gzip.js';
import type { Caller } from '../../auth/caller.js';
import { organizationRole, requireOrganization, type OrganizationRoleName } from '../../auth/permissions.js';
import { recordAudit, type AuditEntry } from '../../audit/record.js';
import type { WebhookService } from '../webhooks/service.js';
import { environmentEvent, type EnvironmentChange } from '../webhooks/environment-events.js';
import type { Clock, IdGenerator } from '../../clock.js';
import { open as openSealed, seal } from '../../crypto/aead.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { decodeNameTripleToken, encodeContinuationToken } from '../../http/pagination.js';
import { decryptSecrets, encryptSecrets, DefinitionError, type Decrypter, type Encrypter } from '../../esc/crypt.js';
import { checkEnvironment, evalEnvironment, ExecContext, rotateEnvironment, type EnvironmentLoader } from '../../esc/eval.js';
import { loadYaml, sortDiagnostics } from '../../esc/load.js';
import { parsePropertyPath } from '../../esc/property-path.js';
import { DiagSeverity, type Diagnostic } from '../../esc/syntax.js';
import type { EscValue } from '../../esc/value.js';
import { diagnosticToWire, environmentToWire, functionSummary } from '../../esc/wire.js';
import { listMemberships, type OrganizationRow } from '../orgs/store.js';
import { parseGoDuration } from './duration.js';
import { EnvironmentPermission, environmentLabel, environmentPermission, environmentPermissionOfRole, maxOpenDuration, requireEnvironment, type EnvironmentRef } from './policy.js';
import * as store from './store.js';
import { parseEnvironmentReference } from './names.js';
import { providersFor, type StackOutputsSource } from './providers.js';
import { bestTeamEnvironmentPermission } from '../teams/store.js';
import { deleteExpiredEnvironmentSessions } from '../../jobs/handlers.js';
import { enqueueJob } from '../../jobs/runner.js';
import { stacksConfiguredBy } from './store.js';
import { LRUCache } from 'lru-cache';

export { environmentLabel, type EnvironmentRef } from './policy.js';

/** A 400 that carries ESC's diagnostics, which the clients show as the environment's problems. */
export class EnvironmentDiagnosticsError extends ApiError {
  constructor(message: string, readonly diagnostics: Diagnostic[]) {
    super('bad_request', message);
  }

  override toBody() {
    return { ...super.toBody(), diagnostics: this.diagnostics.map(diagnosticToWire) };
  }
}

/** A definition as read: its YAML, the revision it is, and the ETag a later write must carry. */
export interface DefinitionView {
  yaml: string;
  revision: number;
  etag: string;
}

const namePattern = /^[A-Za-z0-9_.-]{1,100}$/;
const defaultPageSize = 100;
/** Open sessions live as long as asked, up to a week. */
const maxOpenDurationMs = 7 * 24 * 3_600_000;
/** Anonymous environments (`yaml/check`, `yaml/open`) are named as ESC names them. */
const anonymousName = '<yaml>';

function validateName(kind: string, name: string): void {
  if (!namePattern.test(name)) {
    throw new ApiError('bad_request', `${kind} name '${name}' may hold only letters, digits, '-', '_' and '.' (1 to 100 of them)`);
  }
}

/** How an environment names itself in diagnostics and to `context.currentEnvironment`. */
const qualified = (env: { project: string; name: string }) => `${env.project}/${env.name}`;

/**
 * Limits on a definition a client sends. Parsing and checking cost tens of microseconds per node
 * and run on the event loop, so a definition is kept to what a person writes: 256 KiB, and 16,384
 * lines and list or map items (counted by their separators, before parsing).
 */
const maxDefinitionBytes = 256 * 1024;
const maxDefinitionSeparators = 16_384;

function checkDefinitionSize(yaml: string): void {
  if (Buffer.byteLength(yaml) > maxDefinitionBytes) {
    throw new ApiError('bad_request', `the environment definition is larger than ${maxDefinitionBytes / 1024} KiB`);
  }
  let separators = 0;
  for (let i = 0; i < yaml.length; i++) {
    const c = yaml.charCodeAt(i);
    if (c === 10 || c === 44) separators++;
  }
  if (separators > maxDefinitionSeparators) {
    throw new ApiError('bad_request', `the environment definition has more than ${maxDefinitionSeparators} lines and list or map items`);
  }
}

const errorsOf = (diags: Diagnostic[]) => diags.filter((d) => d.severity !== DiagSeverity.warning);

/** Unwrapped data keys kept in memory, the oldest dropped first. */
const maxCachedKeys = 10_000;

/**
 * Plaintext kept in memory, each bounded by total bytes: the JSON of recent opens (reused by an
 * open of the same revision with unchanged imports) and of sessions just stored (read back by the
 * `GET` that follows). Stored sessions stay sealed; these die with the process.
 */
const maxOpenResultBytes = 32 * 1024 * 1024;
const maxRecentSessionBytes = 32 * 1024 * 1024;

/** What an open evaluates: a stored revision (`source` names it) or an anonymous definition. */
interface OpenRoot {
  source: string;
  name: string;
  definition: string;
  decrypter: () => Promise<Decrypter>;
}

/** An import as an evaluation resolved it: the name asked for, and the environment and revision it named. */
interface ResolvedImport {
  requested: string;
  environmentId: string;
  revision: number;
}

/** An environment opened: the session's JSON text, the diagnostics answered, and the imports it read. */
interface OpenResult {
  text: Buffer;
  /** What a session stores of it, sealed: the text gzipped (sessionContent). */
  stored: Buffer;
  diagnostics: unknown[];
  imports: ResolvedImport[];
}

export class EnvironmentService {
  private readonly keys = new Map<string, Buffer>();
  // Sizes are at least 1: lru-cache refuses an entry of size 0.
  private readonly openResults = new LRUCache<string, OpenResult>({ maxSize: maxOpenResultBytes, sizeCalculation: (opened) => Math.max(1, opened.text.length + opened.stored.length) });
  private readonly recentSessions = new LRUCache<string, Buffer>({ maxSize: maxRecentSessionBytes, sizeCalculation: (text) => Math.max(1, text.length) });

  constructor(
    private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; masterKey: Buffer; stackOutputs: StackOutputsSource; jobs: { wake(): void }; publicUrl: string; webhooks: WebhookService },
  ) {}

  // --- environments -------------------------------------------------------------------------

  async create(caller: Caller, organization: string, project: string, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, organization, 'member');
      await this.createIn(tx, caller, org, project, name, '');
    });
  }

  /** Creates an environment with a first revision holding `definition` (empty for a new one). */
  async createIn(tx: Executor, caller: Caller, org: OrganizationRow, project: string, name: string, definition: string): Promise<store.EnvironmentRow> {
    validateName('project', project);
    validateName('environment', name);
    if (caller.principal.kind === 'team') throw new ApiError('forbidden', 'a team token may not create environments');
    if (await store.findEnvironment(tx, org.id, project, name)) {
      throw new ApiError('conflict', `environment '${org.name}/${project}/${name}' already exists`);
    }
    const now = this.deps.clock.now();
    const env = { id: this.deps.ids.next(), organization_id: org.id, project, name, created_at: now, modified_at: now, created_by_user_id: caller.user.id, latest_revision: 1 };
    await store.insertEnvironment(tx, env);
    await store.insertRevision(tx, revisionRow(env.id, 1, definition, now, caller.user.id));
    await this.audit(tx, caller, org, 'environment-created', `Created environment "${project}/${name}"`);
    await this.fire(tx, caller, org, env, { event: 'environment_created' });
    return env;
  }

  async list(caller: Caller, organization: string | undefined, continuationToken: string | undefined) {
    const db = this.deps.db;
    let orgIds: string[];
    if (organization !== undefined) {
      orgIds = [(await requireOrganization(db, caller, organization, 'member')).id];
    } else if (caller.principal.kind === 'person') {
      orgIds = (await listMemberships(db, caller.user.id)).map((m) => m.id);
    } else {
      orgIds = [caller.principal.organizationId];
    }
    const after = continuationToken ? decodeNameTripleToken(continuationToken) : undefined;
    const rows = await store.listEnvironments(db, orgIds, after, defaultPageSize + 1);
    const scanned = rows.slice(0, defaultPageSize);
    const last = scanned[scanned.length - 1];
    // A team token lists only what its team may read; a page may come out short, its token still right.
    const page = caller.principal.kind === 'team' ? await this.readableByTeam(caller, scanned) : scanned;
    const tags = await store.tagsOfEnvironments(db, page.map((e) => e.id));
    return {
      environments: page.map((e) => ({
        organization: e.organization,
        project: e.project,
        name: e.name,
        id: e.id,
        created: iso(e.created_at),
        modified: iso(e.modified_at),
        links: { self: `${this.deps.publicUrl}/api/esc/environments/${e.organization}/${e.project}/${e.name}` },
        ownedBy: { name: e.owner_name ?? e.organization, githubLogin: e.owner_login ?? e.organization, avatarUrl: e.owner_avatar_url ?? '' },
        tags: Object.fromEntries(tags.filter((t) => t.environment_id === e.id).map((t) => [t.name, t.value])),
        // Counted by `GET …/referrers`; a listing does not scan every definition for them.
        referrerMetadata: { environmentReferrerCount: 0, stackReferrerCount: 0, insightsAccountReferrerCount: 0 },
        // Deletion protection is not offered here: every environment can be deleted by its admins.
        settings: { deletionProtected: false },
      })),
      ...(rows.length > defaultPageSize && last && { nextToken: encodeContinuationToken([last.organization, last.project, last.name]) }),
    };
  }

  private async readableByTeam(caller: Caller, rows: store.EnvironmentListEntry[]): Promise<store.EnvironmentListEntry[]> {
    if (caller.principal.kind !== 'team') return rows;
    const teamId = caller.principal.teamId;
    const readable = [];
    for (const row of rows) {
      const grant = await bestTeamEnvironmentPermission(this.deps.db, [teamId], row.id);
      if ((grant?.permission ?? 0) >= EnvironmentPermission.read) readable.push(row);
    }
    return readable;
  }

  async remove(caller: Caller, ref: EnvironmentRef): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'admin');
      await store.deleteEnvironment(tx, env.id);
      await this.audit(tx, caller, org, 'environment-deleted', `Deleted environment "${env.project}/${env.name}"`);
      await this.fire(tx, caller, org, env, { event: 'environment_deleted' });
    });
  }

  /** A definition, at the latest revision or `version` (a revision number or a revision tag). */
  async read(caller: Caller, ref: EnvironmentRef, version?: string): Promise<DefinitionView> {
    const { env } = await requireEnvironment(this.deps.db, caller, ref, 'read');
    const revision = await this.revisionOf(this.deps.db, env, version);
    return { yaml: revision.definition, revision: revision.revision, etag: etagOf(env, env.latest_revision) };
  }

  /** The definition with its secrets in plaintext, for editing; audited. */
  async decrypt(caller: Caller, ref: EnvironmentRef, version?: string): Promise<DefinitionView> {
    return transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'open');
      const revision = await this.revisionOf(tx, env, version);
      const yaml = await decryptSecrets(qualified(env), revision.definition, await this.decrypterOf(tx, env.id));
      await this.audit(tx, caller, org, 'environment-decrypted', `Read the definition of environment "${env.project}/${env.name}" (revision ${revision.revision}) with its secrets`);
      return { yaml, revision: revision.revision, etag: etagOf(env, env.latest_revision) };
    });
  }

  /**
   * A new revision: the definition is checked (errors refuse it, with ESC's diagnostics), its
   * plaintext secrets encrypted, and it becomes the latest. `etag`, when sent, must be the latest's.
   */
  async update(caller: Caller, ref: EnvironmentRef, yaml: string, etag: string | undefined): Promise<{ revision: number; diagnostics: unknown[] }> {
    const { org: foundOrg, env: found } = await requireEnvironment(this.deps.db, caller, ref, 'write');
    checkDefinitionSize(yaml);
    const diagnostics = await this.checkDefinition(caller, foundOrg, found, yaml);
    const encrypted = await this.encryptDefinition(this.deps.db, found.id, qualified(found), yaml);
    return transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      if (etag !== undefined && etag !== etagOf(env, env.latest_revision)) {
        throw new ApiError('conflict', `environment '${environmentLabel(ref)}' has changed since it was read (revision ${env.latest_revision} is the latest)`);
      }
      const revision = env.latest_revision + 1;
      const now = this.deps.clock.now();
      await store.insertRevision(tx, revisionRow(env.id, revision, encrypted, now, caller.user.id));
      await store.setLatestRevision(tx, env.id, revision, now);
      await this.audit(tx, caller, org, 'environment-updated', `Updated environment "${env.project}/${env.name}" to revision ${revision}`);
      await this.fireRevisionCreated(tx, caller, org, env, revision);
      return { revision, diagnostics: diagnostics.map(diagnosticToWire) };
    });
  }

  async clone(
    caller: Caller,
    ref: EnvironmentRef,
    input: { project?: string; name: string; version?: number; preserveHistory?: boolean; preserveEnvironmentTags?: boolean; preserveRevisionTags?: boolean },
  ): Promise<void> {
    const target = { project: input.project || ref.project, name: input.name };
    await transaction(this.deps.db, async (tx) => {
      const { org, env: source } = await requireEnvironment(tx, caller, ref, 'read');
      const sourceDecrypter = await this.decrypterOf(tx, source.id);
      const clone = await this.createIn(tx, caller, org, target.project, target.name, '');
      const reencrypt = async (definition: string) =>
        this.encryptDefinition(tx, clone.id, qualified(clone), await decryptSecrets(qualified(source), definition, sourceDecrypter));
      const now = this.deps.clock.now();
      const newest = input.version ?? source.latest_revision;
      const revisions = input.preserveHistory
        ? (await store.listRevisions(tx, source.id, newest + 1, Number.MAX_SAFE_INTEGER)).reverse()
        : [await this.revisionOf(tx, source, String(newest))];
      // Revision 1 of the clone exists (empty); copied revisions follow it, in order.
      let revision = 1;
      const mapping = new Map<number, number>();
      for (const r of revisions) {
        revision += 1;
        mapping.set(r.revision, revision);
        await store.insertRevision(tx, revisionRow(clone.id, revision, await reencrypt(r.definition), r.created_at, r.creator_user_id));
      }
      await store.setLatestRevision(tx, clone.id, revision, now);
      if (input.preserveRevisionTags) {
        for (const tag of await store.listRevisionTags(tx, source.id, undefined, Number.MAX_SAFE_INTEGER)) {
          const mapped = mapping.get(tag.revision);
          if (mapped) await store.upsertRevisionTag(tx, { environment_id: clone.id, name: tag.name, revision: mapped, created_at: now, modified_at: now, editor_user_id: caller.user.id });
        }
      }
      if (input.preserveEnvironmentTags) {
        for (const tag of await store.listEnvironmentTags(tx, source.id, undefined, Number.MAX_SAFE_INTEGER)) {
          await store.insertEnvironmentTag(tx, { id: this.deps.ids.next(), environment_id: clone.id, name: tag.name, value: tag.value, created_at: now, modified_at: now, editor_user_id: caller.user.id });
        }
      }
    });
  }

  // --- check and open ---------------------------------------------------------------------------

  /** `yaml/check`: an anonymous definition evaluated symbolically, with its diagnostics. */
  async checkYaml(caller: Caller, organization: string, yaml: string, showSecrets: boolean) {
    const org = await requireOrganization(this.deps.db, caller, organization, 'member');
    checkDefinitionSize(yaml);
    const { env, diags } = loadYaml(anonymousName, yaml);
    const loader = this.loaderFor(caller, org, {});
    const result = env ? await checkEnvironment(anonymousName, env, this.evalOptions(caller, org, loader, anonymousDecrypter), showSecrets) : undefined;
    const all = sortDiagnostics([...diags, ...(result?.diags ?? [])]);
    if (errorsOf(all).length > 0) throw new EnvironmentDiagnosticsError('the environment has errors', all);
    return {
      ...(environmentToWire(result?.environment) as object),
      ...(all.length > 0 && { diagnostics: all.map(diagnosticToWire) }),
      environmentFunctionSummary: functionSummary(result?.environment),
    };
  }

  /** `yaml/open`: an anonymous definition opened, kept as a session of the organization. */
  async openYaml(caller: Caller, organization: string, yaml: string, duration: string | undefined, overrides: string | undefined) {
    const org = await requireOrganization(this.deps.db, caller, organization, 'member');
    const lifetime = openLifetime(duration);
    checkDefinitionSize(yaml);
    const root = { source: `yaml:${createHash('sha256').update(yaml).digest('base64url')}`, name: anonymousName, definition: yaml, decrypter: async () => anonymousDecrypter };
    const opened = await this.openDefinition(caller, org, root, parseOverrides(overrides));
    // What it reveals is its imports' values: the event names them.
    const imports = (loadYaml(anonymousName, yaml).env?.imports ?? []).map((i) => i.environment?.value).filter((name): name is string => Boolean(name));
    const id = await this.storeSession(org, undefined, `org:${org.id}`, opened, lifetime, (tx) =>
      this.audit(tx, caller, org, 'environment-opened', `Opened an anonymous environment${imports.length > 0 ? ` importing ${imports.map((name) => `"${name}"`).join(', ')}` : ''}`),
    );
    return { id, ...(opened.diagnostics.length > 0 && { diagnostics: opened.diagnostics }) };
  }

  /** `open`: the environment (at `version`) evaluated, providers invoked, secrets revealed; audited. */
  async open(caller: Caller, ref: EnvironmentRef, version: string | undefined, duration: string | undefined) {
    const lifetime = openLifetime(duration);
    const { org, env } = await requireEnvironment(this.deps.db, caller, ref, 'open');
    const limit = await maxOpenDuration(this.deps.db, caller, env);
    if (limit !== undefined && lifetime > parseGoDuration(limit)) {
      throw new ApiError('bad_request', `the team's grant on environment '${environmentLabel(ref)}' allows opening it for ${limit} at most`);
    }
    const revision = await this.revisionOf(this.deps.db, env, version);
    const root = { source: `environment:${env.id}@${revision.revision}`, name: qualified(env), definition: revision.definition, decrypter: () => this.decrypterOf(this.deps.db, env.id) };
    const opened = await this.openDefinition(caller, org, root, {});
    const id = await this.storeSession(org, env.id, env.id, opened, lifetime, (tx) =>
      this.audit(tx, caller, org, 'environment-opened', `Opened environment "${env.project}/${env.name}" (revision ${revision.revision})`),
    );
    return { id, ...(opened.diagnostics.length > 0 && { diagnostics: opened.diagnostics }) };
  }

  /**
   * What an open session holds: the whole environment as the JSON text stored (not parsed and
   * printed again), or the value at `property`.
   */
  async readSession(caller: Caller, organization: string, sessionId: string, property: string | undefined, ref?: EnvironmentRef): Promise<Buffer | string> {
    const db = this.deps.db;
    const { org, env } = ref ? await requireEnvironment(db, caller, ref, 'open') : { org: await requireOrganization(db, caller, organization, 'member'), env: undefined };
    const session = await store.findOpenSession(db, sessionId, org.id, this.deps.clock.now());
    if (!session || session.environment_id !== (env?.id ?? null)) throw new ApiError('not_found', `open session '${sessionId}' not found (it may have expired)`);
    // A session is never changed once stored: the text this process stored is the text sealed.
    let opened = this.recentSessions.get(session.id);
    if (!opened) {
      const sealed = await store.findSealedOpenSession(db, session.id);
      if (!sealed) throw new ApiError('not_found', `open session '${sessionId}' not found (it may have expired)`);
      const content = openSealed(await this.keyOf(db, session.key_owner_id), sealed, `esc-session:${session.id}`);
      if (!content) throw new ApiError('internal', `open session '${sessionId}' does not open with its key`);
      // Gzipped text (sessions stored since), or the text itself (before), which as JSON of an
      // object starts with `{`, never with gzip's magic bytes.
      opened = await decompressStored(content);
    }
    if (property === undefined) return opened;
    const environment = JSON.parse(opened.toString('utf8')) as { properties?: Record<string, unknown> };
    return JSON.stringify(propertyAt(environment.properties ?? {}, property));
  }

  // --- revisions and tags ---------------------------------------------------------------------

  async listRevisions(caller: Caller, ref: EnvironmentRef, before: number | undefined, count: number | undefined) {
    const db = this.deps.db;
    const { env } = await requireEnvironment(db, caller, ref, 'read');
    const rows = await store.listRevisions(db, env.id, before || undefined, Math.min(count ?? defaultPageSize, 1000));
    const tags = await store.tagsOfRevision(db, env.id, rows.map((r) => r.revision));
    return rows.map((r) => ({
      number: r.revision,
      created: iso(r.created_at),
      ...(r.creator_login && { creatorLogin: r.creator_login, creatorName: r.creator_name ?? r.creator_login }),
      tags: [...(r.revision === env.latest_revision ? ['latest'] : []), ...tags.filter((t) => t.revision === r.revision).map((t) => t.name)],
      ...(r.retracted_at !== null && {
        retracted: { replacement: r.retracted_replacement, at: iso(r.retracted_at), byLogin: r.retracted_by_login ?? '', byName: r.retracted_by_name ?? '', reason: r.retracted_reason ?? '' },
      }),
    }));
  }

  async retract(caller: Caller, ref: EnvironmentRef, version: string, input: { replacement?: number; reason?: string }): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      const revision = await this.revisionOf(tx, env, version);
      if (revision.retracted_at !== null) throw new ApiError('bad_request', `revision ${revision.revision} is already retracted`);
      if (revision.revision === 1) throw new ApiError('bad_request', 'the first revision of an environment cannot be retracted');
      const replacement = input.replacement ?? (await this.previousLive(tx, env.id, revision.revision));
      const target = await store.findRevision(tx, env.id, replacement);
      if (!target || target.retracted_at !== null || replacement === revision.revision) {
        throw new ApiError('bad_request', `replacement revision ${replacement} does not exist or is retracted`);
      }
      const now = this.deps.clock.now();
      await store.retractRevision(tx, env.id, revision.revision, { at: now, byUserId: caller.user.id, replacement, reason: input.reason ?? '' });
      // The newest revision retracted: `latest` moves to a new revision holding the replacement's definition.
      if (revision.revision === env.latest_revision) {
        const next = env.latest_revision + 1;
        await store.insertRevision(tx, revisionRow(env.id, next, target.definition, now, caller.user.id));
        await store.setLatestRevision(tx, env.id, next, now);
      }
      await this.audit(tx, caller, org, 'environment-revision-retracted', `Retracted revision ${revision.revision} of environment "${env.project}/${env.name}" (replaced by ${replacement})`);
      await this.fire(tx, caller, org, env, { event: 'environment_revision_retracted', revision: revision.revision });
    });
  }

  async listRevisionTags(caller: Caller, ref: EnvironmentRef, after: string | undefined, count: number | undefined) {
    const db = this.deps.db;
    const { env } = await requireEnvironment(db, caller, ref, 'read');
    const limit = Math.min(count ?? defaultPageSize, 1000);
    const latest = { name: 'latest', revision: env.latest_revision, created: iso(env.created_at), modified: iso(env.modified_at), editorLogin: '', editorName: '' };
    const stored = (await store.listRevisionTags(db, env.id, after, limit + 1)).map(presentRevisionTag);
    const tags = [...(after === undefined || after < 'latest' ? [latest] : []), ...stored].sort((a, b) => (a.name < b.name ? -1 : 1));
    const page = tags.slice(0, limit);
    return { tags: page, nextToken: tags.length > limit ? page[page.length - 1]!.name : '' };
  }

  async readRevisionTag(caller: Caller, ref: EnvironmentRef, name: string) {
    const { env } = await requireEnvironment(this.deps.db, caller, ref, 'read');
    if (name === 'latest') return { name, revision: env.latest_revision, created: iso(env.created_at), modified: iso(env.modified_at), editorLogin: '', editorName: '' };
    const tag = await store.findRevisionTag(this.deps.db, env.id, name);
    if (!tag) throw new ApiError('not_found', `revision tag '${name}' not found`);
    return presentRevisionTag(tag);
  }

  async setRevisionTag(caller: Caller, ref: EnvironmentRef, name: string, revision: number | undefined, mode: 'create' | 'update'): Promise<void> {
    validateName('revision tag', name);
    if (name === 'latest') throw new ApiError('bad_request', "the tag 'latest' always names the newest revision and cannot be set");
    await transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      const existing = await store.findRevisionTag(tx, env.id, name);
      if (mode === 'create' && existing) throw new ApiError('conflict', `revision tag '${name}' already exists`);
      if (mode === 'update' && !existing) throw new ApiError('not_found', `revision tag '${name}' not found`);
      const target = revision ?? env.latest_revision;
      if (!(await store.findRevision(tx, env.id, target))) throw new ApiError('bad_request', `revision ${target} does not exist`);
      const now = this.deps.clock.now();
      await store.upsertRevisionTag(tx, { environment_id: env.id, name, revision: target, created_at: existing?.created_at ?? now, modified_at: now, editor_user_id: caller.user.id });
      await this.audit(tx, caller, org, 'environment-revision-tag-changed', `Tagged revision ${target} of environment "${env.project}/${env.name}" '${name}'`);
      const event = existing ? 'environment_revision_tag_updated' : 'environment_revision_tag_created';
      await this.fire(tx, caller, org, env, { event, tagName: name, revision: target });
    });
  }

  async deleteRevisionTag(caller: Caller, ref: EnvironmentRef, name: string): Promise<void> {
    if (name === 'latest') throw new ApiError('bad_request', "the tag 'latest' cannot be deleted");
    await transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      const tag = await store.findRevisionTag(tx, env.id, name);
      if (!tag || !(await store.deleteRevisionTag(tx, env.id, name))) throw new ApiError('not_found', `revision tag '${name}' not found`);
      await this.audit(tx, caller, org, 'environment-revision-tag-changed', `Deleted revision tag '${name}' of environment "${env.project}/${env.name}"`);
      await this.fire(tx, caller, org, env, { event: 'environment_revision_tag_deleted', tagName: name, revision: tag.revision });
    });
  }

  async listTags(caller: Caller, ref: EnvironmentRef, after: string | undefined, count: number | undefined) {
    const db = this.deps.db;
    const { env } = await requireEnvironment(db, caller, ref, 'read');
    const limit = Math.min(count ?? defaultPageSize, 1000);
    const rows = await store.listEnvironmentTags(db, env.id, after, limit + 1);
    const page = rows.slice(0, limit);
    // The CLI pages until the token is "0".
    return { tags: Object.fromEntries(page.map((t) => [t.name, presentTag(t)])), nextToken: rows.length > limit ? page[page.length - 1]!.name : '0' };
  }

  async readTag(caller: Caller, ref: EnvironmentRef, name: string) {
    const { env } = await requireEnvironment(this.deps.db, caller, ref, 'read');
    const tag = await store.findEnvironmentTag(this.deps.db, env.id, name);
    if (!tag) throw new ApiError('not_found', `tag '${name}' not found`);
    return presentTag(tag);
  }

  async createTag(caller: Caller, ref: EnvironmentRef, name: string, value: string) {
    validateTagName(name);
    return transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      if (await store.findEnvironmentTag(tx, env.id, name)) throw new ApiError('conflict', `tag '${name}' already exists`);
      const now = this.deps.clock.now();
      await store.insertEnvironmentTag(tx, { id: this.deps.ids.next(), environment_id: env.id, name, value, created_at: now, modified_at: now, editor_user_id: caller.user.id });
      await this.audit(tx, caller, org, 'environment-tag-changed', `Tagged environment "${env.project}/${env.name}" ${name}=${value}`);
      await this.fire(tx, caller, org, env, { event: 'environment_tag_created', tagName: name });
      return presentTag((await store.findEnvironmentTag(tx, env.id, name))!);
    });
  }

  async updateTag(caller: Caller, ref: EnvironmentRef, name: string, current: { name?: string; value: string }, change: { name?: string; value?: string }) {
    return transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      const tag = await store.findEnvironmentTag(tx, env.id, name);
      if (!tag) throw new ApiError('not_found', `tag '${name}' not found`);
      // The tag must still be what the caller last saw, so two edits do not overwrite each other.
      if ((current.name !== undefined && current.name !== tag.name) || current.value !== tag.value) {
        throw new ApiError('conflict', `tag '${name}' is ${tag.name}=${tag.value}, not ${current.name ?? name}=${current.value}`);
      }
      const next = { name: change.name || tag.name, value: change.value ?? tag.value };
      validateTagName(next.name);
      if (next.name !== name && (await store.findEnvironmentTag(tx, env.id, next.name))) throw new ApiError('conflict', `tag '${next.name}' already exists`);
      await store.updateEnvironmentTag(tx, tag.id, { name: next.name, value: next.value, modified_at: this.deps.clock.now(), editor_user_id: caller.user.id });
      await this.audit(tx, caller, org, 'environment-tag-changed', `Changed tag ${name}=${tag.value} of environment "${env.project}/${env.name}" to ${next.name}=${next.value}`);
      await this.fire(tx, caller, org, env, { event: 'environment_tag_updated', tagName: next.name });
      return presentTag((await store.findEnvironmentTag(tx, env.id, next.name))!);
    });
  }

  async deleteTag(caller: Caller, ref: EnvironmentRef, name: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { org, env } = await requireEnvironment(tx, caller, ref, 'write');
      if (!(await store.deleteEnvironmentTag(tx, env.id, name))) throw new ApiError('not_found', `tag '${name}' not found`);
      await this.audit(tx, caller, org, 'environment-tag-changed', `Deleted tag '${name}' of environment "${env.project}/${env.name}"`);
      await this.fire(tx, caller, org, env, { event: 'environment_tag_deleted', tagName: name });
    });
  }

  /**
   * `rotate`: the environment opened with its rotators invoked (those at `paths`, all when absent).
   * A rotator that cannot run is a diagnostic; the event records what happened.
   */
  async rotate(caller: Caller, ref: EnvironmentRef, paths: string[] | undefined) {
    const { org, env } = await requireEnvironment(this.deps.db, caller, ref, 'write');
    const revision = await this.revisionOf(this.deps.db, env, undefined);
    const { env: decl, diags } = loadYaml(qualified(env), revision.definition);
    const loader = this.loaderFor(caller, org, {});
    const decrypter = await this.decrypterOf(this.deps.db, env.id);
    const result = decl ? await rotateEnvironment(qualified(env), decl, this.evalOptions(caller, org, loader, decrypter), paths ?? []) : undefined;
    const all = sortDiagnostics([...diags, ...(result?.diags ?? [])]);
    const rotated = (event: 'environment_rotation_succeeded' | 'environment_rotation_failed') =>
      transaction(this.deps.db, (tx) => this.fire(tx, caller, org, env, { event, revision: revision.revision }));
    if (errorsOf(all).length > 0) {
      await rotated('environment_rotation_failed');
      throw new EnvironmentDiagnosticsError('the environment could not be rotated', all);
    }
    // Every rotator is behind the provider interface, and none is configured on this server, so a
    // successful rotation has nothing to write back: the evaluation above refuses any fn::rotate.
    if ((result?.rotations ?? []).some((r) => r.patch)) throw new ApiError('internal', 'a rotator produced new state, which this server cannot write back yet');
    await rotated('environment_rotation_succeeded');
    const now = iso(this.deps.clock.now());
    const id = this.deps.ids.next();
    return {
      id,
      secretRotationEvent: {
        id,
        environmentId: env.id,
        created: now,
        preRotationRevision: revision.revision,
        userID: caller.user.id,
        completed: now,
        status: 'succeeded',
        rotations: [],
      },
    };
  }

  /**
   * `referrers`: the environments whose latest revision imports this one, and the stacks whose
   * configuration it holds, grouped by the revision or tag they name (`latest` when none).
   */
  async referrers(caller: Caller, ref: EnvironmentRef) {
    const db = this.deps.db;
    const { org, env } = await requireEnvironment(db, caller, ref, 'read');
    const referrers: Record<string, unknown[]> = {};
    const add = (version: string | undefined, referrer: unknown) => (referrers[version || 'latest'] ??= []).push(referrer);
    for (const { env: other, version } of await this.importersOf(db, org, env)) {
      if ((await environmentPermission(db, caller, org, other)) < EnvironmentPermission.read) continue;
      add(version, { environment: { project: other.project, name: other.name, revision: other.latest_revision } });
    }
    for (const stack of await stacksConfiguredBy(db, org.id, env)) {
      add(stack.version, { stack: { project: stack.project, stack: stack.stack, version: stack.stackVersion } });
    }
    return { referrers };
  }

  // --- internals ------------------------------------------------------------------------------

  private async revisionOf(db: Executor, env: store.EnvironmentRow, version: string | undefined): Promise<store.RevisionRow> {
    const number = await this.revisionNumberOf(db, env, version);
    const revision = await store.findRevision(db, env.id, number);
    if (!revision) throw new ApiError('not_found', `revision ${number} of environment '${env.project}/${env.name}' not found`);
    return revision;
  }

  /** The revision `version` names (a number, a revision tag, `latest` or nothing), which may not exist. */
  private async revisionNumberOf(db: Executor, env: store.EnvironmentRow, version: string | undefined): Promise<number> {
    if (version === undefined || version === '' || version === 'latest') return env.latest_revision;
    if (/^[0-9]/.test(version)) {
      if (!/^[0-9]{1,9}$/.test(version)) throw new ApiError('bad_request', `version '${version}' is not a revision number`);
      return Number(version);
    }
    const tag = await store.findRevisionTag(db, env.id, version);
    if (!tag) throw new ApiError('not_found', `revision tag '${version}' of environment '${env.project}/${env.name}' not found`);
    return tag.revision;
  }

  private async previousLive(db: Executor, environmentId: string, before: number): Promise<number> {
    const older = await store.listRevisions(db, environmentId, before, 1000);
    const live = older.find((r) => r.retracted_at === null);
    if (!live) throw new ApiError('bad_request', `no earlier revision can replace revision ${before}`);
    return live.revision;
  }

  /** Errors in a definition refuse the write; warnings are returned with it. */
  private async checkDefinition(caller: Caller, org: OrganizationRow, env: store.EnvironmentRow, yaml: string): Promise<Diagnostic[]> {
    const { env: decl, diags } = loadYaml(qualified(env), yaml);
    const loader = this.loaderFor(caller, org, {});
    const decrypter = await this.decrypterOf(this.deps.db, env.id);
    const result = decl ? await checkEnvironment(qualified(env), decl, this.evalOptions(caller, org, loader, decrypter), false) : undefined;
    const all = sortDiagnostics([...diags, ...(result?.diags ?? [])]);
    if (errorsOf(all).length > 0) throw new EnvironmentDiagnosticsError('the environment definition has errors', all);
    return all;
  }

  private async encryptDefinition(db: Executor, environmentId: string, name: string, yaml: string): Promise<string> {
    try {
      return await encryptSecrets(name, yaml, await this.encrypterOf(db, environmentId));
    } catch (error) {
      if (error instanceof DefinitionError) throw new EnvironmentDiagnosticsError('the environment definition has errors', error.diagnostics);
      throw error;
    }
  }

  private evalOptions(caller: Caller, org: OrganizationRow, environments: EnvironmentLoader, decrypter: Decrypter) {
    const login = (value: string) => ({ value: { login: { value } } }) as EscValue;
    const execContext = ExecContext.create({
      pulumi: { value: { user: login(caller.user.login), organization: login(org.name) } },
    });
    return { decrypter, providers: providersFor(caller, org.name, this.deps.stackOutputs), environments, execContext };
  }

  /** The loader of imports for one evaluation. */
  private loaderFor(caller: Caller, org: OrganizationRow, overrides: Record<string, string>): EnvironmentLoader {
    const imports = this.importResolver(caller, org, overrides);
    return {
      loadEnvironment: async (requested: string) => {
        const { env, revision } = await imports.resolve(requested);
        return { definition: revision.definition, decrypter: await this.decrypterOf(this.deps.db, env.id) };
      },
    };
  }

  /** Imports resolve in the caller's organization, each only if the caller may read it. */
  private importResolver(caller: Caller, org: OrganizationRow, overrides: Record<string, string>) {
    // The caller's role is the same for every import of one evaluation: asked once.
    let role: Promise<OrganizationRoleName> | undefined;
    const readable = async (requested: string) => {
      const name = overrides[requested] ?? requested;
      const { project, name: envName, version } = parseEnvironmentReference(name);
      const env = await store.findEnvironment(this.deps.db, org.id, project, envName);
      role ??= organizationRole(this.deps.db, caller, org);
      // People and organization tokens read by their role; a team token only by its team's grant.
      const held = !env
        ? EnvironmentPermission.none
        : caller.principal.kind === 'team'
          ? await environmentPermission(this.deps.db, caller, org, env)
          : environmentPermissionOfRole(caller, await role, env);
      if (!env || held < EnvironmentPermission.read) throw new Error(`environment "${project}/${envName}" not found`);
      return { env, version };
    };
    return {
      resolve: async (requested: string) => {
        const { env, version } = await readable(requested);
        return { env, revision: await this.revisionOf(this.deps.db, env, version) };
      },
      /** Whether each import still names, for this caller, the environment and revision it named. */
      unchanged: async (imports: ResolvedImport[]) => {
        for (const { requested, environmentId, revision } of imports) {
          try {
            const { env, version } = await readable(requested);
            if (env.id !== environmentId || (await this.revisionNumberOf(this.deps.db, env, version)) !== revision) return false;
          } catch {
            return false;
          }
        }
        return true;
      },
    };
  }

  /**
   * An open's result: evaluated (providers invoked, secrets revealed) and printed as the session
   * stores it, or taken from an earlier open of the same revision by the same caller when every
   * import still resolves to the revision it did. Evaluation reads nothing else but the context's
   * user and organization logins (evalOptions), the data keys (fixed per environment) and what
   * providers return, so opens that invoke a provider are not kept.
   */
  private async openDefinition(caller: Caller, org: OrganizationRow, root: OpenRoot, overrides: Record<string, string>): Promise<OpenResult> {
    const cacheKey = JSON.stringify([org.id, org.name, caller.user.login, root.source, root.name, overrides]);
    const imports = this.importResolver(caller, org, overrides);
    const cached = this.openResults.get(cacheKey);
    if (cached && (await imports.unchanged(cached.imports))) return cached;

    const resolved: ResolvedImport[] = [];
    let repeatable = true;
    const loader: EnvironmentLoader = {
      loadEnvironment: async (requested: string) => {
        try {
          const { env, revision } = await imports.resolve(requested);
          resolved.push({ requested, environmentId: env.id, revision: revision.revision });
          return { definition: revision.definition, decrypter: await this.decrypterOf(this.deps.db, env.id) };
        } catch (error) {
          repeatable = false;
          throw error;
        }
      },
    };
    const options = this.evalOptions(caller, org, loader, await root.decrypter());
    const { providers } = options;
    options.providers = {
      loadProvider: (name) => {
        repeatable = false;
        return providers.loadProvider(name);
      },
      loadRotator: (name) => {
        repeatable = false;
        return providers.loadRotator(name);
      },
    };
    const { env: decl, diags } = loadYaml(root.name, root.definition);
    const result = decl ? await evalEnvironment(root.name, decl, options) : undefined;
    const all = sortDiagnostics([...diags, ...(result?.diags ?? [])]);
    if (errorsOf(all).length > 0) throw new EnvironmentDiagnosticsError('the environment has errors', all);
    const text = Buffer.from(JSON.stringify(environmentToWire(result?.environment)), 'utf8');
    // Gzipped, an open writes a tenth of the bytes (the JSON repeats its trace and schema shapes).
    // Compressed before sealing, the stored length says something of the content; only callers
    // who may open the environment shape that content, and they can read it anyway.
    const opened = { text, stored: await gzip(text, { level: 1 }), diagnostics: all.map(diagnosticToWire), imports: resolved };
    if (repeatable) this.openResults.set(cacheKey, opened);
    return opened;
  }

  private async keyOf(db: Executor, ownerId: string): Promise<Buffer> {
    const cached = this.keys.get(ownerId);
    if (cached) return cached;
    const context = `environment-key:${ownerId}`;
    let wrapped = await store.findWrappedEnvironmentKey(db, ownerId);
    if (!wrapped) {
      await store.insertWrappedEnvironmentKey(db, ownerId, seal(this.deps.masterKey, randomBytes(32), context), this.deps.clock.now());
      wrapped = (await store.findWrappedEnvironmentKey(db, ownerId))!;
    }
    const key = openSealed(this.deps.masterKey, wrapped, context);
    if (!key) throw new ApiError('internal', 'an environment data key does not open with the configured master key');
    // An open reads one key per import: unwrapped ones are kept (the master key is in memory too).
    if (this.keys.size >= maxCachedKeys) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(ownerId, key);
    return key;
  }

  private async encrypterOf(db: Executor, environmentId: string): Promise<Encrypter> {
    const key = await this.keyOf(db, environmentId);
    return { encrypt: async (plaintext) => seal(key, plaintext, `esc-secret:${environmentId}`) };
  }

  private async decrypterOf(db: Executor, environmentId: string): Promise<Decrypter> {
    const key = await this.keyOf(db, environmentId);
    return {
      decrypt: async (ciphertext) => {
        const plaintext = openSealed(key, ciphertext, `esc-secret:${environmentId}`);
        if (!plaintext) throw new Error('the secret was not encrypted by this environment');
        return plaintext;
      },
    };
  }

  private async storeSession(
    org: OrganizationRow,
    environmentId: string | undefined,
    keyOwnerId: string,
    opened: { text: Buffer; stored: Buffer },
    lifetimeMs: number,
    audit?: (tx: Executor) => Promise<void>,
  ): Promise<string> {
    const id = this.deps.ids.next();
    const key = await this.keyOf(this.deps.db, keyOwnerId);
    const now = this.deps.clock.now();
    await transaction(this.deps.db, async (tx) => {
      await store.insertOpenSession(tx, {
        id,
        organization_id: org.id,
        environment_id: environmentId ?? null,
        key_owner_id: keyOwnerId,
        sealed: seal(key, opened.stored, `esc-session:${id}`),
        created_at: now,
        expires_at: now + lifetimeMs,
      });
      // The revealed values are deleted when their time is up, not just refused.
      await enqueueJob(tx, this.deps.clock, deleteExpiredEnvironmentSessions, {}, now + lifetimeMs);
      await audit?.(tx);
    });
    this.recentSessions.set(id, opened.text);
    return id;
  }

  private async audit(tx: Executor, caller: Caller, org: OrganizationRow, event: AuditEntry['event'], description: string): Promise<void> {
    await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event, description });
  }

  /** The environment's webhook event, in the transaction of its change. */
  private async fire(tx: Executor, caller: Caller, org: OrganizationRow, env: store.EnvironmentRow, change: EnvironmentChange): Promise<void> {
    const names = { organization: org.name, project: env.project, name: env.name };
    await this.deps.webhooks.fire(tx, { organizationId: org.id, environmentId: env.id, actor: caller.user, ...environmentEvent(this.deps.publicUrl, names, change, caller.user.login) });
  }

  /**
   * A new revision's event, and `imported_environment_changed` for each environment whose latest
   * revision imports this one unpinned (it now opens differently). The importers are looked up only
   * when the organization has an active hook to tell.
   */
  private async fireRevisionCreated(tx: Executor, caller: Caller, org: OrganizationRow, env: store.EnvironmentRow, revision: number): Promise<void> {
    await this.fire(tx, caller, org, env, { event: 'environment_revision_created', revision });
    if (!(await this.deps.webhooks.hasActiveHooks(tx, org.id))) return;
    for (const importer of await this.importersOf(tx, org, env)) {
      if (importer.version) continue;
      const imported = { project: env.project, name: env.name, revision };
      await this.fire(tx, caller, org, importer.env, { event: 'imported_environment_changed', affectedRevisions: [importer.env.latest_revision], imported });
    }
  }

  /** The environments whose latest revision imports `env`, with the revision or tag they name. */
  private async importersOf(db: Executor, org: OrganizationRow, env: store.EnvironmentRow): Promise<{ env: store.EnvironmentRow; version?: string }[]> {
    const importers: { env: store.EnvironmentRow; version?: string }[] = [];
    for (const other of await store.environmentsOfOrganization(db, org.id)) {
      if (other.id === env.id) continue;
      const revision = await store.findRevision(db, other.id, other.latest_revision);
      const { env: decl } = loadYaml(qualified(other), revision?.definition ?? '');
      for (const imported of decl?.imports ?? []) {
        const name = imported.environment?.value;
        if (!name) continue;
        let target;
        try {
          target = parseEnvironmentReference(name);
        } catch {
          continue;
        }
        if (target.project === env.project && target.name === env.name) importers.push({ env: other, version: target.version });
      }
    }
    return importers;
  }
}

const gzip = promisify(gzipCallback);

/** Anonymous definitions have no key of their own: their ciphertexts cannot be opened here. */
const anonymousDecrypter: Decrypter = {
  decrypt: async () => {
    throw new Error('secrets of an anonymous environment cannot be decrypted; import the environment that holds them');
  },
};

function revisionRow(environmentId: string, revision: number, definition: string, at: number, creator: string | null): store.RevisionRow {
  return {
    environment_id: environmentId,
    revision,
    definition,
    created_at: at,
    creator_user_id: creator,
    retracted_at: null,
    retracted_by_user_id: null,
    retracted_replacement: null,
    retracted_reason: null,
  };
}

/** Changes with every revision, so a write based on an older read is refused. */
function etagOf(env: store.EnvironmentRow, revision: number): string {
  return createHash('sha256').update(`${env.id}:${revision}`).digest('base64url').slice(0, 22);
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

function openLifetime(duration: string | undefined): number {
  const ms = duration === undefined || duration === '' ? 2 * 3_600_000 : parseGoDuration(duration);
  if (ms <= 0 || ms > maxOpenDurationMs) throw new ApiError('bad_request', `duration '${duration}' must be above zero and at most 168h`);
  return ms;
}

/** `environmentOverrides`: base64url (unpadded) JSON of environment name → the one to use instead. */
function parseOverrides(text: string | undefined): Record<string, string> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.values(parsed).every((v) => typeof v === 'string')) {
      return Object.assign(Object.create(null), parsed) as Record<string, string>;
    }
  } catch {
    // Answered below.
  }
  throw new ApiError('bad_request', 'environmentOverrides must be base64url-encoded JSON mapping environment names to names');
}

function propertyAt(properties: Record<string, unknown>, text: string): unknown {
  let path;
  try {
    path = parsePropertyPath(text);
  } catch (error) {
    throw new ApiError('bad_request', `property '${text}' is not a property path: ${(error as Error).message}`);
  }
  let current: unknown = { value: properties };
  for (const step of path) {
    const container = (current as { value?: unknown } | undefined)?.value;
    const next =
      typeof step === 'number' ? (Array.isArray(container) ? container[step] : undefined) : container && typeof container === 'object' && !Array.isArray(container) && Object.hasOwn(container, step) ? (container as Record<string, unknown>)[step] : undefined;
    if (next === undefined) throw new ApiError('not_found', `property '${text}' not found in the open environment`);
    current = next;
  }
  return current;
}

function validateTagName(name: string): void {
  if (name.length === 0 || name.length > 255) throw new ApiError('bad_request', 'a tag name must have 1 to 255 characters');
}

function presentRevisionTag(t: store.RevisionTagEntry) {
  return { name: t.name, revision: t.revision, created: iso(t.created_at), modified: iso(t.modified_at), editorLogin: t.editor_login ?? '', editorName: t.editor_name ?? '' };
}

function presentTag(t: store.EnvironmentTagEntry) {
  return { id: t.id, name: t.name, value: t.value, created: iso(t.created_at), modified: iso(t.modified_at), editorLogin: t.editor_login ?? '', editorName: t.editor_name ?? '' };
}
