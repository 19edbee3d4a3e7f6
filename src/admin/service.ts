import type { OrganizationService } from '../api/orgs/service.js';
import { countUsers } from '../api/user/store.js';
import type { TokenService } from '../api/tokens/service.js';
import type { UserService } from '../api/user/service.js';
import type { Executor } from '../db/executor.js';
import { transaction } from '../db/transaction.js';
import type { OrganizationRole } from '../db/schema.js';

/** Operator actions: what `stackyard admin` and the first boot do, each in one transaction. */
export class AdminService {
  constructor(private readonly deps: { db: Executor; users: UserService; tokens: TokenService; organizations: OrganizationService }) {}

  async createUser(input: {
    login: string;
    name?: string;
    email?: string;
    organization?: string;
    role?: OrganizationRole;
  }): Promise<{ token: string }> {
    return transaction(this.deps.db, async (tx) => {
      const user = await this.deps.users.createUser(tx, input);
      if (input.organization) await this.deps.organizations.addMember(tx, input.organization, user.id, input.role ?? 'member');
      return { token: (await this.deps.tokens.issuePersonalToken(tx, user.id, 'created by stackyard admin')).token };
    });
  }

  async createOrganization(name: string, owner?: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      await this.deps.organizations.create(tx, name);
      if (owner) await this.deps.organizations.addMember(tx, name, (await this.deps.users.findUser(tx, owner)).id, 'admin');
    });
  }

  async addMember(organization: string, login: string, role: OrganizationRole): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      await this.deps.organizations.addMember(tx, organization, (await this.deps.users.findUser(tx, login)).id, role);
    });
  }

  async createToken(login: string, description: string): Promise<{ token: string }> {
    return transaction(this.deps.db, async (tx) => {
      const user = await this.deps.users.findUser(tx, login);
      return { token: (await this.deps.tokens.issuePersonalToken(tx, user.id, description)).token };
    });
  }

  /**
   * On an empty database: the default organization, its admin user and a token for them. Returns
   * the token, which exists nowhere else in clear; later boots find users and return undefined.
   */
  async bootstrap(adminLogin: string, organization: string): Promise<{ login: string; organization: string; token: string } | undefined> {
    return transaction(this.deps.db, async (tx) => {
      if ((await countUsers(tx)) > 0) return undefined;
      await this.deps.organizations.create(tx, organization);
      const user = await this.deps.users.createUser(tx, { login: adminLogin, siteAdmin: true });
      await this.deps.organizations.addMember(tx, organization, user.id, 'admin');
      const { token } = await this.deps.tokens.issuePersonalToken(tx, user.id, 'created at first boot');
      return { login: adminLogin, organization, token };
    });
  }
}
