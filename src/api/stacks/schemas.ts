import { Type } from 'typebox';

export const ProjectParams = Type.Object({ orgName: Type.String(), projectName: Type.String() });

export const StackParams = Type.Object({ orgName: Type.String(), projectName: Type.String(), stackName: Type.String() });

/** A stack's version: stored in integer columns, so a larger one cannot exist. */
export const VersionParams = Type.Object({
  orgName: Type.String(),
  projectName: Type.String(),
  stackName: Type.String(),
  version: Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 }),
});

/** A resource of a stack's version, by its URN (percent-encoded in the path). */
export const ResourceParams = Type.Object({ ...VersionParams.properties, urn: Type.String() });
export const LatestResourceParams = Type.Object({ ...StackParams.properties, urn: Type.String() });

export const TagParams = Type.Object({
  orgName: Type.String(),
  projectName: Type.String(),
  stackName: Type.String(),
  tagName: Type.String(),
});

export const TagMap = Type.Record(Type.String(), Type.String());

/** Pulumi's `AppStackConfig`: the ESC environment holding a stack's configuration. */
function StackConfigSchema() {
  return Type.Object({
    environment: Type.String({ minLength: 1 }),
    secretsProvider: Type.Optional(Type.String()),
    encryptedKey: Type.Optional(Type.String()),
    encryptionSalt: Type.Optional(Type.String()),
  });
}
export const StackConfig = StackConfigSchema();

export const StackNotificationSettings = Type.Object({
  notifyUpdateFailure: Type.Boolean(),
  notifyUpdateSuccess: Type.Boolean(),
});

export const CreateStackRequest = Type.Object({
  stackName: Type.String(),
  // Go clients send `"tags": null` for a stack without tags.
  tags: Type.Optional(Type.Union([TagMap, Type.Null()])),
  teams: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
  state: Type.Optional(Type.Unknown()),
  config: Type.Optional(Type.Union([StackConfigSchema(), Type.Null()])),
});

export const StackTag = Type.Object({ name: Type.String(), value: Type.String() });

export const DeleteStackQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });

export const ListStacksQuery = Type.Object({
  organization: Type.Optional(Type.String()),
  project: Type.Optional(Type.String()),
  tagName: Type.Optional(Type.String()),
  tagValue: Type.Optional(Type.String()),
  continuationToken: Type.Optional(Type.String()),
  maxResults: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

export const StackRenameRequest = Type.Object({
  newName: Type.Optional(Type.String()),
  newProject: Type.Optional(Type.String()),
});

export const TransferStackRequest = Type.Object({ toOrg: Type.String() });
