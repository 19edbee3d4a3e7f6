import zlib from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../errors.js';
import { rawJsonMember } from '../../http/raw-json.js';
import { inspectUntypedDeployment } from '../../api/state/deployment.js';
import { BackendUnreadableError, type BackendObject, type BackendSource } from './source.js';

// The DIY backend's layout (pkg/backend/diy, v3.274.1): `.pulumi/meta.yaml` holds the layout
// version, 0 (or no file) for `.pulumi/stacks/<stack>.json` and 1 for
// `.pulumi/stacks/<project>/<stack>.json`. A stack file may be gzip- or zstd-compressed
// (`.json.gz`, `.json.zst`; the bytes say which) and is a VersionedCheckpoint. Each update adds
// `.pulumi/history/[<project>/]<stack>/<stack>-<unix nanos>.history.json` (an UpdateInfo) and a
// copy of the stack file after it, `…checkpoint.json`. Backups, `.bak` files and locks are not state.

const bookkeeping = '.pulumi';
const stacksDir = `${bookkeeping}/stacks`;
const historyDir = `${bookkeeping}/history`;

export type LayoutVersion = 0 | 1;

export interface DiyStackFile {
  /** Undefined in the version 0 layout, where only the state names the project. */
  project?: string;
  name: string;
  key: string;
  modified: number;
}

export interface DiyBackendListing {
  layout: LayoutVersion;
  stacks: DiyStackFile[];
}

/** A checkpoint as Stackyard stores one: an UntypedDeployment's bytes, with what the import looks at. */
export interface ImportedDeployment {
  bytes: Buffer;
  resourceCount: number;
  secretsProvider?: { type?: unknown; state?: Record<string, unknown> };
  /** The project named by the state's first resource URN, if any. */
  urnProject?: string;
}

/** `apitype.ConfigValue`: what the CLI sends the service for each configuration key. */
export interface WireConfigValue {
  string: string;
  secret: boolean;
  object: boolean;
}

export type HistoryResult = 'succeeded' | 'failed';

/** One `…history.json` (backend.UpdateInfo), with the checkpoint saved beside it. */
export interface HistoryRecord {
  kind: string;
  /** Unix seconds. */
  startTime: number;
  endTime: number;
  result: HistoryResult;
  message: string;
  environment: Record<string, string>;
  config: Record<string, WireConfigValue>;
  resourceChanges?: Record<string, number>;
  deployment?: ImportedDeployment;
  /** Where it was read from, for messages. */
  key: string;
}

export interface DiyStack {
  project: string;
  name: string;
  tags: Record<string, string>;
  /** The stack file's state; undefined for a stack that has none. */
  current?: ImportedDeployment;
  /** When the stack file was last written (unix milliseconds). */
  modified: number;
  /** Oldest first. */
  history: HistoryRecord[];
}

/** The layout version and every stack file, as `pulumi stack ls` finds them. */
export async function listDiyStacks(source: BackendSource): Promise<DiyBackendListing> {
  const layout = await readLayoutVersion(source);
  const objects = await source.list(stacksDir);
  if (layout === undefined && objects.length === 0) {
    throw new BackendUnreadableError(`no Pulumi state in ${source.description}: it has neither ${bookkeeping}/meta.yaml nor ${stacksDir}/`);
  }
  // Without meta.yaml the CLI takes the layout without projects if it finds stacks in it, else version 1.
  const version = layout ?? (objects.some((object) => stackFileOf(object, 0)) ? 0 : 1);
  // One stack may have several variants (.json, .json.gz, .json.zst): the CLI reads the newest.
  const chosen = new Map<string, DiyStackFile>();
  for (const object of objects) {
    const file = stackFileOf(object, version);
    if (!file) continue;
    const id = `${file.project ?? ''}/${file.name}`;
    const best = chosen.get(id);
    if (!best || object.modified >= best.modified) chosen.set(id, file);
  }
  return { layout: version, stacks: [...chosen.values()] };
}

