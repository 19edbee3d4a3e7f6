import { Type, type TSchema } from 'typebox';

/** The path parameters of each scope's collection; items add `hookName`, redelivery `event`. */
export const orgParams = { orgName: Type.String() };
export const stackParams = { orgName: Type.String(), projectName: Type.String(), stackName: Type.String() };
export const environmentParams = { orgName: Type.String(), projectName: Type.String(), envName: Type.String() };
export const previewEnvironmentParams = { orgName: Type.String(), envName: Type.String() };

export const paramsOf = (scope: Record<string, TSchema>) => ({
  collection: Type.Object(scope),
  item: Type.Object({ ...scope, hookName: Type.String() }),
  event: Type.Object({ ...scope, hookName: Type.String(), event: Type.String() }),
});

const names = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 100 });

/**
 * Pulumi's `Webhook`, as PATCH takes it. Clients echo response-only fields (`hasSecret`,
 * `secretCiphertext`) and send `name: ""` for "generate one"; unknown fields are ignored. The ESC
 * CLI's `env webhook edit` sends no `organizationName`: the path names the organization.
 */
export const Webhook = Type.Object({
  organizationName: Type.Optional(Type.String()),
  projectName: Type.Optional(Type.String()),
  stackName: Type.Optional(Type.String()),
  envName: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  displayName: Type.Optional(Type.String()),
  payloadUrl: Type.Optional(Type.String()),
  secret: Type.Optional(Type.String({ maxLength: 1024 })),
  active: Type.Optional(Type.Boolean()),
  format: Type.Optional(Type.String()),
  filters: Type.Optional(Type.Union([names, Type.Null()])),
  groups: Type.Optional(Type.Union([names, Type.Null()])),
  hasSecret: Type.Optional(Type.Boolean()),
  secretCiphertext: Type.Optional(Type.String()),
});

/** Creation takes every field Pulumi marks required. */
export const CreateWebhook = Type.Intersect([
  Webhook,
  Type.Object({ organizationName: Type.String(), displayName: Type.String(), payloadUrl: Type.String(), active: Type.Boolean() }),
]);
