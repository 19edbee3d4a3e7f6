import { open, seal } from '../../crypto/aead.js';
import { ApiError } from '../../errors.js';

/**
 * Deployment settings as clients send them: JSON kept as sent (fields this server does not act on,
 * such as `gitHub` or `cacheOptions`, are returned as stored), with three rules applied.
 *
 * - `sourceContext.git.repoURL` (older CLIs and Pulumi's docs) is stored as `repoUrl`.
 * - A secret is `{"secret": "plaintext"}` on the way in and `{"ciphertext": "…"}` at rest and on the
 *   way out; a ciphertext this server issued may be sent back as is. A bare string is not secret.
 * - POST merges (RFC 7386: `null` removes a key, objects merge, anything else replaces); PUT replaces.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operations a deployment runs. */
export const operations = ['update', 'preview', 'refresh', 'destroy', 'detect-drift', 'remediate-drift'] as const;
export type Operation = (typeof operations)[number];

/** Seals and opens setting secrets with the master key, bound to the organization. */
export class SettingsSecrets {
  constructor(private readonly masterKey: Buffer) {}

  seal(organizationId: string, plaintext: string): string {
    return seal(this.masterKey, Buffer.from(plaintext, 'utf8'), context(organizationId)).toString('base64');
  }

  open(organizationId: string, ciphertext: string): string | undefined {
    return open(this.masterKey, Buffer.from(ciphertext, 'base64'), context(organizationId))?.toString('utf8');
  }
}

const context = (organizationId: string) => `deployment-secret:${organizationId}`;

/** `repoURL` → `repoUrl` in `sourceContext.git`, in settings or in a patch of them. */
export function normalizeSettings(settings: JsonObject): JsonObject {
  const git = isObject(settings.sourceContext) && isObject(settings.sourceContext.git) ? settings.sourceContext.git : undefined;
  if (!git || !Object.hasOwn(git, 'repoURL')) return settings;
  const { repoURL, ...rest } = git;
  const normalized = { ...rest, repoUrl: rest.repoUrl ?? repoURL ?? null };
  return { ...settings, sourceContext: { ...(settings.sourceContext as JsonObject), git: normalized } };
}

/** Sets a key as an own property, even `__proto__`, which plain assignment would take as the prototype. */
function setKey(target: JsonObject, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** RFC 7386 merge patch. */
export function mergePatch(base: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setKey(result, key, mergePatch(Object.hasOwn(result, key) ? result[key]! : null, value));
  }
  return result;
}

/**
 * A create-deployment request over the stack's settings: the request wins, except where it is
 * empty (`""`, `[]`, `{}` or `null`), which the CLI sends for every flag not given.
 */
export function overlay(base: Json, request: Json): Json {
  if (isEmpty(request)) return base;
  if (!isObject(request) || !isObject(base)) return request;
  const result: JsonObject = { ...base };
  for (const [key, value] of Object.entries(request)) {
    const merged = overlay(Object.hasOwn(result, key) ? result[key]! : null, value);
    if (merged === null) delete result[key];
    else setKey(result, key, merged);
  }
  return result;
}

const isEmpty = (value: Json): boolean =>
  value === null || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);

/** A secret's wire form: an object of `secret` and/or `ciphertext` strings and nothing else. */
function secretForm(value: Json): { secret?: string; ciphertext?: string } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0 || !keys.every((k) => k === 'secret' || k === 'ciphertext')) return undefined;
  if (!keys.every((k) => typeof value[k] === 'string')) return undefined;
  return value as { secret?: string; ciphertext?: string };
}

/**
 * Every secret sealed: `{"secret"}` becomes `{"ciphertext"}`; a `{"ciphertext"}` must be one this
 * server sealed for the organization (400 otherwise), so nothing unreadable is ever stored.
 */
