import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { recordAudit, recordAuthenticationFailure } from '../../audit/record.js';
import type { AuditEventId } from '../../audit/catalog.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { TokenKind } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { findMembership, findOrganizationByName, type OrganizationRow } from '../orgs/store.js';
import { findTeamByName } from '../teams/store.js';
import type { TokenService } from '../tokens/service.js';
import { findUserByLogin } from '../user/store.js';
import { IssuerFetchError, type OidcDocumentFetcher } from './fetcher.js';
import { OAuthError } from './oauth-error.js';
import { evaluatePolicies, type ExchangeRequest, type PolicyDefinition } from './policy.js';
import { withoutTrailingSlash } from './service.js';
import * as store from './store.js';

/** `POST /api/oauth/token`'s fields, as a form or a JSON body sends them. */
export interface TokenExchangeInput {
  grant_type?: string;
  audience?: string;
  subject_token?: string;
  subject_token_type?: string;
  requested_token_type?: string;
  scope?: string;
  expiration?: string | number;
}

/** `TokenExchangeGrantResponse`. */
export interface TokenExchangeGrant {
  access_token: string;
  issued_token_type: string;
  token_type: 'token';
  expires_in: number;
  scope: string;
}

const tokenExchangeGrant = 'urn:ietf:params:oauth:grant-type:token-exchange';
const idTokenType = 'urn:ietf:params:oauth:token-type:id_token';
const accessTokenTypePrefix = 'urn:pulumi:token-type:access_token:';
const audiencePrefix = 'urn:pulumi:org:';
const defaultExpirationSeconds = 7200;
/** Pulumi's default cap on exchanged tokens when an issuer sets none: 25 hours. */
const defaultMaxExpirationSeconds = 25 * 3600;
const clockToleranceSeconds = 60;
/** A token naming a key the issuer does not list makes the keys be fetched again, at most this often per issuer. */
const refetchIntervalMs = 10_000;
/** Asymmetric algorithms only: never `none`, never a shared secret. */
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

const auditEventOf: Record<'organization' | 'team' | 'personal', AuditEventId> = {
  organization: 'organization-token-created-for-oidc-issuer',
  team: 'team-token-created-for-oidc-issuer',
  personal: 'personal-token-created-for-oidc-issuer',
};

interface ParsedRequest {
  orgName: string;
  audience: string;
  subjectToken: string;
  tokenType: 'organization' | 'team' | 'personal';
  /** The team or user login the scope names. */
  principal?: string;
  admin: boolean;
  scope: string;
  expirationSeconds: number;
}

/**
 * RFC 8693 token exchange: an ID token of a registered issuer, verified (signature, issuer,
 * audience, expiry, not-before, the issuer's maximum lifetime) and judged by the issuer's policy,
 * becomes a short-lived Pulumi access token of the requested kind. Refusals are RFC 6749 errors,
 * and those past the organization's name are audited, as every issued token is.
 */
export class TokenExchangeService {
  private readonly lastRefetch = new Map<string, number>();

  constructor(private readonly deps: { db: Executor; clock: Clock; tokens: TokenService; fetcher: OidcDocumentFetcher }) {}

  async exchange(input: TokenExchangeInput, sourceIp: string): Promise<TokenExchangeGrant> {
    const request = parseRequest(input);
    const db = this.deps.db;
    const org = await findOrganizationByName(db, request.orgName);
    const refuse = async (error: OAuthError): Promise<never> => {
      if (org) {
        await recordAuthenticationFailure(db, this.deps.clock, {
          organizationId: org.id,
          sourceIp,
          event: 'oidc-token-exchange-failed',
          description: `Refused an OIDC token exchange for ${article(request)} token: ${error.description}`,
        });
      }
      throw error;
    };

    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(request.subjectToken);
      unverified = decodeJwt(request.subjectToken);
    } catch {
      return refuse(new OAuthError('invalid_grant', 'the subject token is not a JWT'));
    }
    const iss = typeof unverified.iss === 'string' ? unverified.iss : '';
    const issuer = org ? (await store.listIssuers(db, org.id)).find((row) => withoutTrailingSlash(row.issuer) === withoutTrailingSlash(iss)) : undefined;
    // The same answer for an organization that does not exist, so the endpoint tells no one which do.
    if (!org || !issuer) return refuse(new OAuthError('invalid_grant', `the token's issuer '${iss}' is not registered in organization '${request.orgName}'`));

