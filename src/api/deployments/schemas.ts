import { Type } from 'typebox';

const text = (maxLength: number) => Type.String({ maxLength });
/** Versions, offsets and indexes are 32-bit columns: larger numbers are a 400, never a database error. */
const MAX_INT32 = 2 ** 31 - 1;

export const OrgParams = Type.Object({ orgName: Type.String() });
export const DeploymentParams = Type.Object({ orgName: Type.String(), projectName: Type.String(), stackName: Type.String(), deploymentId: text(64) });
export const VersionParams = Type.Object({ orgName: Type.String(), projectName: Type.String(), stackName: Type.String(), version: Type.Integer({ minimum: 1, maximum: MAX_INT32 }) });
export const RunParams = Type.Object({ deploymentId: text(64) });
export const StepParams = Type.Object({ deploymentId: text(64), step: Type.Integer({ minimum: 0, maximum: 10_000 }) });

/** Settings and create-deployment bodies: JSON objects kept as sent (settings.ts checks what is acted on). */
export const SettingsBody = Type.Object({}, { additionalProperties: true });
export const EncryptRequest = Type.Object({ secret: text(1_000_000) });

export const ListQuery = Type.Object({
  page: Type.Optional(Type.Integer()),
  pageSize: Type.Optional(Type.Integer()),
  sort: Type.Optional(text(64)),
  asc: Type.Optional(Type.Boolean()),
  status: Type.Optional(text(32)),
});

export const LogsQuery = Type.Object({
  continuationToken: Type.Optional(text(64)),
  job: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
  step: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_INT32 })),
  count: Type.Optional(Type.Integer()),
});

export const StepReport = Type.Object({ status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]) });
export const LogReport = Type.Object({
  step: Type.Integer({ minimum: 0, maximum: 10_000 }),
  lines: Type.Array(Type.Object({ timestamp: Type.Optional(text(64)), line: text(1_000_000) }), { maxItems: 1000 }),
});
export const CompleteReport = Type.Object({
  status: Type.Union([Type.Literal('succeeded'), Type.Literal('failed')]),
  message: Type.Optional(text(100_000)),
  driftDetected: Type.Optional(Type.Boolean()),
});
