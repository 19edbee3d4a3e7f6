import type { Caller } from '../../auth/caller.js';
import { requireOrganization } from '../../auth/permissions.js';
import { recordAudit, recordAuthenticationFailure } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import type { OrganizationRow } from '../orgs/store.js';
import { IssuerFetchError, normalizeThumbprint, type OidcDocumentFetcher } from './fetcher.js';
import type { PolicyDefinition } from './policy.js';
import * as store from './store.js';

/** `OidcIssuerRegistrationRequest` and `OidcIssuerUpdateRequest`. */
export interface IssuerInput {
  name?: string;
  url?: string;
  thumbprints?: string[] | null;
  maxExpiration?: number | null;
  jwks?: { keys: Array<Record<string, unknown>> } | null;
}

/** `OidcIssuerRegistrationResponse`. */
export interface IssuerView {
  id: string;
  name: string;
  url: string;
  issuer: string;
  thumbprints: string[];
  jwks: { keys: unknown[] };
  maxExpiration?: number;
  created: string;
  modified: string;
  lastUsed?: string;
}

/** `AuthPolicy`. */
export interface AuthPolicyView {
  id: string;
  version: number;
  created: string;
  modified: string;
  policies: PolicyDefinition[];
}

const maxNameLength = 256;
const maxPolicies = 5000;
const maxExpirationLimit = 2 * 366 * 24 * 3600;
const wellKnown = '/.well-known/openid-configuration';

/** Pulumi's documented default: every exchange is denied until an admin adds an allow. */
const defaultPolicies: PolicyDefinition[] = [{ decision: 'deny', tokenType: 'organization', authorizedPermissions: [], rules: {} }];

const iso = (ms: number) => new Date(ms).toISOString();
export const withoutTrailingSlash = (url: string) => url.replace(/\/$/, '');

/**
 * OIDC issuers of an organization and their authorization policies. Organization admins manage
 * them; registering by URL reads the discovery document and the key set it names, through the
 * pinned thumbprints when there are any.
 */
