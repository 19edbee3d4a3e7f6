import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { matchesDocument, type SearchDocument } from '../../src/api/search/match.js';
import { parseQuery } from '../../src/api/search/query.js';
import { createOrganization, createStack, createUser } from '../helpers/factories.js';
import { ApiClient, type Reply } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { beginUpdate, withLease } from '../helpers/updates.js';

// Resource search (issue 18) over a real server: every answer is checked against a brute-force
// filter, written here, over the states the test imported, read back through `…/export` and given
// meaning by `matchesDocument` (src/api/search/match.ts, the reference the SQL must agree with).
// Each concern has an organization of its own, so that one's writes never move another's counts.

let server: TestServer;
let api: ApiClient;

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
});
after(() => server.close());

// ---------------------------------------------------------------------------------------------
// Generated states

/** mulberry32: the same seed, the same states and queries on every run and both databases. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
type Random = ReturnType<typeof seededRandom>;

const secretSignature = '4dabf18193072939515e22adb298388d';
/** Every ciphertext the states hold starts with this; no answer may ever contain it. */
const ciphertextMarker = 'Q0lQSEVSVEVYVC1NQVJLRVI';
const secret = (n: number | string) => ({ [secretSignature]: '1b47061264138c4ac30d75fd1eb44270', ciphertext: `${ciphertextMarker}-${n}` });

const typeCatalog = [
  { type: 'aws:s3/bucket:Bucket', provider: 'aws' },
  { type: 'aws:ec2/instance:Instance', provider: 'aws' },
  { type: 'aws:iam/role:Role', provider: 'aws' },
  { type: 'aws:cloudwatch/logGroup:LogGroup', provider: 'aws' },
  { type: 'gcp:storage/bucket:Bucket', provider: 'gcp' },
  { type: 'gcp:compute/instance:Instance', provider: 'gcp' },
  { type: 'random:index/randomPet:RandomPet', provider: 'random' },
  { type: 'kubernetes:core/v1:Namespace', provider: 'kubernetes' },
  { type: 'kubernetes:apps/v1:Deployment', provider: 'kubernetes' },
  { type: 'acme:web:Site', provider: undefined },
] as const;
// Names with what CSV must quote, LIKE must escape, and letters outside ASCII.
const nameCatalog = ['logs', 'assets', 'web-server', 'db', 'cache', 'Main, Site', 'say "hi"', 'pct%off', 'under_score', 'grüße', 'Upper-Case', 'a.b', 'q'];
const providerVersions: Record<string, ReadonlyArray<string | undefined>> = {
  aws: ['6.1.0', '5.42.0', 'v6.10.2', '7.0.0-alpha.1'],
  gcp: ['7.3.0', '7.20.1'],
  random: [undefined],
  kubernetes: ['4.18.1', '4.9'],
};

const dayMs = 86_400_000;
const earliest = Date.UTC(2025, 0, 1);
const latest = Date.UTC(2026, 9, 31);

/** A time as the CLI and older states write them: various precisions, nanoseconds, an offset. */
function timeText(rng: Random, ms: number): string {
  switch (rng.int(6)) {
    case 0:
      return new Date(Math.floor(ms / dayMs) * dayMs).toISOString();
    case 1:
      return new Date(Math.floor(ms / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');
    case 2:
      return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    case 3:
      return new Date(ms).toISOString().replace('Z', `${String(rng.int(1_000_000)).padStart(6, '0')}Z`);
    case 4:
      return new Date(ms + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    default:
      return new Date(ms).toISOString();
  }
}

function properties(rng: Random, name: string, n: string): { inputs: Record<string, unknown>; outputs: Record<string, unknown> } {
  const inputs: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  const tags = { env: rng.pick(['prod', 'dev', 'staging']), owner: rng.pick(['alice', 'bob', 'Team-Ops']) };
  if (rng.chance(0.7)) inputs.tags = tags;
  if (rng.chance(0.5)) inputs.size = rng.pick([1, 3, 10, 42.5, -7, 0]);
  if (rng.chance(0.4)) inputs.enabled = rng.chance(0.5);
  if (rng.chance(0.4)) {
    inputs.rules = Array.from({ length: 1 + rng.int(3) }, () => ({
      port: rng.pick([22, 80, 443, 8080]),
      protocol: rng.pick(['tcp', 'udp']),
      cidrs: rng.chance(0.7) ? [rng.pick(['10.0.0.0/8', '192.168.1.0/24']), rng.pick(['0.0.0.0/0', '172.16.0.0/12'])] : [],
    }));
  }
  if (rng.chance(0.15)) inputs.matrix = [[1, 2], [3, rng.pick(['x', 'y'])], []];
  if (rng.chance(0.2)) inputs['my-key'] = rng.pick(['dash', 'Dash-Value']);
  if (rng.chance(0.15)) inputs['a.b'] = 'dotted';
  if (rng.chance(0.1)) inputs['größe'] = 'umlaut';
  if (rng.chance(0.15)) inputs.empty = {};
  if (rng.chance(0.15)) inputs.nothing = null;
  if (rng.chance(0.15)) inputs.list = [];
  if (rng.chance(0.2)) inputs.note = 'comma, "quoted"\nand a second line';
  outputs.arn = `arn:acme:${rng.pick(['eu-west-1', 'us-east-2'])}:${name}`;
  if (rng.chance(0.3)) outputs.password = secret(n);
  if (rng.chance(0.2) && inputs.tags) outputs.tags = { ...tags, env: 'overridden' };
  if (rng.chance(0.25)) {
    outputs.config = { nested: { deep: rng.pick(['x1', 'y2']), token: secret(`${n}-inner`) }, items: [{ k: 'v1' }, { k: 'v2', key: secret(`${n}-item`) }] };
  }
  return { inputs, outputs };
}

interface StackSpec {
  project: string;
  stack: string;
  seed: number;
  count: number;
  /** The stack the URNs name, when the state was copied from another stack. */
  urnStack?: string;
}

/** A plausible state of `count` resources: providers with versions, components, parents, pending operations. */
function generateState(org: string, spec: StackSpec) {
  const rng = seededRandom(spec.seed);
  const prefix = `urn:pulumi:${spec.urnStack ?? spec.stack}::${spec.project}::`;
  const stackUrn = `${prefix}pulumi:pulumi:Stack::${spec.project}-${spec.urnStack ?? spec.stack}`;
  const resources: Array<Record<string, unknown>> = [{ urn: stackUrn, custom: false, type: 'pulumi:pulumi:Stack', outputs: { url: `https://${spec.stack}.example` } }];
  const times = () => {
    const created = earliest + rng.int(latest - earliest);
    const modified = Math.min(latest, created + rng.int(200) * dayMs + rng.int(dayMs));
    return {
      ...(rng.chance(0.9) && { created: timeText(rng, created) }),
      ...(rng.chance(0.9) && { modified: timeText(rng, modified) }),
    };
  };
  const providerRefs: Record<string, string> = {};
  for (const [pkg, versions] of Object.entries(providerVersions)) {
    const version = rng.pick(versions);
    const urn = `${prefix}pulumi:providers:${pkg}::default${version ? `_${version.replace(/\W/g, '_')}` : ''}`;
    const id = `${pkg}-${spec.seed}-${rng.int(1_000_000)}`;
    // gcp keeps its version in inputs only, kubernetes in outputs only.
    const inputs = pkg === 'kubernetes' || !version ? { region: 'eu' } : { region: 'eu', version };
    const outputs = pkg === 'gcp' || !version ? {} : { version };
    resources.push({ urn, custom: true, id, type: `pulumi:providers:${pkg}`, inputs, outputs, parent: stackUrn, ...times() });
    providerRefs[pkg] = `${urn}::${id}`;
  }
  const site = `${prefix}acme:web:Site::site`;
  resources.push({ urn: site, custom: false, type: 'acme:web:Site', parent: stackUrn, inputs: { domain: `${spec.stack}.example.com` }, ...times() });

  const urns: string[] = [];
  const usedNames = new Set<string>();
  for (let i = 0; i < spec.count; i++) {
    const { type, provider } = rng.pick(typeCatalog);
    let name = rng.pick(nameCatalog);
    if (usedNames.has(name) || rng.chance(0.5)) name = `${name}-${i}`;
    usedNames.add(name);
    const urn = `${prefix}${type}::${name}`;
    const dependencies = urns.filter(() => rng.chance(0.15)).slice(0, 3);
    const { inputs, outputs } = properties(rng, name, `${spec.seed}-${i}`);
    const custom = provider !== undefined;
    const providerRef = provider && (rng.chance(0.05) ? `${prefix}pulumi:providers:${provider}::gone::missing-id` : providerRefs[provider]);
    resources.push({
      urn,
      custom,
      ...(custom && { id: rng.chance(0.9) ? `${name.replace(/\W/g, '')}-${spec.seed}-${i}` : '' }),
      type,
      inputs,
      outputs,
      parent: rng.chance(0.3) ? site : stackUrn,
      ...(providerRef && { provider: providerRef }),
      ...(dependencies.length > 0 && { dependencies }),
      ...(rng.chance(0.2) && { protect: true }),
      ...times(),
    });
    urns.push(urn);
  }
  // A replaced resource waiting for deletion sits beside its replacement under the same URN.
  const replaced = resources[resources.length - 1]!;
  resources.push({ ...replaced, id: `${String(replaced.id ?? 'component')}-old`, delete: true, outputs: { arn: 'arn:acme:old' } });

  const pending: Array<{ type: string; resource: Record<string, unknown> }> = [
    { type: 'creating', resource: { urn: `${prefix}aws:s3/bucket:Bucket::incoming-${spec.seed}`, custom: true, type: 'aws:s3/bucket:Bucket', provider: providerRefs.aws, inputs: { tags: { env: 'pending' } } } },
  ];
  if (urns.length > 2) {
    const updating = resources.find((r) => r.urn === urns[1])!;
    pending.push({ type: rng.pick(['updating', 'deleting']), resource: updating });
  }
  return {
    version: 3,
    deployment: {
      manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: 'v3.274.1' },
      // Secrets of the service provider import only into the stack they were encrypted for.
      secrets_providers: { type: 'service', state: { url: server.url, owner: org, project: spec.project, stack: spec.stack } },
      resources,
      pending_operations: pending,
    },
  };
}

async function importState(org: string, project: string, stack: string, state: unknown): Promise<void> {
  const reply = await api.post(`/api/stacks/${org}/${project}/${stack}/import`, state);
  assert.equal(reply.status, 200, `importing ${org}/${project}/${stack}: ${reply.text}`);
}

async function createTeam(org: string, name: string, grants: Array<[string, string, number]>, members: string[] = []): Promise<void> {
  const created = await api.post(`/api/orgs/${org}/teams/pulumi`, { name, displayName: name });
  assert.equal(created.status, 201, created.text);
  for (const [projectName, stackName, permission] of grants) {
    const granted = await api.patch(`/api/orgs/${org}/teams/${name}`, { addStackPermission: { projectName, stackName, permission } });
    assert.equal(granted.status, 204, granted.text);
  }
  for (const member of members) {
    const added = await api.patch(`/api/orgs/${org}/teams/${name}`, { memberAction: 'add', member });
    assert.equal(added.status, 204, added.text);
  }
}

// ---------------------------------------------------------------------------------------------
// The brute force: documents derived here from the exported states, independently of the index

interface Expected extends SearchDocument {
  /** What tells two results apart: the stack, the URN, and whether it is a pending deletion or operation. */
  key: string;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (!isObject(value)) return value;
  if (secretSignature in value) return '[secret]';
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withoutSecrets(inner)]));
}

