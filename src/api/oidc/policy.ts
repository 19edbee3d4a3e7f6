/**
 * Authorization policies of an OIDC issuer: which exchanged tokens its ID tokens may obtain.
 * Pulumi documents claim paths with dots and quoted keys, wildcards (`*` any run, `?` zero or one
 * character, `.` exactly one) in claim values and team scopes, that deny wins and that no match
 * denies. What it leaves open (ours): a policy's rules all must match; patterns match the whole
 * value; a missing claim fails; an array claim matches when one element does.
 */

export const tokenTypes = ['organization', 'team', 'personal', 'runner'] as const;
export type PolicyTokenType = (typeof tokenTypes)[number];

/** `AuthPolicyDefinition`, as stored and returned. */
export interface PolicyDefinition {
  decision: 'allow' | 'deny';
  tokenType: PolicyTokenType;
  teamName?: string;
  userLogin?: string;
  runnerID?: string;
  roleID?: string;
  authorizedPermissions: string[];
  rules: Record<string, string>;
}

/** What an exchange asks for: a token type and, for team, personal and runner tokens, whose. */
export interface ExchangeRequest {
  tokenType: PolicyTokenType;
  /** The team, user or runner the scope names. */
  principal?: string;
  admin: boolean;
}

export type PolicyDecision = { allowed: true } | { allowed: false; reason: 'denied' | 'no-match' };

/** Splits `"kubernetes.io".pod.name` into `kubernetes.io`, `pod`, `name`. */
export function claimPath(path: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of path) {
    if (char === '"') quoted = !quoted;
    else if (char === '.' && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const patternCache = new Map<string, RegExp>();

/** A rule's value as an anchored pattern: `*` any run, `?` zero or one character, `.` exactly one. */
export function wildcardMatches(pattern: string, value: string): boolean {
  let regex = patternCache.get(pattern);
  if (!regex) {
    const body = [...pattern]
      .map((char) => (char === '*' ? '[^]*' : char === '?' ? '[^]?' : char === '.' ? '[^]' : char.replace(/[\\^$+()[\]{}|/]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, 'u');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, regex);
  }
  return regex.test(value);
}

function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let current: unknown = claims;
  for (const key of claimPath(path)) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, key)) return [];
    current = (current as Record<string, unknown>)[key];
  }
  const values = Array.isArray(current) ? current : [current];
  return values.filter((v) => v !== null && v !== undefined).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
}

export function rulesMatch(rules: Record<string, string>, claims: Record<string, unknown>): boolean {
  return Object.entries(rules).every(([path, pattern]) => claimValues(claims, path).some((value) => wildcardMatches(pattern, value)));
}

function appliesTo(policy: PolicyDefinition, request: ExchangeRequest): boolean {
  if (policy.tokenType !== request.tokenType) return false;
  const principal = request.principal ?? '';
  switch (policy.tokenType) {
    case 'team':
      return policy.teamName !== undefined && wildcardMatches(policy.teamName, principal);
    case 'personal':
      return policy.userLogin !== undefined && wildcardMatches(policy.userLogin, principal);
    case 'runner':
      return policy.runnerID !== undefined && wildcardMatches(policy.runnerID, principal);
    case 'organization':
      return true;
  }
}

/** Deny wins over allow, whatever the order; an admin organization token needs an allow granting `admin`. */
export function evaluatePolicies(policies: PolicyDefinition[], request: ExchangeRequest, claims: Record<string, unknown>): PolicyDecision {
  const matching = policies.filter((policy) => appliesTo(policy, request) && rulesMatch(policy.rules, claims));
  if (matching.some((policy) => policy.decision === 'deny')) return { allowed: false, reason: 'denied' };
  const allows = matching.filter((policy) => policy.decision === 'allow');
  const granted = request.admin ? allows.some((policy) => policy.authorizedPermissions.includes('admin')) : allows.length > 0;
  return granted ? { allowed: true } : { allowed: false, reason: 'no-match' };
}
