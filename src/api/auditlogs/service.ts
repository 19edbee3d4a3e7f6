import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization, type PermissionDenied } from '../../auth/permissions.js';
import { auditEventTypes, isAuditEventId, type AuditEventType } from '../../audit/catalog.js';
import { DeferredAudit } from '../../audit/deferred.js';
import { recordAudit, recordAuthenticationFailure, type AuditActor, type AuditEntry } from '../../audit/record.js';
import type { Clock } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { ApiError } from '../../errors.js';
import { decodeContinuationToken, encodeContinuationToken } from '../../http/pagination.js';
import { findOrganizationByName } from '../orgs/store.js';
import { findUserByLogin } from '../user/store.js';
import { csvLine } from '../../http/csv.js';
import { cefRow, csvHeader, csvRow } from './export.js';
import * as store from './store.js';

/** Events per page of the JSON list; Pulumi does not document its own page size. */
const pageSize = 100;
/** An export holds at most this many events, the newest of the range; narrow the range for older ones. */
const exportLimit = 100_000;
/** Events read from the database per query while an export is written. */
const exportBatch = 1_000;

/** `AuditLogEvent` as Pulumi Cloud sends it: optional fields only when set, flags only when true. */
export interface AuditLogEventView {
  timestamp: number;
  sourceIP: string;
  event: string;
  description: string;
  user: { name: string; githubLogin: string; avatarUrl: string };
  tokenID?: string;
  tokenName?: string;
  reqOrgAdmin?: true;
  reqStackAdmin?: true;
  authFailure?: true;
  actorName?: string;
}

/**
 * The query parameters of the list and export endpoints. V1 reads `startTime` as the upper bound
 * (entries at or before it, default now) and `endTime` as another upper bound; V2 reads `startTime`
 * as the lower bound and `endTime` as the upper one. Bounds are Unix seconds, inclusive.
 */
export interface AuditLogQuery {
  version: 1 | 2;
  startTime?: number;
  endTime?: number;
  userFilter?: string;
  eventFilter?: string;
  continuationToken?: string;
}

export type AuditExportFormat = 'csv' | 'cef';

const seconds = (ms: number) => Math.floor(ms / 1000);
/** The last millisecond of a Unix second, kept a safe integer for either database. */
const endOfSecond = (s: number) => Math.min(s * 1000 + 999, Number.MAX_SAFE_INTEGER);

function present(row: store.AuditEventRow): AuditLogEventView {
  return {
    timestamp: seconds(row.occurred_at),
    sourceIP: row.source_ip,
    event: row.event,
    description: row.description,
    user: { name: row.user_name, githubLogin: row.user_login, avatarUrl: row.user_avatar_url },
    ...(row.token_id && { tokenID: row.token_id }),
    ...(row.token_name && { tokenName: row.token_name }),
    ...(row.req_org_admin === 1 && { reqOrgAdmin: true as const }),
    ...(row.req_stack_admin === 1 && { reqStackAdmin: true as const }),
    ...(row.auth_failure === 1 && { authFailure: true as const }),
    ...(row.actor_name && { actorName: row.actor_name }),
  };
}

function decodeCursor(token: string): store.AuditCursor {
  const key = decodeContinuationToken(token) as { t?: unknown; id?: unknown } | null;
  if (!key || typeof key !== 'object' || !Number.isSafeInteger(key.t) || !Number.isSafeInteger(key.id)) {
    throw new ApiError('bad_request', 'invalid continuation token');
  }
  return { occurredAt: key.t as number, id: key.id as number };
}

/** The organization audit log: what refused requests record, and reading it back. */
export class AuditService {
  private readonly reads: DeferredAudit;

  constructor(
    private readonly deps: {
      db: Executor;
      clock: Clock;
      /** The public URL's host name: CEF lines name it as their host and `dvchost`. */
      publicHost: string;
      logger: Logger;
    },
  ) {
    this.reads = new DeferredAudit({ ...deps, onError: (error) => deps.logger.error({ err: error }, 'an audit event of a read could not be written') });
  }

  /** A read worth auditing (a state export): written with others just after (src/audit/deferred.ts). */
  recordRead(caller: AuditActor, entry: AuditEntry): void {
    this.reads.record(caller, entry);
  }