export class OidcIssuerService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; fetcher: OidcDocumentFetcher }) {}

  async register(caller: Caller, orgName: string, input: IssuerInput): Promise<IssuerView> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'registering an OIDC issuer');
    const name = this.validName(input.name);
    const url = this.validUrl(input.url);
    const thumbprints = this.validThumbprints(input.thumbprints);
    const maxExpiration = this.validMaxExpiration(input.maxExpiration);
    const staticKeys = input.jwks ? this.validJwks(input.jwks) : undefined;
    const discovered = staticKeys ? undefined : await this.discover(org, caller.sourceIp, url, thumbprints);
    const issuer = discovered?.issuer ?? withoutTrailingSlash(url);
    return transaction(this.deps.db, async (tx) => {
      if ((await store.listIssuers(tx, org.id)).some((row) => withoutTrailingSlash(row.issuer) === withoutTrailingSlash(issuer))) {
        throw new ApiError('conflict', `the issuer '${issuer}' is already registered in organization '${orgName}'`);
      }
      const now = this.deps.clock.now();
      const row: store.OidcIssuerRow = {
        id: this.deps.ids.next(),
        organization_id: org.id,
        name,
        url,
        issuer,
        jwks_uri: discovered?.jwksUri ?? null,
        jwks: JSON.stringify(staticKeys ?? discovered!.jwks),
        jwks_static: staticKeys ? 1 : 0,
        thumbprints: JSON.stringify(thumbprints),
        max_expiration_seconds: maxExpiration,
        created_at: now,
        updated_at: now,
        last_used_at: null,
      };
      await store.insertIssuer(tx, row);
      await store.insertPolicy(tx, { id: row.id, version: 1, policies: JSON.stringify(defaultPolicies), created_at: now, updated_at: now });
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event: 'oidc-issuer-registered', description: `Registered OIDC issuer "${name}" (${issuer})` });
      return present(row);
    });
  }

  async list(caller: Caller, orgName: string): Promise<{ oidcIssuers: IssuerView[] }> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'listing OIDC issuers');
    return { oidcIssuers: (await store.listIssuers(this.deps.db, org.id)).map(present) };
  }

  async get(caller: Caller, orgName: string, issuerId: string): Promise<IssuerView> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'reading an OIDC issuer');
    return present(await this.issuerOf(this.deps.db, org, issuerId));
  }

  /** The URL cannot change; the name is required, as on Pulumi Cloud; other fields change when given. */
  async update(caller: Caller, orgName: string, issuerId: string, input: IssuerInput): Promise<IssuerView> {
    if (input.name === undefined || input.name.trim() === '') throw new ApiError('bad_request', 'the issuer name is required');
    const name = this.validName(input.name);
    const thumbprints = input.thumbprints === undefined ? undefined : this.validThumbprints(input.thumbprints);
    const maxExpiration = input.maxExpiration === undefined ? undefined : this.validMaxExpiration(input.maxExpiration);
    const staticKeys = input.jwks ? this.validJwks(input.jwks) : undefined;
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'updating an OIDC issuer');
      const row = await this.issuerOf(tx, org, issuerId);
      const changes: Parameters<typeof store.updateIssuer>[2] = { name, updated_at: this.deps.clock.now() };
      if (thumbprints !== undefined) changes.thumbprints = JSON.stringify(thumbprints);
      if (maxExpiration !== undefined) changes.max_expiration_seconds = maxExpiration;
      if (staticKeys) Object.assign(changes, { jwks: JSON.stringify(staticKeys), jwks_static: 1 });
      await store.updateIssuer(tx, row.id, changes);
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event: 'oidc-issuer-updated', description: `Updated OIDC issuer "${name}" (${row.issuer})` });
      return present({ ...row, ...changes });
    });
  }

  async remove(caller: Caller, orgName: string, issuerId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'deleting an OIDC issuer');
      const row = await this.issuerOf(tx, org, issuerId);
      await store.deleteIssuer(tx, row.id);
      await recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event: 'oidc-issuer-deleted', description: `Deleted OIDC issuer "${row.name}" (${row.issuer})` });
    });
  }

  async getPolicy(caller: Caller, orgName: string, issuerId: string): Promise<AuthPolicyView> {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'admin', 'reading an authorization policy');
    const issuer = await this.issuerOf(this.deps.db, org, issuerId);
    return presentPolicy((await store.findPolicy(this.deps.db, issuer.id))!);
  }

  /** Replaces the whole list, kept in the order given; the policy's id is its issuer's. */
  async updatePolicy(caller: Caller, orgName: string, policyId: string, policies: PolicyDefinition[]): Promise<AuthPolicyView> {
    const definitions = validPolicies(policies);
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'updating an authorization policy');
      const issuer = await store.findIssuer(tx, org.id, policyId);
      const policy = issuer && (await store.findPolicy(tx, issuer.id));
      if (!issuer || !policy) throw new ApiError('not_found', `authorization policy '${policyId}' not found`);
      const changes = { policies: JSON.stringify(definitions), version: policy.version + 1, updated_at: this.deps.clock.now() };
      await store.updatePolicy(tx, policy.id, changes);
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: 'authorization-policy-updated',
        description: `Replaced the authorization policy of OIDC issuer "${issuer.name}" (${definitions.length} ${definitions.length === 1 ? 'policy' : 'policies'})`,
      });
      return presentPolicy({ ...policy, ...changes });
    });
  }

  private async issuerOf(db: Executor, org: OrganizationRow, issuerId: string): Promise<store.OidcIssuerRow> {
    const row = await store.findIssuer(db, org.id, issuerId);
    if (!row) throw new ApiError('not_found', `oidc issuer '${issuerId}' not found`);
    return row;
  }

  private async discover(org: OrganizationRow, sourceIp: string, url: string, thumbprints: string[]): Promise<{ issuer: string; jwksUri: string; jwks: unknown }> {
    try {
      const configuration = (await this.deps.fetcher.getJson(withoutTrailingSlash(url) + wellKnown, thumbprints)).body as Record<string, unknown>;
      const issuer = configuration?.issuer;
      const jwksUri = configuration?.jwks_uri;
      if (typeof issuer !== 'string' || issuer === '' || typeof jwksUri !== 'string') {
        throw new IssuerFetchError('the OpenID configuration names no issuer or jwks_uri');
      }
      const jwks = this.validJwks((await this.deps.fetcher.getJson(jwksUri, thumbprints)).body);
      return { issuer, jwksUri, jwks };
    } catch (error) {
      if (!(error instanceof IssuerFetchError || error instanceof ApiError)) throw error;
      if (error instanceof IssuerFetchError && error.pinning) {
        await recordAuthenticationFailure(this.deps.db, this.deps.clock, {
          organizationId: org.id,
          sourceIp,
          event: 'oidc-issuer-validation-failed',
          description: `Registering OIDC issuer ${url}: ${error.message}`,
        });
      }
      throw new ApiError('bad_request', `could not read the issuer's OpenID configuration and keys: ${error.message}`);
    }
  }

  private validName(name: string | undefined): string {
    if (name === undefined || name.trim() === '') throw new ApiError('bad_request', 'the issuer name is required');
    if (name.length > maxNameLength) throw new ApiError('bad_request', `the issuer name must be at most ${maxNameLength} characters`);
    return name;
  }

  private validUrl(url: string | undefined): string {
    let parsed: URL | undefined;
    try {
      parsed = url ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || url!.length > 2048) {
      throw new ApiError('bad_request', 'the issuer url must be an http or https URL');
    }
    return url!;
  }

  private validThumbprints(thumbprints: string[] | null | undefined): string[] {
    const normalized = (thumbprints ?? []).map(normalizeThumbprint);
    for (const thumbprint of normalized) {
      if (!/^[0-9a-f]{64}$/.test(thumbprint)) throw new ApiError('bad_request', 'a thumbprint is the SHA-256 fingerprint of a certificate: 64 hex digits');
    }
    return [...new Set(normalized)];
  }

  private validMaxExpiration(value: number | null | undefined): number | null {
    if (value === null || value === undefined || value === 0) return null;
    if (!Number.isInteger(value) || value < 0 || value > maxExpirationLimit) {
      throw new ApiError('bad_request', `maxExpiration must be a number of seconds from 1 to ${maxExpirationLimit}`);
    }
    return value;
  }

  /** Public keys of asymmetric algorithms only: a key set is never a place for a secret. */
  private validJwks(jwks: unknown): { keys: Array<Record<string, unknown>> } {
    const keys = (jwks as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > 100) throw new ApiError('bad_request', 'jwks must be a JWK Set with 1 to 100 keys');
    for (const key of keys) {
      if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new ApiError('bad_request', 'each key of jwks must be an object');
      const { kty } = key as Record<string, unknown>;
      if (kty !== 'RSA' && kty !== 'EC' && kty !== 'OKP') throw new ApiError('bad_request', 'each key of jwks must be an RSA, EC or OKP public key');
      if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((field) => Object.hasOwn(key, field))) {
        throw new ApiError('bad_request', 'jwks must hold public keys only');
      }
    }
    return { keys: keys as Array<Record<string, unknown>> };
  }
}

