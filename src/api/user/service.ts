import type { Caller } from '../../auth/caller.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { ApiError } from '../../errors.js';
import { findOrganizationByName, listMemberships } from '../orgs/store.js';
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
  /** For organization and team tokens: which token, and what it acts for. */
  tokenInfo?: { name: string; organization: string; team: string };
}

const loginPattern = /^[a-zA-Z0-9][a-zA-Z0-9-_]{0,38}[a-zA-Z0-9]$/;

export class UserService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  async currentUser(caller: Caller): Promise<UserView> {
    const { user, principal } = caller;
    const organizations = await this.organizationsOf(caller);
    // An organization or team token is shown as what it acts as, named as Pulumi Cloud names it.
    const login = principal.kind === 'organization' ? principal.organizationName : principal.kind === 'team' ? principal.teamName : user.login;
    return {
      id: user.id,
      githubLogin: login,
      name: user.name,
      email: user.email,
      avatarUrl: user.avatar_url,
      organizations: organizations.map((m) => ({ githubLogin: m.name, name: m.display_name, avatarUrl: '', role: m.role })),
      identities: [],
      siteAdmin: user.site_admin === 1,
      hasMFA: false,
      isOrgManaged: false,
      isManagedByMultiOrg: false,
      ...(principal.kind !== 'person' && {
        tokenInfo: {
          name: caller.token.name,
          organization: principal.organizationName,
          team: principal.kind === 'team' ? principal.teamName : '',
        },
      }),
    };
  }

  /** The organizations the caller acts in, oldest membership first (the first is the default). */
  private async organizationsOf(caller: Caller): Promise<Array<{ name: string; display_name: string; role: string }>> {
    const principal = caller.principal;
    if (principal.kind === 'person') return listMemberships(this.deps.db, caller.user.id);
    const org = await findOrganizationByName(this.deps.db, principal.organizationName);
    const role = principal.kind === 'organization' && principal.admin ? 'admin' : 'member';
    return org ? [{ name: org.name, display_name: org.display_name, role }] : [];
  }

  /** The organization stacks go to when a stack name has no owner: the user's first. */
  async defaultOrganization(caller: Caller): Promise<{ GitHubLogin: string; Messages: unknown[] }> {
    const [first] = await this.organizationsOf(caller);
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
      kind: 'person',
    };
    await store.insertUser(db, user);
    return user;
  }

  async findUser(db: Executor, login: string): Promise<store.UserRow> {
    const user = await store.findUserByLogin(db, login);
    if (!user) throw new ApiError('not_found', `user '${login}' not found`);
    return user;
  }
}
