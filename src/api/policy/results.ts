import type { Caller } from '../../auth/caller.js';
import { requireOrganization, stackVisibility } from '../../auth/permissions.js';
import type { Clock, IdGenerator } from '../../clock.js';
import type { Executor } from '../../db/executor.js';
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
        status: 'open',
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

export interface ViolationQuery {
  continuationToken?: string;
  pageSize?: number;
  project?: string;
  stack?: string;
  policyPack?: string;
  policyName?: string;
  level?: string;
}

const defaultPageSize = 100;
const maxPageSize = 1000;
/** Seconds, without fractions, as Pulumi Cloud writes them. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The open violations of an organization's stacks, as far as the caller may read them. */
export class PolicyResultsService {
  constructor(private readonly deps: { db: Executor }) {}

  /** `GET …/policyresults/violations` (the seed's shape). */
  async violations(caller: Caller, orgName: string, query: ViolationQuery) {
    const { rows, continuationToken } = await this.page(caller, orgName, query);
    return {
      policyViolations: rows.map((v) => ({
        level: v.level,
        message: v.message,
        observedAt: isoSeconds(v.observed_at),
        policyName: v.policy_name,
        policyPack: v.policy_pack,
        policyPackTag: v.policy_pack_tag,
        projectName: v.project_name,
        resourceName: urnParts(v.resource_urn).name,
        resourceType: urnParts(v.resource_urn).type,
        resourceURN: v.resource_urn,
        stackName: v.stack_name,
        ...(v.stack_version !== null && { updateVersion: Number(v.stack_version) }),
      })),
      continuationToken,
    };
  }

  /** `GET …/policyresults/violationsv2` (`ListPolicyViolationsV2Response`). */
  async violationsV2(caller: Caller, orgName: string, query: ViolationQuery) {
    const { rows, continuationToken } = await this.page(caller, orgName, query);
    return {
      policyViolations: rows.map((v) => ({
        id: v.id,
        projectName: v.project_name,
        stackName: v.stack_name,
        ...(v.stack_version !== null && { stackVersion: Number(v.stack_version) }),
        policyPack: v.policy_pack,
        policyPackTag: v.policy_pack_tag,
        policyName: v.policy_name,
        resourceURN: v.resource_urn,
        resourceType: urnParts(v.resource_urn).type,
        resourceName: urnParts(v.resource_urn).name,
        message: v.message,
        observedAt: isoSeconds(v.observed_at),
        level: v.level,
        kind: v.kind,
      })),
      continuationToken,
    };
  }

  /** Every open violation the caller may read, as CSV, newest first. */
  async exportCsv(caller: Caller, orgName: string, query: ViolationQuery): Promise<string> {
    const columns = ['observedAt', 'projectName', 'stackName', 'stackVersion', 'policyPack', 'policyPackTag', 'policyName', 'level', 'severity', 'resourceURN', 'resourceType', 'resourceName', 'message'];
    const lines = [csvLine(columns)];
    let token: string | undefined;
    do {
      const page = await this.page(caller, orgName, { ...query, continuationToken: token, pageSize: maxPageSize });
      for (const v of page.rows) {
        const { type, name } = urnParts(v.resource_urn);
        const cells = [isoSeconds(v.observed_at), v.project_name, v.stack_name, v.stack_version ?? '', v.policy_pack, v.policy_pack_tag, v.policy_name, v.level, v.severity, v.resource_urn, type, name, v.message];
        lines.push(csvLine(cells.map(String)));
      }
      token = page.continuationToken || undefined;
    } while (token);
    return lines.join('');
  }

  private async page(caller: Caller, orgName: string, query: ViolationQuery) {
    const pageSize = query.pageSize ?? defaultPageSize;
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) throw new ApiError('bad_request', `pageSize must be between 1 and ${maxPageSize}`);
    const after = query.continuationToken ? decodeAfter(query.continuationToken) : undefined;
    const org = await requireOrganization(this.deps.db, caller, orgName, 'member');
    const rows = await store.listViolations(this.deps.db, {
      organizationId: org.id,
      visibility: await stackVisibility(this.deps.db, caller),
      status: 'open',
      project: query.project,
      stack: query.stack,
      policyPack: query.policyPack,
      policyName: query.policyName,
      level: query.level,
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

function decodeAfter(token: string): [number, string] {
  const key = decodeContinuationToken(token);
  if (!Array.isArray(key) || key.length !== 2 || !Number.isSafeInteger(key[0]) || typeof key[1] !== 'string' || key[1].includes('\0')) {
    throw new ApiError('bad_request', 'invalid continuation token');
  }
  return key as [number, string];
}
