import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** How long one attempt may take, connection to last byte. */
export const attemptTimeoutMs = 10_000;
/** Kept of a receiver's reply in the delivery record. */
const responseBodyLimit = 64 * 1024;

export interface AttemptResult {
  durationMs: number;
  /** 0 when no response came; `responseBody` then says why. */
  responseCode: number;
  responseHeaders: string;
  responseBody: string;
}

/** Loopback, private, link-local, shared (CGNAT) and unspecified addresses, v4 and v6. */
const privateRanges = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
})();

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 one.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateRanges.check(mapped[1]!, 'ipv4');
    return privateRanges.check(address, 'ipv6');
  }
  return privateRanges.check(address, 'ipv4');
}

class RefusedTarget extends Error {}

/** A DNS lookup that fails for names resolving to a private address: checked at connection time, so a rebinding name cannot slip past. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) return callback(new RefusedTarget(`${hostname} resolves to ${refused.address}, a private address this server does not deliver to`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

/** Header lines as Pulumi records them: `Name: value\r\n`, sorted by name. */
export function headerLines(headers: Record<string, string | string[] | undefined>): string {
  return Object.entries(headers)
    .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
    .sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))
    .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}\r\n`)
    .join('');
}

/** Header names in the case Go's net/http records them (`pulumi-webhook-id` → `Pulumi-Webhook-Id`). */
const canonical = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => dash + letter.toUpperCase());

/**
 * POSTs one delivery and reports what came back, never throwing: a refused target, a
 * connection error or the timeout is a result with code 0. Redirects are not followed.
 */
export async function postDelivery(target: { url: string; body: string; headers: Record<string, string>; refusePrivateTargets: boolean }): Promise<AttemptResult> {
  const started = performance.now();
  const finish = (result: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({ durationMs: Math.round(performance.now() - started), ...result });
  const failed = (reason: string) => finish({ responseCode: 0, responseHeaders: '', responseBody: reason });
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return failed(`URL error with webhook: '${target.url}' is not a URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (target.refusePrivateTargets && isPrivateAddress(host)) return failed(`URL error with webhook: ${host} is a private address this server does not deliver to`);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...target.headers, 'Content-Length': String(Buffer.byteLength(target.body)) },
        ...(target.refusePrivateTargets && { lookup: publicOnlyLookup }),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < responseBodyLimit) {
            chunks.push(chunk.subarray(0, responseBodyLimit - kept));
            kept += Math.min(chunk.length, responseBodyLimit - kept);
          }
        });
        response.on('error', (error) => resolve(failed(`URL error with webhook: ${error.message}`)));
        response.on('end', () => {
          clearTimeout(timer);
          const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [canonical(name), value]));
          resolve(finish({ responseCode: response.statusCode ?? 0, responseHeaders: headerLines(headers), responseBody: Buffer.concat(chunks).toString('utf8') }));
        });
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no complete response within ${attemptTimeoutMs / 1000} s`));
    }, attemptTimeoutMs);
    timer.unref();
    request.on('error', (error) => {
      clearTimeout(timer);
      resolve(failed(`URL error with webhook: ${error.message}`));
    });
    request.end(target.body);
  });
}
