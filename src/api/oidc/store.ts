import type { Executor } from '../../db/executor.js';
import type { OidcAuthPoliciesTable, OidcIssuersTable } from '../../db/schema.js';

export type OidcIssuerRow = OidcIssuersTable;
export type AuthPolicyRow = OidcAuthPoliciesTable;

export async function insertIssuer(db: Executor, row: OidcIssuerRow): Promise<void> {
  await db.insertInto('oidc_issuers').values(row).execute();
}

export async function findIssuer(db: Executor, organizationId: string, id: string): Promise<OidcIssuerRow | undefined> {
  return db.selectFrom('oidc_issuers').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

/** Oldest first, as registered. */
export async function listIssuers(db: Executor, organizationId: string): Promise<OidcIssuerRow[]> {
  return db.selectFrom('oidc_issuers').selectAll().where('organization_id', '=', organizationId).orderBy('created_at').orderBy('id').execute();
}

export async function updateIssuer(
  db: Executor,
  id: string,
  changes: Partial<Pick<OidcIssuerRow, 'name' | 'thumbprints' | 'max_expiration_seconds' | 'jwks' | 'jwks_static' | 'updated_at' | 'last_used_at'>>,
): Promise<void> {
  await db.updateTable('oidc_issuers').set(changes).where('id', '=', id).execute();
}

export async function deleteIssuer(db: Executor, id: string): Promise<void> {
  await db.deleteFrom('oidc_auth_policies').where('id', '=', id).execute();
  await db.deleteFrom('oidc_issuers').where('id', '=', id).execute();
}

export async function insertPolicy(db: Executor, row: AuthPolicyRow): Promise<void> {
  await db.insertInto('oidc_auth_policies').values(row).execute();
}

export async function findPolicy(db: Executor, id: string): Promise<AuthPolicyRow | undefined> {
  return db.selectFrom('oidc_auth_policies').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePolicy(db: Executor, id: string, changes: Pick<AuthPolicyRow, 'policies' | 'version' | 'updated_at'>): Promise<void> {
  await db.updateTable('oidc_auth_policies').set(changes).where('id', '=', id).execute();
}
