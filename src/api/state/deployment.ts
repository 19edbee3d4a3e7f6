import { ApiError } from '../../errors.js';
import { rawJsonElements, rawJsonMember, rawJsonMembers } from '../../http/raw-json.js';

/** The parts of an UntypedDeployment the server looks at; everything else stays opaque. */
export interface DeploymentSummary {
  resourceCount: number;
  secretsProvider?: { type?: unknown; state?: Record<string, unknown> };
}

const secretSigKey = '4dabf18193072939515e22adb298388d';
const secretSigValue = '1b47061264138c4ac30d75fd1eb44270';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a parsed body is an UntypedDeployment the CLI can read back, and summarises it.
 * Only the top of the document is looked at: this runs on every checkpoint an update writes.
 */
export function inspectUntypedDeployment(value: unknown): DeploymentSummary {
  if (!isObject(value)) throw new ApiError('bad_request', 'the deployment must be a JSON object');
  const { version, deployment, features } = value;
  checkVersion(version);
  checkFeatures(features);
  if (!isObject(deployment)) throw new ApiError('bad_request', "the deployment's 'deployment' field must be a JSON object");
  const { resources } = deployment;
  if (resources !== undefined && resources !== null && !Array.isArray(resources)) {
    throw new ApiError('bad_request', "the deployment's 'resources' field must be an array");
  }
  const provider = deployment['secrets_providers'];
  return {
    resourceCount: Array.isArray(resources) ? resources.length : 0,
    secretsProvider: isObject(provider) ? { type: provider.type, state: isObject(provider.state) ? provider.state : undefined } : undefined,
  };
}

/**
 * The deployment features every CLI that reads version 4 understands (pkg/resource/stack,
 * `supportedFeatures`, v3.274.1); a state needing another could be stored but never read back.
 */
const knownFeatures = new Set(['refreshBeforeUpdate', 'views', 'hooks', 'taint', 'replaceWith', 'snippets-prototype', 'extensionParameterization', 'byteString']);

function checkFeatures(features: unknown): void {
  if (features === undefined || features === null) return;
  if (!Array.isArray(features) || !features.every((f) => typeof f === 'string')) {
    throw new ApiError('bad_request', "the deployment's 'features' must be a list of strings");
  }
  const unknown = features.filter((f) => !knownFeatures.has(f));
  if (unknown.length > 0) {
    throw new ApiError('bad_request', `this stack's deployment needs support for the following features, which no Pulumi CLI reads: ${unknown.join(', ')}`);
  }
}

function checkVersion(version: unknown): void {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > 4) {
    throw new ApiError('bad_request', `deployment version must be a whole number from 1 to 4, got ${JSON.stringify(version)}`);
  }
}

const startsWith = (bytes: Buffer, c: number) => bytes[bytes.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09)] === c;

/** The members of a JSON object's bytes (known to be JSON); the small ones are parsed on demand. */
function objectMembers(raw: Buffer | undefined, what: string) {
  if (!raw || !startsWith(raw, 0x7b /* { */)) throw new ApiError('bad_request', `${what} must be a JSON object`);
  const members = rawJsonMembers(raw);
  const parsed = (key: string) => {
    const bytes = members.get(key);
    return bytes === undefined ? undefined : (JSON.parse(bytes.toString('utf8')) as unknown);
  };
  return { members, parsed };
}

/** The checks inspectUntypedDeployment makes, on a deployment's bytes. */
function checkDeploymentBytes(deployment: Buffer): void {
  if (!startsWith(deployment, 0x7b)) throw new ApiError('bad_request', "the deployment's 'deployment' field must be a JSON object");
  const resources = rawJsonMember(deployment, 'resources');
  if (resources && resources[0] !== 0x5b /* [ */ && resources.toString() !== 'null') {
    throw new ApiError('bad_request', "the deployment's 'resources' field must be an array");
  }
}

/**
 * Checks an untyped deployment (`{"version":…,"deployment":{…}}`) from its bytes, known to be
 * JSON, parsing only its version: checkpoints carry whole states and stay the client's bytes.
 */
export function inspectUntypedDeploymentBytes(raw: Buffer | undefined): void {
  const { members, parsed } = objectMembers(raw, 'the deployment');
  checkVersion(parsed('version'));
  const deployment = members.get('deployment');
  if (!deployment) throw new ApiError('bad_request', "the deployment's 'deployment' field must be a JSON object");
  checkDeploymentBytes(deployment);
}

/**
 * Checks a full checkpoint (`isInvalid`, `version`, `features`, `deployment`) from its bytes, as
 * inspectUntypedDeploymentBytes does. Returns the untyped deployment's head
 * (`{"version":…,"features":…}`) and where the deployment's bytes start and end.
 */
