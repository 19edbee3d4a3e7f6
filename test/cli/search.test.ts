// Resource search with the real Pulumi CLI: what a real `pulumi up` of named dynamic resources puts
// in the index, as `GET /api/orgs/{org}/search/resources` and `pulumi org search` show it, and how
// an update, `pulumi state unprotect`, `pulumi stack rename` and `pulumi destroy` change it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type * as automation from '@pulumi/pulumi/automation/index.js';
import { inlineStack } from '../helpers/automation.js';
import { PulumiCli } from '../helpers/cli.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

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
  project: string;
  properties?: Record<string, unknown>;
  protected: boolean;
  'provider.urn'?: string;
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

type ProgramOptions = { items: string[]; shelved?: string[]; protect?: string[]; secretColour?: string[] };

const project = 'searchproj';
const dynamicType = 'pulumi-nodejs:dynamic:Resource';
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/search-program.mjs');
const { searchProgram } = (await import(fixture)) as { searchProgram: (options: ProgramOptions) => () => Promise<Record<string, unknown>> };

let server: TestServer;
let api: ApiClient;
let cli: PulumiCli;
let org: string;
let dev: automation.Stack;
/** When the first update began: every resource it creates was created after this. */
let upStarted: number;

const stackName = (stack: string) => `${org}/${project}/${stack}`;
const urnPrefix = (stack: string) => `urn:pulumi:${stack}::${project}::`;
const names = (answer: Answer) => answer.resources.map((r) => r.name).sort();

before(async () => {
  server = await startTestServer();
  api = new ApiClient(server.url, server.adminToken);
  org = server.org;
  cli = new PulumiCli(server.url, server.adminToken, project);
  await cli.ok(['login', server.url]);
});
after(async () => {
  cli.cleanup();
  await server.close();
});

async function search(query: string, extra = ''): Promise<Answer> {
  const reply = await api.get<Answer>(`/api/orgs/${org}/search/resources?query=${encodeURIComponent(query)}&size=100${extra}`);
  assert.equal(reply.status, 200, reply.text);
  return reply.body;
}

async function only(query: string, extra = ''): Promise<Found> {
  const answer = await search(query, extra);
  assert.equal(answer.total, 1, JSON.stringify(answer));
  return answer.resources[0]!;
}

