import { recordAudit } from '../../audit/record.js';
import type { Caller } from '../../auth/caller.js';
import { requireOrganization, requireStack, stackVisibility } from '../../auth/permissions.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
import { transaction } from '../../db/transaction.js';
import { findMembership } from '../orgs/store.js';
import { findUserByLogin } from '../user/store.js';
import { ApiError } from '../../errors.js';
import { csvLine } from '../../http/csv.js';
import { decodeContinuationToken, encodeContinuationToken } from '../../http/pagination.js';
import { stripColors, urnParts } from './rules.js';
import * as store from './store.js';

/** The update an engine event batch belongs to, as recording needs it. */
export interface EventSource {
  stackId: string;
  updateId: string;
  dryRun: boolean;
  /** The version the update makes; null for a preview. */
  version: number | null;
}

interface PolicyEvent {
  resourceUrn?: string;
  message?: string;
  policyName?: string;
  policyPackName?: string;
  policyPackVersionTag?: string;
  policyPackVersion?: string;
  enforcementLevel?: string;
  severity?: string;
}

interface AnalyzeSummary {
  resourceUrn?: string;
  policyPackName?: string;
  passed?: string[];
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const object = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

/**
 * What a run's engine events say of policy: each `policyEvent` is a violation, recorded per stack,
 * pack, policy and resource (a later report refreshes it); a summary of a real update (not a
 * preview) that lists a policy as passed marks that policy's open violations on the resource fixed.
 */
export async function recordPolicyEvents(tx: Executor, deps: { clock: Clock; ids: IdGenerator }, source: EventSource, events: Array<Record<string, unknown>>): Promise<void> {
  const now = deps.clock.now();
  for (const event of events) {
    const violation = object(event['policyEvent']) as PolicyEvent | undefined;
    if (violation) {
      const timestamp = Number(event['timestamp']);
      const observed = Number.isFinite(timestamp) && timestamp > 0 ? Math.floor(timestamp) * 1000 : now;
      await store.upsertViolation(tx, {
        id: deps.ids.next(),
        stack_id: source.stackId,
        update_id: source.updateId,
        stack_version: source.version,
        kind: 'preventative',
        policy_pack: str(violation.policyPackName),
        policy_pack_tag: str(violation.policyPackVersionTag) || str(violation.policyPackVersion),
        policy_name: str(violation.policyName),
        level: str(violation.enforcementLevel),
        severity: str(violation.severity),
        message: stripColors(str(violation.message)),
        resource_urn: str(violation.resourceUrn),
        resource_type: urnParts(str(violation.resourceUrn)).type,
        status: 'open',
        priority: priorityOf(str(violation.severity)),
        assigned_to_user_id: null,
        observed_at: observed,
        modified_at: now,
      });
      continue;
    }
    if (source.dryRun) continue;
    const resource = object(event['policyAnalyzeSummaryEvent']) as AnalyzeSummary | undefined;
    const stackWide = object(event['policyAnalyzeStackSummaryEvent']) as AnalyzeSummary | undefined;
    const summary = resource ?? stackWide;
    if (!summary || !Array.isArray(summary.passed)) continue;
    const passed = summary.passed.filter((name): name is string => typeof name === 'string');
    await store.fixViolations(tx, source.stackId, str(summary.policyPackName), passed, resource ? str(summary.resourceUrn) : undefined, now);
  }
}

/**
 * After an update, its stack's violations on resources its state no longer holds are fixed: the
 * resource is gone. Those the update itself reported stay: a resource a mandatory policy kept from
 * being created is not in the state because of them.
 */
export async function closeViolationsOfGoneResources(tx: Executor, stackId: string, updateId: string, deployment: Buffer, now: number): Promise<void> {
  const urns = await store.unfixedViolationUrns(tx, stackId, updateId);
  // A state names each resource it holds as a JSON string (its own `urn`, or references to it).
  const gone = urns.filter((urn) => !deployment.includes(JSON.stringify(urn)));
  await store.fixViolationsOn(tx, stackId, gone, updateId, now);
}

/** A new issue's priority, from its policy's severity (`p2` when it has none); people may change it. */
const priorityOf = (severity: string): string => ({ critical: 'p0', high: 'p1', medium: 'p2', low: 'p3' })[severity] ?? 'p2';

export interface ViolationQuery {
  continuationToken?: string;
  pageSize?: number;
  project?: string;
  stack?: string;
  policyPack?: string;
  policyName?: string;
  level?: string;
}

/** Violations are every issue not fixed. */
const activeAndTriaged = ['open', 'in_progress', 'by_design', 'ignored'];
const defaultPageSize = 100;
const maxPageSize = 1000;
/** Seconds, without fractions, as Pulumi Cloud writes them. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The violations (issues) of an organization's stacks, as far as the caller may read them. */
export class PolicyResultsService {
  constructor(private readonly deps: { db: Executor; clock: Clock }) {}

