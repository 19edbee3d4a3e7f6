import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { dropDatabase } from '../helpers/database.js';
import { ApiClient } from '../helpers/http.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { serveProcess, stopProcess, tempDir, type ServerProcess } from '../helpers/server.js';

// Webhook events are rows of the job table written with the change (issue 16): a process killed
// between the commit and the delivery loses nothing, and processes sharing a database deliver
// each event once. `stackyard serve` runs in processes of its own, killed with SIGKILL.

let receiver: Receiver;
let dataDir: string;
const running: ServerProcess[] = [];

before(async () => {
  receiver = await startReceiver();
  dataDir = tempDir('webhooks');
});
after(async () => {
  for (const served of running) await stopProcess(served, 'SIGKILL');
  await receiver.close();
  await dropDatabase(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function serve(args: string[] = []): Promise<ServerProcess> {
  const served = await serveProcess(dataDir, args);
  running.push(served);
  return served;
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const kindOf = (path: string) => (r: { path: string }) => r.path === path;

describe('durable delivery', () => {
  let token: string;
  let org: string;

  it('an event committed by a process killed before delivering it is delivered once by the next process', async () => {
    // An API-only process (--jobs off) commits the event and never delivers it: it is killed.
    const first = await serve(['--jobs', 'off']);
    token = /Admin access token \(shown only now\): (pul-[0-9a-f]{40})/.exec(first.output())![1]!;
    const api = new ApiClient(first.url, token);
    org = (await api.get('/api/user')).body.organizations[0].githubLogin;
    const hook = await api.post(`/api/orgs/${org}/hooks`, {
      organizationName: org,
      name: 'durable',
      displayName: 'durable',
      payloadUrl: `${receiver.url}/durable`,
      active: true,
      filters: ['stack_created'],
      secret: 'k',
    });
    assert.equal(hook.status, 201, hook.text);
    assert.equal((await api.post(`/api/stacks/${org}/proj`, { stackName: 'survivor' })).status, 200);
    await delay(500);
    assert.equal(receiver.received.filter(kindOf('/hook/durable')).length, 0, 'an API-only process delivers nothing');
    await stopProcess(first, 'SIGKILL');

    const second = await serve();
    const [delivered] = await receiver.waitFor(1, kindOf('/hook/durable'));
    assert.equal(delivered!.json.stackName, 'survivor');
    assert.equal(delivered!.json.action, 'created');
    // Long enough for a duplicate to show: the job runner looks again every 5 s.
    await delay(6000);
    assert.equal(receiver.received.filter(kindOf('/hook/durable')).length, 1, 'delivered exactly once');
    const deliveries = await new ApiClient(second.url, token).get(`/api/orgs/${org}/hooks/durable/deliveries`);
    assert.equal(deliveries.body.length, 1);
    assert.equal(deliveries.body[0].id, delivered!.headers['pulumi-webhook-id']);
    assert.equal(deliveries.body[0].responseCode, 200);
  });

  it('two processes on one database deliver each of 20 events exactly once', async () => {
    const [a, b] = running.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    const third = await serve();
    const processes = [a ?? third, third];
    const hook = await new ApiClient(third.url, token).post(`/api/orgs/${org}/hooks`, {
      organizationName: org,
      name: 'shared',
      displayName: 'shared',
      payloadUrl: `${receiver.url}/shared`,
      active: true,
      filters: ['stack_created'],
    });
    assert.equal(hook.status, 201, hook.text);
    assert.ok(b === undefined, 'one process was left from the test before');
    for (let i = 0; i < 20; i++) {
      const api = new ApiClient(processes[i % 2]!.url, token);
      assert.equal((await api.post(`/api/stacks/${org}/proj`, { stackName: `many-${i}` })).status, 200);
    }
    const got = await receiver.waitFor(20, kindOf('/hook/shared'));
    await delay(6000);
    const all = receiver.received.filter(kindOf('/hook/shared'));
    assert.equal(all.length, 20, `each event once: ${all.length} deliveries`);
    assert.equal(new Set(got.map((r) => r.headers['pulumi-webhook-id'])).size, 20);
    assert.deepEqual(all.map((r) => r.json.stackName).sort(), [...Array(20).keys()].map((i) => `many-${i}`).sort());
  });
});
