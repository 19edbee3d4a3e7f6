import { Type, type Static } from 'typebox';
import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import type { AuditLogQuery } from './service.js';

const OrgParams = Type.Object({ orgName: Type.String() });
const UnixSeconds = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Login = Type.String({ maxLength: 256 });
const EventId = Type.String({ maxLength: 256 });
/**
 * `userFilter` and `eventFilter` as the spec names them; `user` and `eventType` as older CLIs
 * (v3.259) sent them, honoured so their flags work.
 */
const AuditLogQueryString = Type.Object({
  startTime: Type.Optional(UnixSeconds),
  endTime: Type.Optional(UnixSeconds),
  userFilter: Type.Optional(Login),
  user: Type.Optional(Login),
  eventFilter: Type.Optional(EventId),
  eventType: Type.Optional(EventId),
  continuationToken: Type.Optional(Type.String({ maxLength: 1024 })),
});
const ListQuery = Type.Object({ ...AuditLogQueryString.properties, format: Type.Optional(Type.Literal('json')) });
const ExportQuery = Type.Object({ ...AuditLogQueryString.properties, format: Type.Optional(Type.String({ maxLength: 16 })) });

function queryOf(version: 1 | 2, q: Static<typeof AuditLogQueryString>): AuditLogQuery {
  return {
    version,
    startTime: q.startTime,
    endTime: q.endTime,
    userFilter: q.userFilter || q.user,
    eventFilter: q.eventFilter || q.eventType,
    continuationToken: q.continuationToken,
  };
}

/** The organization audit log, as JSON pages and as gzip CSV or CEF exports; organization admins only. */
export function registerAuditLogRoutes(app: App, services: Services): void {
  const audit = services.audit;

  for (const [version, base] of [
    [1, '/api/orgs/:orgName/auditlogs'],
    [2, '/api/orgs/:orgName/auditlogs/v2'],
  ] as const) {
    app.get(base, { schema: { params: OrgParams, querystring: ListQuery } }, async (request) =>
      audit.list(request.caller, request.params.orgName, queryOf(version, request.query)),
    );
    app.get(`${base}/export`, { schema: { params: OrgParams, querystring: ExportQuery } }, async (request, reply) => {
      const body = await audit.export(request.caller, request.params.orgName, queryOf(version, request.query), request.query.format ?? 'csv');
      return reply.header('Content-Encoding', 'gzip').type('text/plain; charset=utf-8').send(body);
    });
  }

  app.get('/api/orgs/:orgName/auditlogs/event-types', { schema: { params: OrgParams } }, async (request) =>
    audit.eventTypes(request.caller, request.params.orgName),
  );
}
