import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../helpers/http.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let api: ApiClient;
let port: number;

// Short timeouts and a small cap, so the test sees them act in seconds.
before(async () => {
  server = await startTestServer({
    args: ['--body-idle-timeout', '1', '--request-timeout', '3', '--keep-alive-timeout', '1', '--max-connections-per-address', '4'],
  });
  api = new ApiClient(server.url, server.adminToken);
  port = Number(new URL(server.url).port);
});
after(() => server.close());

/** A raw connection from `localAddress` (every 127.x.y.z is loopback on Linux). */
function connect(localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Resolves with the milliseconds until the server closes the socket, and what it sent before. */
function closed(socket: net.Socket, since = Date.now()): Promise<{ ms: number; received: string }> {
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('utf8')));
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('close', () => resolve({ ms: Date.now() - since, received })));
}

const stalledHeaders = (token: string) =>
  `POST /api/stacks/stackyard/proj HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: token ${token}\r\n` +
  'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"stackName":';

async function healthy(client: ApiClient): Promise<void> {
  const reply = await client.get('/healthz', { token: null });
  assert.deepEqual(reply.body, { status: 'ok' });
}

describe('connection timeouts', () => {
  it('disconnects a client whose body stalls after the idle timeout, and serves others meanwhile', { timeout: 10_000 }, async () => {
    const socket = await connect();
    const started = Date.now();
    socket.write(stalledHeaders(server.adminToken));
    const result = closed(socket, started);
    for (let i = 0; i < 3; i++) {
      await healthy(api);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { ms, received } = await result;
    assert.equal(received, '', 'nothing is answered to a request whose body never came');
    assert.ok(ms >= 900 && ms < 2500, `closed after ${ms} ms`);
    await healthy(api);
  });

  it('also times a body that nobody reads because its request was refused', { timeout: 10_000 }, async () => {
    const socket = await connect();
    const started = Date.now();
    socket.write(stalledHeaders('not-a-token'));
    const { ms, received } = await closed(socket, started);
    assert.match(received, /^HTTP\/1\.1 401 /);
    assert.ok(received.includes('{"code":401,"message":"Unauthorized: No credentials provided or are invalid."}'), received);
    assert.ok(ms >= 900 && ms < 2500, `closed after ${ms} ms`);
  });

  it('disconnects a client that trickles its body for longer than the request timeout', { timeout: 10_000 }, async () => {
    const socket = await connect();
    const started = Date.now();
    socket.write(stalledHeaders(server.adminToken));
    const result = closed(socket, started);
    const trickle = setInterval(() => socket.writable && socket.write(' '), 200);
    const { ms, received } = await result;
    clearInterval(trickle);
    // Node answers 408 when it can; the connection is closed either way.
    assert.ok(received === '' || /^HTTP\/1\.1 408 /.test(received), received);
    assert.ok(ms >= 2900 && ms < 5000, `closed after ${ms} ms`);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', { timeout: 10_000 }, async () => {
    const socket = await connect();
    const result = closed(socket);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const { ms, received } = await result;
    assert.match(received, /^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);
    assert.ok(ms >= 900 && ms < 2500, `closed after ${ms} ms`);
  });
});

describe('connections per client address', () => {
  it('closes connections over the cap on arrival, and leaves the others and other addresses alone', { timeout: 10_000 }, async () => {
    // An address no other test uses, so only these connections count against it.
    const capped = '127.0.0.3';
    const held = await Promise.all([connect(capped), connect(capped), connect(capped), connect(capped)]);
    // Let the server account for them before the next one arrives.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = await connect(capped);
    const refused = await closed(extra);
    assert.equal(refused.received, '');
    assert.ok(refused.ms < 1000, `closed after ${refused.ms} ms`);

    // Another address is served while this one is at its cap.
    const fromElsewhere = await connect('127.0.0.2');
    const answer = closed(fromElsewhere);
    fromElsewhere.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match((await answer).received, /^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);

    // The held connections still work.
    const first = held[0]!;
    const reply = closed(first);
    first.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match((await reply).received, /^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);

    // Once one has closed, the address may connect again.
    const next = await connect(capped);
    const served = closed(next);
    next.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    assert.match((await served).received, /^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);
    for (const socket of held) socket.destroy();
  });
});
