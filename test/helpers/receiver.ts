import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a receiver got, as it arrived. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The exact body bytes, as text. */
  body: string;
  json: any;
}

/**
 * A webhook receiver on a loopback port: records every request, and answers each path with the
 * statuses queued for it by `respondWith` (then 200).
 */
export interface Receiver {
  url: string;
  received: Received[];
  /** The statuses of the next requests to `path` (as received, e.g. `/hook/x`), in order. */
  respondWith(path: string, ...statuses: number[]): void;
  /** Waits until `count` requests (matching `where`) have arrived, or fails after `timeoutMs`. */
  waitFor(count: number, where?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const statuses = new Map<string, number[]>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ path: request.url ?? '', headers: request.headers, body, json });
      const status = statuses.get(request.url ?? '')?.shift() ?? 200;
      response.writeHead(status, { 'Content-Type': 'text/plain', 'X-Receiver': 'test' });
      response.end(status < 300 ? 'thanks' : 'receiver failure');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    respondWith: (path, ...next) => statuses.set(path, [...(statuses.get(path) ?? []), ...next]),
    async waitFor(count, where = () => true, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = received.filter(where);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`the receiver got ${matching.length} of ${count} expected requests: ${JSON.stringify(received.map((r) => r.headers['pulumi-webhook-kind']))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
