import type { Services } from '../../context.js';
import type { App } from '../../http/types.js';
import { stackRef } from '../stacks/routes.js';
import { StackParams, VersionParams } from '../stacks/schemas.js';
import * as schema from './schemas.js';
import { programKinds } from './service.js';

const stackPath = '/api/stacks/:orgName/:projectName/:stackName';
/** Calls a running update makes carry its lease, not the user's token. */
const leased = { auth: 'update' } as const;

export function registerUpdateRoutes(app: App, services: Services): void {
  const updates = services.updates;

  for (const kind of programKinds) {
    app.post(`${stackPath}/${kind}`, { schema: { params: StackParams, body: schema.UpdateProgramRequest } }, async (request) =>
      updates.create(
        request.caller,
        stackRef(request.params),
        kind,
        { ...request.body, config: request.body.config ?? undefined },
        cliVersionOf(request.headers['user-agent']),
      ),
    );
  }

  // Each update is reached under its kind's path as well as `update/`: the CLI uses `update/` for
  // every kind, Pulumi's generated client and older CLIs the kind's own (`preview/{id}`, …).
  for (const kind of programKinds) {
    const updatePath = `${stackPath}/${kind}/:updateId`;
    const checkpoints = kind !== 'preview';
    app.post(updatePath, { schema: { params: schema.UpdateParams, body: schema.StartUpdateRequest } }, async (request) =>
      updates.start(
        request.caller,
        stackRef(request.params),
        request.params.updateId,
        request.body.tags ?? undefined,
        request.body.journalVersion ?? 0,
      ),
    );

    // What the CLI polls after `stack import` until no continuation token comes back.
    app.get(updatePath, { schema: { params: schema.UpdateParams } }, async (request) =>
      updates.results(request.caller, stackRef(request.params), request.params.updateId),
    );

    app.post(
      `${updatePath}/renew_lease`,
      { config: leased, schema: { params: schema.UpdateParams, body: schema.RenewLeaseRequest } },
      async (request) =>
        updates.renewLease(stackRef(request.params), request.params.updateId, request.leaseToken, request.body.duration),
    );

    // A preview stores no state, so its path has no checkpoint routes.
    if (checkpoints) {
      // {isInvalid, version, features, deployment}: the whole state on every step, so it is sliced
      // as bytes, never parsed, and checked by what changed since the previous one (state-layout.ts).
      app.patch(
        `${updatePath}/checkpoint`,
        { config: { ...leased, unparsedJson: true, handlerChecksJson: true, stateWrite: 'checkpoint' }, schema: { params: schema.UpdateParams } },
        async (request, reply) => {
          const { updateId } = request.params;
          await updates.saveFullCheckpoint(stackRef(request.params), updateId, request.leaseToken, request.rawBody);
          return reply.status(204).send();
        },
      );

      app.patch(
        `${updatePath}/checkpointverbatim`,
        // {version, untypedDeployment, sequenceNumber}: a whole state too, checked as bytes.
        { config: { ...leased, unparsedJson: true, stateWrite: 'verbatim' }, schema: { params: schema.UpdateParams } },
        async (request, reply) => {
          const { updateId } = request.params;
          await updates.saveVerbatimCheckpoint(stackRef(request.params), updateId, request.leaseToken, request.rawBody);
          return reply.status(204).send();
        },
      );

      app.patch(
        `${updatePath}/checkpointdelta`,
        { config: { ...leased, stateWrite: 'delta' }, schema: { params: schema.UpdateParams, body: schema.DeltaCheckpointRequest } },
        async (request, reply) => {
          await updates.saveDeltaCheckpoint(stackRef(request.params), request.params.updateId, request.leaseToken, request.body);
          return reply.status(204).send();
        },
      );
    }

    app.patch(
      `${updatePath}/journalentries`,
      { config: { ...leased, stateWrite: 'journal' }, schema: { params: schema.UpdateParams, body: schema.JournalEntriesRequest } },
      async (request, reply) => {
        await updates.saveJournalEntries(stackRef(request.params), request.params.updateId, request.leaseToken, request.body.entries ?? []);
        return reply.status(204).send();
      },
    );

    app.post(
      `${updatePath}/events/batch`,
      { config: { ...leased, stateWrite: 'events' }, schema: { params: schema.UpdateParams, body: schema.EngineEventBatch } },
      async (request, reply) => {
        await updates.recordEvents(stackRef(request.params), request.params.updateId, request.leaseToken, request.body.events);
        return reply.status(200).send({});
      },
    );

    app.post(
      `${updatePath}/events`,
      { config: { ...leased, stateWrite: 'events' }, schema: { params: schema.UpdateParams, body: schema.EngineEvent } },
      async (request, reply) => {
        await updates.recordEvents(stackRef(request.params), request.params.updateId, request.leaseToken, [request.body]);
        return reply.status(200).send({});
      },
    );

    app.post(
      `${updatePath}/complete`,
      // A retried `complete` finds its update ended and must still be answered.
      { config: { ...leased, leaseOfEndedUpdate: true }, schema: { params: schema.UpdateParams, body: schema.CompleteUpdateRequest } },
      async (request, reply) => {
        await updates.complete(stackRef(request.params), request.params.updateId, request.leaseToken, request.body.status, request.ip);
        return reply.status(204).send();
      },
    );

    app.post(`${updatePath}/cancel`, { schema: { params: schema.UpdateParams } }, async (request, reply) => {
      await updates.cancel(request.caller, stackRef(request.params), request.params.updateId);
      return reply.status(204).send();
    });

    app.get(`${updatePath}/events`, { schema: { params: schema.UpdateParams, querystring: schema.EventsQuery } }, async (request) =>
      updates.events(request.caller, stackRef(request.params), request.params.updateId, {
        continuationToken: request.query.continuationToken,
        type: request.query.type,
        urn: request.query.urn,
        includeNonActivated: request.query.include_non_activated,
      }),
    );
  }

  app.get(`${stackPath}/updates`, { schema: { params: StackParams, querystring: schema.HistoryQuery } }, async (request) =>
    updates.history(request.caller, stackRef(request.params), {
      outputType: request.query['output-type'],
      page: request.query.page,
      pageSize: request.query.pageSize,
    }),
  );

  app.get(`${stackPath}/updates/latest`, { schema: { params: StackParams } }, async (request) =>
    updates.latest(request.caller, stackRef(request.params)),
  );

  app.get(`${stackPath}/updates/latest/timeline`, { schema: { params: StackParams } }, async (request) =>
    updates.timeline(request.caller, stackRef(request.params), 'latest'),
  );

  app.get(`${stackPath}/updates/:version`, { schema: { params: VersionParams } }, async (request) =>
    updates.byVersion(request.caller, stackRef(request.params), request.params.version),
  );

  app.get(`${stackPath}/updates/:version/summary`, { schema: { params: VersionParams } }, async (request) =>
    updates.summary(request.caller, stackRef(request.params), { version: request.params.version }),
  );

  app.get(`${stackPath}/updates/:version/previews`, { schema: { params: VersionParams, querystring: schema.PreviewsQuery } }, async (request) =>
    updates.previewsOf(request.caller, stackRef(request.params), request.params.version, request.query),
  );

  app.get(`${stackPath}/updates/:version/timeline`, { schema: { params: VersionParams } }, async (request) =>
    updates.timeline(request.caller, stackRef(request.params), request.params.version),
  );

  app.get(`${stackPath}/previews/:updateId/summary`, { schema: { params: schema.UpdateParams } }, async (request) =>
    updates.summary(request.caller, stackRef(request.params), { previewId: request.params.updateId }),
  );

  app.get(`${stackPath}/updates/latest/previews`, { schema: { params: StackParams, querystring: schema.PreviewsQuery } }, async (request) =>
    updates.latestPreviews(request.caller, stackRef(request.params), request.query),
  );
}

/** `pulumi-cli/1 (v3.274.1; linux; …)` → `v3.274.1`. */
function cliVersionOf(userAgent: string | undefined): string {
  return /^pulumi-cli\/\d+ \((v[^;)\s]+)/.exec(userAgent ?? '')?.[1] ?? '';
}
