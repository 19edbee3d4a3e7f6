import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import type { OrganizationRole } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import { validateOrganizationName } from '../stacks/names.js';
import * as store from './store.js';

/**
 * What members may do with every stack of a new organization: edit (Pulumi's Write), so a small
 * team works as before; admins narrow it with `PATCH /api/orgs/{org}` (setDefaultStackPermission).
 */
export const defaultStackPermission = 102;

export class OrganizationService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator }) {}

  async create(db: Executor, name: string, displayName?: string): Promise<store.OrganizationRow> {
    validateOrganizationName(name);
    if (await store.findOrganizationByName(db, name)) throw new ApiError('conflict', `organization '${name}' already exists`);
    const org = {
      id: this.deps.ids.next(),
      name,
      display_name: displayName ?? name,
      created_at: this.deps.clock.now(),
      default_stack_permission: defaultStackPermission,
    };
    await store.insertOrganization(db, org);
    return org;
  }

  async addMember(db: Executor, organizationName: string, userId: string, role: OrganizationRole): Promise<void> {
    const org = await store.findOrganizationByName(db, organizationName);
    if (!org) throw new ApiError('not_found', `organization '${organizationName}' not found`);
    await store.upsertMembership(db, { organization_id: org.id, user_id: userId, role, created_at: this.deps.clock.now() });
  }
}
