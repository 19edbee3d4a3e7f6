import { insertAuditEvent, type NewAuditEvent } from '../api/auditlogs/store.js';
import type { Caller } from '../auth/caller.js';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/executor.js';
import { auditEventKind, type AuditEventId } from './catalog.js';

export interface AuditEntry {
  organizationId: string;
  event: AuditEventId;
  description: string;
}

/**
 * Who an event names: a request's caller, or, for what a running update does on its lease alone,
 * the update's author.
 */
export type AuditActor = Pick<Caller, 'user' | 'sourceIp'> & Partial<Pick<Caller, 'token' | 'principal'>>;

/**
 * Writes one audit event. Called with the transaction of the change it records, so a rolled-back
 * change leaves no event and a committed one always has it.
 */
export async function recordAudit(tx: Executor, clock: Clock, caller: AuditActor, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(tx, auditRow(clock, caller, entry));
}

/** The row of an event that happens now. */
export function auditRow(clock: Clock, caller: AuditActor, entry: AuditEntry): NewAuditEvent {
  const kind = auditEventKind(entry.event);
  return {
    organization_id: entry.organizationId,
    occurred_at: clock.now(),
    source_ip: caller.sourceIp,
    event: entry.event,
    description: entry.description,
    user_id: caller.user.id,
    user_login: caller.user.login,
    user_name: caller.user.name,
    user_avatar_url: caller.user.avatar_url,
    token_id: caller.token?.id ?? null,
    token_name: caller.token?.name || null,
    actor_name: caller.principal && caller.principal.kind !== 'person' ? caller.user.name : null,
    req_org_admin: kind.orgAdmin ? 1 : 0,
    req_stack_admin: kind.stackAdmin ? 1 : 0,
    auth_failure: kind.authFailure ? 1 : 0,
  };
}

/**
 * A failed authentication against an organization, where no caller is known: an unknown, expired
 * or revoked token (`user-login-failed`, the default), or a refused OIDC token exchange.
 */
export async function recordAuthenticationFailure(
  db: Executor,
  clock: Clock,
  entry: { organizationId: string; sourceIp: string; description: string; event?: AuditEventId },
): Promise<void> {
  const event = entry.event ?? 'user-login-failed';
  await insertAuditEvent(db, {
    organization_id: entry.organizationId,
    occurred_at: clock.now(),
    source_ip: entry.sourceIp,
    event,
    description: entry.description,
    user_id: null,
    user_login: '',
    user_name: '',
    user_avatar_url: '',
    token_id: null,
    token_name: null,
    actor_name: null,
    req_org_admin: 0,
    req_stack_admin: 0,
    auth_failure: auditEventKind(event).authFailure ? 1 : 0,
  });
}