    const claims = await this.verify(org, issuer, request, header.kid, sourceIp).catch((error: unknown) =>
      error instanceof OAuthError ? refuse(error) : Promise.reject(error),
    );
    const maxExpiration = issuer.max_expiration_seconds;
    if (maxExpiration !== null && typeof claims.exp === 'number') {
      const lifetime = claims.exp - (typeof claims.iat === 'number' ? claims.iat : Math.floor(this.deps.clock.now() / 1000));
      if (lifetime > maxExpiration) {
        return refuse(new OAuthError('invalid_grant', `the token is valid for ${lifetime} s, longer than the issuer's maximum expiration of ${maxExpiration} s`));
      }
    }

    const policy = await store.findPolicy(db, issuer.id);
    const definitions: PolicyDefinition[] = policy ? JSON.parse(policy.policies) : [];
    const exchangeRequest: ExchangeRequest = { tokenType: request.tokenType, principal: request.principal, admin: request.admin };
    const decision = evaluatePolicies(definitions, exchangeRequest, claims as Record<string, unknown>);
    if (!decision.allowed) {
      const wanted = `${article(request)} token${request.principal ? ` for '${request.principal}'` : ''}`;
      return refuse(
        new OAuthError(
          'invalid_grant',
          decision.reason === 'denied'
            ? `a deny policy of issuer '${issuer.name}' matches this token`
            : `no policy of issuer '${issuer.name}' allows ${wanted} for this token's claims`,
        ),
      );
    }

