import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import type { JsonObject } from '../deployments/settings.js';
import { stackRef } from '../stacks/routes.js';
import { StackParams } from '../stacks/schemas.js';
import * as schema from './schemas.js';
import type { ScheduleKind } from './service.js';

const deployments = '/api/stacks/:orgName/:projectName/:stackName/deployments';
/** Where each kind of schedule is created and updated; every other operation is shared. */
const kinds: Array<[ScheduleKind, string, typeof schema.RawScheduleBody | typeof schema.DriftScheduleBody | typeof schema.TtlScheduleBody]> = [
  ['raw', `${deployments}/schedules`, schema.RawScheduleBody],
  ['drift', `${deployments}/drift/schedules`, schema.DriftScheduleBody],
  ['ttl', `${deployments}/ttl/schedules`, schema.TtlScheduleBody],
];

/** Deployment schedules of a stack: raw (cron or once), drift detection and TTL. */
export function registerScheduleRoutes(app: App, services: Services): void {
  const schedules = services.schedules;
  const base = `${deployments}/schedules`;

  app.get(base, { schema: { params: StackParams } }, async (request) => schedules.list(request.caller, stackRef(request.params)));
  for (const [kind, path, body] of kinds) {
    app.post(path, { schema: { params: StackParams, body } }, async (request) =>
      schedules.create(request.caller, stackRef(request.params), kind, request.body as JsonObject),
    );
    app.post(`${path}/:scheduleID`, { schema: { params: schema.ScheduleParams, body } }, async (request) =>
      schedules.update(request.caller, stackRef(request.params), kind, request.params.scheduleID, request.body as JsonObject),
    );
  }
  app.get(`${base}/:scheduleID`, { schema: { params: schema.ScheduleParams } }, async (request) =>
    schedules.get(request.caller, stackRef(request.params), request.params.scheduleID),
  );
  app.delete(`${base}/:scheduleID`, { schema: { params: schema.ScheduleParams } }, async (request, reply) => {
    await schedules.delete(request.caller, stackRef(request.params), request.params.scheduleID);
    return reply.status(200).send();
  });
  for (const action of ['pause', 'resume'] as const) {
    app.post(`${base}/:scheduleID/${action}`, { schema: { params: schema.ScheduleParams } }, async (request, reply) => {
      await schedules.setPaused(request.caller, stackRef(request.params), request.params.scheduleID, action === 'pause');
      return reply.status(200).send();
    });
  }
  app.get(`${base}/:scheduleID/history`, { schema: { params: schema.ScheduleParams } }, async (request) =>
    schedules.history(request.caller, stackRef(request.params), request.params.scheduleID),
  );
}
