import { createHash, hash } from 'node:crypto';
import { arrayAt, rawJsonElements, rawJsonMember, rawJsonValueAt, walkObject } from '../../http/raw-json.js';
import { shortType } from './match.js';

/**
 * What the index holds of one resource, derived from its entry in a stack's state. Resources are
 * read from the state's bytes one by one: an entry whose bytes the index already holds (same
 * digest) is not parsed again, so keeping the index costs what an update changed.
 */
export interface ResourceDocument {
  urn: string;
  type: string;
  name: string;
  resourceId: string;
  parentUrn: string;
  providerUrn: string;
  dependencies: string[];
  custom: boolean;
  delete: boolean;
  protected: boolean;
  created: number;
  modified: number;
  /** Outputs over inputs, secrets as "[secret]", as JSON. */
  properties: string;
  /** For a provider resource, its package version. */
  ownVersion: string;
}

/** One resource entry of a state: its bytes and their digest, parsed only when asked. */
export interface StateEntry {
  digest: string;
  bytes: Buffer;
  /** Set for the resource of an interrupted operation that is not among the state's resources. */
  pending?: string;
}

export interface StateEntries {
  resources: StateEntry[];
  /** URN → the interrupted operation on it (`creating`, `updating`…). */
  pending: Map<string, string>;
  /** Interrupted operations' resources (parsed: there are few), for those not among `resources`. */
  pendingOnly: Array<{ entry: StateEntry; urn: string }>;
}

/** An UntypedDeployment's resource entries and pending operations, as bytes, and one digest of all. */
export interface StateParts {
  digest: string;
  resources: StateEntry[];
  operations?: Buffer;
}

// The one-shot hash: a state's thousand entries cost a third of what a Hash object each would.
const digestOf = (bytes: Buffer) => hash('sha1', bytes, 'base64url');

/**
 * The parts of an UntypedDeployment's bytes (known to be JSON) that index rows are made from, read
 * in one pass over them: the resources' entries are split and hashed as they are found, and the
 * state's digest is made of theirs.
 */
export function stateParts(untyped: Buffer | undefined): StateParts {
  let resources: Buffer[] = [];
  let operations: Buffer | undefined;
  if (untyped) {
    walkObject(untyped, 0, (name, start) =>
      name !== 'deployment'
        ? undefined
        : walkObject(untyped, start, (member, at) => {
            if (member === 'resources') {
              const array = arrayAt(untyped, at);
              if (array) resources = array.elements;
              return array?.end;
            }
            if (member !== 'pending_operations') return undefined;
            operations = rawJsonValueAt(untyped, at);
            return operations.byteOffset - untyped.byteOffset + operations.length;
          }),
    );
  }
  const entries = resources.map((bytes) => ({ digest: digestOf(bytes), bytes }));
  const hash = createHash('sha1');
  for (const entry of entries) hash.update(entry.digest);
  hash.update('\0').update(operations ?? '');
  return { digest: hash.digest('base64url'), resources: entries, ...(operations && { operations }) };
}

/** The resource entries of a state's parts. */
export function stateEntries({ resources, operations }: StateParts): StateEntries {
  const pending = new Map<string, string>();
  const pendingOnly: StateEntries['pendingOnly'] = [];
  for (const bytes of operations ? rawJsonElements(operations) : []) {
    const operation = JSON.parse(bytes.toString('utf8')) as { resource?: { urn?: unknown }; type?: unknown };
    const urn = operation.resource?.urn;
    if (typeof urn !== 'string' || typeof operation.type !== 'string') continue;
    pending.set(urn, operation.type);
    const resourceBytes = rawJsonMember(bytes, 'resource')!;
    pendingOnly.push({ urn, entry: { digest: `op:${operation.type}:${digestOf(resourceBytes)}`, bytes: resourceBytes, pending: operation.type } });
  }
  return { resources, pending, pendingOnly };
}

const secretSignature = '4dabf18193072939515e22adb298388d';
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Never decrypted, never shown: a secret is the string "[secret]" wherever it sits. */
function hideSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hideSecrets);
  if (!isObject(value)) return value;
  if (Object.hasOwn(value, secretSignature)) return '[secret]';
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = hideSecrets(inner);
  return out;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const time = (value: unknown) => {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
};

/** Parses one entry; undefined when it is not a resource with a URN and a type. */
export function resourceDocument(entry: StateEntry): ResourceDocument | undefined {
  const r = JSON.parse(entry.bytes.toString('utf8')) as Record<string, unknown>;
  if (!isObject(r) || typeof r.urn !== 'string' || typeof r.type !== 'string') return undefined;
  const inputs = isObject(r.inputs) ? r.inputs : {};
  const outputs = isObject(r.outputs) ? r.outputs : {};
  const versionOf = (source: Record<string, unknown>) => text(source['version']);
  return {
    urn: r.urn,
    type: r.type,
    name: nameOfUrn(r.urn),
    resourceId: text(r.id),
    parentUrn: text(r.parent),
    providerUrn: text(r.provider),
    dependencies: Array.isArray(r.dependencies) ? r.dependencies.filter((d): d is string => typeof d === 'string') : [],
    custom: r.custom === true,
    delete: r.delete === true,
    protected: r.protect === true,
    created: time(r.created),
    modified: time(r.modified),
    properties: JSON.stringify(hideSecrets({ ...inputs, ...outputs })),
    ownVersion: r.type.startsWith('pulumi:providers:') ? versionOf(outputs) || versionOf(inputs) : '',
  };
}

/** A URN's last `::` segment: the resource's name (which may itself hold `::`-free text only). */
export function nameOfUrn(urn: string): string {
  const at = urn.lastIndexOf('::');
  return at < 0 ? urn : urn.slice(at + 2);
}

/**
 * What the text index holds of a URN: the part after `urn:pulumi:<stack>::<project>::` when the URN
 * begins with the row's own stack and project (those words are found among the stacks instead,
 * once per stack), else all of it.
 */
export function urnText(urn: string, names: { project: string; stack: string }): string {
  const prefix = `urn:pulumi:${names.stack}::${names.project}::`;
  return urn.startsWith(prefix) ? urn.slice(prefix.length) : urn;
}

/** How a query names a type: package, module (before any `/`), and the short token. */
export function typeParts(type: string): { package: string; module: string; short: string } {
  const parts = type.split(':');
  const pkg = parts[0] ?? '';
  const module = parts.length < 3 ? '' : parts.slice(1, -1).join(':').split('/')[0]!;
  return { package: pkg, module, short: shortType(type) };
}

/** The provider reference (`urn::id`) a provider resource is known by. */
export const providerReference = (urn: string, resourceId: string) => `${urn}::${resourceId}`;