type Keyed = { project: string; stack: string; urn: string; delete: boolean; pending?: string };
const keyOf = (r: Keyed) => `${r.project}/${r.stack}|${r.urn}|${r.delete}|${r.pending ?? ''}`;

/** What search should hold of one stack's state, read as a person reads the state format. */
function documentsOf(project: string, stack: string, deployment: any, teams: string[]): Expected[] {
  const resources: any[] = deployment.resources ?? [];
  const operations: any[] = deployment.pending_operations ?? [];
  const stateUrns = new Set(resources.map((r) => r.urn));
  const operationOf = new Map(operations.map((op) => [op.resource.urn, op.type]));
  const entries = [
    ...resources.map((r) => ({ r, pending: operationOf.get(r.urn) ?? '' })),
    ...operations.filter((op) => !stateUrns.has(op.resource.urn)).map((op) => ({ r: op.resource, pending: op.type as string })),
  ];
  const versionOfProvider = new Map<string, string>();
  for (const { r } of entries) {
    if (r.type.startsWith('pulumi:providers:')) versionOfProvider.set(`${r.urn}::${r.id ?? ''}`, r.outputs?.version || r.inputs?.version || '');
  }
  const time = (text: unknown) => (typeof text === 'string' ? Date.parse(text) : null);
  return entries.map(({ r, pending }) => {
    const [pkg, mod] = r.type.split(':');
    const isProvider = r.type.startsWith('pulumi:providers:');
    const doc: SearchDocument = {
      urn: r.urn,
      type: r.type,
      name: r.urn.split('::').at(-1),
      package: pkg,
      module: mod.split('/')[0],
      project,
      stack,
      id: r.id ?? '',
      custom: r.custom === true,
      delete: r.delete === true,
      protected: r.protect === true,
      pending,
      parentUrn: r.parent ?? '',
      providerUrn: r.provider ?? '',
      created: time(r.created),
      modified: time(r.modified),
      dependencies: r.dependencies ?? [],
      version: isProvider ? r.outputs?.version || r.inputs?.version || '' : (versionOfProvider.get(r.provider) ?? ''),
      teams,
      properties: withoutSecrets({ ...r.inputs, ...r.outputs }),
    };
    return { ...doc, key: keyOf(doc) };
  });
}

interface Found {
  created?: string;
  custom: boolean;
  delete: boolean;
  dependencies: string[];
  id?: string;
  modified: string;
  module: string;
  name: string;
  package: string;
  'parent.urn'?: string;
  parent_urn?: string;
  pending?: string;
  project: string;
  properties?: unknown;
  protected: boolean;
  'provider.urn'?: string;
  provider_urn?: string;
  stack: string;
  teams: string[];
  type: string;
  urn: string;
}

interface Answer {
  total: number;
  resources: Found[];
  aggregations?: Record<string, { others: number; results: Array<{ name: string; count: number }> }>;
  pagination: { previous: string | null; next: string | null; cursor: string | null };
}

type Params = Record<string, string | number | boolean | Array<string | number> | undefined>;

function searchPath(org: string, params: Params, suffix = ''): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) query.append(key, String(one));
  }
  return `/api/orgs/${org}/search/resources${suffix}?${query}`;
}

async function search(org: string, params: Params, client = api): Promise<Answer> {
  const reply = await client.get<Answer>(searchPath(org, params));
  assert.equal(reply.status, 200, `${searchPath(org, params)}: ${reply.text}`);
  return reply.body;
}

/** Every match, following `pagination.cursor` from page to page. */
async function searchAll(org: string, params: Params, client = api): Promise<{ total: number; resources: Found[] }> {
  const first = await search(org, { size: 1000, ...params }, client);
  const resources = [...first.resources];
  for (let cursor = first.pagination.cursor; cursor; ) {
    const next = await search(org, { size: 1000, ...params, cursor }, client);
    assert.equal(next.total, first.total);
    resources.push(...next.resources);
    cursor = next.pagination.cursor;
  }
  return { total: first.total, resources };
}

const sortedKeys = (items: Keyed[]) => items.map(keyOf).sort();

/** The value a result sorts by, as the index holds it: times in ms (0 when absent), booleans 0/1. */
function sortValueOf(found: Found | Expected, field: string): string | number {
  if ('key' in found) {
    const doc = found;
    switch (field) {
      case 'created':
      case 'modified':
        return doc[field] ?? 0;
      case 'custom':
      case 'delete':
      case 'protected':
        return doc[field] ? 1 : 0;
      case 'parent.urn':
        return doc.parentUrn;
      case 'provider.urn':
        return doc.providerUrn;
      default:
        return doc[field as 'name'];
    }
  }
  switch (field) {
    case 'created':
    case 'modified':
      return found[field] ? Date.parse(found[field]) : 0;
    case 'custom':
    case 'delete':
    case 'protected':
      return found[field] ? 1 : 0;
    default:
      return (found[field as keyof Found] as string | undefined) ?? '';
  }
}

const compareTuples = (a: Array<string | number>, b: Array<string | number>) => {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
};