describe('a real `pulumi up` in resource search', () => {
  it('finds the update’s resources by name, type and stack, with their times, parents and provider, the stack resource and the provider', async () => {
    upStarted = Date.now() - 1000;
    dev = await inlineStack(cli, stackName('dev'), searchProgram({ items: ['alpha', 'beta', 'gamma'], shelved: ['beta'], protect: ['gamma'], secretColour: ['alpha'] }));
    const up = await dev.up();
    assert.equal(up.summary.result, 'succeeded');
    const upEnded = Date.now() + 1000;

    const all = await search(`stack:dev project:${project}`);
    assert.equal(all.total, 6);
    assert.deepEqual(names(all), ['alpha', 'beta', 'default', 'gamma', `${project}-dev`, 'shelf']);
    assert.deepEqual(all.pagination, { previous: null, next: null, cursor: null });

    const stackResource = all.resources.find((r) => r.type === 'pulumi:pulumi:Stack')!;
    const stackUrn = `${urnPrefix('dev')}pulumi:pulumi:Stack::${project}-dev`;
    assert.equal(stackResource.urn, stackUrn);
    assert.equal(stackResource.custom, false);
    assert.equal(stackResource.id, undefined, 'a component has no id');
    assert.equal(stackResource['parent.urn'], undefined);
    const providerResource = all.resources.find((r) => r.type === 'pulumi:providers:pulumi-nodejs')!;
    assert.deepEqual(
      [providerResource.name, providerResource.package, providerResource.module, providerResource.custom, providerResource['parent.urn']],
      ['default', 'pulumi', 'providers', true, undefined],
    );
    assert.match(providerResource.id ?? '', /^[0-9a-f-]{36}$/);
    const shelf = all.resources.find((r) => r.name === 'shelf')!;
    assert.deepEqual([shelf.type, shelf.package, shelf.module, shelf['parent.urn']], ['stackyard:search:Shelf', 'stackyard', 'search', stackUrn]);

    for (const resource of all.resources) {
      for (const time of [resource.created, resource.modified]) {
        const ms = Date.parse(time ?? '');
        assert.ok(ms >= upStarted && ms <= upEnded, `${resource.name}: ${time} is in the update`);
      }
      assert.equal(resource.project, project);
      assert.equal(resource.stack, 'dev');
      assert.deepEqual(resource.teams, []);
    }

    const alpha = await only('name:alpha');
    assert.deepEqual(alpha, {
      created: alpha.created,
      custom: true,
      delete: false,
      dependencies: [],
      id: 'alpha-id',
      modified: alpha.modified,
      module: 'dynamic',
      name: 'alpha',
      package: 'pulumi-nodejs',
      'parent.urn': stackUrn,
      parent_urn: stackUrn,
      project,
      protected: false,
      'provider.urn': `${providerResource.urn}::${providerResource.id}`,
      provider_urn: `${providerResource.urn}::${providerResource.id}`,
      stack: 'dev',
      teams: [],
      type: dynamicType,
      urn: `${urnPrefix('dev')}${dynamicType}::alpha`,
    });
    assert.equal((await only('name:beta'))['parent.urn'], shelf.urn, 'beta sits in the component');

    const byType = await search(`type:${dynamicType}`, '&facet=type&facet=protected');
    assert.deepEqual(names(byType), ['alpha', 'beta', 'gamma']);
    assert.deepEqual(byType.aggregations, {
      type: { others: 0, results: [{ name: dynamicType, count: 3 }] },
      protected: { others: 0, results: [{ name: 'false', count: 2 }, { name: 'true', count: 1 }] },
    });
    assert.deepEqual(names(await search('protected:true')), ['gamma']);
    assert.deepEqual(names(await search('package:pulumi-nodejs')), ['alpha', 'beta', 'gamma']);

    // Properties are the outputs over the inputs; a secret output is never shown.
    const withProperties = await search(`type:${dynamicType} stack:dev`, '&properties=true&sort=name&asc=true');
    assert.deepEqual(
      withProperties.resources.map((r) => [r.name, r.properties?.name, r.properties?.colour]),
      [
        ['alpha', 'alpha', '[secret]'],
        ['beta', 'beta', 'beta-blue'],
        ['gamma', 'gamma', 'gamma-blue'],
      ],
    );
    assert.deepEqual(names(await search('.colour:gamma-blue')), ['gamma']);
    assert.equal((await search('.colour:alpha-blue')).total, 0, 'a secret is not searchable by its value');

    const exported = await api.get(`/api/orgs/${org}/search/resources/export?query=${encodeURIComponent(`type:${dynamicType}`)}&sort=name&asc=true`);
    assert.equal(exported.status, 200, exported.text);
    // No value of these rows holds a comma or a quote, so none is quoted.
    const [header, ...rows] = exported.text.trimEnd().split('\n').map((line) => line.split(','));
    assert.deepEqual(header, ['created', 'custom', 'delete', 'id', 'modified', 'module', 'name', 'package', 'parent_urn', 'pending', 'project', 'protected', 'provider_urn', 'stack', 'type', 'urn']);
    const records = rows.map((row) => Object.fromEntries(header!.map((column, at) => [column, row[at]])));
    assert.deepEqual(
      records,
      byType.resources
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((r) => ({
          created: r.created,
          custom: 'true',
          delete: 'false',
          id: r.id,
          modified: r.modified,
          module: 'dynamic',
          name: r.name,
          package: 'pulumi-nodejs',
          parent_urn: r['parent.urn'],
          pending: '',
          project,
          protected: String(r.protected),
          provider_urn: r['provider.urn'],
          stack: 'dev',
          type: dynamicType,
          urn: r.urn,
        })),
    );
  });

  it('`pulumi org search` prints them in its table, as JSON and as CSV', async () => {
    const query = ['--org', org, '-q', 'stack:dev', '-q', `type:${dynamicType}`];
    const fromApi = await search(`stack:dev type:${dynamicType}`);

    const table = (await cli.ok(['org', 'search', ...query])).stdout;
    // Box-drawing columns: light lines since v3.248, heavy ones before.
    const rows = table
      .split('\n')
      .filter((line) => new RegExp(`^[│┃] ${project} `).test(line))
      .map((line) => line.split(/[│┃]/).slice(1, -1).map((cell) => cell.trim()));
    assert.deepEqual(
      rows.map((row) => row.slice(0, 6)).sort((a, b) => a[2]!.localeCompare(b[2]!)),
      ['alpha', 'beta', 'gamma'].map((name) => [project, 'dev', name, dynamicType, 'pulumi-nodejs', 'dynamic']),
      table,
    );
    for (const row of rows) assert.equal(row[6], fromApi.resources.find((r) => r.name === row[2])!.modified);
    assert.match(table, /Project\s+[│┃] Stack\s+[│┃] Name\s+[│┃] Type\s+[│┃] Package\s+[│┃] Module\s+[│┃] Modified/);
    assert.match(table, /Displaying 3 of 3 total results\./);
    assert.match(table, new RegExp(`following Pulumi query:\\nstack:dev type:${dynamicType}\\n`));

    // The CLI's JSON is its own decoding of our answer: every field, the dotted URNs included.
    const json = JSON.parse((await cli.ok(['org', 'search', ...query, '--output', 'json'])).stdout) as Array<Record<string, unknown>>;
    const expected = fromApi.resources.map((r) => ({
      // The spec's `parent_urn`/`provider_urn`, sent beside the dotted keys for Pulumi's generated clients, are not the CLI's.
      ...Object.fromEntries(Object.entries(r).filter(([key, value]) => !(Array.isArray(value) && value.length === 0) && key !== 'parent_urn' && key !== 'provider_urn')),
      'parent.urn': r['parent.urn'] ?? null,
      'provider.urn': r['provider.urn'] ?? null,
    }));
    assert.deepEqual(json, expected);

    const csv = (await cli.ok(['org', 'search', ...query, '--output', 'csv'])).stdout.trimEnd().split('\n');
    assert.equal(csv[0], 'Project,Stack,Name,Type,Package,Module,Modified');
    assert.deepEqual(
      csv.slice(1).sort(),
      fromApi.resources.map((r) => [project, 'dev', r.name, dynamicType, 'pulumi-nodejs', 'dynamic', r.modified].join(',')).sort(),
    );

    const none = await cli.ok(['org', 'search', '--org', org, '-q', 'name:no-such-thing']);
    assert.match(none.stdout, /Displaying 0 of 0 total results\./);
  });

  it('an update that drops a resource drops it from search, and `pulumi state unprotect` unprotects it there', async () => {
    const beforeUpdate = await only('name:alpha');
    const up = await dev.up({ program: searchProgram({ items: ['alpha', 'gamma'], protect: ['gamma'], secretColour: ['alpha'] }) });
    assert.equal(up.summary.result, 'succeeded');
    assert.deepEqual(up.summary.resourceChanges, { delete: 1, same: 4 }, 'the provider is no step');
    assert.equal((await search('name:beta')).total, 0);
    assert.deepEqual(names(await search(`stack:dev type:${dynamicType}`)), ['alpha', 'gamma']);
    assert.deepEqual(await only('name:alpha'), beforeUpdate, 'an unchanged resource is found as it was');

    const gamma = await only('name:gamma');
    assert.equal(gamma.protected, true);
    await cli.ok(['state', 'unprotect', gamma.urn, '--yes', '--stack', stackName('dev')]);
    assert.equal((await only('name:gamma')).protected, false);
    assert.equal((await search('protected:true')).total, 0);
  });

  it('`pulumi stack rename` moves them to the new stack name', async () => {
    const before = await search(`project:${project}`, '&sort=urn&asc=true');
    await cli.ok(['stack', 'rename', stackName('prod'), '--stack', stackName('dev')]);
    assert.equal((await search('stack:dev')).total, 0);
    const renamed = await search('stack:prod', '&sort=urn&asc=true');
    assert.equal(renamed.total, before.total);
    assert.deepEqual(
      renamed.resources.map((r) => [r.stack, r.urn]),
      before.resources.map((r) => ['prod', r.urn.replace(urnPrefix('dev'), urnPrefix('prod'))]),
    );
    assert.ok(renamed.resources.every((r) => r.urn.startsWith(urnPrefix('prod'))));
    assert.deepEqual(names(await search(`type:${dynamicType}`)), ['alpha', 'gamma']);
  });

  it('`pulumi destroy` removes them all, and `pulumi stack rm` leaves nothing behind', async () => {
    const prod = await inlineStack(cli, stackName('prod'), searchProgram({ items: [] }));
    const destroyed = await prod.destroy();
    assert.equal(destroyed.summary.result, 'succeeded');
    assert.deepEqual(await search(`project:${project}`), { total: 0, resources: [], pagination: { previous: null, next: null, cursor: null } });
    await cli.ok(['stack', 'rm', '--yes', stackName('prod')]);
    assert.equal((await search('')).total, 0);
    const none = await cli.ok(['org', 'search', '--org', org, '-q', `project:${project}`]);
    assert.match(none.stdout, /Displaying 0 of 0 total results\./);
  });
});
