import type { Caller } from '../../auth/caller.js';
import { generateAccessToken, hashAccessToken } from '../../auth/tokens.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { listMemberships } from '../orgs/store.js';
import * as store from './store.js';

/** `GET /api/user`: the CLI requires a non-empty githubLogin here and in every organization. */
export interface UserView {
  id: string;
  githubLogin: string;
  name: string;
  email: string;
  avatarUrl: string;
  organizations: Array<{ githubLogin: string; name: string; avatarUrl: string; role: string }>;
  identities: string[];
  siteAdmin: boolean;
  hasMFA: boolean;
  isOrgManaged: boolean;
  isManagedByMultiOrg: boolean;
}

const loginPattern = /^[a-zA-Z0-9][a-zA-Z0-9-_]{0,38}[a-zA-Z0-9]$/;
/** Tokens are only looked up again for last-used bookkeeping this often. */
const touchIntervalMs = 60_000;

export class UserService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  /** The caller a token belongs to, or undefined for an unknown or revoked token. */
  async authenticate(token: string): Promise<Caller | undefined> {
    const found = await store.findActiveToken(this.deps.db, hashAccessToken(token));
    if (!found) return undefined;
    const now = this.deps.clock.now();
    if (found.token.last_used_at === null || now - found.token.last_used_at > touchIntervalMs) {
      await store.touchAccessToken(this.deps.db, found.token.id, now);
    }
    return { user: found.user, tokenId: found.token.id };
  }

  async currentUser(caller: Caller): Promise<UserView> {
    const { user } = caller;
    const memberships = await listMemberships(this.deps.db, user.id);
    return {
      id: user.id,
      githubLogin: user.login,
      name: user.name,
      email: user.email,
      avatarUrl: user.avatar_url,
      organizations: memberships.map((m) => ({ githubLogin: m.name, name: m.display_name, avatarUrl: '', role: m.role })),
      identities: [],
      siteAdmin: user.site_admin === 1,
      hasMFA: false,
      isOrgManaged: false,
      isManagedByMultiOrg: false,
    };
  }

  /** The organization stacks go to when a stack name has no owner: the user's first. */
  async defaultOrganization(caller: Caller): Promise<{ GitHubLogin: string; Messages: unknown[] }> {
    const [first] = await listMemberships(this.deps.db, caller.user.id);
    if (!first) throw new ApiError('bad_request', `user '${caller.user.login}' is not a member of any organization`);
    return { GitHubLogin: first.name, Messages: [] };
  }

  async createUser(
    db: Executor,
    input: { login: string; name?: string; email?: string; siteAdmin?: boolean },
  ): Promise<store.UserRow> {
    if (!loginPattern.test(input.login)) {
      throw new ApiError(
        'bad_request',
        `invalid user login '${input.login}': it must be 2 to 40 characters of letters, digits, '-' and '_', starting and ending with a letter or digit`,
      );
    }
    if (await store.findUserByLogin(db, input.login)) throw new ApiError('conflict', `user '${input.login}' already exists`);
    const user: store.UserRow = {
      id: this.deps.ids.next(),
      login: input.login,
      name: input.name ?? input.login,
      email: input.email ?? '',
      avatar_url: '',
      site_admin: input.siteAdmin ? 1 : 0,
      created_at: this.deps.clock.now(),
    };
    await store.insertUser(db, user);
    return user;
  }

  /** Issues a new access token; the returned value is the only time it is seen in clear. */
  async createAccessToken(db: Executor, userId: string, description: string): Promise<{ id: string; token: string }> {
    const token = generateAccessToken();
    const id = this.deps.ids.next();
    await store.insertAccessToken(db, {
      id,
      user_id: userId,
      token_hash: hashAccessToken(token),
      description,
      created_at: this.deps.clock.now(),
      last_used_at: null,
      revoked_at: null,
    });
    return { id, token };
  }

  async findUser(db: Executor, login: string): Promise<store.UserRow> {
    const user = await store.findUserByLogin(db, login);
    if (!user) throw new ApiError('not_found', `user '${login}' not found`);
    return user;
  }
}
