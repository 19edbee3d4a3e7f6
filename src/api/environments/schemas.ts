import { Type } from 'typebox';

export const OrgParams = Type.Object({ orgName: Type.String() });
export const EnvironmentParams = Type.Object({ orgName: Type.String(), projectName: Type.String(), envName: Type.String() });
export const PreviewEnvironmentParams = Type.Object({ orgName: Type.String(), envName: Type.String() });
export const PreviewTagParams = Type.Object({ orgName: Type.String(), envName: Type.String(), tagName: Type.String() });
export const AnonymousSessionParams = Type.Object({ orgName: Type.String(), openSessionID: Type.String() });

export const ListQuery = Type.Object({ continuationToken: Type.Optional(Type.String()) });
export const CreateEnvironmentRequest = Type.Object({ project: Type.String(), name: Type.String() });
export const CloneEnvironmentRequest = Type.Object({
  project: Type.Optional(Type.String()),
  name: Type.String(),
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })),
  preserveHistory: Type.Optional(Type.Boolean()),
  preserveAccess: Type.Optional(Type.Boolean()),
  preserveEnvironmentTags: Type.Optional(Type.Boolean()),
  preserveRevisionTags: Type.Optional(Type.Boolean()),
});

export const CheckQuery = Type.Object({ showSecrets: Type.Optional(Type.Boolean()) });
export const OpenQuery = Type.Object({ duration: Type.Optional(Type.String()) });
export const OpenYamlQuery = Type.Object({ duration: Type.Optional(Type.String()), environmentOverrides: Type.Optional(Type.String()) });
export const PropertyQuery = Type.Object({ property: Type.Optional(Type.String()) });

export const RevisionsQuery = Type.Object({
  // 0: from the latest, as the CLI pages.
  before: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const RetractRequest = Type.Object({
  replacement: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })),
  reason: Type.Optional(Type.String({ maxLength: 10_000 })),
});
export const PageQuery = Type.Object({
  after: Type.Optional(Type.String()),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});
export const CreateRevisionTagRequest = Type.Object({ name: Type.String(), revision: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })) });
export const UpdateRevisionTagRequest = Type.Object({ revision: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1 })) });

const TagPair = Type.Object({ name: Type.String(), value: Type.String({ maxLength: 10_000 }) });
export const CreateTagRequest = TagPair;
// Pulumi's generated client sends the current tag's value only; the ESC CLI sends its name too.
export const UpdateTagRequest = Type.Object({
  currentTag: Type.Object({ name: Type.Optional(Type.String()), value: Type.String({ maxLength: 10_000 }) }),
  // Either part left out stays as it is (the generated client omits empty strings).
  newTag: Type.Object({ name: Type.Optional(Type.String()), value: Type.Optional(Type.String({ maxLength: 10_000 })) }),
});

/** The ESC client sends `Paths` (its struct has no JSON tags); the spec says `paths`. Null rotates all. */
const RotatePaths = Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()]));
export const RotateRequest = Type.Union([Type.Object({ paths: RotatePaths, Paths: RotatePaths }), Type.Null()]);
export const ReferrersQuery = Type.Object({
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  allRevisions: Type.Optional(Type.Boolean()),
  latestStackVersionOnly: Type.Optional(Type.Boolean()),
  continuationToken: Type.Optional(Type.String()),
});
