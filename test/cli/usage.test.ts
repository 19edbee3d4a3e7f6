// `pulumi org usage get` (the CLI's resources-under-management command) against a server whose
// clock the test sets: the history is written through the API at known times, then the CLI's JSON
// and table output are checked against figures worked out by hand.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { PulumiCli } from '../helpers/cli.js';
import { ManualClock } from '../helpers/clock.js';
import { createOrganization, createStack, deploymentWithResources } from '../helpers/factories.js';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

// The organization's history:
//   2028-03-10 10:20  import a, 7 resources   total 7
//   2028-03-11 14:40  import b, 3 resources   total 10
// and the server's clock then stays at 2028-03-12 06:30.

let server: TestServer;
let cli: PulumiCli;
let org: string;
/** Whether this CLI has `pulumi org usage` (it arrived after some versions the matrix runs). */
let hasUsage = false;
const clock = new ManualClock();

const at = (iso: string) => Date.parse(iso);
const unix = (iso: string) => String(Math.floor(at(iso) / 1000));
function setClock(iso: string): void {
  assert.ok(at(iso) >= clock.now(), `the clock only moves forward, to ${iso}`);
  clock.advance(at(iso) - clock.now());
}

before(async () => {
  setClock('2028-03-10T09:00:00Z');
  server = await startTestServer({ overrides: { clock } });
  org = server.org;
  const api = new ApiClient(server.url, server.adminToken);
  await createOrganization(server, 'usage-empty', 'admin');
  for (const [stack, resources, when] of [['a', 7, '2028-03-10T10:20:00Z'], ['b', 3, '2028-03-11T14:40:00Z']] as const) {
    await createStack(api, org, 'usage', stack);
    setClock(when);
    const imported = await api.post(`/api/stacks/${org}/usage/${stack}/import`, deploymentWithResources('usage', stack, resources - 2));
    assert.equal(imported.status, 200, imported.text);
  }
  setClock('2028-03-12T06:30:00Z');
  cli = new PulumiCli(server.url, server.adminToken, 'usage');
  await cli.ok(['login', server.url]);
  // An older CLI answers `--help` of a command it lacks with its parent's help, and exit code 0.
  const help = await cli.run(['org', 'usage', 'get', '--help']);
  hasUsage = help.code === 0 && help.stdout.includes('pulumi org usage get [flags]');
});
after(async () => {
  cli.cleanup();
  await server.close();
});

function requireUsage(t: TestContext): boolean {
  if (!hasUsage) t.skip('this CLI has no `pulumi org usage get`');
  return hasUsage;
}

describe('pulumi org usage get', () => {
  it('--output json: a daily window ending at --lookback-start, as the CLI sends both', async (t) => {
    if (!requireUsage(t)) return;
    const result = await cli.ok(['org', 'usage', 'get', '--org', org, '--granularity', 'daily', '--lookback-days', '3', '--lookback-start', unix('2028-03-12T00:00:00Z'), '--output', 'json']);
    // 03-09 had nothing yet. 03-10: hours 10–23 of 7 = 98. 03-11: 14 × 7 + 10 + 9 × 10 = 198.
    assert.deepEqual(JSON.parse(result.stdout), {
      summary: [
        { year: 2028, month: 3, day: 10, resources: 4, resourceHours: 98 },
        { year: 2028, month: 3, day: 11, resources: 8, resourceHours: 198 },
      ],
    });
  });

  it('defaults to 30 days back from the server’s now; monthly rows show year and month', async (t) => {
    if (!requireUsage(t)) return;
    const result = await cli.ok(['org', 'usage', 'get', '--org', org, '--granularity', 'monthly', '--output', 'json']);
    // March up to 03-12 06:00: 11 × 24 + 7 = 271 hours; 98 + 198 + 7 × 10 = 366.
    assert.deepEqual(JSON.parse(result.stdout), { summary: [{ year: 2028, month: 3, resources: 1, resourceHours: 366 }] });
  });

  it('prints an hourly table with the columns the rows carry', async (t) => {
    if (!requireUsage(t)) return;
    const result = await cli.ok(['org', 'usage', 'get', '--org', org, '--granularity', 'hourly', '--lookback-days', '1', '--lookback-start', unix('2028-03-11T16:00:00Z')]);
    const rows = result.stdout
      .split('\n')
      .filter((line) => /^│ 2028 /.test(line))
      .map((line) => line.split('│').slice(1, -1).map((cell) => Number(cell.trim())));
    const expected = [
      ...[16, 17, 18, 19, 20, 21, 22, 23].map((hour) => [2028, 3, 10, hour, 7, 7]),
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((hour) => [2028, 3, 11, hour, 7, 7]),
      [2028, 3, 11, 14, 10, 10],
      [2028, 3, 11, 15, 10, 10],
    ];
    assert.deepEqual(rows, expected, result.stdout);
    assert.match(result.stdout, /│ Year │ Month │ Day │ Hour │ Resources │ Resource Hours │/);
    assert.match(result.stdout, /\n24 summary point\(s\)\.\n$/);
  });

  it('says there is no usage for an organization that never held a resource', async (t) => {
    if (!requireUsage(t)) return;
    const result = await cli.ok(['org', 'usage', 'get', '--org', 'usage-empty']);
    assert.equal(result.stdout, 'No usage data available for this organization and time window.\n');
  });

  it('shows the server’s refusal of an hourly window over two days', async (t) => {
    if (!requireUsage(t)) return;
    const result = await cli.run(['org', 'usage', 'get', '--org', org, '--granularity', 'hourly', '--lookback-days', '3']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /lookbackDays may be at most 2 with granularity 'hourly', not 3/);
  });
});