    const granted = Math.min(request.expirationSeconds, maxExpiration ?? defaultMaxExpirationSeconds);
    const spec = await this.tokenSpec(org, request).catch((error: unknown) => (error instanceof OAuthError ? refuse(error) : Promise.reject(error)));
    return transaction(db, async (tx) => {
      const now = this.deps.clock.now();
      const { token, caller } = await this.deps.tokens.issueExchangedToken(
        tx,
        { ...spec, description: `OIDC token exchange with issuer "${issuer.name}" (subject ${String(claims.sub ?? '')})`, expiresAt: now + granted * 1000 },
        sourceIp,
      );
      await store.updateIssuer(tx, issuer.id, { last_used_at: now });
      await recordAudit(tx, this.deps.clock, caller, {
        organizationId: org.id,
        event: auditEventOf[request.tokenType],
        description: `Exchanged an OIDC token of issuer "${issuer.name}" (subject "${String(claims.sub ?? '')}") for ${article(request)} token${request.principal ? ` of "${request.principal}"` : ''}, valid ${granted} s`,
      });
      return { access_token: token, issued_token_type: `${accessTokenTypePrefix}${request.tokenType}`, token_type: 'token' as const, expires_in: granted, scope: request.scope };
    });
  }

  private async verify(org: OrganizationRow, issuer: store.OidcIssuerRow, request: ParsedRequest, kid: string | undefined, sourceIp: string): Promise<JWTPayload> {
    const attempt = (jwks: string) =>
      jwtVerify(request.subjectToken, createLocalJWKSet(JSON.parse(jwks) as JSONWebKeySet), {
        algorithms,
        audience: request.audience,
        requiredClaims: ['exp'],
        currentDate: new Date(this.deps.clock.now()),
        clockTolerance: clockToleranceSeconds,
      });
    try {
      return (await attempt(issuer.jwks)).payload;
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !(await this.refetchKeys(org, issuer, sourceIp))) throw describe(error, kid);
    }
    try {
      return (await attempt(issuer.jwks)).payload;
    } catch (error) {
      throw describe(error, kid);
    }
  }

  /** Fetches the key set again (an issuer rotated its keys); false when it may not or did not change. */
  private async refetchKeys(org: OrganizationRow, issuer: store.OidcIssuerRow, sourceIp: string): Promise<boolean> {
    const now = this.deps.clock.now();
    if (issuer.jwks_static === 1 || !issuer.jwks_uri || now - (this.lastRefetch.get(issuer.id) ?? -Infinity) < refetchIntervalMs) return false;
    this.lastRefetch.set(issuer.id, now);
    let body: unknown;
    try {
      body = (await this.deps.fetcher.getJson(issuer.jwks_uri, JSON.parse(issuer.thumbprints))).body;
    } catch (error) {
      if (!(error instanceof IssuerFetchError)) throw error;
      if (error.pinning) {
        await recordAuthenticationFailure(this.deps.db, this.deps.clock, {
          organizationId: org.id,
          sourceIp,
          event: 'oidc-issuer-validation-failed',
          description: `Fetching the keys of OIDC issuer "${issuer.name}": ${error.message}`,
        });
      }
      throw new OAuthError('invalid_grant', `the issuer's keys could not be fetched again: ${error.message}`);
    }
    const keys = (body as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) throw new OAuthError('invalid_grant', "the issuer's jwks_uri did not answer a JWK Set");
    const jwks = JSON.stringify({ keys });
    if (jwks === issuer.jwks) return false;
    await store.updateIssuer(this.deps.db, issuer.id, { jwks });
    issuer.jwks = jwks;
    return true;
  }

  /** The token row to issue: the team or user must exist, and the user be a member of the organization. */
  private async tokenSpec(org: OrganizationRow, request: ParsedRequest): Promise<{ kind: TokenKind; userId?: string; organizationId?: string; teamId?: string; admin?: boolean }> {
    const db = this.deps.db;
    switch (request.tokenType) {
      case 'organization':
        return { kind: 'organization', organizationId: org.id, admin: request.admin };
      case 'team': {
        const team = await findTeamByName(db, org.id, request.principal!);
        if (!team) throw new OAuthError('invalid_scope', `team '${request.principal}' not found in organization '${org.name}'`);
        return { kind: 'team', organizationId: org.id, teamId: team.id };
      }
      case 'personal': {
        const user = await findUserByLogin(db, request.principal!);
        const member = user && user.kind === 'person' ? await findMembership(db, org.id, user.id) : undefined;
        if (!user || !member) throw new OAuthError('invalid_scope', `user '${request.principal}' is not a member of organization '${org.name}'`);
        return { kind: 'personal', userId: user.id };
      }
    }
  }
}

/** `an admin organization`, `an organization`, `a team`, `a personal`. */
const article = (request: Pick<ParsedRequest, 'admin' | 'tokenType'>) =>
  request.admin ? `an admin ${request.tokenType}` : `${request.tokenType === 'organization' ? 'an' : 'a'} ${request.tokenType}`;

/** What went wrong with a token, in words that quote none of it but its key id. */
function describe(error: unknown, kid: string | undefined): OAuthError {
  if (error instanceof joseErrors.JWTExpired) return new OAuthError('invalid_grant', 'the token has expired');
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return new OAuthError('invalid_grant', 'the token is not valid yet (nbf)');
      case 'aud':
        return new OAuthError('invalid_grant', "the token's audience (aud) is not the requested audience");
      case 'iat':
        return new OAuthError('invalid_grant', 'the token was issued in the future (iat)');
      case 'exp':
        return new OAuthError('invalid_grant', 'the token has no valid expiry (exp)');
      default:
        return new OAuthError('invalid_grant', `the token's ${error.claim} claim is not valid`);
    }
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new OAuthError('invalid_grant', "the token's signature does not verify");
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) {
    return new OAuthError('invalid_grant', "the token's signing algorithm is not allowed");
  }
  if (error instanceof joseErrors.JWKSNoMatchingKey) return new OAuthError('invalid_grant', `no key of the issuer matches the token's key id '${kid ?? ''}'`);
  if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return new OAuthError('invalid_grant', "several keys of the issuer match the token's key id; give the token a kid");
  if (error instanceof joseErrors.JOSEError) return new OAuthError('invalid_grant', 'the subject token is not a valid signed JWT');
  if (error instanceof OAuthError) return error;
  // Anything else came from importing the issuer's keys (WebCrypto refusing a malformed key): the
  // token cannot be verified, which is the caller's problem to hear about, not a server failure.
  return new OAuthError('invalid_grant', "the issuer's keys cannot verify this token");
}