async function readLayoutVersion(source: BackendSource): Promise<LayoutVersion | undefined> {
  const where = `${source.description}/${bookkeeping}/meta.yaml`;
  const bytes = await source.read(`${bookkeeping}/meta.yaml`);
  if (!bytes) return undefined;
  let meta: unknown;
  try {
    meta = parseYaml(bytes.toString('utf8'));
  } catch (error) {
    throw new BackendUnreadableError(`corrupt store: ${where}: ${(error as Error).message}`);
  }
  const version = (meta as { version?: unknown } | null)?.version;
  if (version === undefined || version === null) throw new BackendUnreadableError(`corrupt store: ${where} has no version`);
  if (version !== 0 && version !== 1) {
    throw new BackendUnreadableError(`${where} says layout version ${JSON.stringify(version)}; this import reads versions 0 and 1`);
  }
  return version;
}

function stackFileOf(object: BackendObject, layout: LayoutVersion): DiyStackFile | undefined {
  const parts = object.key.slice(stacksDir.length + 1).split('/');
  if (parts.length !== (layout === 1 ? 2 : 1)) return undefined;
  const file = parts[parts.length - 1]!.replace(/\.(gz|zst)$/, '');
  if (!file.endsWith('.json') || file === '.json') return undefined;
  const name = file.slice(0, -'.json'.length);
  return { ...(layout === 1 && { project: parts[0] }), name, key: object.key, modified: object.modified };
}

/**
 * Reads one stack: its state, tags and whole history. `legacyProject` names the project of a
 * version 0 stack whose states name none (no resources).
 */
export async function readDiyStack(source: BackendSource, layout: LayoutVersion, file: DiyStackFile, legacyProject?: string): Promise<DiyStack> {
  const stackBytes = await source.read(file.key);
  if (!stackBytes) throw new Error(`${file.key} disappeared while it was being read`);
  const current = parseCheckpoint(decode(stackBytes, file.key), file.key);

  const dir = layout === 1 ? `${historyDir}/${file.project}/${file.name}` : `${historyDir}/${file.name}`;
  const objects = await source.list(dir);
  const names = new Set(objects.map((o) => o.key));
  const history: HistoryRecord[] = [];
  // In key order, which is the order of the unix-nanosecond times the names end with.
  for (const object of objects) {
    const rest = object.key.slice(dir.length + 1);
    const match = /^(.+)\.history\.json(\.gz|\.zst)?$/.exec(rest);
    if (!match || rest.includes('/')) continue;
    const infoBytes = await source.read(object.key);
    if (!infoBytes) continue;
    const record = parseHistoryRecord(decode(infoBytes, object.key), object.key);
    // The checkpoint is named like its history file; it is a copy of the stack file, so its
    // compression may differ from the name's.
    const checkpointKey = [match[2] ?? '', '', '.gz', '.zst']
      .map((ext) => `${dir}/${match[1]}.checkpoint.json${ext}`)
      .find((key) => names.has(key));
    if (checkpointKey) {
      const bytes = await source.read(checkpointKey);
      if (bytes) record.deployment = parseCheckpoint(decode(bytes, checkpointKey), checkpointKey);
    }
    history.push(record);
  }

  let project = file.project;
  if (project === undefined) {
    project = [current, ...history.map((h) => h.deployment)].find((d) => d?.urnProject)?.urnProject ?? legacyProject;
    if (project === undefined) {
      throw new Error(`${file.key} is in the layout without projects and its state names none; pass --project to say which it belongs to`);
    }
  }
  return { project, name: file.name, tags: await readTags(source, file), current, modified: file.modified, history };
}

