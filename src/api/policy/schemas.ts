import { Type } from 'typebox';

export const OrgParams = Type.Object({ orgName: Type.String() });
export const PackParams = Type.Object({ orgName: Type.String(), policyPackName: Type.String() });
export const VersionParams = Type.Object({ orgName: Type.String(), policyPackName: Type.String(), version: Type.String() });
export const GroupParams = Type.Object({ orgName: Type.String(), policyGroup: Type.String() });
export const ArchiveParams = Type.Object({ versionId: Type.String({ maxLength: 64 }) });
export const SignedQuery = Type.Object({ expires: Type.Optional(Type.String({ maxLength: 32 })), signature: Type.Optional(Type.String({ maxLength: 128 })) });
export const ListPacksQuery = Type.Object({ policypack: Type.Optional(Type.String({ maxLength: 100 })) });
export const StackPacksQuery = Type.Object({ mode: Type.Optional(Type.String({ maxLength: 32 })) });

const text = (maxLength: number) => Type.String({ maxLength });
const JsonObject = Type.Object({}, { additionalProperties: true });

/** One policy as `pulumi policy publish` describes it; fields beyond these are kept as sent. */
const Policy = Type.Object(
  {
    name: text(200),
    displayName: Type.Optional(text(1000)),
    description: Type.Optional(text(100_000)),
    enforcementLevel: text(32),
    message: Type.Optional(text(100_000)),
    configSchema: Type.Optional(JsonObject),
  },
  { additionalProperties: true },
);

/** `CreatePolicyPackRequest`: the name, display name and policies are required, as Pulumi's spec says. */
export const CreatePolicyPackRequest = Type.Object(
  {
    name: text(100),
    displayName: text(1000),
    versionTag: Type.Optional(text(100)),
    policies: Type.Array(Policy, { maxItems: 1000 }),
    description: Type.Optional(text(100_000)),
    readme: Type.Optional(text(1_000_000)),
    provider: Type.Optional(text(200)),
    tags: Type.Optional(Type.Array(text(200), { maxItems: 100 })),
    repository: Type.Optional(text(2000)),
    runtime: Type.Optional(text(64)),
    metadata: Type.Optional(Type.Record(Type.String(), text(10_000))),
  },
  { additionalProperties: true },
);

const StackReference = Type.Object({ name: text(200), routingProject: text(200) });
const PolicyPackMetadata = Type.Object({
  name: text(100),
  displayName: Type.Optional(text(1000)),
  version: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
  versionTag: Type.Optional(text(100)),
  config: Type.Optional(Type.Union([JsonObject, Type.Null()])),
  environments: Type.Optional(Type.Union([Type.Array(text(400), { maxItems: 100 }), Type.Null()])),
});

/** Match rules (stacks joining a group by their tags) are refused by the service, so they are taken as any JSON. */
const MatchRule = Type.Optional(Type.Unknown());

/** `NewPolicyGroupRequest`: the CLI leaves out `entityType` for a stacks group. */
export const CreatePolicyGroupRequest = Type.Object({
  name: text(100),
  entityType: Type.Optional(text(32)),
  mode: Type.Optional(text(32)),
  agentPoolId: Type.Optional(text(200)),
  stackMatchRule: MatchRule,
  accountMatchRule: MatchRule,
});

/** `UpdatePolicyGroupRequest`: every field optional, several may come together. */
export const UpdatePolicyGroupRequest = Type.Object({
  newName: Type.Optional(text(100)),
  addStack: Type.Optional(StackReference),
  removeStack: Type.Optional(StackReference),
  addPolicyPack: Type.Optional(PolicyPackMetadata),
  removePolicyPack: Type.Optional(PolicyPackMetadata),
  stacks: Type.Optional(Type.Union([Type.Array(StackReference, { maxItems: 10_000 }), Type.Null()])),
  policyPacks: Type.Optional(Type.Union([Type.Array(PolicyPackMetadata, { maxItems: 1000 }), Type.Null()])),
  addInsightsAccount: Type.Optional(JsonObject),
  removeInsightsAccount: Type.Optional(JsonObject),
  insightsAccounts: Type.Optional(Type.Union([Type.Array(text(200), { maxItems: 1000 }), Type.Null()])),
  agentPoolId: Type.Optional(text(200)),
  stackMatchRule: MatchRule,
  accountMatchRule: MatchRule,
  removeStackMatchRule: Type.Optional(Type.Boolean()),
  removeAccountMatchRule: Type.Optional(Type.Boolean()),
});
export const BatchUpdatePolicyGroupRequest = Type.Array(UpdatePolicyGroupRequest, { maxItems: 1000 });

export const ViolationsQuery = Type.Object({
  continuationToken: Type.Optional(text(512)),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  project: Type.Optional(text(200)),
  stack: Type.Optional(text(200)),
  policyPack: Type.Optional(text(100)),
  policyName: Type.Optional(text(200)),
  level: Type.Optional(text(32)),
});

export const IssueParams = Type.Object({ orgName: Type.String(), issueId: Type.String({ maxLength: 64 }) });
export const ClosedQuery = Type.Object({ closed: Type.Optional(Type.Boolean()) });

/** `AngularGridGetRowsRequest`; the CLI sends `{"startRow":0,"endRow":100,"sortModel":null}`. */
export const GridRequest = Type.Object(
  {
    startRow: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    endRow: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })),
    sortModel: Type.Optional(Type.Union([Type.Array(Type.Object({ colId: text(64), sort: text(8) }), { maxItems: 16 }), Type.Null()])),
    filterModel: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
  },
  { additionalProperties: true },
);

export const UpdatePolicyIssueRequest = Type.Object({
  status: Type.Optional(text(32)),
  priority: Type.Optional(text(8)),
  assignedTo: Type.Optional(Type.Union([text(100), Type.Null()])),
});
