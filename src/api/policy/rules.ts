import { Ajv, type ValidateFunction } from 'ajv';
import { ApiError } from '../../errors.js';

/** What `@pulumi/policy` allows in a pack name and the CLI in a version tag; groups take the same. */
const namePattern = /^[a-zA-Z0-9-_.]{1,100}$/;
export const enforcementLevels = ['advisory', 'mandatory', 'remediate', 'disabled'] as const;

/** The property every policy's config takes, whatever its own schema says (the CLI adds it too). */
export const enforcementLevelSchema = { type: 'string', enum: [...enforcementLevels] };

export const DefaultPolicyGroup = 'default-policy-group';

export function validateName(what: string, name: string): void {
  if (!namePattern.test(name)) throw new ApiError('bad_request', `${what} '${name}' is invalid: use 1 to 100 letters, digits, '-', '_' or '.'`);
}

/** A policy as published: its name, level and config schema are checked, the rest is kept as sent. */
export interface PublishedPolicy {
  name: string;
  enforcementLevel: string;
  configSchema?: Record<string, unknown>;
  [field: string]: unknown;
}

export function validatePolicies(policies: PublishedPolicy[]): void {
  if (policies.length === 0) throw new ApiError('bad_request', 'Policy Pack must have at least one policy.');
  const seen = new Set<string>();
  policies.forEach((policy, index) => {
    if (policy.name === '') throw new ApiError('bad_request', `policies[${index}].name must not be empty`);
    if (policy.name === 'all') throw new ApiError('bad_request', `policies[${index}].name 'all' is reserved: config under 'all' applies to every policy`);
    if (seen.has(policy.name)) throw new ApiError('bad_request', `policies[${index}].name '${policy.name}' is used by another policy of the pack`);
    seen.add(policy.name);
    if (!(enforcementLevels as readonly string[]).includes(policy.enforcementLevel)) {
      throw new ApiError('bad_request', `policies[${index}].enforcementLevel must be one of ${enforcementLevels.join(', ')}`);
    }
    if (policy.configSchema !== undefined) compileSchema(policy.name, policy.configSchema);
  });
}

/** Each pack version's policies' config schemas, compiled once. */
const ajv = new Ajv({ strict: false, allErrors: false });
const compiled = new Map<string, Map<string, ValidateFunction>>();

function compileSchema(policy: string, schema: Record<string, unknown>): ValidateFunction {
  try {
    // The CLI validates config with the enforcement level among the properties; so does this.
    const properties = { ...((schema['properties'] as Record<string, unknown> | undefined) ?? {}), enforcementLevel: enforcementLevelSchema };
    return ajv.compile({ ...schema, type: 'object', properties });
  } catch (error) {
    throw new ApiError('bad_request', `the config schema of policy '${policy}' is not a valid JSON schema: ${(error as Error).message}`);
  }
}

function validatorsOf(versionId: string, policies: PublishedPolicy[]): Map<string, ValidateFunction> {
  let validators = compiled.get(versionId);
  if (!validators) {
    validators = new Map(policies.map((policy) => [policy.name, compileSchema(policy.name, policy.configSchema ?? {})]));
    if (compiled.size >= 256) compiled.delete(compiled.keys().next().value!);
    compiled.set(versionId, validators);
  }
  return validators;
}

/**
 * Checks config applied with a pack version, as the CLI will before it runs the pack: an object
 * per policy name (or `all`, which takes only the enforcement level), each valid by that policy's
 * schema. A 400 names the policy and the failing property.
 */
export function validateConfig(pack: string, versionId: string, policies: PublishedPolicy[], config: Record<string, unknown>): void {
  const validators = validatorsOf(versionId, policies);
  for (const [policy, value] of Object.entries(config)) {
    if (value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ApiError('bad_request', `config of policy '${policy}' must be an object, such as {"enforcementLevel": "mandatory"}`);
    }
    const validate = policy === 'all' ? allValidator : validators.get(policy);
    if (!validate) throw new ApiError('bad_request', `config names policy '${policy}', which policy pack '${pack}' does not have`);
    if (!validate(value)) {
      const error = validate.errors![0]!;
      const property = error.instancePath === '' ? (error.params as { missingProperty?: string }).missingProperty ?? '' : error.instancePath.slice(1).replaceAll('/', '.');
      throw new ApiError('bad_request', `config of policy '${policy}' is invalid: ${property ? `property '${property}' ` : ''}${error.message ?? 'does not match the schema'}`);
    }
  }
}

const allValidator = ajv.compile({ type: 'object', properties: { enforcementLevel: enforcementLevelSchema }, additionalProperties: false });

/** What `…/schema` answers: each policy's schema with the enforcement level, and `all`. */
export function configSchemas(policies: PublishedPolicy[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = { all: { type: 'object', properties: { enforcementLevel: enforcementLevelSchema } } };
  for (const policy of policies) {
    const schema = policy.configSchema ?? {};
    schemas[policy.name] = { ...schema, type: 'object', properties: { ...((schema['properties'] as object | undefined) ?? {}), enforcementLevel: enforcementLevelSchema } };
  }
  return schemas;
}

/** `<{%reset%}>` and the other colour tags the engine wraps messages in. */
export const stripColors = (text: string): string => text.replace(/<\{%[^%]*%\}>/g, '');

/** The resource type and name a URN names: `urn:pulumi:<stack>::<project>::<type>::<name>`, the type's last `$` part. */
export function urnParts(urn: string): { type: string; name: string } {
  const parts = urn.split('::');
  if (parts.length < 4) return { type: '', name: '' };
  const types = parts[2]!.split('$');
  return { type: types[types.length - 1]!, name: parts.slice(3).join('::') };
}
