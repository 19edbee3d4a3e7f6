import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * OIDC issuers an organization trusts for token exchange, and each one's authorization policy
 * (one per issuer, sharing its id, as Pulumi Cloud's examples show). Key sets and thumbprints are
 * JSON text; `jwks_static` says the keys were given inline and are never fetched.
 */
export function migration0015(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('oidc_issuers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        // The discovery document's `issuer`: what a token's `iss` must equal.
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('jwks_uri', 'text')
        .addColumn('jwks', 'text', (c) => c.notNull())
        .addColumn('jwks_static', 'integer', (c) => c.notNull())
        .addColumn('thumbprints', 'text', (c) => c.notNull())
        .addColumn('max_expiration_seconds', 'integer')
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .addColumn('last_used_at', time)
        .execute();
      await db.schema.createIndex('oidc_issuers_org_issuer').on('oidc_issuers').columns(['organization_id', 'issuer']).execute();

      await db.schema
        .createTable('oidc_auth_policies')
        .addColumn('id', 'text', (c) => c.primaryKey().references('oidc_issuers.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        // JSON array of policy definitions, in the order given.
        .addColumn('policies', 'text', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('updated_at', time, (c) => c.notNull())
        .execute();
    },
  };
}
