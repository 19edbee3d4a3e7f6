// Requests per second the server answers under load: bombardier (a Go load generator, built by
// scripts/build-clients.sh) holding 32 connections for 20 s against one endpoint at a time, as
// the CLI asks (its token, `Accept-Encoding: gzip`), while the server's resident memory is sampled.
import { execFile } from 'node:child_process';
import fs from 'node:fs';

export interface ThroughputRow {
  endpoint: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  mbPerSecond: number;
  peakRssMb: number;
}

interface BombardierResult {
  result: {
    bytesRead: number;
    timeTakenSeconds: number;
    req2xx: number;
    req1xx: number;
    req3xx: number;
    req4xx: number;
    req5xx: number;
    others: number;
    errors?: { description: string; count: number }[];
    rps: { mean: number };
    latency: { percentiles: Record<string, number> };
  };
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** One endpoint under `connections` connections for `seconds`; the server's RSS sampled every 50 ms. */
export async function loadEndpoint(
  bombardier: string,
  options: { url: string; token: string; serverPid: number; label: string; connections?: number; seconds?: number },
): Promise<ThroughputRow> {
  let peakRss = rssMb(options.serverPid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(options.serverPid))), 50);
  const args = ['-c', String(options.connections ?? 32), '-d', `${options.seconds ?? 20}s`, '-l', '-p', 'r', '-o', 'j', '-t', '10s'];
  args.push('-H', `Authorization: token ${options.token}`, '-H', 'Accept-Encoding: gzip', '-H', 'Accept: application/vnd.pulumi+8', options.url);
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(bombardier, args, { maxBuffer: 1 << 24 }, (error, out, err) => (error ? reject(new Error(`bombardier: ${err || error.message}`)) : resolve(out))),
  );
  clearInterval(sampler);
  const { result } = JSON.parse(stdout) as BombardierResult;
  return {
    endpoint: options.label,
    requestsPerSecond: result.rps.mean,
    p50Ms: (result.latency.percentiles['50'] ?? 0) / 1000,
    p99Ms: (result.latency.percentiles['99'] ?? 0) / 1000,
    non2xx: result.req1xx + result.req3xx + result.req4xx + result.req5xx + result.others,
    errors: (result.errors ?? []).reduce((sum, e) => sum + e.count, 0),
    mbPerSecond: result.bytesRead / result.timeTakenSeconds / 1e6,
    peakRssMb: peakRss,
  };
}

export function throughputTable(title: string, rows: ThroughputRow[]): string[] {
  return [
    `| ${title} | req/s | p50 ms | p99 ms | not 2xx | errors | MB/s sent | server peak RSS MB |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| \`${r.endpoint}\` | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.non2xx} | ${r.errors} | ${r.mbPerSecond.toFixed(1)} | ${r.peakRssMb.toFixed(0)} |`,
    ),
  ];
}