/** A small RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      assert.equal(field, '', 'a quote opens a field only at its start');
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  assert.equal(quoted, false, 'every quoted field is closed');
  assert.equal(row.length + field.length, 0, 'the last line ends with a line break');
  return rows;
}

const csvColumns = ['created', 'custom', 'delete', 'id', 'modified', 'module', 'name', 'package', 'parent_urn', 'pending', 'project', 'protected', 'provider_urn', 'stack', 'type', 'urn'];
const isoOrEmpty = (ms: number | null) => (ms ? new Date(ms).toISOString() : '');

function csvRowOf(doc: Expected): string[] {
  return [
    isoOrEmpty(doc.created), String(doc.custom), String(doc.delete), doc.id, isoOrEmpty(doc.modified), doc.module, doc.name, doc.package,
    doc.parentUrn, doc.pending, doc.project, String(doc.protected), doc.providerUrn, doc.stack, doc.type, doc.urn,
  ];
}

// ---------------------------------------------------------------------------------------------
// Queries: a fixed list over every operator and field, and random ones from a small grammar

const fixedQueries = [
  '',
  // Free text: contains (URN, name, stack, project), globs, exact phrases (also the type).
  'bucket', 'BUCKET', 'web', 'archive', 'prod', 'grüße', 'GRüßE', 'pct%', '%', 'under_', '_', 'q', 'a.b', 'Main,', 'buck*', '*-1', '*site', 'w*b', '*', '"logs"', '"prod"', '"archive"',
  '"aws:s3/bucket:Bucket"', '"Main, Site"', '"say \\"hi\\""', '"web-server"',
  // Words of the URN's prefix (`urn:pulumi:<stack>::<project>::`): in every URN, or naming stacks.
  'pulumi', 'PULUMI', 'urn', 'ulu', 'rn', 'eb-pr', 'ata-ar', 'rod',
  // Each field with contains, glob, exact, exists and negation.
  'category:', 'category:x', '-category:x',
  'name:log', 'name:LOG*', 'name:"logs"', 'name:', '-name:logs', 'name:*-1*', 'name:pct%off', 'name:under_score', 'name:%', 'name:_', 'name:*%*',
  'urn:archive', 'urn:prod', 'urn:PROD', 'urn:pulumi', 'urn:n:pul', 'urn:pulumi:prod::', 'urn:prod::data::', 'urn:web::aws', 'urn:dev::web::aws:s3', 'urn:s3/bucket:Bucket::l', 'urn:"urn:pulumi:prod::data::pulumi:pulumi:Stack::data-prod"', 'urn:*::site', 'urn:"urn:pulumi:dev::web::acme:web:Site::site"', 'urn:', '-urn:prod',
  'id:*-5-*', 'id:', '-id:', 'id:"db-3-3"',
  'parent.urn:site', 'parentUrn:Stack', 'parent_urn:', '-parent.urn:', 'parent.urn:*::web-dev',
  'provider.urn:aws', 'providerUrn:gone', 'provider_urn:', '-provider.urn:', 'provider.urn:*missing-id',
  'pending:', 'pending:creating', 'pending:"updating"', 'pending:del*', '-pending:',
  'project:web', 'project:"data"', 'project:da*', 'project:', '-project:web',
  'stack:prod', 'stack:"prod"', 'stack:*west', 'stack:', '-stack:dev',
  'type:bucket', 'type:aws:s3:Bucket', 'type:"aws:s3:Bucket"', 'type:"aws:s3/bucket:Bucket"', 'type:kubernetes:core:*', 'type:*instance*', 'type:', '-type:pulumi',
  'package:aws', 'package:"gcp"', 'package:k*s', 'package:', '-package:aws',
  'module:s3', 'module:"core"', 'module:provider*', 'module:', '-module:pulumi',
  'custom:true', 'custom:false', 'custom:TRUE', 'custom:', '-custom:true',
  'delete:true', 'delete:false', '-delete:false',
  'protected:true', 'protected:False', '-protected:true',
  'dependency:', 'dependencies:assets', 'dependency:*::db*', 'dependency:"urn:pulumi:dev::web::aws:s3/bucket:Bucket::logs"', 'dependency:"URN:PULUMI:DEV::WEB::AWS:S3/BUCKET:BUCKET::LOGS"', 'name:"LOGS"', '-dependency:', 'dependency:,', 'dependency:]', 'dependency:urn*log*',
  'team:', 'team:platform', 'teams:"ops"', 'team:plat*', '-team:',
  // Times: a span per precision, comparisons from a span's ends, ranges, open ends, existence.
  'created:', '-created:', 'modified:', 'created:2025-06-01', 'created:>=2025-06-01', 'created:>2025-06-01', 'created:<2025-03-01T12:00', 'created:<=2025-03-01T12:00Z',
  'created:[2025-01-01 to 2025-06-30]', 'created:[* to 2025-06-30]', 'created:[2026-01-01 TO *]', 'modified:>2026-01-01T00:00:00Z', 'modified:<2025-07-15T10:20:30.5',
  'modified:[2025-05-01T00:00 to 2025-12-31T23:59:59.999Z]', '-modified:>=2026-01-01',
  // Versions: text, comparisons by components, ranges.
  'version:', '-version:', 'version:6.1.0', 'version:"6.1.0"', 'version:v6*', 'version:>=6', 'version:<6.10', 'version:>6.1', 'version:<=4.9.0',
  'version:[5 to 6.2]', 'version:[6 to *]', 'version:[* to 4.18]', 'version:>=7', 'version:7.0.0',
  // Properties: paths, [*], keys on arrays, nested arrays, quoted keys, existence, secrets.
  '.tags.env:prod', '.tags.env:"prod"', '.tags.env:PRO*', '.tags.env:overridden', '.tags:', '-.tags:', '.tags.owner:team-ops', '.rules[*].port:443', '.rules.port:443',
  '.rules[*].cidrs:10.*', '.rules.cidrs[*]:*/0', '.matrix[*][*]:x', '.matrix[*]:3', '.matrix:', '.["my-key"]:dash', '.my-key:"Dash-Value"', '.["a.b"]:dotted', '.größe:',
  '.empty:', '.nothing:', '.list:', '.size:42.5', '.size:-7', '.size:"0"', '.enabled:true', '.enabled:false', '.password:"[secret]"', '.password:secret', '.config.nested.token:"[secret]"',
  '.config.items[*].k:v2', '.config.items.key:"[secret]"', '.config.nested:', '.note:comma', '.url:https*', '.arn:*:db*', '.domain:', `.password:${ciphertextMarker}`,
  // Logic: AND, OR left to right, groups, negated groups, properties under OR and NOT.
  'type:aws* OR type:gcp*', 'stack:dev OR stack:prod protected:true', 'stack:dev AND package:aws', '(stack:dev OR stack:prod) -protected:true',
  'package:aws (name:log* OR name:db*)', '-(package:aws OR package:gcp)', 'project:web -(stack:dev custom:true)', '.tags.env:prod OR package:random',
  '-.tags.env:prod package:aws', '(.rules[*].port:443 OR .tags.env:dev) -stack:prod', '-(.tags.env:prod OR -custom:true)', 'bucket OR .size:10', 'team:ops OR team:platform version:>=6',
  '((stack:dev))', 'web OR data', 'web OR (data -pending:)',
];

