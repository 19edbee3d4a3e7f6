import { Type } from 'typebox';
import { StackParams } from '../stacks/schemas.js';

/** Clients send `null` (or leave out) the field they do not set: the service decides what is missing. */
const optional = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

export const ScheduleParams = Type.Object({ ...StackParams.properties, scheduleID: Type.String({ maxLength: 64 }) });

/** `CreateScheduledDeploymentRequest`: the request is a create-deployment body, checked as one. */
export const RawScheduleBody = Type.Object({
  scheduleCron: optional(Type.String({ maxLength: 256 })),
  scheduleOnce: optional(Type.String({ maxLength: 64 })),
  request: optional(Type.Object({}, { additionalProperties: true })),
});

export const DriftScheduleBody = Type.Object({
  scheduleCron: optional(Type.String({ maxLength: 256 })),
  autoRemediate: optional(Type.Boolean()),
});

export const TtlScheduleBody = Type.Object({
  timestamp: optional(Type.String({ maxLength: 64 })),
  deleteAfterDestroy: optional(Type.Boolean()),
});