function text(input: TokenExchangeInput, field: keyof TokenExchangeInput): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${field} must be a string`);
  return value;
}

function parseRequest(input: TokenExchangeInput): ParsedRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new OAuthError('invalid_request', 'the request needs a form or JSON body');
  const grantType = text(input, 'grant_type');
  if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
  if (grantType === 'refresh_token') throw new OAuthError('unsupported_grant_type', 'this server issues no refresh tokens');
  if (grantType !== tokenExchangeGrant) throw new OAuthError('unsupported_grant_type', `grant_type must be ${tokenExchangeGrant}`);
  const subjectTokenType = text(input, 'subject_token_type');
  if (subjectTokenType !== idTokenType) throw new OAuthError('invalid_request', `subject_token_type must be ${idTokenType}`);
  const subjectToken = text(input, 'subject_token');
  if (!subjectToken) throw new OAuthError('invalid_request', 'subject_token is required');
  const audience = text(input, 'audience') ?? '';
  const orgName = audience.startsWith(audiencePrefix) ? audience.slice(audiencePrefix.length) : '';
  if (!orgName || /\s/.test(orgName)) throw new OAuthError('invalid_request', `audience must be ${audiencePrefix}<organization>`);
  const requested = text(input, 'requested_token_type') ?? '';
  const tokenType = requested.startsWith(accessTokenTypePrefix) ? requested.slice(accessTokenTypePrefix.length) : '';
  if (tokenType === 'runner') throw new OAuthError('invalid_request', 'runner tokens are not issued: this server has no deployment runners');
  if (tokenType !== 'organization' && tokenType !== 'team' && tokenType !== 'personal') {
    throw new OAuthError('invalid_request', `requested_token_type must be ${accessTokenTypePrefix}organization, team or personal`);
  }
  const scopes = (text(input, 'scope') ?? '').split(/[\s,]+/).filter((s) => s !== '');
  if (scopes.length > 1) throw new OAuthError('invalid_scope', 'one scope at most');
  const scope = scopes[0] ?? '';
  let principal: string | undefined;
  let admin = false;
  if (tokenType === 'organization') {
    if (scope !== '' && scope !== 'admin') throw new OAuthError('invalid_scope', "an organization token's scope is empty or 'admin'");
    admin = scope === 'admin';
  } else {
    const prefix = tokenType === 'team' ? 'team:' : 'user:';
    if (!scope.startsWith(prefix) || scope.length === prefix.length) throw new OAuthError('invalid_scope', `a ${tokenType} token needs the scope '${prefix}<name>'`);
    principal = scope.slice(prefix.length);
  }
  return { orgName, audience, subjectToken, tokenType, principal, admin, scope, expirationSeconds: expirationOf(input.expiration) };
}

/** Seconds asked for: a number or a decimal string; missing, empty or at most 0 asks for the default, 2 hours. */
function expirationOf(value: unknown): number {
  if (value === undefined || value === null || value === '') return defaultExpirationSeconds;
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(seconds)) throw new OAuthError('invalid_request', 'expiration must be a whole number of seconds');
  return seconds <= 0 ? defaultExpirationSeconds : seconds;
}
