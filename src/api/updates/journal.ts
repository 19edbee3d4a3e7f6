import { createHash } from 'node:crypto';
import { ApiError } from '../../errors.js';

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
  const fail = (why: string): never => {
    throw new ApiError('bad_request', `entries[${position}]: ${why}`);
  };
  if (typeof e !== 'object' || e === null) fail('must be an object');
  if (e.version !== 1) fail(`journal entry version ${String(e.version)} is not supported (this server speaks version 1)`);
  if (!Number.isInteger(e.kind) || e.kind < 0 || e.kind > 9) fail(`unsupported journal entry kind ${String(e.kind)}`);
  if (!Number.isInteger(e.sequenceID) || e.sequenceID < 1) fail('sequenceID must be a whole number from 1');
  if (!Number.isInteger(e.operationID)) fail('operationID must be a whole number');
  for (const key of ['removeOld', 'removeNew', 'pendingReplacementOld', 'pendingReplacementNew', 'deleteOld', 'deleteNew'] as const) {
    const value = e[key];
    if (value !== undefined && value !== null && !isIndex(value)) fail(`${key} must be an index`);
  }
  if (e.state !== undefined && (typeof e.state !== 'object' || e.state === null || typeof e.state.urn !== 'string')) {
    fail('state must be a resource with a urn');
  }
  if (e.kind === JournalKind.write && (typeof e.newSnapshot !== 'object' || e.newSnapshot === null)) fail('a write entry needs newSnapshot');
  if (e.kind === JournalKind.secretsManager && typeof e.secretsProvider?.type !== 'string') fail('a secrets-manager entry needs secretsProvider');
  if (e.kind === JournalKind.extensionParameterize && typeof e.extensionRef !== 'string') fail('an extension entry needs extensionRef');
  return e;
}

/**
 * One stored entry: its kind and operation are known without parsing it, so the many `begin`
 * entries of a large update are only parsed if their operation never finished.
 */
export interface JournalRecord {
  kind: number;
  operationID: number;
  entry(): JournalEntry;
}

export const recordOf = (entry: JournalEntry): JournalRecord => ({ kind: entry.kind, operationID: entry.operationID, entry: () => entry });

class Replayer {
  private toRemove = new Set<number>();
  private toDeleteInBase = new Set<number>();
  private toReplaceInBase = new Map<number, Resource>();
  private markAsDeletion = new Set<number>();
  private markAsPendingReplacement = new Set<number>();
  private indexOfOperation = new Map<number, number>();
  private incomplete = new Map<number, JournalRecord>();
  private newResources: Resource[] = [];
  private extensions = new Map<string, unknown>();
  private hasRefresh = false;
  private requiresByteString = false;

  constructor(private base: Deployment) {}

