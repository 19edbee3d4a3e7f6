import { Type } from 'typebox';

/** The largest value an `integer` column holds on PostgreSQL: counters and page numbers stay below it. */
const int32Max = 2 ** 31 - 1;
/**
 * Numbers a client chooses and the database keys on (bigint columns), exact as JSON numbers only
 * within ±2^53. No `type`: whether they are whole numbers at all, the service says by name.
 */
const SafeNumber = Type.Unsafe<unknown>({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER });
const Page = Type.Integer({ minimum: 0, maximum: int32Max });

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
  journalVersion: Type.Optional(Type.Integer({ minimum: 0, maximum: int32Max })),
});

export const RenewLeaseRequest = Type.Object({ token: Type.Optional(Type.String()), duration: Type.Integer({ minimum: 0, maximum: int32Max }) });

export const CompleteUpdateRequest = Type.Object({
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
});

export const EngineEvent = Type.Object({ sequence: Type.Optional(SafeNumber) }, { additionalProperties: true });

export const EngineEventBatch = Type.Object({ events: Type.Array(EngineEvent) });

export const DeltaCheckpointRequest = Type.Object({
  version: Type.Integer({ minimum: 0, maximum: int32Max }),
  checkpointHash: Type.String(),
  sequenceNumber: Type.Integer({ minimum: 0, maximum: int32Max }),
  deploymentDelta: Type.Array(Type.Unknown()),
});

export const EventsQuery = Type.Object({
  // The last sequence sent (a bigint), or -1.
  continuationToken: Type.Optional(Type.String({ pattern: '^(-1|[0-9]{1,16})$' })),
  type: Type.Optional(Type.Array(Type.String())),
  urn: Type.Optional(Type.String()),
  include_non_activated: Type.Optional(Type.Boolean()),
});

/** Updates per page: 0 (or none) means the default, 10, once a page is asked for. */
const PageSize = Type.Integer({ minimum: 0, maximum: 1000 });

export const HistoryQuery = Type.Object({
  // `cli` (or none): the CLI's `{updates}`; anything else: the service's paginated format.
  'output-type': Type.Optional(Type.String({ maxLength: 64 })),
  page: Type.Optional(Page),
  pageSize: Type.Optional(PageSize),
});

export const PreviewsQuery = Type.Object({
  asc: Type.Optional(Type.Boolean()),
  page: Type.Optional(Page),
  pageSize: Type.Optional(PageSize),
});

/**
 * Entries are checked one by one in the service; here only the numbers the database keys on. No
 * `type`: an entry that is not an object is left to the service to name.
 */
const JournalEntryNumbers = Type.Unsafe<unknown>({ properties: { sequenceID: SafeNumber, operationID: SafeNumber } });

export const JournalEntriesRequest = Type.Object({ entries: Type.Optional(Type.Array(JournalEntryNumbers)) });