function validPolicies(policies: PolicyDefinition[] | undefined): PolicyDefinition[] {
  if (!policies || policies.length === 0) throw new ApiError('bad_request', 'policy definition can not be empty');
  if (policies.length > maxPolicies) throw new ApiError('bad_request', `an authorization policy holds at most ${maxPolicies} policies`);
  return policies.map((policy, index) => {
    const where = `policies[${index}]`;
    const principal = { team: 'teamName', personal: 'userLogin', runner: 'runnerID', organization: undefined }[policy.tokenType];
    if (principal && !policy[principal as 'teamName' | 'userLogin' | 'runnerID']) {
      throw new ApiError('bad_request', `${where}: a ${policy.tokenType} policy needs ${principal}`);
    }
    const definition: PolicyDefinition = {
      decision: policy.decision,
      tokenType: policy.tokenType,
      authorizedPermissions: policy.authorizedPermissions ?? [],
      rules: policy.rules ?? {},
    };
    for (const field of ['teamName', 'userLogin', 'runnerID', 'roleID'] as const) if (policy[field]) definition[field] = policy[field];
    return definition;
  });
}

function present(row: store.OidcIssuerRow): IssuerView {
  const view: IssuerView = {
    id: row.id,
    name: row.name,
    url: row.url,
    issuer: row.issuer,
    thumbprints: JSON.parse(row.thumbprints),
    jwks: JSON.parse(row.jwks),
    created: iso(row.created_at),
    modified: iso(row.updated_at),
  };
  if (row.max_expiration_seconds !== null) view.maxExpiration = row.max_expiration_seconds;
  if (row.last_used_at !== null) view.lastUsed = iso(row.last_used_at);
  return view;
}

function presentPolicy(row: store.AuthPolicyRow): AuthPolicyView {
  return { id: row.id, version: row.version, created: iso(row.created_at), modified: iso(row.updated_at), policies: JSON.parse(row.policies) };
}