  /** Writes the reads recorded so far: before the log is read, and at shutdown. */
  flushReads(): Promise<void> {
    return this.reads.flush();
  }

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

  /** One page of events, newest first, with a token for the next page while more remain. */
  async list(caller: Caller, orgName: string, query: AuditLogQuery): Promise<{ auditLogEvents: AuditLogEventView[]; continuationToken?: string }> {
    await this.flushReads();
    const filter = await this.filterOf(caller, orgName, query);
    const rows = await store.listAuditEvents(this.deps.db, { ...filter, limit: pageSize + 1 });
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    return {
      auditLogEvents: page.map(present),
      ...(rows.length > pageSize && last && { continuationToken: encodeContinuationToken({ t: last.occurred_at, id: last.id }) }),
    };
  }

  /**
   * The whole filtered range (at most `exportLimit` events, newest first) as CSV with a header row
   * or as CEF lines, gzip-compressed as Pulumi Cloud always sends its exports. It is compressed
   * batch by batch, so only the compressed text is held whole.
   */
  async export(caller: Caller, orgName: string, query: AuditLogQuery, format: string): Promise<Buffer> {
    await this.flushReads();
    const filter = await this.filterOf(caller, orgName, query);
    if (format !== 'csv' && format !== 'cef') throw new ApiError('bad_request', `format must be 'csv' or 'cef', not '${format}'`);
    const compressor = zlib.createGzip();
    const chunks: Buffer[] = [];
    compressor.on('data', (chunk: Buffer) => chunks.push(chunk));
    const finished = new Promise<void>((resolve, reject) => compressor.on('end', resolve).on('error', reject));
    if (format === 'csv') compressor.write(csvLine(csvHeader));
    let before = filter.before;
    for (let written = 0; written < exportLimit; ) {
      const rows = await store.listAuditEvents(this.deps.db, { ...filter, before, limit: Math.min(exportBatch, exportLimit - written) });
      if (rows.length === 0) break;
      compressor.write(rows.map((row) => (format === 'csv' ? csvRow(row) : cefRow(row, this.deps.publicHost))).join(''));
      written += rows.length;
      const last = rows[rows.length - 1]!;
      before = { occurredAt: last.occurred_at, id: last.id };
      if (rows.length < exportBatch) break;
    }
    compressor.end();
    await finished;
    return Buffer.concat(chunks);
  }

  /** Every kind of event this server records, as Pulumi's `event-types` catalog lists them. */
  async eventTypes(caller: Caller, orgName: string): Promise<{ eventTypes: AuditEventType[] }> {
    await requireOrganization(this.deps.db, caller, orgName, 'admin', 'reading the audit log');
    return { eventTypes: auditEventTypes() };
  }

  /** The store query a request's parameters mean; only the organization's admins read its log. */
  private async filterOf(caller: Caller, orgName: string, query: AuditLogQuery): Promise<Omit<store.AuditEventQuery, 'limit'>> {
    const db = this.deps.db;
    const org = await requireOrganization(db, caller, orgName, 'admin', 'reading the audit log');
    const filter: Omit<store.AuditEventQuery, 'limit'> = { organizationId: org.id };
    if (query.version === 1) {
      const upper = Math.min(query.startTime ?? seconds(this.deps.clock.now()), query.endTime ?? Number.MAX_SAFE_INTEGER);
      filter.untilMs = endOfSecond(upper);
    } else {
      if (query.startTime !== undefined && query.endTime !== undefined && query.startTime > query.endTime) {
        throw new ApiError('bad_request', `startTime (${query.startTime}) is after endTime (${query.endTime})`);
      }
      if (query.startTime !== undefined) filter.fromMs = Math.min(query.startTime * 1000, Number.MAX_SAFE_INTEGER);
      if (query.endTime !== undefined) filter.untilMs = endOfSecond(query.endTime);
    }
    if (query.userFilter) {
      const user = await findUserByLogin(db, query.userFilter);
      if (!user) throw new ApiError('not_found', 'user not found');
      filter.userId = user.id;
    }
    if (query.eventFilter) {
      if (!isAuditEventId(query.eventFilter)) throw new ApiError('bad_request', `unknown audit event type '${query.eventFilter}'`);
      filter.event = query.eventFilter;
    }
    if (query.continuationToken) filter.before = decodeCursor(query.continuationToken);
    return filter;
  }
}
