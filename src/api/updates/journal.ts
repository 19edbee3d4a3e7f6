import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';
import { rawJsonElements, rawJsonMember, rawJsonMembers } from '../../http/raw-json.js';

// Rebuilds a deployment from the state an update started from and the journal entries the CLI
// sent, with the semantics of Pulumi's own JournalReplayer (pkg/backend/journal.go): the
// resources operations produced come first, in order, then the surviving base resources.

type Resource = Record<string, any>;
type Deployment = Record<string, any>;

/** apitype.JournalEntry, version 1. */
export interface JournalEntry {
  version: number;
  kind: number;
  sequenceID: number;
  operationID: number;
  removeOld: number | null;
  removeNew: number | null;
  pendingReplacementOld?: number;
  pendingReplacementNew?: number;
  deleteOld?: number;
  deleteNew?: number;
  state?: Resource;
  operation?: { resource: Resource; type: string };
  isRefresh?: boolean;
  secretsProvider?: { type: string; state?: unknown };
  snippets?: unknown[];
  newSnapshot?: Deployment;
  extensionRef?: string;
  extension?: unknown;
  requiresByteString?: boolean;
}

export const JournalKind = {
  begin: 0,
  success: 1,
  failure: 2,
  refreshSuccess: 3,
  outputs: 4,
  write: 5,
  secretsManager: 6,
  rebuiltBaseState: 7,
  extensionParameterize: 8,
  snippets: 9,
} as const;