const asciiCaseFlip = (rng: Random, text: string) =>
  [...text].map((c) => (/[a-z]/i.test(c) && rng.chance(0.3) ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');

const quoted = (value: string) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;

/** Whether `word` is read back as itself: no spaces, quotes or parentheses, nothing a term may start with. */
const plainWord = (word: string, freeText: boolean) =>
  word !== '' && !/[\s"()]/.test(word) && !/^[-<>[.]/.test(word) && word !== 'OR' && word !== 'AND' && !(freeText && word.includes(':'));

/** A value term for `value`: exact, a substring, a glob, or the value itself; quoted when it must be. */
function valueOf(rng: Random, value: string, freeText = false): string {
  if (value === '') return '""';
  const choice = rng.int(4);
  if (choice === 0) return quoted(value);
  let word = value;
  if (choice === 1) {
    const start = rng.int(value.length);
    word = value.slice(start, start + 1 + rng.int(value.length - start));
  } else if (choice === 2) {
    const chars = [...value];
    const from = rng.int(chars.length);
    const to = from + rng.int(chars.length - from);
    word = `${rng.chance(0.3) ? '*' : ''}${chars.slice(0, from).join('')}*${chars.slice(to).join('')}${rng.chance(0.3) ? '*' : ''}`;
  }
  word = asciiCaseFlip(rng, word);
  return plainWord(word, freeText) ? word : quoted(value);
}

function timeValue(rng: Random, ms: number): string {
  const iso = new Date(ms).toISOString();
  return rng.pick([iso.slice(0, 10), iso.slice(0, 16), `${iso.slice(0, 19)}Z`, iso, iso.slice(0, 21)]);
}

/** Some path to a scalar of `value`, as `.a.b[*].c`, and the scalar (undefined when there is none). */
function randomPath(rng: Random, value: unknown): { path: string; leaf?: unknown } {
  let path = '';
  let at = value;
  for (let depth = 0; depth < 5; depth++) {
    if (Array.isArray(at)) {
      if (at.length === 0) break;
      if (rng.chance(0.7)) path += '[*]';
      at = rng.pick(at);
    } else if (isObject(at)) {
      const keys = Object.keys(at);
      if (keys.length === 0) break;
      const key = rng.pick(keys);
      path += /^[\p{L}\p{N}_$-]+$/u.test(key) ? `.${key}` : `${path === '' ? '.' : ''}["${key}"]`;
      at = at[key];
    } else {
      return { path, leaf: at };
    }
    if (!Array.isArray(at) && !isObject(at)) return { path, leaf: at };
  }
  return { path };
}

const versionBounds = ['4', '4.9', '4.18.1', '5', '5.42', '6', '6.1', '6.1.0', 'v6.10', '6.10.2', '7', '7.3.0', '7.20'];

function randomTerm(rng: Random, docs: Expected[]): string {
  const doc = rng.pick(docs);
  switch (rng.int(11)) {
    case 0: {
      const value = rng.pick([doc.name, doc.stack, doc.project, doc.urn.split('::').slice(-2, -1)[0]!]);
      return valueOf(rng, value, true);
    }
    case 1:
    case 2: {
      const field = rng.pick(['name', 'urn', 'id', 'parent.urn', 'provider.urn', 'pending', 'project', 'stack', 'type', 'package', 'module', 'version'] as const);
      const value = field === 'parent.urn' ? doc.parentUrn : field === 'provider.urn' ? doc.providerUrn : doc[field];
      if (value === '' || rng.chance(0.1)) return `${field}:`;
      return `${field}:${valueOf(rng, value)}`;
    }
    case 3:
      return `${rng.pick(['custom', 'delete', 'protected'])}:${rng.pick(['true', 'false', 'True'])}`;
    case 4: {
      const field = rng.pick(['created', 'modified'] as const);
      const ms = doc[field] ?? earliest + rng.int(latest - earliest);
      const other = earliest + rng.int(latest - earliest);
      const [low, high] = ms < other ? [ms, other] : [other, ms];
      switch (rng.int(4)) {
        case 0:
          return `${field}:${timeValue(rng, ms)}`;
        case 1:
          return `${field}:${rng.pick(['>', '>=', '<', '<='])}${timeValue(rng, ms)}`;
        case 2:
          return `${field}:[${rng.chance(0.2) ? '*' : timeValue(rng, low)} to ${rng.chance(0.2) ? '*' : timeValue(rng, high)}]`;
        default:
          return `${field}:`;
      }
    }
    case 5: {
      const a = rng.pick(versionBounds);
      const b = rng.pick(versionBounds);
      return rng.chance(0.5) ? `version:${rng.pick(['>', '>=', '<', '<='])}${a}` : `version:[${a} to ${rng.chance(0.2) ? '*' : b}]`;
    }
    case 6: {
      const withDependencies = docs.filter((d) => d.dependencies.length > 0);
      const dependency = rng.pick(rng.pick(withDependencies).dependencies);
      return `dependency:${valueOf(rng, rng.chance(0.5) ? dependency : dependency.split('::').at(-1)!)}`;
    }
    case 7:
      return `team:${rng.pick(['platform', 'ops', 'PLAT*', '"ops"', '', 'x'])}`;
    case 8:
    case 9: {
      const { path, leaf } = randomPath(rng, doc.properties);
      if (path === '') return '.tags:';
      if (leaf === undefined || leaf === null || rng.chance(0.15)) return `${path}:`;
      return `${path}:${valueOf(rng, String(leaf))}`;
    }
    default:
      return rng.pick(['category:', 'pending:', 'dependency:', 'version:', 'id:', '.password:"[secret]"']);
  }
}

function randomQuery(rng: Random, docs: Expected[]): string {
  const terms = Array.from({ length: 1 + rng.int(3) }, () => {
    const term = randomTerm(rng, docs);
    return rng.chance(0.2) && !term.startsWith('-') ? `-${term}` : term;
  });
  if (terms.length > 1 && rng.chance(0.3)) terms.splice(0, 2, `${rng.chance(0.2) ? '-' : ''}(${terms[0]} OR ${terms[1]})`);
  return terms.reduce((query, term) => `${query}${rng.pick([' ', ' ', ' OR ', ' AND '])}${term}`);
}

// ---------------------------------------------------------------------------------------------

describe('GET /api/orgs/{org}/search/resources against a brute-force filter', () => {
  const org = 'search-bf';
  const specs: StackSpec[] = [
    { project: 'web', stack: 'dev', seed: 1, count: 24 },
    { project: 'web', stack: 'prod', seed: 2, count: 30 },
    { project: 'web', stack: 'staging', seed: 3, count: 12 },
    { project: 'web', stack: 'eu-west', seed: 4, count: 18 },
    { project: 'data', stack: 'dev', seed: 5, count: 20 },
    { project: 'data', stack: 'prod', seed: 6, count: 26 },
    // A state copied from data/prod: its URNs name another stack than the one holding it.
    { project: 'data', stack: 'archive', seed: 7, count: 15, urnStack: 'prod' },
    { project: 'data', stack: 'tiny', seed: 8, count: 2 },
  ];
  const teamsOf: Record<string, string[]> = { 'web/prod': ['ops', 'platform'], 'data/prod': ['platform'], 'web/dev': ['ops'] };
  let docs: Expected[];

  before(async () => {
    await createOrganization(server, org, 'admin');
    for (const spec of specs) {
      await createStack(api, org, spec.project, spec.stack);
      await importState(org, spec.project, spec.stack, generateState(org, spec));
    }
    // A stack with no state, and one whose state has no resources, add nothing.
    await createStack(api, org, 'data', 'nothing');
    await createStack(api, org, 'data', 'blank');
    await importState(org, 'data', 'blank', { version: 3, deployment: { manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' } } });
    await createTeam(org, 'platform', [['web', 'prod', 101], ['data', 'prod', 103]]);
    await createTeam(org, 'ops', [['web', 'prod', 102], ['web', 'dev', 102]]);
    // A team whose grant a search does not count: none (0) lets it read nothing.
    await createTeam(org, 'bystanders', []);

    docs = [];
    for (const stack of [...specs, { project: 'data', stack: 'blank' }]) {
      const exported = await api.get(`/api/stacks/${org}/${stack.project}/${stack.stack}/export`);
      assert.equal(exported.status, 200, exported.text);
      docs.push(...documentsOf(stack.project, stack.stack, exported.body.deployment, teamsOf[`${stack.project}/${stack.stack}`] ?? []));
    }
    const duplicates = docs.map((d) => d.key).filter((key, i, keys) => keys.indexOf(key) !== i);
    assert.deepEqual(duplicates, [], 'no two generated resources share a key');
  });

  it('holds every resource of every state, each shown as the state has it', async () => {
    const all = await searchAll(org, { properties: true });
    assert.equal(all.total, docs.length);
    assert.ok(docs.length > 200, `${docs.length} resources`);
    const byKey = new Map(docs.map((d) => [d.key, d]));
    for (const found of all.resources) {
      const doc = byKey.get(keyOf(found));
      assert.ok(doc, `an unexpected result ${keyOf(found)}`);
      const expected: Found = {
        ...(doc.created !== null && { created: new Date(doc.created).toISOString() }),
        custom: doc.custom,
        delete: doc.delete,
        dependencies: doc.dependencies,
        ...(doc.id !== '' && { id: doc.id }),
        modified: isoOrEmpty(doc.modified),
        module: doc.module,
        name: doc.name,
        package: doc.package,
        ...(doc.parentUrn !== '' && { 'parent.urn': doc.parentUrn, parent_urn: doc.parentUrn }),
        ...(doc.pending !== '' && { pending: doc.pending }),
        project: doc.project,
        properties: doc.properties,
        protected: doc.protected,
        ...(doc.providerUrn !== '' && { 'provider.urn': doc.providerUrn, provider_urn: doc.providerUrn }),
        stack: doc.stack,
        teams: doc.teams,
        type: doc.type,
        urn: doc.urn,
      };
      assert.deepEqual(found, expected);
    }
    assert.deepEqual(sortedKeys(all.resources), docs.map((d) => d.key).sort());
    // Every kind the generator meant to make is there.
    for (const query of ['pending:creating', 'pending:', 'delete:true', 'protected:true', 'version:', '-version:', '-created:', 'provider.urn:gone', '.password:"[secret]"', 'team:platform', 'dependency:']) {
      assert.ok(docs.some((d) => matchesDocument(parseQuery(query)!, d)), `the data has some ${query}`);
    }
  });

  it(`answers ${fixedQueries.length} fixed queries over every operator and field with the brute force's total and results`, async () => {
    await compareQueries(fixedQueries);
  });

  it('matches a dependency glob or text against one dependency at a time, never across two of them', async () => {
    // `*a*b` where one dependency holds a and a later one b, but none both.
    const queries = new Set<string>(['dependency:,', 'dependency:]', 'dependency:"]"', 'dependency:*,*', 'dependency:*]*']);
    for (const doc of docs) {
      const [first, second] = doc.dependencies.map((urn) => urn.split('::').at(-1)!).filter((name) => plainWord(name, false));
      if (first === undefined || second === undefined) continue;
      queries.add(`dependency:*${first}*${second}`);
      queries.add(`dependency:${doc.dependencies[0]!.slice(0, 12)}*${second}`);
    }
    assert.ok(queries.size > 10);
    await compareQueries([...queries], false);
  });

  it('answers 250 seeded random queries from a grammar over the data with the brute force’s total and results', async () => {
    const rng = seededRandom(20261205);
    const queries = Array.from({ length: 250 }, () => randomQuery(rng, docs));
    await compareQueries(queries);
  });

  async function compareQueries(queries: string[], discriminating = true): Promise<void> {
    const failures: string[] = [];
    let nonEmpty = 0;
    await inParallel(queries, 8, async (query) => {
      const node = parseQuery(query);
      const expected = docs.filter((d) => node === undefined || matchesDocument(node, d)).map((d) => d.key).sort();
      if (expected.length > 0 && expected.length < docs.length) nonEmpty++;
      const found = await searchAll(org, { query });
      const keys = sortedKeys(found.resources);
      if (found.total !== expected.length || JSON.stringify(keys) !== JSON.stringify(expected)) {
        const missing = expected.filter((k) => !keys.includes(k));
        const extra = keys.filter((k) => !expected.includes(k));
        failures.push(`${JSON.stringify(query)}: total ${found.total}, expected ${expected.length}; missing ${JSON.stringify(missing.slice(0, 3))}; extra ${JSON.stringify(extra.slice(0, 3))}`);
      }
    });
    assert.deepEqual(failures, []);
    // The queries discriminate: most select some but not all resources.
    if (discriminating) assert.ok(nonEmpty > queries.length / 2, `${nonEmpty} of ${queries.length} queries select some but not all`);
  }

  const sortFields = ['created', 'custom', 'delete', 'id', 'modified', 'module', 'name', 'package', 'parent.urn', 'pending', 'project', 'protected', 'provider.urn', 'stack', 'type', 'urn'];

  it('sorts by each field, ascending and descending, and by several fields, as a sort of the brute force does', async () => {
    const cases: Array<{ sort: string[]; asc?: boolean; query?: string }> = [
      ...sortFields.flatMap((field) => [{ sort: [field], asc: true }, { sort: [field], asc: false }]),
      { sort: [] },
      { sort: ['project', 'stack', 'type'], asc: true },
      { sort: ['package', 'modified'], asc: false },
      { sort: ['protected', 'name', 'created'], asc: true },
      { sort: ['parentUrn', 'provider_urn'], asc: true },
      // A query testing properties is finished in memory: the same order must come out.
      { sort: ['name'], asc: true, query: '.tags.env:*' },
      { sort: ['modified'], asc: false, query: '.tags:' },
      { sort: [], query: '-.rules[*].port:443 package:aws' },
      { sort: ['custom', 'stack'], asc: false, query: '.arn:' },
    ];
    const aliases: Record<string, string> = { parentUrn: 'parent.urn', provider_urn: 'provider.urn' };
    const canonical = (field: string) => aliases[field] ?? field;
    for (const { sort, asc, query } of cases) {
      const fields = (sort.length > 0 ? sort : ['modified']).map(canonical);
      const ascending = asc === true;
      const node = query === undefined ? undefined : parseQuery(query);
      const expected = docs
        .filter((d) => node === undefined || matchesDocument(node, d))
        .map((d) => fields.map((f) => sortValueOf(d, f)))
        .sort((a, b) => compareTuples(a, b) * (ascending ? 1 : -1));
      const found = await searchAll(org, { query, sort, asc, size: 37 });
      const tuples = found.resources.map((r) => fields.map((f) => sortValueOf(r, f)));
      assert.deepEqual(tuples, expected, `sort ${sort.join(',') || '(default)'} ${ascending ? 'asc' : 'desc'} ${query ?? ''}`);
    }
  });

  it('pages with page and size, and the links it gives, exactly as the whole list', async () => {
    for (const query of ['', 'package:aws', '.tags:']) {
      const whole = await search(org, { query, sort: ['name', 'urn'], asc: true, size: 1000 });
      const size = 23;
      const seen: Found[] = [];
      for (let page = 1; ; page++) {
        const answer = await search(org, { query, sort: ['name', 'urn'], asc: true, size, page });
        assert.equal(answer.total, whole.total);
        seen.push(...answer.resources);
        const expectedPrevious = page > 1 ? searchPath(org, { query, sort: ['name', 'urn'], asc: true, size, page: page - 1 }) : null;
        assert.equal(answer.pagination.previous, expectedPrevious);
        if (page * size >= whole.total) {
          assert.deepEqual(answer.pagination, { previous: expectedPrevious, next: null, cursor: null });
          break;
        }
        assert.equal(answer.pagination.next, searchPath(org, { query, sort: ['name', 'urn'], asc: true, size, page: page + 1 }));
        assert.equal(typeof answer.pagination.cursor, 'string');
      }
      assert.deepEqual(seen, whole.resources, `query ${JSON.stringify(query)}`);

      // Following `next` as given, and the `continue` spelling of the cursor, walk the same list.
      const followed: Found[] = [];
      let next: string | null = searchPath(org, { query, sort: ['name', 'urn'], asc: true, size: 31 });
      while (next) {
        const reply: Reply<Answer> = await api.get<Answer>(next);
        assert.equal(reply.status, 200, reply.text);
        followed.push(...reply.body.resources);
        next = reply.body.pagination.next;
      }
      assert.deepEqual(followed, whole.resources);
      const continued: Found[] = [];
      for (let token: string | undefined = undefined; ; ) {
        const answer = await search(org, { query, sort: ['name', 'urn'], asc: true, size: 50, continue: token });
        continued.push(...answer.resources);
        if (!answer.pagination.cursor) break;
        token = answer.pagination.cursor;
      }
      assert.deepEqual(continued, whole.resources);
    }
  });

  it('counts facets: the top values, others, up to five fields, booleans as "true" and "false"', async () => {
    const cases: Array<{ query: string; facet: string[]; top?: number }> = [
      { query: '', facet: ['type', 'package', 'module', 'stack', 'project'] },
      { query: '', facet: ['custom', 'delete', 'protected'], top: 1 },
      { query: 'package:aws', facet: ['name', 'pending', 'id'], top: 3 },
      { query: '', facet: ['parent.urn', 'provider.urn', 'created', 'modified'], top: 7 },
      { query: '.tags.env:prod', facet: ['stack', 'custom', 'urn'], top: 100 },
      { query: 'name:nothing-has-this-name', facet: ['type', 'protected'] },
      { query: '-.tags:', facet: ['modified', 'type'] },
      { query: '', facet: ['type', 'type'] },
      { query: '', facet: ['parentUrn'] },
      // A word of stack names: counted per stack and type, and by rows elsewhere.
      { query: 'prod', facet: ['type', 'stack', 'project', 'package', 'module'], top: 3 },
      { query: 'web package:aws', facet: ['stack', 'type', 'name'] },
    ];
    for (const { query, facet, top } of cases) {
      const answer = await search(org, { query, facet, top, size: 1 });
      const node = parseQuery(query);
      const matched = docs.filter((d) => node === undefined || matchesDocument(node, d));
      assert.equal(answer.total, matched.length);
      const expected: NonNullable<Answer['aggregations']> = {};
      for (const spelled of facet) {
        const field = spelled === 'parentUrn' ? 'parent.urn' : spelled;
        const counts = new Map<string | number, number>();
        for (const doc of matched) {
          const value = sortValueOf(doc, field);
          if (value === '' || ((field === 'created' || field === 'modified') && value === 0)) continue;
          counts.set(value, (counts.get(value) ?? 0) + 1);
        }
        const results = [...counts]
          .sort((a, b) => b[1] - a[1] || compareTuples([a[0]], [b[0]]))
          .slice(0, top ?? 5)
          .map(([value, count]) => ({
            name: ['custom', 'delete', 'protected'].includes(field) ? String(value === 1) : field === 'created' || field === 'modified' ? new Date(value).toISOString() : String(value),
            count,
          }));
        expected[field] = { others: matched.length - results.reduce((sum, r) => sum + r.count, 0), results };
      }
      assert.deepEqual(answer.aggregations, expected, `facets ${facet.join(',')} of ${JSON.stringify(query)}`);
    }
    const protectedFacet = (await search(org, { facet: 'protected' })).aggregations!.protected!;
    assert.deepEqual(protectedFacet.results.map((r) => r.name).sort(), ['false', 'true']);
    assert.equal(protectedFacet.others, 0, 'every resource is protected or not');

    const six = await api.get(searchPath(org, { facet: ['type', 'package', 'module', 'stack', 'project', 'name'] }));
    assert.deepEqual(six.body, { code: 400, message: 'Bad Request: at most 5 facets may be asked for, got 6' });
    const unknown = await api.get(searchPath(org, { facet: 'colour' }));
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.message, /^Bad Request: unknown facet field 'colour'; one of: created, /);
    assert.equal((await api.get(searchPath(org, { facet: 'type', top: 101 }))).status, 400);
    assert.equal((await api.get(searchPath(org, { facet: 'type', top: 0 }))).status, 400);
  });

  it('exports the matches as RFC 4180 CSV, with the properties column when asked', async () => {
    for (const { query, properties } of [{ query: '', properties: true }, { query: 'web OR "Main, Site"', properties: false }, { query: '.note:comma', properties: true }, { query: 'stack:nowhere', properties: false }]) {
      const reply = await api.get(searchPath(org, { query, properties }, '/export'));
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.headers.get('content-type'), 'application/octet-stream');
      assert.equal(reply.headers.get('content-disposition'), 'attachment; filename="resources.csv"');
      const rows = parseCsv(reply.text);
      assert.deepEqual(rows[0], properties ? [...csvColumns, 'properties'] : csvColumns);
      const node = parseQuery(query);
      const matched = docs.filter((d) => node === undefined || matchesDocument(node, d));
      assert.equal(rows.length - 1, matched.length, `rows of ${JSON.stringify(query)}`);
      assert.equal(rows.length - 1, (await search(org, { query, size: 1 })).total);
      const expected = matched.map((d) => [...csvRowOf(d), ...(properties ? [JSON.stringify(d.properties)] : [])]);
      const normalise = (row: string[]) => (properties ? [...row.slice(0, -1), JSON.stringify(JSON.parse(row.at(-1)!))] : row);
      assert.deepEqual(rows.slice(1).map(normalise).sort(compareTuples), expected.map(normalise).sort(compareTuples));
      // In the search's order: newest change first.
      const modified = rows.slice(1).map((row) => (row[4] ? Date.parse(row[4]) : 0));
      assert.deepEqual(modified, [...modified].sort((a, b) => b - a));
      assert.ok(!reply.text.includes(ciphertextMarker), 'no ciphertext in the export');
    }
    // Quoting as RFC 4180 has it: a comma, a doubled quote, a line break inside quotes.
    const text = (await api.get(searchPath(org, { query: '"Main, Site" OR "say \\"hi\\"" OR .note:comma', properties: true }, '/export'))).text;
    assert.match(text, /,"Main, Site",/);
    assert.match(text, /,"say ""hi""",/);
    assert.match(text, /""note"":""comma, \\""quoted\\""\\nand a second line""/);
  });

  it('shows secrets as "[secret]" and never their ciphertext', async () => {
    const reply = await api.get(searchPath(org, { query: '.password:"[secret]"', properties: true, size: 1000 }));
    assert.equal(reply.status, 200);
    assert.ok(reply.body.total > 0);
    for (const found of reply.body.resources as Found[]) assert.equal((found.properties as Record<string, unknown>).password, '[secret]');
    const all = await api.get(searchPath(org, { properties: true, size: 1000 }));
    assert.ok(!all.text.includes(ciphertextMarker) && !all.text.includes('1b47061264138c4ac30d75fd1eb44270') && !all.text.includes(secretSignature));
    assert.equal((await search(org, { query: `.password:${ciphertextMarker}` })).total, 0);
  });

  it('gives the same answers after `stackyard admin reindex` rebuilds the index', async () => {
    const indexed = await searchAll(org, { properties: true, sort: ['urn', 'stack', 'delete', 'pending'] });
    assert.deepEqual(await server.server.ctx.services.search.reindex(), { stacks: await stackCount() });
    const rebuilt = await searchAll(org, { properties: true, sort: ['urn', 'stack', 'delete', 'pending'] });
    assert.deepEqual(rebuilt, indexed);
    await compareQueries(fixedQueries.slice(0, 60));
  });

  async function stackCount(): Promise<number> {
    const row = await server.server.ctx.database.db.selectFrom('stacks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

// ---------------------------------------------------------------------------------------------

describe('paging while updates land', () => {
  const org = 'search-paging';
  const rng = seededRandom(99);

  /** A flat state of named buckets whose times and tags the test controls. */
  function bucketState(stack: string, buckets: Array<{ name: string; modified: number; version?: number }>) {
    const prefix = `urn:pulumi:${stack}::paging::`;
    return {
      version: 3,
      deployment: {
        manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' },
        resources: buckets.map((b) => ({
          urn: `${prefix}aws:s3/bucket:Bucket::${b.name}`,
          custom: true,
          id: `${b.name}-id`,
          type: 'aws:s3/bucket:Bucket',
          outputs: { generation: b.version ?? 0, tags: { env: rng.pick(['prod', 'dev']) } },
          created: new Date(b.modified).toISOString(),
          modified: new Date(b.modified).toISOString(),
        })),
      },
    };
  }

  // Many resources share a modified time, so ties are broken by row id, and cursors must hold that too.
  const initial = (stack: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ name: `${stack}-b${i}`, modified: Date.UTC(2026, 0, 1 + (i % 9)) }));

  before(async () => {
    await createOrganization(server, org, 'admin');
    for (const stack of ['stable-a', 'stable-b', 'churn']) {
      await createStack(api, org, 'paging', stack);
      await importState(org, 'paging', stack, bucketState(stack, initial(stack, 40)));
    }
  });

  it('walks every unchanged resource exactly once by cursor while other resources change, vanish and appear', async () => {
    let churn = initial('churn', 40);
    const touched = new Set<string>();
    let round = 0;
    /** One change to `churn`: a few resources rewritten (newer or older), one removed, one added; sometimes a new stack. */
    async function change(): Promise<void> {
      round++;
      const next = churn.filter((_, i) => i !== (round * 7) % churn.length).map((b, i) => {
        if (i % 10 !== round % 10) return b;
        touched.add(b.name);
        return { ...b, modified: b.modified + (i % 2 === 0 ? dayMs * 400 : -dayMs * 30), version: round };
      });
      for (const b of churn) if (!next.some((n) => n.name === b.name)) touched.add(b.name);
      next.push({ name: `churn-new${round}`, modified: Date.UTC(2026, 0, 1 + (round % 9)) });
      touched.add(`churn-new${round}`);
      churn = next;
      await importState(org, 'paging', 'churn', bucketState('churn', churn));
      // Every third change, a new stack appears too.
      if (round % 3 !== 0) return;
      const fresh = `fresh${round}`;
      await createStack(api, org, 'paging', fresh);
      await importState(org, 'paging', fresh, bucketState(fresh, initial(fresh, 5)));
    }

    for (const params of [{ size: 9 }, { size: 8, sort: ['name'], asc: true }, { size: 10, query: '.generation:*' }] as Params[]) {
      const walked: Found[] = [];
      let cursor: string | undefined;
      for (let page = 0; ; page++) {
        // Every other page, a change lands while the page is read.
        const [answer] = await Promise.all([search(org, { ...params, properties: true, cursor }), page % 2 === 0 ? change() : Promise.resolve()]);
        walked.push(...answer.resources);
        if (page % 2 === 1) await change();
        if (!answer.pagination.cursor) break;
        cursor = answer.pagination.cursor;
      }
      const stable = [...initial('stable-a', 40), ...initial('stable-b', 40), ...initial('churn', 40).filter((b) => !touched.has(b.name))].map((b) => b.name);
      const names = walked.map((r) => r.name);
      for (const name of stable) assert.equal(names.filter((n) => n === name).length, 1, `${name} once in the walk ${JSON.stringify(params)}`);
      const shown = walked.map((r) => JSON.stringify(r));
      assert.equal(new Set(shown).size, shown.length, 'no row twice');
      assert.ok(round >= 10, `changes landed during the walk (${round})`);
    }
  });

  it('walks every resource present throughout exactly once by page while resources are added after them', async () => {
    const start = await search(org, { size: 1 });
    const initialWalk = await searchAll(org, { sort: ['modified'], asc: true });
    assert.equal(initialWalk.total, start.total);
    const walked: Found[] = [];
    for (let page = 1, added = 0; ; page++) {
      const [answer] = await Promise.all([
        search(org, { sort: ['modified'], asc: true, size: 25, page }),
        (async () => {
          const stack = `late${++added}`;
          await createStack(api, org, 'paging', stack);
          // Changed later than anything there: sorted after every row the walk has not reached.
          await importState(org, 'paging', stack, bucketState(stack, [{ name: `${stack}-x`, modified: Date.UTC(2099, 0, 1) }]));
        })(),
      ]);
      walked.push(...answer.resources);
      if (!answer.pagination.next) break;
    }
    assert.deepEqual(walked.slice(0, initialWalk.total), initialWalk.resources);
    assert.ok(walked.slice(initialWalk.total).every((r) => r.name.startsWith('late')));
  });
});

// ---------------------------------------------------------------------------------------------

describe('who sees what', () => {
  const org = 'search-perm';
  const tokens: Record<string, string> = {};
  const client = (who: string) => api.withToken(tokens[who]!);
  const small = (stack: string, n: number) => ({
    version: 3,
    deployment: {
      manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' },
      resources: Array.from({ length: n }, (_, i) => ({ urn: `urn:pulumi:${stack}::app::aws:s3/bucket:Bucket::b${i}`, custom: true, id: `${stack}-${i}`, type: 'aws:s3/bucket:Bucket', modified: '2026-05-01T00:00:00Z' })),
    },
  });

  before(async () => {
    await createOrganization(server, org, 'admin');
    assert.equal((await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 })).status, 200);
    for (const login of ['perm-loner', 'perm-reader', 'perm-creator']) tokens[login] = await createUser(server, login, { org, role: 'member' });
    await createOrganization(server, 'search-else');
    tokens['perm-outsider'] = await createUser(server, 'perm-outsider', { org: 'search-else', role: 'member' });
    for (const [stack, n] of [['one', 3], ['two', 4], ['three', 5]] as const) {
      await createStack(api, org, 'app', stack);
      await importState(org, 'app', stack, small(stack, n));
    }
    await createStack(client('perm-creator'), org, 'app', 'mine');
    await importState(org, 'app', 'mine', small('mine', 2));
    await createTeam(org, 'readers', [['app', 'one', 101]], ['perm-reader']);
    await createTeam(org, 'writers', [['app', 'two', 102]]);
    const teamToken = await api.post(`/api/orgs/${org}/teams/writers/tokens`, { name: 'writers-ci', description: 'team token' });
    assert.equal(teamToken.status, 200, teamToken.text);
    tokens['team-token'] = teamToken.body.tokenValue;
    const orgToken = await api.post(`/api/orgs/${org}/tokens`, { name: 'ci', description: 'member token', admin: false });
    assert.equal(orgToken.status, 200, orgToken.text);
    tokens['org-token'] = orgToken.body.tokenValue;
    const adminToken = await api.post(`/api/orgs/${org}/tokens`, { name: 'ci-admin', description: 'admin token', admin: true });
    assert.equal(adminToken.status, 200, adminToken.text);
    tokens['admin-org-token'] = adminToken.body.tokenValue;
  });

  const stacksSeen = (answer: { resources: Found[] }) => [...new Set(answer.resources.map((r) => r.stack))].sort();

  it('shows a member in no team nothing of stacks they may not read: no total, no facets, a header-only export', async () => {
    const answer = await search(org, { facet: ['stack', 'type'] }, client('perm-loner'));
    assert.deepEqual(answer, {
      total: 0,
      resources: [],
      aggregations: { stack: { others: 0, results: [] }, type: { others: 0, results: [] } },
      pagination: { previous: null, next: null, cursor: null },
    });
    for (const query of ['b0', 'stack:one', '.x:', 'team:readers']) assert.equal((await search(org, { query }, client('perm-loner'))).total, 0);
    const exported = await client('perm-loner').get(searchPath(org, { properties: true }, '/export'));
    assert.equal(exported.status, 200);
    assert.equal(exported.text, `${[...csvColumns, 'properties'].join(',')}\n`);
  });

  it('reveals exactly the stacks a team may read, and those a member created', async () => {
    const reader = await searchAll(org, { facet: 'stack' }, client('perm-reader'));
    assert.deepEqual([reader.total, stacksSeen(reader)], [3, ['one']]);
    const readerFacet = await search(org, { facet: 'stack' }, client('perm-reader'));
    assert.deepEqual(readerFacet.aggregations, { stack: { others: 0, results: [{ name: 'one', count: 3 }] } });
    assert.deepEqual(readerFacet.resources.map((r) => r.teams), [['readers'], ['readers'], ['readers']]);
    const creator = await searchAll(org, {}, client('perm-creator'));
    assert.deepEqual([creator.total, stacksSeen(creator)], [2, ['mine']]);
    const team = await searchAll(org, {}, client('team-token'));
    assert.deepEqual([team.total, stacksSeen(team)], [4, ['two']]);
    assert.equal((await search(org, { query: 'stack:one' }, client('team-token'))).total, 0);
    const orgToken = await searchAll(org, {}, client('org-token'));
    assert.equal(orgToken.total, 0, 'a member organization token created no stack here');
    const adminToken = await searchAll(org, {}, client('admin-org-token'));
    assert.deepEqual([adminToken.total, stacksSeen(adminToken)], [14, ['mine', 'one', 'three', 'two']]);
    const csv = parseCsv((await client('perm-reader').get(searchPath(org, {}, '/export'))).text);
    assert.deepEqual(csv.slice(1).map((row) => row[13]), ['one', 'one', 'one']);

    // A new grant shows at once; so does its removal.
    const granted = await api.patch(`/api/orgs/${org}/teams/readers`, { addStackPermission: { projectName: 'app', stackName: 'three', permission: 101 } });
    assert.equal(granted.status, 204);
    assert.deepEqual(stacksSeen(await searchAll(org, {}, client('perm-reader'))), ['one', 'three']);
    assert.equal((await api.patch(`/api/orgs/${org}/teams/readers`, { removeStack: { projectName: 'app', stackName: 'three' } })).status, 204);
    assert.deepEqual(stacksSeen(await searchAll(org, {}, client('perm-reader'))), ['one']);
  });

  it('answers 404 to someone outside the organization, and 401 without a token', async () => {
    for (const path of [searchPath(org, {}), searchPath(org, {}, '/export')]) {
      const reply = await client('perm-outsider').get(path);
      assert.deepEqual(reply.body, { code: 404, message: `Not Found: organization '${org}' not found` });
      assert.equal((await api.get(path, { token: null })).status, 401);
    }
    assert.equal((await client('perm-outsider').head(`/api/orgs/${org}/search`)).status, 404);
    assert.equal((await client('perm-loner').head(`/api/orgs/${org}/search`)).status, 200);
    assert.equal((await api.get(searchPath('no-such-org', {}))).status, 404);
  });

  it('shows every stack to members once the default stack permission is read', async () => {
    assert.equal((await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 101 })).status, 200);
    try {
      for (const who of ['perm-loner', 'perm-reader', 'org-token']) {
        const answer = await searchAll(org, {}, client(who));
        assert.deepEqual([answer.total, stacksSeen(answer)], [14, ['mine', 'one', 'three', 'two']], who);
      }
      // A team token holds its team's grants only, whatever members may do.
      assert.deepEqual(stacksSeen(await searchAll(org, {}, client('team-token'))), ['two']);
    } finally {
      await api.patch(`/api/orgs/${org}`, { setDefaultStackPermission: 0 });
    }
    assert.equal((await search(org, {}, client('perm-loner'))).total, 0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the index follows every change of a stack', () => {
  const org = 'search-maint';
  const dest = 'search-dest';
  const prefixOf = (project: string, stack: string) => `urn:pulumi:${stack}::${project}::`;

  function state(project: string, stack: string, names: string[], extra: Record<string, unknown> = {}) {
    const prefix = prefixOf(project, stack);
    return {
      version: 3,
      deployment: {
        manifest: { time: '2026-11-01T10:00:00Z', magic: '', version: '' },
        resources: [
          { urn: `${prefix}pulumi:pulumi:Stack::${project}-${stack}`, custom: false, type: 'pulumi:pulumi:Stack' },
          ...names.map((name) => ({
            urn: `${prefix}aws:s3/bucket:Bucket::${name}`,
            custom: true,
            id: `${name}-id`,
            type: 'aws:s3/bucket:Bucket',
            parent: `${prefix}pulumi:pulumi:Stack::${project}-${stack}`,
            outputs: { tags: { owner: name }, ...extra },
            modified: '2026-03-01T00:00:00Z',
          })),
        ],
      },
    };
  }

  const urnsOf = async (o: string, query: string) => (await searchAll(o, { query })).resources.map((r) => r.urn).sort();

  before(async () => {
    await createOrganization(server, org, 'admin');
    await createOrganization(server, dest, 'admin');
  });

  it('renames: the new stack and project name find the resources under their new URNs; the old ones are gone', async () => {
    await createStack(api, org, 'app', 'old');
    await importState(org, 'app', 'old', state('app', 'old', ['r1', 'r2']));
    assert.deepEqual(await urnsOf(org, 'stack:old'), [`${prefixOf('app', 'old')}aws:s3/bucket:Bucket::r1`, `${prefixOf('app', 'old')}aws:s3/bucket:Bucket::r2`, `${prefixOf('app', 'old')}pulumi:pulumi:Stack::app-old`]);
    const renamed = await api.post(`/api/stacks/${org}/app/old/rename`, { newName: 'new-name', newProject: 'moved' });
    assert.equal(renamed.status, 200, renamed.text);
    const found = await searchAll(org, { query: 'stack:new-name' });
    assert.deepEqual(found.resources.map((r) => [r.project, r.stack]), [['moved', 'new-name'], ['moved', 'new-name'], ['moved', 'new-name']]);
    assert.ok(found.resources.every((r) => r.urn.startsWith(prefixOf('moved', 'new-name'))), JSON.stringify(found.resources.map((r) => r.urn)));
    assert.deepEqual(await urnsOf(org, 'stack:old'), []);
    assert.deepEqual(await urnsOf(org, `urn:"${prefixOf('app', 'old')}aws:s3/bucket:Bucket::r1"`), []);
    assert.equal((await search(org, { query: 'project:moved' })).total, 3);
    assert.equal((await search(org, { query: '"new-name"' })).total, 3);
    assert.deepEqual(
      (await searchAll(org, { query: 'name:r1', properties: true })).resources.map((r) => r['parent.urn']),
      [`${prefixOf('moved', 'new-name')}pulumi:pulumi:Stack::app-old`],
    );
  });

  it('transfers: gone from the old organization, there in the new one; the old teams no longer show', async () => {
    await createStack(api, org, 'app', 'leaving');
    await importState(org, 'app', 'leaving', state('app', 'leaving', ['t1']));
    await createTeam(org, 'maint-team', [['app', 'leaving', 101]]);
    assert.deepEqual((await searchAll(org, { query: 'stack:leaving' })).resources.map((r) => r.teams), [['maint-team'], ['maint-team']]);
    const moved = await api.post(`/api/stacks/${org}/app/leaving/transfer`, { toOrg: dest });
    assert.equal(moved.status, 204, moved.text);
    assert.equal((await search(org, { query: 'stack:leaving' })).total, 0);
    assert.equal((await search(org, { query: 'team:maint-team' })).total, 0);
    const there = await searchAll(dest, { query: 'stack:leaving' });
    assert.deepEqual(there.resources.map((r) => [r.name, r.project, r.teams]).sort(), [['app-leaving', 'app', []], ['t1', 'app', []]]);
  });

  it('deletes: a deleted stack’s resources leave search', async () => {
    await createStack(api, org, 'app', 'doomed');
    await importState(org, 'app', 'doomed', state('app', 'doomed', ['d1', 'd2']));
    assert.equal((await search(org, { query: 'stack:doomed' })).total, 3);
    const deleted = await api.delete(`/api/stacks/${org}/app/doomed?force=true`);
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await search(org, { query: 'stack:doomed' })).total, 0);
    assert.equal((await search(org, { query: 'doomed' })).total, 0);
    // A new stack of the same name starts from nothing.
    await createStack(api, org, 'app', 'doomed');
    assert.equal((await search(org, { query: 'stack:doomed' })).total, 0);
  });

  it('imports: a replacing state’s changed and removed resources follow it', async () => {
    await createStack(api, org, 'app', 'swap');
    await importState(org, 'app', 'swap', state('app', 'swap', ['keep', 'change', 'drop'], { colour: 'red' }));
    assert.equal((await search(org, { query: 'stack:swap .colour:red' })).total, 3);
    const next = state('app', 'swap', ['keep', 'change', 'add'], { colour: 'red' });
    (next.deployment.resources[2] as { outputs: Record<string, unknown> }).outputs = { colour: 'blue' };
    await importState(org, 'app', 'swap', next);
    assert.deepEqual((await searchAll(org, { query: 'stack:swap .colour:red' })).resources.map((r) => r.name).sort(), ['add', 'keep']);
    assert.deepEqual((await searchAll(org, { query: 'stack:swap .colour:blue' })).resources.map((r) => r.name), ['change']);
    assert.equal((await search(org, { query: 'stack:swap name:drop' })).total, 0);
  });

  it('updates: the state an update completes with replaces the old one in search, not before it completes', async () => {
    const stackPath = `/api/stacks/${org}/live/prod`;
    await createStack(api, org, 'live', 'prod');
    await importState(org, 'live', 'prod', state('live', 'prod', ['before1', 'before2']));
    const { updateId, token } = await beginUpdate(api, stackPath);
    const checkpoint = state('live', 'prod', ['before1', 'after1'], { password: secret('update') });
    const written = await api.patch(`${stackPath}/update/${updateId}/checkpoint`, checkpoint, withLease(token));
    assert.equal(written.status, 204, written.text);
    assert.deepEqual((await searchAll(org, { query: 'stack:prod project:live' })).resources.map((r) => r.name).sort(), ['before1', 'before2', 'live-prod']);
    const completed = await api.post(`${stackPath}/update/${updateId}/complete`, { status: 'succeeded' }, withLease(token));
    assert.equal(completed.status, 204, completed.text);
    const found = await api.get(searchPath(org, { query: 'project:live', properties: true, sort: 'name', asc: true }));
    assert.deepEqual(found.body.resources.map((r: Found) => [r.name, r.properties]), [
      ['after1', { tags: { owner: 'after1' }, password: '[secret]' }],
      ['before1', { tags: { owner: 'before1' }, password: '[secret]' }],
      ['live-prod', {}],
    ]);
    assert.ok(!found.text.includes(ciphertextMarker));
    const exported = await api.get(searchPath(org, { query: 'project:live', properties: true }, '/export'));
    assert.ok(exported.text.includes('[secret]') && !exported.text.includes(ciphertextMarker));
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  const org = 'search-errors';
  const get = (params: Params, suffix = '') => api.get(searchPath(org, params, suffix));

  before(async () => {
    await createOrganization(server, org, 'admin');
    await createOrganization(server, 'search-errors2', 'admin');
    for (const [o, seed] of [[org, 11], ['search-errors2', 12]] as const) {
      await createStack(api, o, 'app', 'dev');
      await importState(o, 'app', 'dev', generateState(o, { project: 'app', stack: 'dev', seed, count: 8 }));
    }
  });

  it('answers 400 naming the position for a malformed query, on search and export alike', async () => {
    const cases: Array<[string, number]> = [
      ['name:(', 5],
      ['(stack:dev', 0],
      ['stack:dev)', 9],
      ['"unterminated', 0],
      ['OR name:x', 0],
      ['name:x OR', 7],
      ['- name:x', 0],
      ['created:yesterday', 8],
      ['created:>', 8],
      ['version:>latest', 9],
      ['name:>3', 5],
      ['protected:maybe', 10],
      ['created:[2026-01-01 2026-02-01]', 20],
      ['.tags', 5],
      ['.rules[0].port:1', 6],
      ['a "b"c', 5],
      ['()', 0],
    ];
    for (const [query, position] of cases) {
      for (const suffix of ['', '/export']) {
        const reply = await get({ query }, suffix);
        assert.equal(reply.status, 400, `${query}: ${reply.text}`);
        assert.deepEqual(Object.keys(reply.body), ['code', 'message']);
        assert.match(reply.body.message, new RegExp(`^Bad Request: invalid query at position ${position}: `), query);
      }
    }
  });

  it('answers 422 for an unknown field', async () => {
    for (const suffix of ['', '/export']) {
      const reply = await get({ query: 'stack:dev colour:red' }, suffix);
      assert.deepEqual(reply.body, { code: 422, message: "Unprocessable Entity: unknown field 'colour' at position 10" });
    }
  });

  it('answers 400 for unknown sort and facet names, pages past 10,000 and sizes out of range', async () => {
    const sort = await get({ sort: ['name', 'colour'] });
    assert.equal(sort.status, 400);
    assert.match(sort.body.message, /^Bad Request: unknown sort field 'colour'/);
    assert.equal((await get({ sort: 'properties' }, '/export')).status, 400);
    assert.equal((await get({ facet: 'version' })).status, 400);
    const far = await get({ page: 3, size: 5000 });
    assert.deepEqual(far.body, {
      code: 400,
      message: "Bad Request: page 3 of size 5000 goes past the first 10000 results, which is as far as pages reach; page on with the 'cursor' the results give",
    });
    assert.equal((await get({ page: 2, size: 5000 })).status, 200, 'the 10,000th result is still reachable by page');
    assert.equal((await get({ page: 1, size: 10_000 })).status, 200);
    for (const params of [{ size: 0 }, { size: 10_001 }, { page: 0 }, { page: 10_001 }, { size: 'x' }, { asc: 'maybe' }, { properties: 'sometimes' }] as Params[]) {
      const reply = await get(params);
      assert.equal(reply.status, 400, `${JSON.stringify(params)}: ${reply.text}`);
    }
  });

  it('answers 400, never 500, for a tampered, foreign or malformed cursor', async () => {
    const first = await search(org, { size: 3, sort: 'name', asc: true });
    const cursor = first.pagination.cursor!;
    assert.equal((await get({ size: 3, sort: 'name', asc: true, cursor })).status, 200);
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const foreign = { code: 400, message: 'Bad Request: the cursor belongs to another query, sort or order; start again without it' };
    const invalid = { code: 400, message: 'Bad Request: the cursor is not one these results gave' };
    const cases: Array<[Params, object]> = [
      [{ sort: 'name', asc: false, cursor }, foreign],
      [{ sort: 'type', asc: true, cursor }, foreign],
      [{ sort: 'name', asc: true, query: 'web', cursor }, foreign],
      [{ sort: 'name', asc: true, cursor: encode({ ...decoded, f: 'AAAAAAAAAAAAAAAA' }) }, foreign],
      [{ sort: 'name', asc: true, cursor: encode({ ...decoded, v: [1] }) }, invalid],
      [{ sort: 'name', asc: true, cursor: encode({ ...decoded, v: ['a', 'b'] }) }, invalid],
      [{ sort: 'name', asc: true, cursor: encode({ ...decoded, i: 'x' }) }, invalid],
      [{ sort: 'name', asc: true, cursor: encode({ ...decoded, i: 1e300 }) }, invalid],
      [{ sort: 'modified', cursor: encode({ ...decoded, v: ['2026'] }) }, invalid],
      [{ sort: 'name', asc: true, cursor: encode(null) }, invalid],
      [{ sort: 'name', asc: true, cursor: encode([1, 2]) }, invalid],
      [{ sort: 'name', asc: true, cursor: cursor.slice(0, -6) }, invalid],
      [{ sort: 'name', asc: true, cursor: `x${cursor}` }, invalid],
      [{ sort: 'name', asc: true, cursor: '!!!' }, invalid],
      [{ sort: 'name', asc: true, continue: 'e30' }, invalid],
    ];
    for (const [params, body] of cases) {
      const reply = await get({ size: 3, ...params });
      assert.deepEqual(reply.body, body, `${JSON.stringify(params)}: ${reply.text}`);
    }
    // A cursor of another organization's results does not continue these.
    const other = await search('search-errors2', { size: 1, sort: 'name', asc: true });
    assert.ok(other.pagination.cursor);
    assert.deepEqual((await get({ size: 1, sort: 'name', asc: true, cursor: other.pagination.cursor })).body, foreign);
  });
});