  /** `GET …/policyresults/violations` (the seed's shape). */
  async violations(caller: Caller, orgName: string, query: ViolationQuery) {
    const { rows, continuationToken } = await this.page(caller, orgName, query);
    return {
      policyViolations: rows.map((v) => ({ ...violationOf(v), ...(v.stack_version !== null && { updateVersion: v.stack_version }) })),
      continuationToken,
    };
  }

  /** `GET …/policyresults/violationsv2` (`ListPolicyViolationsV2Response`). */
  async violationsV2(caller: Caller, orgName: string, query: ViolationQuery) {
    const { rows, continuationToken } = await this.page(caller, orgName, query);
    return {
      policyViolations: rows.map((v) => ({ id: v.id, ...violationOf(v), ...(v.stack_version !== null && { stackVersion: v.stack_version }), kind: v.kind })),
      continuationToken,
    };
  }

  /** `POST …/policyresults/issues`: a window of the issues grid, with the count of all its rows. */
  async listIssues(caller: Caller, orgName: string, closed: boolean, grid: GridRequest) {
    const startRow = grid.startRow ?? 0;
    const endRow = grid.endRow ?? startRow + defaultPageSize;
    if (!Number.isInteger(startRow) || !Number.isInteger(endRow) || startRow < 0 || endRow < startRow || endRow - startRow > maxPageSize) {
      throw new ApiError('bad_request', `startRow and endRow must name at most ${maxPageSize} rows, startRow first`);
    }
    const filter = await this.issueFilter(caller, orgName, closed, grid);
    const rows = await store.listViolations(this.deps.db, { ...filter, offset: startRow, limit: endRow - startRow });
    return { policyIssues: rows.map(issueOf), rowCount: await store.countViolations(this.deps.db, filter), groupData: null };
  }

  /** `POST …/policyresults/issues/export`: every issue of the grid as CSV, in its order. */
  async exportIssues(caller: Caller, orgName: string, closed: boolean, grid: GridRequest): Promise<string> {
    const filter = await this.issueFilter(caller, orgName, closed, grid);
    const lines = [csvLine(issueCsvColumns)];
    for (let offset = 0; ; offset += maxPageSize) {
      const rows = await store.listViolations(this.deps.db, { ...filter, offset, limit: maxPageSize });
      for (const row of rows) {
        const issue = issueOf(row) as Record<string, unknown>;
        lines.push(csvLine(issueCsvColumns.map((column) => (column === 'assignedTo' ? (row.assignee_login ?? '') : String(issue[column] ?? '')))));
      }
      if (rows.length < maxPageSize) return lines.join('');
    }
  }

  async getIssue(caller: Caller, orgName: string, id: string) {
    const row = await this.findIssue(this.deps.db, caller, orgName, id);
    const policies = await store.findPolicyOf(this.deps.db, row.organization_id, row.policy_pack, row.policy_pack_tag);
    const policy = policies ? (JSON.parse(policies) as Array<{ name: string }>).find((p) => p.name === row.policy_name) : undefined;
    return { policyIssue: issueOf(row), policy: policy ?? null, policyPack: null };
  }

  /** Triage: status (`fixed` and `by_design` are the server's to set), priority, assignee (a member, or null). */
  async updateIssue(caller: Caller, orgName: string, id: string, change: { status?: string; priority?: string; assignedTo?: string | null }) {
    if (change.status !== undefined && !['open', 'in_progress', 'ignored'].includes(change.status)) {
      throw new ApiError('bad_request', `status '${change.status}' cannot be set: use open, in_progress or ignored (fixed and by_design are set by the server)`);
    }
    if (change.priority !== undefined && !/^p[0-4]$/.test(change.priority)) throw new ApiError('bad_request', `priority '${change.priority}' is invalid: use p0 to p4`);
    await transaction(this.deps.db, async (tx) => {
      const row = await this.findIssue(tx, caller, orgName, id);
      // Triage changes what people see of a stack's compliance: it takes edit on the stack.
      await requireStack(tx, caller, { organization: orgName, project: row.project_name, stack: row.stack_name }, 'edit');
      let assignee: string | null | undefined;
      if (change.assignedTo === null) assignee = null;
      else if (change.assignedTo !== undefined) {
        const user = await findUserByLogin(tx, change.assignedTo);
        if (!user || !(await findMembership(tx, row.organization_id, user.id))) {
          throw new ApiError('bad_request', `assignedTo '${change.assignedTo}' is not a member of organization '${orgName}'`);
        }
        assignee = user.id;
      }
      await store.changeViolation(tx, id, {
        ...(change.status !== undefined && { status: change.status }),
        ...(change.priority !== undefined && { priority: change.priority }),
        ...(assignee !== undefined && { assigned_to_user_id: assignee }),
        modified_at: this.deps.clock.now(),
      });
      const changes = [
        change.status !== undefined && `status ${change.status}`,
        change.priority !== undefined && `priority ${change.priority}`,
        change.assignedTo !== undefined && (change.assignedTo === null ? 'unassigned' : `assigned to ${change.assignedTo}`),
      ].filter((text): text is string => text !== false);
      if (changes.length > 0) {
        await recordAudit(tx, this.deps.clock, caller, {
          organizationId: row.organization_id,
          event: 'policy-issue-updated',
          description: `Set policy issue ${id} (policy "${row.policy_name}" of pack "${row.policy_pack}" on stack "${row.project_name}/${row.stack_name}") to ${changes.join(', ')}`,
        });
      }
    });
    return this.getIssue(caller, orgName, id);
  }

