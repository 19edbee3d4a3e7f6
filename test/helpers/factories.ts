import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ApiClient } from './http.js';
import type { TestServer } from './server.js';

/** A user with a token, optionally in an organization. */
export async function createUser(
  server: TestServer,
  login: string,
  membership?: { org: string; role?: 'member' | 'admin' },
): Promise<string> {
  const { token } = await server.server.ctx.services.admin.createUser({
    login,
    organization: membership?.org,
    role: membership?.role,
  });
  return token;
}

export async function createOrganization(server: TestServer, name: string, owner?: string): Promise<void> {
  await server.server.ctx.services.admin.createOrganization(name, owner);
}

export async function createStack(
  api: ApiClient,
  org: string,
  project: string,
  stack: string,
  tags: Record<string, string> = {},
): Promise<void> {
  const reply = await api.post(`/api/stacks/${org}/${project}`, { stackName: stack, tags });
  assert.equal(reply.status, 200, reply.text);
}

/** A minimal but complete deployment the CLI accepts: the stack resource, a provider and `count` resources. */
export function deploymentWithResources(project: string, stack: string, count: number, extra: Record<string, unknown> = {}) {
  const prefix = `urn:pulumi:${stack}::${project}::`;
  const stackUrn = `${prefix}pulumi:pulumi:Stack::${project}-${stack}`;
  const providerUrn = `${prefix}pulumi:providers:pulumi-nodejs::default`;
  const providerId = '2f6a1e8c-5f7e-4a6d-9a2b-0d9f4b1c3e21';
  const resources: Array<Record<string, unknown>> = [
    { urn: stackUrn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { greeting: 'hello' } },
    {
      urn: providerUrn,
      custom: true,
      id: providerId,
      type: 'pulumi:providers:pulumi-nodejs',
      inputs: { region: 'eu-north-1' },
      outputs: { region: 'eu-north-1' },
      parent: stackUrn,
    },
  ];
  for (let i = 0; i < count; i++) {
    resources.push({
      urn: `${prefix}pulumi-nodejs:dynamic:Resource::thing-${i}`,
      custom: true,
      id: `thing-${i}-id`,
      type: 'pulumi-nodejs:dynamic:Resource',
      inputs: { index: i, __provider: 'opaque-provider-source' },
      outputs: { index: i, label: `thing ${i}` },
      parent: stackUrn,
      provider: `${providerUrn}::${providerId}`,
      // Written as the CLI writes state: empty lists are left out.
      ...(i > 0 && {
        dependencies: [`${prefix}pulumi-nodejs:dynamic:Resource::thing-${i - 1}`],
        propertyDependencies: { index: [`${prefix}pulumi-nodejs:dynamic:Resource::thing-${i - 1}`] },
      }),
      created: '2026-11-01T10:00:00Z',
      modified: '2026-11-01T10:00:00Z',
    });
  }
  return {
    version: 3,
    deployment: {
      // The CLI checks the magic cookie: the SHA-256 of the manifest's version.
      manifest: { time: '2026-11-01T10:00:00Z', magic: createHash('sha256').update('v3.274.1').digest('hex'), version: 'v3.274.1' },
      resources,
      metadata: {},
      ...extra,
    },
  };
}
