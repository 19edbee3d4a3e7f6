import { auditEventKind } from '../../audit/catalog.js';
import type { AuditEventRow } from './store.js';
import { csvLine } from '../../http/csv.js';

/**
 * Pulumi's documented CSV columns, then the four its newer exports add (TokenID, TokenName,
 * ActorName, ActorUrn), appended since readers key on the header.
 */
export const csvHeader = [
  'Timestamp',
  'Name',
  'Login',
  'Event',
  'Description',
  'SourceIP',
  'RequireOrgAdmin',
  'RequireStackAdmin',
  'AuthenticationFailure',
  'TokenID',
  'TokenName',
  'ActorName',
  'ActorUrn',
] as const;


/** RFC 3339 in UTC to the second, as Pulumi's exports write it: `2021-04-11T23:51:45Z`. */
const rfc3339 = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const bool = (flag: number) => (flag === 1 ? 'true' : 'false');

export function csvRow(row: AuditEventRow): string {
  return csvLine([
    rfc3339(row.occurred_at),
    row.user_name,
    row.user_login,
    auditEventKind(row.event).displayName,
    row.description,
    row.source_ip,
    bool(row.req_org_admin),
    bool(row.req_stack_admin),
    bool(row.auth_failure),
    row.token_id ?? '',
    row.token_name ?? '',
    row.actor_name ?? '',
    // No event has a machine actor with a URN yet (deployments, OIDC issuers).
    '',
  ]);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** The syslog-style prefix time, `MMM dd HH:mm:ss`, in UTC. */
function syslogTime(ms: number): string {
  const d = new Date(ms);
  return `${months[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** CEF header fields escape `\` and `|`; they may not span lines, so line breaks become spaces. */
export function cefHeaderField(value: string): string {
  return value.replace(/[\\|]/g, (c) => `\\${c}`).replace(/\r\n|[\r\n]/g, ' ');
}

/** CEF extension values escape `\` and `=`, and carry line breaks as `\n` and `\r`. */
export function cefExtensionValue(value: string): string {
  return value.replace(/[\\=\r\n]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

/**
 * One ArcSight CEF line, shaped like Pulumi Cloud's: the device event class is the event's display
 * name, the name its description, severity 0, and the extension keys in alphabetical order.
 */
export function cefRow(row: AuditEventRow, host: string): string {
  const header = ['CEF:0', 'Pulumi', 'Pulumi Service', '1.0', auditEventKind(row.event).displayName, row.description, '0'];
  const extensions: Array<[string, string]> = [
    ['authenticationFailure', bool(row.auth_failure)],
    ['dvchost', host],
    ['orgID', row.organization_id],
    ['requireOrgAdmin', bool(row.req_org_admin)],
    ['requireStackAdmin', bool(row.req_stack_admin)],
    ['rt', String(row.occurred_at)],
    ['src', row.source_ip],
    ['suser', row.user_login],
    ['tokenID', row.token_id ?? ''],
    ['tokenName', row.token_name ?? ''],
    ['userID', row.user_id ?? ''],
  ];
  const headerText = header.map((field, i) => (i === 0 ? field : cefHeaderField(field))).join('|');
  const extensionText = extensions.map(([key, value]) => `${key}=${cefExtensionValue(value)}`).join(' ');
  return `${syslogTime(row.occurred_at)} ${host} ${headerText}|${extensionText}\n`;
}