async function readTags(source: BackendSource, file: DiyStackFile): Promise<Record<string, string>> {
  const key = `${stacksDir}/${file.project === undefined ? '' : `${file.project}/`}${file.name}.pulumi-tags`;
  const bytes = await source.read(key);
  if (!bytes) return {};
  const parsed = parseJson(bytes, key) as { version?: unknown; tags?: unknown } | null;
  if (parsed?.version !== 1) throw new Error(`${key}: stack tags version ${JSON.stringify(parsed?.version)} is not 1`);
  if (parsed.tags === undefined || parsed.tags === null) return {};
  if (!isStringMap(parsed.tags)) throw new Error(`${key}: tags must map names to strings`);
  return parsed.tags;
}

/** Undoes the compression the bytes start with (gzip or zstd), as the CLI detects it. */
export function decode(bytes: Buffer, where: string): Buffer {
  if (bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08) {
    try {
      return zlib.gunzipSync(bytes);
    } catch (error) {
      throw new Error(`${where}: not valid gzip: ${(error as Error).message}`);
    }
  }
  if (bytes.length >= 4 && bytes.readUInt32BE(0) === 0x28b52ffd) {
    // Node.js reads zstd from 22.15 on; Stackyard also runs on 20.
    const zstd = (zlib as unknown as { zstdDecompressSync?: (input: Buffer) => Buffer }).zstdDecompressSync;
    if (!zstd) throw new Error(`${where} is zstd-compressed; reading zstd needs Node.js 22.15 or later (this is ${process.version})`);
    try {
      return zstd(bytes);
    } catch (error) {
      throw new Error(`${where}: not valid zstd: ${(error as Error).message}`);
    }
  }
  return bytes;
}

function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`${where} is not JSON: ${(error as Error).message}`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringMap = (value: unknown): value is Record<string, string> => isObject(value) && Object.values(value).every((v) => typeof v === 'string');

/**
 * A VersionedCheckpoint (`{version, features?, checkpoint: {stack, config?, latest}}`, or before
 * versions a bare CheckpointV1) as the UntypedDeployment `{version, features?, deployment: latest}`
 * that export answers with, the deployment's bytes kept as they are. Undefined when the checkpoint
 * holds no deployment.
 */
export function parseCheckpoint(text: Buffer, where: string): ImportedDeployment | undefined {
  const parsed = parseJson(text, where);
  if (!isObject(parsed)) throw new Error(`${where}: a checkpoint must be a JSON object`);
  const version = parsed['version'] ?? 0;
  let latestBytes: Buffer | undefined;
  let latest: unknown;
  let untypedVersion: number;
  let features: unknown;
  if (version === 0) {
    // Unversioned: the whole file is a CheckpointV1, whose deployment is a version 1 deployment.
    untypedVersion = 1;
    latest = parsed['latest'];
    latestBytes = rawJsonMember(text, 'latest');
  } else if (version === 1 || version === 2 || version === 3 || version === 4) {
    untypedVersion = version;
    const checkpoint = parsed['checkpoint'];
    if (!isObject(checkpoint)) throw new Error(`${where}: the checkpoint's 'checkpoint' must be a JSON object`);
    latest = checkpoint['latest'];
    latestBytes = rawJsonMember(rawJsonMember(text, 'checkpoint')!, 'latest');
    if (version === 4) features = parsed['features'];
  } else {
    throw new Error(`${where}: unsupported checkpoint version ${JSON.stringify(version)}`);
  }
  if (latest === undefined || latest === null || !latestBytes) return undefined;
  const head = JSON.stringify({ version: untypedVersion, ...(features !== undefined && features !== null && { features }) });
  const bytes = Buffer.concat([Buffer.from(`${head.slice(0, -1)},"deployment":`), latestBytes, Buffer.from('}')]);
  let summary;
  try {
    summary = inspectUntypedDeployment({ version: untypedVersion, features, deployment: latest });
  } catch (error) {
    if (error instanceof ApiError) throw new Error(`${where}: ${error.message}`);
    throw error;
  }
  const firstUrn = (latest as { resources?: Array<{ urn?: unknown }> }).resources?.find((r) => typeof r?.urn === 'string')?.urn;
  const urnProject = typeof firstUrn === 'string' ? /^urn:pulumi:[^:]*::([^:]+)::/.exec(firstUrn)?.[1] : undefined;
  return { bytes, resourceCount: summary.resourceCount, secretsProvider: summary.secretsProvider, ...(urnProject && { urnProject }) };
}