const isIndex = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** Checks the shape of one entry as the CLI sends it; anything else is a 400. */
export function validateJournalEntry(entry: unknown, position: number): JournalEntry {
  const e = entry as JournalEntry;
  let where = `entries[${position}]`;
  const fail = (why: string): never => {
    throw new ApiError('bad_request', `${where}: ${why}`);
  };
  if (typeof e !== 'object' || e === null || Array.isArray(e)) fail('must be an object');
  if (e.version !== 1) fail(`journal entry version ${String(e.version)} is not supported (this server speaks version 1)`);
  if (!Number.isInteger(e.kind) || e.kind < 0 || e.kind > 9) fail(`unsupported journal entry kind ${String(e.kind)}`);
  if (!Number.isInteger(e.sequenceID) || e.sequenceID < 1) fail('sequenceID must be a whole number from 1');
  where = `entries[${position}] (sequenceID ${e.sequenceID}, kind ${e.kind})`;
  if (!Number.isInteger(e.operationID)) fail('operationID must be a whole number');
  for (const key of ['removeOld', 'removeNew', 'pendingReplacementOld', 'pendingReplacementNew', 'deleteOld', 'deleteNew'] as const) {
    const value = e[key];
    if (value !== undefined && value !== null && !isIndex(value)) fail(`${key} must be an index`);
  }
  // Replay reads these, so what it cannot read is refused here rather than when the update ends.
  const why =
    (e.state !== undefined && resourceProblem(e.state, 'state')) ||
    (e.kind === JournalKind.begin && e.operation !== undefined && e.operation !== null && pendingOperationProblem(e.operation, 'operation')) ||
    (e.kind === JournalKind.write && deploymentProblem(e.newSnapshot, 'newSnapshot')) ||
    (e.kind === JournalKind.secretsManager && typeof e.secretsProvider?.type !== 'string' && 'a secrets-manager entry needs secretsProvider') ||
    (e.kind === JournalKind.snippets && e.snippets !== undefined && e.snippets !== null && snippetsProblem(e.snippets, 'snippets')) ||
    (e.kind === JournalKind.extensionParameterize && typeof e.extensionRef !== 'string' && 'an extension entry needs extensionRef');
  if (why) fail(why);
  return e;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Why replay could not read `value` as a resource state; '' when it can. */
function resourceProblem(value: unknown, name: string): string {
  if (!isPlainObject(value) || typeof value['urn'] !== 'string') return `${name} must be a resource with a urn`;
  for (const key of ['parent', 'provider', 'deletedWith', 'viewOf'] as const) {
    const field = value[key];
    if (field !== undefined && field !== null && typeof field !== 'string') return `${name}.${key} must be a string`;
  }
  for (const key of ['aliases', 'dependencies', 'replaceWith'] as const) {
    const field = value[key];
    if (field !== undefined && field !== null && !isStringList(field)) return `${name}.${key} must be a list of strings`;
  }
  const propertyDependencies = value['propertyDependencies'];
  if (propertyDependencies !== undefined && propertyDependencies !== null) {
    if (!isPlainObject(propertyDependencies) || !Object.values(propertyDependencies).every((urns) => urns === null || isStringList(urns))) {
      return `${name}.propertyDependencies must map property names to lists of strings`;
    }
  }
  return '';
}

function pendingOperationProblem(value: unknown, name: string): string {
  if (!isPlainObject(value) || typeof value['type'] !== 'string') return `${name} must be an operation with a type`;
  return resourceProblem(value['resource'], `${name}.resource`);
}

function snippetsProblem(value: unknown, name: string): string {
  if (!Array.isArray(value)) return `${name} must be a list`;
  const bad = value.findIndex((snippet) => !isPlainObject(snippet) || (snippet['references'] !== undefined && snippet['references'] !== null && !(isPlainObject(snippet['references']) && Object.values(snippet['references']).every((urn) => typeof urn === 'string'))));
  return bad >= 0 ? `${name}[${bad}] must be a snippet whose references are strings` : '';
}

/** Why replay could not take `value` as a whole deployment (a write entry's newSnapshot); '' when it can. */
function deploymentProblem(value: unknown, name: string): string {
  if (!isPlainObject(value)) return `a write entry needs ${name} to be a deployment`;
  const { resources, pending_operations: pending, secrets_providers: provider, snippets, extensions } = value;
  if (resources !== undefined && resources !== null) {
    if (!Array.isArray(resources)) return `${name}.resources must be a list`;
    for (const [index, resource] of resources.entries()) {
      const why = resourceProblem(resource, `${name}.resources[${index}]`);
      if (why) return why;
    }
  }
  if (pending !== undefined && pending !== null) {
    if (!Array.isArray(pending)) return `${name}.pending_operations must be a list`;
    for (const [index, operation] of pending.entries()) {
      const why = pendingOperationProblem(operation, `${name}.pending_operations[${index}]`);
      if (why) return why;
    }
  }
  if (provider !== undefined && provider !== null && !(isPlainObject(provider) && typeof provider['type'] === 'string')) {
    return `${name}.secrets_providers must be an object with a type`;
  }
  if (snippets !== undefined && snippets !== null) {
    const why = snippetsProblem(snippets, `${name}.snippets`);
    if (why) return why;
  }
  if (extensions !== undefined && extensions !== null && !isPlainObject(extensions)) return `${name}.extensions must be an object`;
  return '';
}

/** Replay could not rebuild a state: an ApiError (400) as before, which an update's end tells apart. */
export class UnreplayableError extends ApiError {
  constructor(
    message: string,
    /** The resource the problem was found on, when it is one. */
    readonly urn?: string,
  ) {
    super('bad_request', message);
  }
}

/**
 * One stored entry: its kind, operation and state are kept apart, so replay parses only the small
 * rest of an entry, leaves `begin` entries unparsed unless their operation never finished, and
 * splices state texts into the result unless it must look inside them.
 */
export interface JournalRecord {
  kind: number;
  operationID: number;
  requiresByteString: boolean;
  entry(): JournalEntry;
  state?: StoredResource;
}

/** How the store keeps an entry. */
export interface JournalRow {
  sequence_id: number;
  kind: number;
  operation_id: number;
  /** The entry without its state, as JSON. */
  entry: string;
  state: string | null;
  /** `JournalRowFlags`. */
  flags: number;
}

export const JournalRowFlags = { stateNeedsParse: 1, requiresByteString: 2 } as const;

export function journalRow(entry: JournalEntry): JournalRow {
  const { state, ...rest } = entry;
  return {
    sequence_id: entry.sequenceID,
    kind: entry.kind,
    operation_id: entry.operationID,
    entry: JSON.stringify(rest),
    state: state === undefined ? null : JSON.stringify(state),
    flags:
      (state !== undefined && replayedKeys.some((key) => key in state) ? JournalRowFlags.stateNeedsParse : 0) |
      (entry.requiresByteString ? JournalRowFlags.requiresByteString : 0),
  };
}

/** A row as the store lists it: `begin` entries come without their text unless it was asked for. */
export type ListedJournalRow = Pick<JournalRow, 'kind' | 'operation_id' | 'state' | 'flags'> & { entry: string | null };

export const recordOfRow = (row: ListedJournalRow): JournalRecord => ({
  kind: row.kind,
  operationID: row.operation_id,
  requiresByteString: (row.flags & JournalRowFlags.requiresByteString) !== 0,
  entry: () => {
    if (row.entry === null) throw new Error(`journal entry of operation ${row.operation_id} was not loaded`);
    return JSON.parse(row.entry) as JournalEntry;
  },
  ...(row.state !== null && { state: StoredResource.fromText(row.state, (row.flags & JournalRowFlags.stateNeedsParse) !== 0) }),
});

/** The resource fields replay reads: aliases, and those that make the state need a feature. */
const replayedKeys = ['aliases', 'refreshBeforeUpdate', 'viewOf', 'resourceHooks', 'taint', 'replaceWith', 'extensionRef', 'snippetID'];
const replayedKeyNeedles = replayedKeys.map((key) => Buffer.from(`"${key}"`));

/**
 * A resource state kept as the JSON it came in (a stored entry's text, or a slice of the stored
 * base state's bytes) until something needs its fields.
 */
export class StoredResource {
  private needsParseKnown: boolean | undefined;

  private constructor(
    private text: string | Buffer | undefined,
    private parsed: Resource | undefined,
    needsParse?: boolean,
  ) {
    this.needsParseKnown = needsParse;
  }

  /** `needsParse` comes from the flags stored with the entry. */
  static fromText(text: string, needsParse: boolean): StoredResource {
    return new StoredResource(text, undefined, needsParse);
  }

  /** A slice of stored bytes; whether it must be parsed is found out only if it is kept. */
  static fromBytes(bytes: Buffer): StoredResource {
    return new StoredResource(bytes, undefined);
  }

  static fromValue(value: Resource): StoredResource {
    return new StoredResource(undefined, value, true);
  }

  /** False only when the state certainly has none of `replayedKeys`. */
  get needsParse(): boolean {
    if (this.needsParseKnown === undefined) {
      const text = this.text as Buffer;
      this.needsParseKnown = replayedKeyNeedles.some((needle) => text.indexOf(needle) >= 0);
    }
    return this.needsParseKnown;
  }

  /** The parsed state; from then on it is written from the value, which callers may change. */
  get value(): Resource {
    if (this.parsed === undefined) {
      this.parsed = JSON.parse(typeof this.text === 'string' ? this.text : this.text!.toString('utf8')) as Resource;
      this.text = undefined;
    }
    return this.parsed;
  }

  json(): string | Buffer {
    return this.text ?? JSON.stringify(this.parsed);
  }
}

interface PendingOperation {
  type: string;
  resource: Resource;
}

/** A deployment with its resources kept as `StoredResource`s. */
interface DeploymentParts {
  manifest: unknown;
  secrets_providers?: { type: string; state?: unknown };
  resources: StoredResource[];
  pending_operations: PendingOperation[];
  metadata: unknown;
  snippets?: unknown[];
  extensions?: Record<string, unknown>;
}

/** The parts of a stored untyped deployment; resource texts are sliced out, not parsed. */
function partsOfBytes(untyped: Buffer): DeploymentParts {
  const members = rawJsonMembers(rawJsonMember(untyped, 'deployment') ?? Buffer.from('{}'));
  const parse = (name: string): any => {
    const bytes = members.get(name);
    return bytes === undefined ? undefined : JSON.parse(bytes.toString('utf8'));
  };
  const resources = members.get('resources');
  return {
    manifest: parse('manifest'),
    secrets_providers: parse('secrets_providers') ?? undefined,
    resources: resources ? rawJsonElements(resources).map(StoredResource.fromBytes) : [],
    pending_operations: parse('pending_operations') ?? [],
    metadata: parse('metadata'),
    snippets: parse('snippets') ?? undefined,
    extensions: parse('extensions') ?? undefined,
  };
}

function partsOfValue(deployment: Deployment): DeploymentParts {
  return {
    manifest: deployment['manifest'],
    secrets_providers: deployment['secrets_providers'] ?? undefined,
    resources: ((deployment['resources'] as Resource[] | undefined) ?? []).map(StoredResource.fromValue),
    pending_operations: deployment['pending_operations'] ?? [],
    metadata: deployment['metadata'],
    snippets: deployment['snippets'] ?? undefined,
    extensions: deployment['extensions'] ?? undefined,
  };
}

/**
 * The operations whose `begin` entries replay reads: those unfinished when a rebuilt base folds
 * them in, or at the end. It follows the bookkeeping of `Replayer.add`, so the rest of the
 * `begin` texts (as large as the states) need not be read from the store at all.
 */
export function begunOperationsToLoad(rows: Array<Pick<JournalRow, 'kind' | 'operation_id'>>): number[] {
  const needed = new Set<number>();
  const open = new Set<number>();
  for (const { kind, operation_id: operation } of rows) {
    if (kind === JournalKind.begin) open.add(operation);
    else if (kind === JournalKind.success || kind === JournalKind.failure || kind === JournalKind.refreshSuccess) open.delete(operation);
    else if (kind === JournalKind.rebuiltBaseState) {
      for (const id of open) needed.add(id);
      open.clear();
    }
  }
  for (const id of open) needed.add(id);
  return [...needed];
}

class Replayer {
  private toRemove = new Set<number>();
  private toDeleteInBase = new Set<number>();
  private toReplaceInBase = new Map<number, StoredResource>();
  private markAsDeletion = new Set<number>();
  private markAsPendingReplacement = new Set<number>();
  private indexOfOperation = new Map<number, number>();
  private incomplete = new Map<number, JournalRecord>();
  private newResources: StoredResource[] = [];
  private extensions = new Map<string, unknown>();
  private hasRefresh = false;
  private requiresByteString = false;

  constructor(private base: DeploymentParts) {}

  add(record: JournalRecord): void {
    if (record.requiresByteString) this.requiresByteString = true;
    if (record.kind === JournalKind.begin) {
      this.incomplete.set(record.operationID, record);
      return;
    }
    const entry = record.entry();
    // Entries stored before states were kept apart still carry their state inline.
    const state = record.state ?? (entry.state && StoredResource.fromValue(entry.state));
    switch (entry.kind) {
      case JournalKind.success:
        this.incomplete.delete(entry.operationID);
        if (state) {
          this.indexOfOperation.set(entry.operationID, this.newResources.length);
          this.newResources.push(state);
        }
        if (isIndex(entry.removeOld)) this.toDeleteInBase.add(entry.removeOld);
        if (isIndex(entry.removeNew)) this.toRemove.add(entry.removeNew);
        if (isIndex(entry.deleteOld)) this.markAsDeletion.add(entry.deleteOld);
        if (isIndex(entry.deleteNew)) this.newResourceOf(entry.deleteNew).value.delete = true;
        if (isIndex(entry.pendingReplacementOld)) this.markAsPendingReplacement.add(entry.pendingReplacementOld);
        if (isIndex(entry.pendingReplacementNew)) this.newResourceOf(entry.pendingReplacementNew).value.pendingReplacement = true;
        if (entry.isRefresh) this.hasRefresh = true;
        break;
      case JournalKind.refreshSuccess:
        this.incomplete.delete(entry.operationID);
        this.hasRefresh = true;
        if (isIndex(entry.removeOld)) {
          if (state) this.toReplaceInBase.set(entry.removeOld, state);
          else this.toDeleteInBase.add(entry.removeOld);
        }
        if (isIndex(entry.removeNew)) {
          if (state) this.newResources[this.indexOf(entry.removeNew)] = state;
          else this.toRemove.add(entry.removeNew);
        }
        break;
      case JournalKind.failure:
        this.incomplete.delete(entry.operationID);
        break;
      case JournalKind.outputs:
        if (state && isIndex(entry.removeOld)) this.toReplaceInBase.set(entry.removeOld, state);
        if (state && isIndex(entry.removeNew)) this.newResources[this.indexOf(entry.removeNew)] = state;
        break;
      case JournalKind.write:
        this.base = partsOfValue(entry.newSnapshot!);
        break;
      case JournalKind.secretsManager: {
        // Keep the base's provider when it is the same, so secrets are not re-encrypted needlessly.
        const current = this.base.secrets_providers;
        const next = entry.secretsProvider!;
        if (current && current.type === next.type && JSON.stringify(current.state) === JSON.stringify(next.state)) break;
        this.base.secrets_providers = next;
        break;
      }
      case JournalKind.snippets:
        this.base.snippets = entry.snippets;
        break;
      case JournalKind.rebuiltBaseState:
        // After a refresh the engine rebuilds its base: fold everything so far into it and start over.
        this.base = this.generate().deployment;
        this.toRemove = new Set();
        this.toDeleteInBase = new Set();
        this.toReplaceInBase = new Map();
        this.markAsDeletion = new Set();
        this.markAsPendingReplacement = new Set();
        this.indexOfOperation = new Map();
        this.incomplete = new Map();
        this.newResources = [];
        this.extensions = new Map();
        break;
      case JournalKind.extensionParameterize:
        this.extensions.set(entry.extensionRef!, entry.extension);
        break;
    }
  }

  generate(): { deployment: DeploymentParts; features: string[] } {
    const features = new Set<string>();
    const removed = new Set([...this.toRemove].map((op) => this.indexOfOperation.get(op)));
    const resources: StoredResource[] = [];
    const keep = (resource: StoredResource) => {
      resources.push(resource);
      if (resource.needsParse) collectFeatures(resource.value, features);
    };
    this.newResources.forEach((resource, index) => {
      if (!removed.has(index)) keep(resource);
    });
    this.base.resources.forEach((resource, index) => {
      if (this.toDeleteInBase.has(index)) return;
      const replacement = this.toReplaceInBase.get(index);
      if (replacement) {
        // A refreshed or re-output resource wins over the base copy, even if also marked.
        keep(replacement);
        return;
      }
      const pendingReplacement = this.markAsPendingReplacement.has(index);
      const deletion = this.markAsDeletion.has(index);
      if (!pendingReplacement && !deletion) {
        keep(resource);
        return;
      }
      keep(StoredResource.fromValue({ ...resource.value, ...(pendingReplacement && { pendingReplacement: true }), ...(deletion && { delete: true }) }));
    });

    const operations: PendingOperation[] = [];
    for (const record of this.incomplete.values()) {
      const begun = record.entry();
      if (!begun.operation) continue;
      operations.push(begun.operation);
      collectFeatures(begun.operation.resource, features);
    }
    // Pending creates of the base survive: only a person can resolve them.
    for (const pending of this.base.pending_operations) {
      if (pending.type !== 'creating') continue;
      operations.push(pending);
      collectFeatures(pending.resource, features);
    }

    // Every state written with byte strings makes the whole deployment need them.
    if (this.requiresByteString && resources.length + operations.length > 0) features.add('byteString');
    if (this.hasRefresh) rebuildDependencies(resources.map((resource) => resource.value));

    const extensions = { ...Object.fromEntries(this.extensions), ...this.base.extensions };
    const snippets = this.base.snippets;
    if (snippets && snippets.length > 0) features.add('snippets-prototype');
    const deployment: DeploymentParts = {
      manifest: this.base.manifest,
      secrets_providers: this.base.secrets_providers,
      resources,
      pending_operations: operations,
      metadata: this.base.metadata ?? {},
      ...(snippets && snippets.length > 0 && { snippets }),
      ...(Object.keys(extensions).length > 0 && { extensions }),
    };
    normalizeUrnReferences(deployment);
    return { deployment, features: [...features].sort() };
  }

  private indexOf(operationId: number): number {
    const index = this.indexOfOperation.get(operationId);
    if (index === undefined) throw new UnreplayableError(`it refers to operation ${operationId}, which produced no resource`);
    return index;
  }

  private newResourceOf(operationId: number): StoredResource {
    return this.newResources[this.indexOf(operationId)]!;
  }
}

function collectFeatures(resource: Resource, features: Set<string>): void {
  if (resource.refreshBeforeUpdate) features.add('refreshBeforeUpdate');
  if (resource.viewOf) features.add('views');
  if (resource.resourceHooks && Object.keys(resource.resourceHooks).length > 0) features.add('hooks');
  if (resource.taint) features.add('taint');
  if (Array.isArray(resource.replaceWith) && resource.replaceWith.length > 0) features.add('replaceWith');
  if (resource.extensionRef) features.add('extensionParameterization');
  if (resource.snippetID) features.add('snippets-prototype');
}

/** Drops references to resources a refresh removed; resources are in dependency order. */
function rebuildDependencies(resources: Resource[]): void {
  const present = new Set<string>();
  const parentOf = new Map<string, string | undefined>();
  for (const resource of resources) {
    if (Array.isArray(resource.dependencies) && resource.dependencies.length > 0) {
      resource.dependencies = resource.dependencies.filter((urn: string) => present.has(urn));
    }
    if (resource.propertyDependencies && Object.keys(resource.propertyDependencies).length > 0) {
      const kept: Record<string, string[]> = {};
      for (const [key, urns] of Object.entries(resource.propertyDependencies as Record<string, string[]>)) {
        const live = (urns ?? []).filter((urn) => present.has(urn));
        if (live.length > 0) kept[key] = live;
      }
      resource.propertyDependencies = kept;
    }
    if (Array.isArray(resource.replaceWith) && resource.replaceWith.length > 0) {
      resource.replaceWith = resource.replaceWith.filter((urn: string) => present.has(urn));
    }
    if (resource.deletedWith && !present.has(resource.deletedWith)) delete resource.deletedWith;
    present.add(resource.urn);
  }
  // A parent that is gone hands its children to its own parent.
  for (const resource of resources) {
    if (resource.parent && !present.has(resource.parent)) resource.parent = parentOf.get(resource.parent);
    if (resource.parent === undefined || resource.parent === '') delete resource.parent;
    parentOf.set(resource.urn, resource.parent);
  }
  for (const resource of resources) {
    for (const key of ['dependencies', 'replaceWith'] as const) {
      if (Array.isArray(resource[key]) && resource[key].length === 0) delete resource[key];
    }
    if (resource.propertyDependencies && Object.keys(resource.propertyDependencies).length === 0) delete resource.propertyDependencies;
  }
}

/** Points every reference at a resource's current URN rather than an alias, and drops aliases. */
function normalizeUrnReferences(deployment: DeploymentParts): void {
  // Only aliases start the rewriting, and a state without the key has none.
  if (!deployment.resources.some((resource) => resource.needsParse && resource.value.aliases)) return;
  const resources = deployment.resources.map((resource) => resource.value);
  const aliased = new Map<string, string>();
  for (const resource of resources) {
    for (const alias of (resource.aliases as string[] | undefined) ?? []) {
      const other = aliased.get(alias);
      if (other !== undefined && other !== resource.urn) {
        throw new UnreplayableError(`two resources ('${other}' and '${resource.urn}') have the same alias: '${alias}'`, resource.urn);
      }
      aliased.set(alias, resource.urn);
    }
    const parent = resource.parent && aliased.get(resource.parent);
    if (parent && qualifiedType(parent) !== 'pulumi:pulumi:Stack') {
      // urn:pulumi:<stack>::<project>::<qualified type>::<name>
      const [stackPart, project, , name] = splitUrn(resource.urn);
      aliased.set(resource.urn, `urn:pulumi:${stackPart}::${project}::${qualifiedType(parent)}$${ownType(resource.urn)}::${name}`);
    }
  }
  const fix = (urn: string | undefined) => (urn === undefined ? urn : aliased.get(urn) ?? urn);
  for (const resource of resources) {
    resource.urn = fix(resource.urn);
    if (resource.parent) resource.parent = fix(resource.parent);
    if (resource.provider) {
      const separator = resource.provider.lastIndexOf('::');
      resource.provider = `${fix(resource.provider.slice(0, separator))}${resource.provider.slice(separator)}`;
    }
    if (Array.isArray(resource.dependencies)) resource.dependencies = resource.dependencies.map(fix);
    for (const key of Object.keys(resource.propertyDependencies ?? {})) {
      resource.propertyDependencies[key] = (resource.propertyDependencies[key] ?? []).map(fix);
    }
    if (resource.deletedWith) resource.deletedWith = fix(resource.deletedWith);
    if (resource.viewOf) resource.viewOf = fix(resource.viewOf);
    delete resource.aliases;
  }
  for (const snippet of (deployment.snippets as Array<{ references?: Record<string, string> }> | undefined) ?? []) {
    for (const key of Object.keys(snippet.references ?? {})) snippet.references![key] = fix(snippet.references![key])!;
  }
}

function splitUrn(urn: string): [string, string, string, string] {
  const body = urn.slice('urn:pulumi:'.length);
  const [stack = '', project = '', qualified = '', ...rest] = body.split('::');
  return [stack, project, qualified, rest.join('::')];
}

const qualifiedType = (urn: string) => splitUrn(urn)[2];
const ownType = (urn: string) => qualifiedType(urn).split('$').pop()!;

/**
 * The untyped deployment the journal describes, on top of the stored state the update started
 * from, as the CLI would have checkpointed it: schema version 4 with `features` when any
 * resource needs one, else 3; a fresh manifest.
 */
export function replayJournal(base: Buffer | undefined, records: JournalRecord[], cliVersion: string, now: number): Buffer {
  const parts = base ? partsOfBytes(base) : { manifest: undefined, resources: [], pending_operations: [], metadata: {} };
  // An update whose CLI did not say its version keeps the version of the state it started from.
  const version = cliVersion || String((parts.manifest as { version?: unknown } | undefined)?.version ?? '');
  const replayer = new Replayer(parts);
  for (const record of records) {
    try {
      replayer.add(record);
    } catch (error) {
      const why = error instanceof ApiError ? error.message : String(error);
      throw new UnreplayableError(`journal entry ${describeRecord(record)}: ${why}`);
    }
  }
  let generated: ReturnType<Replayer['generate']>;
  try {
    generated = replayer.generate();
  } catch (error) {
    if (error instanceof UnreplayableError) throw error;
    throw new UnreplayableError(`the journal does not make a state: ${String(error)}`);
  }
  const { deployment, features } = generated;
  deployment.manifest = {
    time: new Date(now).toISOString(),
    magic: createHash('sha256').update(version).digest('hex'),
    version,
  };
  return writeUntyped(deployment, features);
}

/** `sequenceID N (kind K)`; entries other than `begin` are always loaded, but a stored text may be damaged. */
function describeRecord(record: JournalRecord): string {
  try {
    return `sequenceID ${record.entry().sequenceID} (kind ${record.kind})`;
  } catch {
    return `of operation ${record.operationID} (kind ${record.kind})`;
  }
}

/** Serialises the deployment with resource texts spliced in as they are, into one buffer. */
function writeUntyped(deployment: DeploymentParts, features: string[]): Buffer {
  const head = features.length > 0 ? { version: 4, features } : { version: 3 };
  const chunks: Array<string | Buffer> = [`${JSON.stringify(head).slice(0, -1)},"deployment":{"manifest":${JSON.stringify(deployment.manifest)}`];
  if (deployment.secrets_providers) chunks.push(`,"secrets_providers":${JSON.stringify(deployment.secrets_providers)}`);
  if (deployment.resources.length > 0) {
    chunks.push(',"resources":[');
    deployment.resources.forEach((resource, index) => {
      // The comma goes alone: prefixing it would copy every state's text once more.
      if (index > 0) chunks.push(',');
      chunks.push(resource.json());
    });
    chunks.push(']');
  }
  if (deployment.pending_operations.length > 0) chunks.push(`,"pending_operations":${JSON.stringify(deployment.pending_operations)}`);
  chunks.push(`,"metadata":${JSON.stringify(deployment.metadata)}`);
  if (deployment.snippets) chunks.push(`,"snippets":${JSON.stringify(deployment.snippets)}`);
  if (deployment.extensions) chunks.push(`,"extensions":${JSON.stringify(deployment.extensions)}`);
  chunks.push('}}');
  return concatText(chunks);
}

/**
 * The chunks' bytes, joined (strings as UTF-8). States are nearly always ASCII, so the buffer is
 * sized by characters and each string written straight in; only a string that might not fit has
 * its bytes counted (and the buffer grown), which spares a second pass over every state's text.
 */
function concatText(chunks: Array<string | Buffer>): Buffer {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  let bytes = Buffer.allocUnsafe(size + 1024);
  let offset = 0;
  const ensure = (needed: number) => {
    if (needed <= bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, Math.ceil(bytes.length * 1.5)));
    bytes.copy(grown, 0, 0, offset);
    bytes = grown;
  };
  for (const chunk of chunks) {
    if (typeof chunk !== 'string') {
      ensure(offset + chunk.length);
      offset += chunk.copy(bytes, offset);
      continue;
    }
    // A UTF-16 unit never needs more than three bytes.
    if (bytes.length - offset < 3 * chunk.length) ensure(offset + Buffer.byteLength(chunk));
    offset += bytes.write(chunk, offset);
  }
  return bytes.subarray(0, offset);
}
