import type { Kysely, Migration } from 'kysely';
import type { DialectInfo } from '../dialect.js';

/**
 * Deployments: each stack's deployment settings (JSON as clients send them, secrets sealed), the
 * deployments run from them with their steps, log lines and the updates they made, the runner
 * pools that claim them and the runners seen in each, and the schedules that queue them.
 *
 * A deployment with no `agent_pool_id` belongs to the server's default pool (`stackyard serve
 * --runner`); runners of the default pool are recorded under the pool key ''. A deployment's
 * claim (`claimed_by`, `claim_expires_at`) is renewed by its runner's heartbeats; one that runs
 * out ends the deployment. Deployment tokens are access tokens scoped to one stack
 * (`scope_stack_id`) for one deployment (`scope_deployment_id`).
 */
export function migration0021(dialect: DialectInfo): Migration {
  const time = dialect.timeType;
  return {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('access_tokens').addColumn('scope_stack_id', 'text').execute();
      await db.schema.alterTable('access_tokens').addColumn('scope_deployment_id', 'text').execute();

      await db.schema
        .createTable('agent_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('last_deployment_at', time)
        .execute();
      await db.schema.createIndex('agent_pools_org').on('agent_pools').column('organization_id').execute();

      await db.schema
        .createTable('agent_pool_runners')
        .addColumn('pool_key', 'text', (c) => c.notNull())
        .addColumn('runner_id', 'text', (c) => c.notNull())
        .addColumn('hostname', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('pid', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('platform', 'text', (c) => c.notNull())
        .addColumn('last_seen', time, (c) => c.notNull())
        .addPrimaryKeyConstraint('agent_pool_runners_pk', ['pool_key', 'runner_id'])
        .execute();

      await db.schema
        .createTable('deployment_settings')
        .addColumn('stack_id', 'text', (c) => c.primaryKey().references('stacks.id').onDelete('cascade'))
        .addColumn('settings', 'text', (c) => c.notNull())
        // The pool the settings name, so a pool in use is found without reading every settings' JSON.
        .addColumn('agent_pool_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('paused', 'integer', (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('organization_deployment_pauses')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('paused_at', time, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('initiator', 'text', (c) => c.notNull())
        .addColumn('requested_by_user_id', 'text', (c) => c.notNull())
        .addColumn('agent_pool_id', 'text')
        // JSON: the settings the deployment runs with (the stack's merged with the request's), secrets sealed.
        .addColumn('configuration', 'text', (c) => c.notNull())
        .addColumn('inherit_settings', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addColumn('claimed_by', 'text')
        .addColumn('claim_expires_at', time)
        .addColumn('started_at', time)
        .addColumn('finished_at', time)
        .addColumn('cancel_requested', 'integer', (c) => c.notNull())
        .addColumn('drift_detected', 'integer')
        .addColumn('message', 'text', (c) => c.notNull())
        .addUniqueConstraint('deployments_stack_version', ['stack_id', 'version'])
        .execute();
      await db.schema.createIndex('deployments_queue').on('deployments').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('deployments_org').on('deployments').columns(['organization_id', 'created_at']).execute();

      await db.schema
        .createTable('deployment_steps')
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
        .addColumn('idx', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('started_at', time)
        .addColumn('updated_at', time)
        .addPrimaryKeyConstraint('deployment_steps_pk', ['deployment_id', 'idx'])
        .execute();

      await db.schema
        .createTable('deployment_logs')
        .addColumn('id', dialect.serialType, (c) => dialect.serialPrimaryKey(c))
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
        .addColumn('step', 'integer', (c) => c.notNull())
        .addColumn('at', time, (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('deployment_logs_deployment').on('deployment_logs').columns(['deployment_id', 'step', 'id']).execute();

      await db.schema
        .createTable('deployment_updates')
        .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
        .addColumn('update_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('deployment_updates_pk', ['deployment_id', 'update_id'])
        .execute();

      await db.schema
        .createTable('deployment_schedules')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('stack_id', 'text', (c) => c.notNull().references('stacks.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        // Who made or last changed it: the deployments it queues are theirs.
        .addColumn('created_by_user_id', 'text', (c) => c.notNull())
        .addColumn('schedule_cron', 'text')
        .addColumn('schedule_once', time)
        .addColumn('next_execution', time)
        .addColumn('paused', 'integer', (c) => c.notNull())
        // JSON: the create-deployment request each firing queues.
        .addColumn('request', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', time, (c) => c.notNull())
        .addColumn('modified_at', time, (c) => c.notNull())
        .addColumn('last_executed', time)
        .execute();
      await db.schema.createIndex('deployment_schedules_stack').on('deployment_schedules').column('stack_id').execute();

      await db.schema
        .createTable('deployment_schedule_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('schedule_id', 'text', (c) => c.notNull().references('deployment_schedules.id').onDelete('cascade'))
        .addColumn('executed', time, (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('deployment_id', 'text')
        .execute();
      await db.schema.createIndex('deployment_schedule_history_schedule').on('deployment_schedule_history').columns(['schedule_id', 'executed']).execute();
    },
  };
}
