import type { Caller } from '../../auth/caller.js';
import { requireOrganization } from '../../auth/permissions.js';
import { generateAccessToken, hashAccessToken } from '../../auth/tokens.js';
import { recordAudit, type AuditEntry } from '../../audit/record.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import type { OrganizationRow } from '../orgs/store.js';
import * as store from './store.js';

/** A runner that polled within this long is online. */
export const onlineWindowMs = 3 * 60_000;
/** Runners unseen for this long leave a pool's details, as Pulumi's do after an hour or two. */
const forgetRunnerMs = 2 * 60 * 60_000;

/** Who a pool token speaks for: a pool of an organization, or the server's default pool. */
export type PoolIdentity = { kind: 'pool'; pool: store.PoolRow } | { kind: 'default' };

/**
 * Deployment runner pools ("agent pools"): created by organization admins, each with one token that
 * its runners share, shown once. The server's default pool has no row: its token lives in memory.
 */
export class AgentPoolService {
  constructor(private readonly deps: { db: Executor; clock: Clock; ids: IdGenerator; defaultPoolTokenHash?: string }) {}

  async list(caller: Caller, orgName: string) {
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const pools = await store.listPools(this.deps.db, org.id);
    const seen = await store.lastSeen(this.deps.db, pools.map((p) => p.id));
    const now = this.deps.clock.now();
    return {
      agentPools: pools.map((pool) => {
        const lastSeen = seen.get(pool.id) ?? 0;
        return {
          created: pool.created_at,
          id: pool.id,
          name: pool.name,
          description: pool.description,
          lastSeen,
          status: now - lastSeen <= onlineWindowMs ? 'online' : 'offline',
          ...(pool.last_deployment_at !== null && { lastDeployment: pool.last_deployment_at }),
          isDefault: false,
        };
      }),
    };
  }

  async get(caller: Caller, orgName: string, id: string) {
    const { pool } = await this.find(this.deps.db, caller, orgName, id, 'member');
    const now = this.deps.clock.now();
    const runners = await store.listRunners(this.deps.db, pool.id, now - forgetRunnerMs);
    return {
      created: pool.created_at,
      id: pool.id,
      name: pool.name,
      description: pool.description,
      agents: runners.map((r) => ({
        version: r.version,
        platform: r.platform,
        hostname: r.hostname,
        ip: r.ip,
        pid: r.pid,
        lastSeen: r.last_seen,
        status: now - r.last_seen <= onlineWindowMs ? 'online' : 'offline',
      })),
    };
  }

  async create(caller: Caller, orgName: string, input: { name: string; description?: string }): Promise<{ id: string; tokenValue: string }> {
    const name = validName(input.name);
    return transaction(this.deps.db, async (tx) => {
      const org = await requireOrganization(tx, caller, orgName, 'admin', 'creating a deployment runner pool');
      const id = this.deps.ids.next();
      const token = generateAccessToken();
      await store.insertPool(tx, {
        id,
        organization_id: org.id,
        name,
        description: input.description ?? '',
        token_hash: hashAccessToken(token),
        created_at: this.deps.clock.now(),
        last_deployment_at: null,
      });
      await this.audit(tx, caller, org, 'deployment-runner-pool-created', `Created deployment runner pool "${name}"`);
      return { id, tokenValue: token };
    });
  }

  /** Only the fields given change. */
  async update(caller: Caller, orgName: string, id: string, input: { name?: string; description?: string }): Promise<{ name: string; description: string }> {
    return transaction(this.deps.db, async (tx) => {
      const { org, pool } = await this.find(tx, caller, orgName, id, 'admin');
      const name = input.name === undefined ? pool.name : validName(input.name);
      const description = input.description ?? pool.description;
      await store.changePool(tx, pool.id, { name, description });
      await this.audit(tx, caller, org, 'deployment-runner-pool-updated', `Updated deployment runner pool "${name}"`);
      return { name, description };
    });
  }

  /** Refused while stack settings name the pool, unless forced: then they fall back to the default pool. */
  async remove(caller: Caller, orgName: string, id: string, force: boolean): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const { org, pool } = await this.find(tx, caller, orgName, id, 'admin');
      const using = await store.stacksUsingPool(tx, pool.id);
      if (using > 0 && !force) throw new ApiError('bad_request', `Agent pool is in use: the deployment settings of ${using} stack(s) name it; change them, or delete with force=true`);
      await store.releasePool(tx, pool.id);
      await store.deletePool(tx, pool.id);
      await this.audit(tx, caller, org, 'deployment-runner-pool-deleted', `Deleted deployment runner pool "${pool.name}"`);
    });
  }

  /** The pool a runner's token names; undefined for a token that names none. */
  async authenticate(db: Executor, token: string): Promise<PoolIdentity | undefined> {
    const hash = hashAccessToken(token);
    if (this.deps.defaultPoolTokenHash !== undefined && hash === this.deps.defaultPoolTokenHash) return { kind: 'default' };
    const pool = await store.findPoolByTokenHash(db, hash);
    return pool && { kind: 'pool', pool };
  }

  private async find(db: Executor, caller: Caller, orgName: string, id: string, role: 'member' | 'admin') {
    const org = await requireOrganization(db, caller, orgName, role, 'managing deployment runner pools');
    const pool = await store.findPool(db, org.id, id);
    if (!pool) throw new ApiError('not_found', `deployment runner pool '${id}' not found`);
    return { org, pool };
  }

  private audit(tx: Executor, caller: Caller, org: OrganizationRow, event: AuditEntry['event'], description: string): Promise<void> {
    return recordAudit(tx, this.deps.clock, caller, { organizationId: org.id, event, description });
  }
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new ApiError('bad_request', 'a deployment runner pool needs a name');
  if (trimmed.length > 100) throw new ApiError('bad_request', 'deployment runner pool names are limited to 100 characters');
  return trimmed;
}
