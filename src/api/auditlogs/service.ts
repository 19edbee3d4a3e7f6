import type { Caller } from '../../auth/caller.js';
import type { PermissionDenied } from '../../auth/permissions.js';
import { recordAudit, recordAuthenticationFailure } from '../../audit/record.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { findOrganizationByName } from '../orgs/store.js';

/** The organization audit log: what refused requests record, and reading it back. */
export class AuditService {
  constructor(private readonly deps: { db: Executor; clock: Clock }) {}

  /** A 403: the refused change rolled back, so its event is written on its own. */
  async recordDenial(caller: Caller, denial: PermissionDenied): Promise<void> {
    await transaction(this.deps.db, (tx) => recordAudit(tx, this.deps.clock, caller, denial.audit));
  }

  /** A token that did not authenticate, on a route of an existing organization. */
  async recordAuthenticationFailure(orgName: string, sourceIp: string, route: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const org = await findOrganizationByName(tx, orgName);
      if (!org) return;
      await recordAuthenticationFailure(tx, this.deps.clock, {
        organizationId: org.id,
        sourceIp,
        description: `Refused ${route}: the access token is unknown, expired or revoked`,
      });
    });
  }
}