export function sealSecrets(value: Json, secrets: SettingsSecrets, organizationId: string, path = ''): Json {
  const secret = secretForm(value);
  if (secret) {
    if (secret.secret !== undefined) return { ciphertext: secrets.seal(organizationId, secret.secret) };
    if (secrets.open(organizationId, secret.ciphertext!) === undefined) {
      throw new ApiError('bad_request', `${path || 'value'}: the ciphertext was not issued by this server for this organization; send the value as {"secret": "…"}`);
    }
    return { ciphertext: secret.ciphertext! };
  }
  if (Array.isArray(value)) return value.map((v, i) => sealSecrets(v, secrets, organizationId, `${path}[${i}]`));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sealSecrets(v, secrets, organizationId, path ? `${path}.${k}` : k)]));
  return value;
}

/** A SecretValue's plaintext, and whether it was secret; undefined when it is neither form. */
export function secretValue(value: Json | undefined, secrets: SettingsSecrets, organizationId: string): { value: string; secret: boolean } | undefined {
  if (typeof value === 'string') return { value, secret: false };
  const form = value === undefined ? undefined : secretForm(value);
  if (!form?.ciphertext) return undefined;
  const plaintext = secrets.open(organizationId, form.ciphertext);
  return plaintext === undefined ? undefined : { value: plaintext, secret: true };
}

/** Checks the parts a deployment acts on; the rest is kept as sent. */
export function validateSettings(settings: JsonObject, where = 'settings'): void {
  const bad = (message: string): never => {
    throw new ApiError('bad_request', `${where}: ${message}`);
  };
  const operationContext = settings.operationContext;
  if (operationContext !== undefined && operationContext !== null) {
    if (!isObject(operationContext)) bad('operationContext must be an object');
    const oc = operationContext as JsonObject;
    if (oc.operation !== undefined && oc.operation !== null && oc.operation !== '' && !operations.includes(oc.operation as Operation)) {
      bad(`operationContext.operation '${String(oc.operation)}' is not one of ${operations.join(', ')}`);
    }
    if (oc.preRunCommands !== undefined && oc.preRunCommands !== null && (!Array.isArray(oc.preRunCommands) || !oc.preRunCommands.every((c) => typeof c === 'string'))) {
      bad('operationContext.preRunCommands must be an array of strings');
    }
    const env = oc.environmentVariables;
    if (env !== undefined && env !== null) {
      if (!isObject(env)) bad('operationContext.environmentVariables must be an object of names to values');
      for (const [name, value] of Object.entries(env as JsonObject)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) bad(`environment variable name '${name}' is invalid`);
        if (value !== null && typeof value !== 'string' && !secretForm(value)) bad(`environment variable '${name}' must be a string or {"secret": "…"}`);
      }
    }
  }
  const source = settings.sourceContext;
  if (source !== undefined && source !== null) {
    if (!isObject(source)) bad('sourceContext must be an object');
    const kinds = ['git', 'hg', 'template'].filter((k) => (source as JsonObject)[k] !== undefined && (source as JsonObject)[k] !== null);
    if (kinds.length > 1) bad(`sourceContext may name one source, not ${kinds.join(' and ')}`);
    const git = (source as JsonObject).git;
    if (git !== undefined && git !== null) {
      if (!isObject(git)) bad('sourceContext.git must be an object');
      for (const key of ['repoUrl', 'branch', 'commit', 'repoDir'] as const) {
        const v = (git as JsonObject)[key];
        if (v !== undefined && v !== null && typeof v !== 'string') bad(`sourceContext.git.${key} must be a string`);
      }
      const g = git as JsonObject;
      if (typeof g.branch === 'string' && g.branch !== '' && typeof g.commit === 'string' && g.commit !== '') bad('sourceContext.git may name a branch or a commit, not both');
      if (typeof g.repoDir === 'string' && (g.repoDir.startsWith('/') || g.repoDir.split('/').includes('..'))) bad('sourceContext.git.repoDir must be a path inside the repository');
    }
  }
  if (settings.agentPoolID !== undefined && settings.agentPoolID !== null && typeof settings.agentPoolID !== 'string') bad('agentPoolID must be a string');
}

/** `YYYY-MM-DD HH:MM:SS.fff` in UTC: how Pulumi's service writes times in deployment and schedule bodies. */
export function sqlTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