  private async findIssue(db: Executor, caller: Caller, orgName: string, id: string): Promise<store.ViolationRecord> {
    const org = await requireOrganization(db, caller, orgName, 'member');
    const [row] = await store.listViolations(db, { organizationId: org.id, visibility: await stackVisibility(db, caller), statuses: allStatuses, id, limit: 1 });
    if (!row) throw new ApiError('not_found', `policy issue '${id}' not found`);
    return row;
  }

  private async issueFilter(caller: Caller, orgName: string, closed: boolean, grid: GridRequest): Promise<Omit<store.ViolationFilter, 'limit'>> {
    const order = (grid.sortModel ?? []).map((entry, index): [store.ViolationColumn, 'asc' | 'desc'] => {
      if (!(entry.colId in store.violationColumns)) throw new ApiError('bad_request', `sortModel[${index}].colId '${entry.colId}' is not a column issues sort by; one of: ${Object.keys(store.violationColumns).join(', ')}`);
      if (entry.sort !== 'asc' && entry.sort !== 'desc') throw new ApiError('bad_request', `sortModel[${index}].sort must be asc or desc`);
      return [entry.colId as store.ViolationColumn, entry.sort];
    });
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    return {
      organizationId: org.id,
      visibility: await stackVisibility(this.deps.db, caller),
      statuses: closed ? store.closedStatuses : ['open', 'in_progress'],
      where: gridCondition(grid.filterModel),
      order,
    };
  }

  private async page(caller: Caller, orgName: string, query: ViolationQuery) {
    const pageSize = query.pageSize ?? defaultPageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) throw new ApiError('bad_request', `pageSize must be between 1 and ${maxPageSize}`);
    const after = query.continuationToken ? decodeAfter(query.continuationToken) : undefined;
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const rows = await store.listViolations(this.deps.db, {
      organizationId: org.id,
      visibility: await stackVisibility(this.deps.db, caller),
      statuses: activeAndTriaged,
      where: conditionOf(query),
      after,
      limit: pageSize + 1,
    });
    const more = rows.length > pageSize;
    const page = rows.slice(0, pageSize);
    const last = page[page.length - 1];
    // The last page says so with an empty token, as Pulumi Cloud's example does.
    return { rows: page, continuationToken: more && last ? encodeContinuationToken([last.observed_at, last.id]) : '' };
  }
}

/** The grid request of Pulumi's console and CLI (`AngularGridGetRowsRequest`); the CLI sends only startRow, endRow and a null sortModel. */
export interface GridRequest {
  startRow?: number;
  endRow?: number;
  sortModel?: Array<{ colId: string; sort: string }> | null;
  filterModel?: GridFilter | null;
  [field: string]: unknown;
}

interface GridFilter {
  colId?: string;
  filterType?: string;
  type?: string;
  filter?: unknown;
  conditions?: GridFilter[];
}

const allStatuses = ['open', 'in_progress', 'by_design', 'ignored', 'fixed'];
const issueCsvColumns = ['id', 'status', 'priority', 'level', 'severity', 'policyPack', 'policyPackTag', 'policyName', 'entityType', 'entityProject', 'entityId', 'stackVersion', 'resourceURN', 'resourceType', 'resourceName', 'resourceProvider', 'message', 'observedAt', 'lastModified', 'assignedTo'];

/** How deep and how large a filter may be: the CLI's own are a few levels and a few dozen leaves. */
const maxFilterDepth = 8;
const maxFilterLeaves = 200;

