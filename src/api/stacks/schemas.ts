import { Type } from 'typebox';

export const ProjectParams = Type.Object({ orgName: Type.String(), projectName: Type.String() });

export const StackParams = Type.Object({ orgName: Type.String(), projectName: Type.String(), stackName: Type.String() });

export const TagParams = Type.Object({
  orgName: Type.String(),
  projectName: Type.String(),
  stackName: Type.String(),
  tagName: Type.String(),
});

export const TagMap = Type.Record(Type.String(), Type.String());

export const CreateStackRequest = Type.Object({
  stackName: Type.String(),
  tags: Type.Optional(TagMap),
  teams: Type.Optional(Type.Array(Type.String())),
  state: Type.Optional(Type.Unknown()),
  config: Type.Optional(Type.Unknown()),
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
