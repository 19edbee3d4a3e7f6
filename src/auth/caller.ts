import type { UserRow } from '../api/user/store.js';
import type { TokenKind } from '../db/schema.js';
import type { AccessLookups } from './access-cache.js';

/** What a token acts as: a person, or an organization or team through its token. */
export type Principal =
  | { kind: 'person' }
  | { kind: 'organization'; organizationId: string; organizationName: string; admin: boolean }
  | { kind: 'team'; organizationId: string; organizationName: string; teamId: string; teamName: string };

/** Who is making a request, as established by the Authorization header. */
export interface Caller {
  /** The person, or the machine identity of an organization or team token: the author of what it does. */
  user: UserRow;
  principal: Principal;
  token: { id: string; name: string; kind: TokenKind };
  /** A deployment token's bounds: edit on this one stack, nothing on others. */
  scope?: { stackId: string; deploymentId: string };
  /** The client's address, for audit events. */
  sourceIp: string;
  /** Access lookups memoized at the generation this request read (src/auth/access-cache.ts); absent, every lookup queries. */
  lookups?: AccessLookups;
}
