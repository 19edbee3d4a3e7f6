/** `GetStackResourcesResponse`: the resources of one checkpoint, each with its provider's inputs. */
export interface StackResourcesView {
  resources: Array<{ resource: Record<string, unknown> }>;
  region: string;
  version: number;
}

type Resource = Record<string, unknown>;

export function presentResources(deployment: Buffer | undefined, version: number): StackResourcesView {
  const resources = deployment ? readResources(deployment) : [];
  const providerInputs = new Map<string, Record<string, unknown>>();
  for (const r of resources) {
    if (typeof r.type === 'string' && r.type.startsWith('pulumi:providers:') && typeof r.urn === 'string') {
      providerInputs.set(`${r.urn}::${String(r.id ?? '')}`, (r.inputs as Record<string, unknown> | undefined) ?? {});
    }
  }
  let region = '';
  const presented = resources.map((r) => {
    const inputs = typeof r.provider === 'string' ? providerInputs.get(r.provider) : undefined;
    if (!region && typeof inputs?.region === 'string') region = inputs.region;
    return {
      resource: {
        ...r,
        delete: r.delete ?? false,
        dependencies: r.dependencies ?? [],
        ...(inputs && { providerInputs: inputs }),
      },
    };
  });
  return { resources: presented, region, version };
}

function readResources(deployment: Buffer): Resource[] {
  const document = JSON.parse(deployment.toString('utf8')) as { deployment?: { resources?: Resource[] | null } };
  return document.deployment?.resources ?? [];
}