/**
 * The grid's filter model as the CLI builds it: `<column> equals <text>` leaves joined by AND or
 * OR (`{"filterType":"join","type":"AND","conditions":[…]}`), nested. Anything else is refused
 * rather than ignored, so a client never takes an unfiltered answer for a filtered one.
 */
function gridCondition(model: GridFilter | null | undefined): store.ViolationCondition | undefined {
  if (!model || Object.keys(model).length === 0) return undefined;
  let leaves = 0;
  const convert = (node: GridFilter, depth: number): store.ViolationCondition => {
    if (depth > maxFilterDepth) throw new ApiError('bad_request', `filterModel nests more than ${maxFilterDepth} levels`);
    // The CLI's top level is an `AngularGridAdvancedFilterModel` (type and conditions, no filterType); nested joins say 'join'.
    if (node.filterType === 'join' || Array.isArray(node.conditions)) {
      if (node.type !== 'AND' && node.type !== 'OR') throw new ApiError('bad_request', `filterModel: a join's type must be AND or OR, not '${String(node.type)}'`);
      const parts = (Array.isArray(node.conditions) ? node.conditions : []).map((inner) => convert(inner, depth + 1));
      return node.type === 'AND' ? { all: parts } : { any: parts };
    }
    if (++leaves > maxFilterLeaves) throw new ApiError('bad_request', `filterModel has more than ${maxFilterLeaves} conditions`);
    const { colId = '', type, filter } = node;
    if (type !== 'equals' || typeof filter !== 'string') {
      throw new ApiError('bad_request', `filterModel: only 'equals' conditions on text are supported, not '${String(type)}' on '${colId}'`);
    }
    // Every issue here is a stack's: this server has no Insights accounts.
    if (colId === 'entityType') return { constant: filter === 'stack' };
    if (!(colId in store.violationColumns) || colId === 'observedAt' || colId === 'lastModified') {
      throw new ApiError('bad_request', `filterModel: issues are not filtered by '${colId}' here; columns: entityType, ${filterColumns.join(', ')}`);
    }
    return { column: colId as store.ViolationColumn, equals: filter };
  };
  return convert(model, 0);
}

const filterColumns = Object.keys(store.violationColumns).filter((c) => c !== 'observedAt' && c !== 'lastModified');

/** What both violation listings say of one. */
function violationOf(v: store.ViolationRecord) {
  return {
    level: v.level,
    message: v.message,
    observedAt: isoSeconds(v.observed_at),
    policyName: v.policy_name,
    policyPack: v.policy_pack,
    policyPackTag: v.policy_pack_tag,
    projectName: v.project_name,
    resourceName: urnParts(v.resource_urn).name,
    resourceType: v.resource_type,
    resourceURN: v.resource_urn,
    stackName: v.stack_name,
  };
}

/** A violation as Pulumi's `PolicyIssue`. */
function issueOf(v: store.ViolationRecord) {
  const { name } = urnParts(v.resource_urn);
  const type = v.resource_type;
  return {
    id: v.id,
    entityType: 'stack',
    entityProject: v.project_name,
    entityId: v.stack_name,
    ...(v.stack_version !== null && { stackVersion: v.stack_version }),
    policyPack: v.policy_pack,
    policyPackTag: v.policy_pack_tag,
    policyName: v.policy_name,
    level: v.level,
    severity: v.severity,
    resourceURN: v.resource_urn,
    resourceProvider: type.split(':')[0] ?? '',
    resourceType: type,
    resourceName: name,
    message: v.message,
    observedAt: isoSeconds(v.observed_at),
    lastModified: isoSeconds(v.modified_at),
    status: v.status,
    kind: v.kind,
    priority: v.priority,
    ...(v.assignee_login !== null && { assignedTo: { name: v.assignee_name ?? '', githubLogin: v.assignee_login, avatarUrl: v.assignee_avatar_url ?? '' } }),
  };
}

/** The query string's filters, all of which must hold. */
function conditionOf(query: ViolationQuery): store.ViolationCondition {
  const equals: Array<[store.ViolationColumn, string | undefined]> = [
    ['entityProject', query.project],
    ['entityId', query.stack],
    ['policyPack', query.policyPack],
    ['policyName', query.policyName],
    ['level', query.level],
  ];
  return { all: equals.filter((entry): entry is [store.ViolationColumn, string] => entry[1] !== undefined).map(([column, value]) => ({ column, equals: value })) };
}

function decodeAfter(token: string): [number, string] {
  const key = decodeContinuationToken(token);
  if (!Array.isArray(key) || key.length !== 2 || !Number.isSafeInteger(key[0]) || typeof key[1] !== 'string' || key[1].includes('\0')) {
    throw new ApiError('bad_request', 'invalid continuation token');
  }
  return key as [number, string];
}
