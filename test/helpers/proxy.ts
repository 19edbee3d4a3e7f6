import http from 'node:http';
import type net from 'node:net';

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A load balancer for replica tests: requests go to the backends in turn, with no stickiness, and
 * a backend that refuses the connection (a stopped process) is passed over for the next one. Only
 * a refused connection is retried, since nothing of the request reached that backend.
 */
export async function startRoundRobinProxy(backends: () => string[]): Promise<Proxy> {
  let turn = 0;
  const forward = (target: string, request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = http.request(new URL(request.url!, target), { method: request.method, headers: request.headers, agent: false }, (reply) => {
        response.writeHead(reply.statusCode!, reply.headers);
        reply.pipe(response);
        reply.on('end', resolve);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  const server = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const targets = backends();
    for (let tried = 0; tried < targets.length; tried++) {
      try {
        await forward(targets[turn++ % targets.length]!, request, body, response);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') break;
      }
    }
    if (!response.headersSent) response.writeHead(502).end();
    else response.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