export function inspectFullCheckpoint(raw: Buffer | undefined): { head: string; deployment: { start: number; end: number } } {
  const { members, parsed } = objectMembers(raw, 'the checkpoint');
  const version = parsed('version');
  checkVersion(version);
  const features = parsed('features') ?? undefined;
  if (features !== undefined && !(Array.isArray(features) && features.every((f) => typeof f === 'string'))) {
    throw new ApiError('bad_request', "the checkpoint's 'features' must be a list of strings");
  }
  const deployment = members.get('deployment');
  if (!deployment) throw new ApiError('bad_request', "the checkpoint has no 'deployment'");
  checkDeploymentBytes(deployment);
  const start = deployment.byteOffset - raw!.byteOffset;
  return { head: JSON.stringify({ version, ...(features !== undefined && { features }) }), deployment: { start, end: start + deployment.length } };
}

/** How many resources a stored deployment holds, counted without parsing it. */
export function countResources(untyped: Buffer): number {
  const resources = rawJsonMember(rawJsonMember(untyped, 'deployment') ?? Buffer.alloc(0), 'resources');
  return resources ? rawJsonElements(resources).length : 0;
}

/** Whether any value in the document is a Pulumi secret (the signature key with a ciphertext). */
export function containsSecret(value: unknown): boolean {
  // Iterative: how deep a document nests is the client's choice.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const current = pending.pop();
    if (Array.isArray(current)) pending.push(...current);
    else if (isObject(current)) {
      if (current[secretSigKey] === secretSigValue && 'ciphertext' in current) return true;
      for (const inner of Object.values(current)) pending.push(inner);
    }
  }
  return false;
}

/** What export answers for a stack that has no checkpoint yet: a deployment the CLI accepts as empty. */
export function emptyDeployment(createdAt: number): Buffer {
  const manifest = { time: new Date(createdAt).toISOString(), magic: '', version: '' };
  return Buffer.from(JSON.stringify({ version: 3, deployment: { manifest, metadata: {} } }));
}

export interface StackIdentity {
  organization: string;
  project: string;
  stack: string;
}

/**
 * Rewrites a checkpoint for a stack that changed name, project or organization, as Pulumi's own
 * backends do on rename: every URN of the stack (and so every reference to one: parents,
 * dependencies, provider references, aliases, resource references in properties) gets the new
 * stack and project, and the service secrets provider points at the new address.
 */
export function rewriteStackIdentity(bytes: Buffer, from: StackIdentity, to: StackIdentity): Buffer {
  const document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const oldPrefix = `urn:pulumi:${from.stack}::${from.project}::`;
  const newPrefix = `urn:pulumi:${to.stack}::${to.project}::`;
  const rewriteString = (value: string) => (value.startsWith(oldPrefix) ? newPrefix + value.slice(oldPrefix.length) : value);
  // Rewritten in place, iteratively (nesting depth is the client's choice). Keys are rebuilt in
  // order; defineProperty keeps a key named __proto__ as data.
  const pending: unknown[] = [document];
  while (pending.length > 0) {
    const current = pending.pop();
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        const inner: unknown = current[i];
        if (typeof inner === 'string') current[i] = rewriteString(inner);
        else pending.push(inner);
      }
    } else if (isObject(current)) {
      const entries = Object.entries(current);
      if (entries.some(([key]) => key.startsWith(oldPrefix))) {
        for (const [key] of entries) delete current[key];
        for (const [key, inner] of entries) {
          Object.defineProperty(current, rewriteString(key), { value: inner, enumerable: true, writable: true, configurable: true });
        }
      }
      for (const [key, inner] of Object.entries(current)) {
        if (typeof inner === 'string') current[key] = rewriteString(inner);
        else pending.push(inner);
      }
    }
  }
  const rewritten = document;
  const deployment = rewritten['deployment'];
  const provider = isObject(deployment) ? deployment['secrets_providers'] : undefined;
  if (isObject(provider) && provider.type === 'service' && isObject(provider.state)) {
    provider.state = { ...provider.state, owner: to.organization, project: to.project, stack: to.stack };
  }
  return Buffer.from(stringifyDeep(rewritten));
}

/** A piece of JSON text to emit as is, among the values still to serialise. */
class JsonText {
  constructor(readonly text: string) {}
}

/**
 * JSON.stringify, falling back to an iterative walk for documents too deep for its recursion: states
 * stored before request bodies had a depth limit may nest that deep, and must stay renameable.
 * `value` holds only what JSON.parse makes.
 */
function stringifyDeep(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const out: string[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item instanceof JsonText) out.push(item.text);
    else if (Array.isArray(item)) {
      // Pushed in reverse, so that they pop in order.
      pending.push(new JsonText(']'));
      for (let i = item.length - 1; i >= 0; i--) {
        pending.push(item[i]);
        if (i > 0) pending.push(new JsonText(','));
      }
      pending.push(new JsonText('['));
    } else if (isObject(item)) {
      const entries = Object.entries(item);
      pending.push(new JsonText('}'));
      for (let i = entries.length - 1; i >= 0; i--) {
        pending.push(entries[i]![1], new JsonText(`${i > 0 ? ',' : ''}${JSON.stringify(entries[i]![0])}:`));
      }
      pending.push(new JsonText('{'));
    } else out.push(JSON.stringify(item));
  }
  return out.join('');
}