  add(record: JournalRecord): void {
    if (record.kind === JournalKind.begin) {
      this.incomplete.set(record.operationID, record);
      return;
    }
    const entry = record.entry();
    if (entry.requiresByteString) this.requiresByteString = true;
    switch (entry.kind) {
      case JournalKind.success:
        this.incomplete.delete(entry.operationID);
        if (entry.state) {
          this.indexOfOperation.set(entry.operationID, this.newResources.length);
          this.newResources.push(entry.state);
        }
        if (isIndex(entry.removeOld)) this.toDeleteInBase.add(entry.removeOld);
        if (isIndex(entry.removeNew)) this.toRemove.add(entry.removeNew);
        if (isIndex(entry.deleteOld)) this.markAsDeletion.add(entry.deleteOld);
        if (isIndex(entry.deleteNew)) this.newResourceOf(entry.deleteNew).delete = true;
        if (isIndex(entry.pendingReplacementOld)) this.markAsPendingReplacement.add(entry.pendingReplacementOld);
        if (isIndex(entry.pendingReplacementNew)) this.newResourceOf(entry.pendingReplacementNew).pendingReplacement = true;
        if (entry.isRefresh) this.hasRefresh = true;
        break;
      case JournalKind.refreshSuccess:
        this.incomplete.delete(entry.operationID);
        this.hasRefresh = true;
        if (isIndex(entry.removeOld)) {
          if (entry.state) this.toReplaceInBase.set(entry.removeOld, entry.state);
          else this.toDeleteInBase.add(entry.removeOld);
        }
        if (isIndex(entry.removeNew)) {
          if (entry.state) this.newResources[this.indexOf(entry.removeNew)] = entry.state;
          else this.toRemove.add(entry.removeNew);
        }
        break;
      case JournalKind.failure:
        this.incomplete.delete(entry.operationID);
        break;
      case JournalKind.outputs:
        if (entry.state && isIndex(entry.removeOld)) this.toReplaceInBase.set(entry.removeOld, entry.state);
        if (entry.state && isIndex(entry.removeNew)) this.newResources[this.indexOf(entry.removeNew)] = entry.state;
        break;
      case JournalKind.write:
        this.base = entry.newSnapshot!;
        break;
      case JournalKind.secretsManager: {
        // Keep the base's provider when it is the same, so secrets are not re-encrypted needlessly.
        const current = this.base['secrets_providers'];
        const next = entry.secretsProvider!;
        if (current && current.type === next.type && JSON.stringify(current.state) === JSON.stringify(next.state)) break;
        this.base['secrets_providers'] = next;
        break;
      }
      case JournalKind.snippets:
        this.base['snippets'] = entry.snippets;
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

  generate(): { deployment: Deployment; features: string[] } {
    const features = new Set<string>();
    const removed = new Set([...this.toRemove].map((op) => this.indexOfOperation.get(op)));
    const resources: Resource[] = [];
    const keep = (resource: Resource) => {
      resources.push(resource);
      collectFeatures(resource, this.requiresByteString, features);
    };
    this.newResources.forEach((resource, index) => {
      if (!removed.has(index)) keep(resource);
    });
    (this.base['resources'] as Resource[] | undefined)?.forEach((resource, index) => {
      if (this.toDeleteInBase.has(index)) return;
      const replacement = this.toReplaceInBase.get(index);
      if (replacement) {
        // A refreshed or re-output resource wins over the base copy, even if also marked.
        keep(replacement);
        return;
      }
      const copy = { ...resource };
      if (this.markAsPendingReplacement.has(index)) copy.pendingReplacement = true;
      if (this.markAsDeletion.has(index)) copy.delete = true;
      keep(copy);
    });

    const operations: unknown[] = [];
    for (const record of this.incomplete.values()) {
      const begun = record.entry();
      if (begun.requiresByteString) this.requiresByteString = true;
      if (!begun.operation) continue;
      operations.push(begun.operation);
      collectFeatures(begun.operation.resource, this.requiresByteString, features);
    }
    // Pending creates of the base survive: only a person can resolve them.
    for (const pending of (this.base['pending_operations'] as Array<{ type: string; resource: Resource }> | undefined) ?? []) {
      if (pending.type !== 'creating') continue;
      operations.push(pending);
      collectFeatures(pending.resource, this.requiresByteString, features);
    }

    if (this.hasRefresh) rebuildDependencies(resources);

    const extensions = { ...Object.fromEntries(this.extensions), ...(this.base['extensions'] ?? {}) };
    const snippets = this.base['snippets'] as unknown[] | undefined;
    if (snippets && snippets.length > 0) features.add('snippets-prototype');
    const deployment: Deployment = {
      manifest: this.base['manifest'],
      ...(this.base['secrets_providers'] && { secrets_providers: this.base['secrets_providers'] }),
      ...(resources.length > 0 && { resources }),
      ...(operations.length > 0 && { pending_operations: operations }),
      metadata: this.base['metadata'] ?? {},
      ...(snippets && snippets.length > 0 && { snippets }),
      ...(Object.keys(extensions).length > 0 && { extensions }),
    };
    normalizeUrnReferences(deployment);
    return { deployment, features: [...features].sort() };
  }

  private indexOf(operationId: number): number {
    const index = this.indexOfOperation.get(operationId);
    if (index === undefined) throw new ApiError('bad_request', `journal entry refers to operation ${operationId}, which produced no resource`);
    return index;
  }

  private newResourceOf(operationId: number): Resource {
    return this.newResources[this.indexOf(operationId)]!;
  }
}

function collectFeatures(resource: Resource, byteString: boolean, features: Set<string>): void {
  if (byteString) features.add('byteString');
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
function normalizeUrnReferences(deployment: Deployment): void {
  const resources = (deployment['resources'] as Resource[] | undefined) ?? [];
  const aliased = new Map<string, string>();
  for (const resource of resources) {
    for (const alias of (resource.aliases as string[] | undefined) ?? []) {
      const other = aliased.get(alias);
      if (other !== undefined && other !== resource.urn) {
        throw new ApiError('bad_request', `two resources ('${other}' and '${resource.urn}') have the same alias: '${alias}'`);
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
  if (aliased.size === 0 && !resources.some((r) => r.aliases)) return;
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
  for (const snippet of (deployment['snippets'] as Array<{ references?: Record<string, string> }> | undefined) ?? []) {
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
 * The untyped deployment the journal describes, as the CLI would have checkpointed it: schema
 * version 4 with `features` when any resource needs one, else 3; a fresh manifest.
 */
export function replayJournal(base: Deployment | undefined, records: JournalRecord[], cliVersion: string, now: number): Buffer {
  const replayer = new Replayer(base ?? { manifest: { time: '', magic: '', version: '' }, metadata: {} });
  for (const record of records) replayer.add(record);
  const { deployment, features } = replayer.generate();
  deployment['manifest'] = {
    time: new Date(now).toISOString(),
    magic: createHash('sha256').update(cliVersion).digest('hex'),
    version: cliVersion,
  };
  const untyped = features.length > 0 ? { version: 4, features, deployment } : { version: 3, deployment };
  return Buffer.from(JSON.stringify(untyped));
}