/** apitype.UpdateKind: what history may say an update was. */
const updateKinds = new Set(['update', 'preview', 'refresh', 'rename', 'destroy', 'import', 'resource-import']);

export function parseHistoryRecord(text: Buffer, where: string): HistoryRecord {
  const info = parseJson(text, where);
  if (!isObject(info)) throw new Error(`${where}: an update record must be a JSON object`);
  const fail = (what: string): never => {
    throw new Error(`${where}: ${what}`);
  };
  const { kind, startTime, endTime, result, message, environment, config, resourceChanges } = info;
  if (typeof kind !== 'string' || !updateKinds.has(kind)) fail(`unknown update kind ${JSON.stringify(kind)}`);
  if (!Number.isSafeInteger(startTime) || !Number.isSafeInteger(endTime)) fail('startTime and endTime must be whole numbers of seconds');
  if (result !== 'succeeded' && result !== 'failed') fail(`result ${JSON.stringify(result)} is not one an ended update has`);
  if (message !== undefined && message !== null && typeof message !== 'string') fail('message must be a string');
  if (environment !== undefined && environment !== null && !isStringMap(environment)) fail('environment must map names to strings');
  if (config !== undefined && config !== null && !isObject(config)) fail('config must be an object');
  if (
    resourceChanges !== undefined &&
    resourceChanges !== null &&
    !(isObject(resourceChanges) && Object.values(resourceChanges).every((n) => Number.isSafeInteger(n)))
  ) {
    fail('resourceChanges must map operations to counts');
  }
  return {
    kind: kind as string,
    startTime: startTime as number,
    endTime: endTime as number,
    result: result as HistoryResult,
    message: (message as string | null | undefined) ?? '',
    environment: (environment as Record<string, string> | null | undefined) ?? {},
    config: wireConfig((config as Record<string, unknown> | null | undefined) ?? {}),
    ...(isObject(resourceChanges) && { resourceChanges: resourceChanges as Record<string, number> }),
    key: where,
  };
}

/**
 * A `{"secure": "<ciphertext>"}` value: a secret in config.Map's JSON. Exactly one member, a string.
 */
export function secureCiphertext(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'secure' && typeof value['secure'] === 'string' ? value['secure'] : undefined;
}

function containsSecure(value: unknown): boolean {
  if (secureCiphertext(value) !== undefined) return true;
  if (Array.isArray(value)) return value.some(containsSecure);
  return isObject(value) && Object.values(value).some(containsSecure);
}

/**
 * A config.Map in its JSON form (strings, numbers, booleans, `{"secure": …}` and objects) as the
 * CLI sends it to the service (client.CreateUpdate): each value's string, secret and object flags.
 */
export function wireConfig(config: Record<string, unknown>): Record<string, WireConfigValue> {
  // No prototype: a key is data whatever it is called.
  const wire: Record<string, WireConfigValue> = Object.create(null);
  for (const [key, value] of Object.entries(config)) {
    const secure = secureCiphertext(value);
    if (typeof value === 'string') wire[key] = { string: value, secret: false, object: false };
    else if (typeof value === 'number' || typeof value === 'boolean') wire[key] = { string: JSON.stringify(value), secret: false, object: false };
    else if (secure !== undefined) wire[key] = { string: secure, secret: true, object: false };
    else wire[key] = { string: goJson(value), secret: containsSecure(value), object: true };
  }
  return wire;
}

/** JSON as Go's encoding/json writes it: object keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped. */
export function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
  return JSON.stringify(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
