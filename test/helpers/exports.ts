/**
 * `pulumi stack export --show-secrets` without what differs between any two runs: timestamps,
 * the server's address, the random id the engine gives the default provider, and the order of
 * resources the engine created in parallel.
 */
export function normaliseExport(exported: any, serverUrl: string): unknown {
  const { manifest, ...deployment } = exported.deployment;
  let text = JSON.stringify(deployment, (key, value) => (key === 'created' || key === 'modified' ? undefined : value));
  text = text.replaceAll(serverUrl, '<server>');
  for (const provider of deployment.resources.filter((r: { type: string }) => r.type.startsWith('pulumi:providers:'))) {
    text = text.replaceAll(provider.id, `<id of ${provider.urn}>`);
  }
  const normalised = JSON.parse(text);
  normalised.resources.sort((a: { urn: string }, b: { urn: string }) => (a.urn < b.urn ? -1 : 1));
  return { version: exported.version, features: exported.features, manifest: { version: manifest.version }, deployment: normalised };
}

