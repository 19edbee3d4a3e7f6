import { Type } from 'typebox';

export const UpdateParams = Type.Object({
  orgName: Type.String(),
  projectName: Type.String(),
  stackName: Type.String(),
  updateId: Type.String(),
});

export const UpdateProgramRequest = Type.Object({
  name: Type.String(),
  runtime: Type.String(),
  main: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  options: Type.Object({ dryRun: Type.Optional(Type.Boolean()) }, { additionalProperties: true }),
  config: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  metadata: Type.Optional(
    Type.Object({
      message: Type.Optional(Type.String()),
      environment: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
    }),
  ),
});

export const StartUpdateRequest = Type.Object({
  tags: Type.Optional(Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()])),
  journalVersion: Type.Optional(Type.Integer()),
});

export const RenewLeaseRequest = Type.Object({ token: Type.Optional(Type.String()), duration: Type.Integer() });

export const CompleteUpdateRequest = Type.Object({
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
});

export const EngineEventBatch = Type.Object({ events: Type.Array(Type.Record(Type.String(), Type.Unknown())) });

export const DeltaCheckpointRequest = Type.Object({
  version: Type.Integer(),
  checkpointHash: Type.String(),
  sequenceNumber: Type.Integer(),
  deploymentDelta: Type.Array(Type.Unknown()),
});

export const EventsQuery = Type.Object({
  continuationToken: Type.Optional(Type.String()),
  type: Type.Optional(Type.Array(Type.String())),
  urn: Type.Optional(Type.String()),
  include_non_activated: Type.Optional(Type.Boolean()),
});

export const HistoryQuery = Type.Object({
  'output-type': Type.Optional(Type.Union([Type.Literal('service'), Type.Literal('cli')])),
  page: Type.Optional(Type.Integer({ minimum: 0 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const PreviewsQuery = Type.Object({
  asc: Type.Optional(Type.Boolean()),
  page: Type.Optional(Type.Integer({ minimum: 0 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const JournalEntriesRequest = Type.Object({ entries: Type.Optional(Type.Array(Type.Unknown())) });
