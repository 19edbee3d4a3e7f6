// The idle part of `npm run bench` (STACKYARD_BENCH_ONLY=idle): a server's resident memory once it
// has started and answered a few requests, beside Node.js's own floor (an empty HTTP server) on
// the same machine, both read from /proc as VmRSS.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

const settleMs = 5000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function residentMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

export interface IdleRss {
  /** 5 s after the server printed its first-boot token. */
  startedMb: number;
  /** 5 s after it then answered `GET /api/user` and `GET /api/capabilities` five times each. */
  answeredMb: number;
}

/** Measures a server just started (pid, and its own address and admin token). */
export async function idleRss(server: { url: string; token: string; pid: number }): Promise<IdleRss> {
  await sleep(settleMs);
  const startedMb = residentMb(server.pid);
  for (let i = 0; i < 5; i++) {
    for (const pathname of ['/api/user', '/api/capabilities']) {
      const reply = await fetch(`${server.url}${pathname}`, { headers: { Authorization: `token ${server.token}` } });
      if (!reply.ok) throw new Error(`${pathname} answered ${reply.status}`);
      await reply.arrayBuffer();
    }
  }
  await sleep(settleMs);
  return { startedMb, answeredMb: residentMb(server.pid) };
}

/** An empty `http` server in a fresh Node.js process, after the same wait: what any server starts from. */
export async function nodeFloorMb(): Promise<number> {
  const child = spawn(process.execPath, ['-e', "require('http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    await sleep(settleMs);
    return residentMb(child.pid!);
  } finally {
    child.kill('SIGTERM');
  }
}

export function idleTable(rss: IdleRss, floorMb: number): string[] {
  return [
    '| idle server (SQLite, states in the database) | RSS MB 5 s after start | 5 s after 10 requests | Node.js empty HTTP server |',
    '| --- | ---: | ---: | ---: |',
    `| stackyard serve | ${rss.startedMb.toFixed(1)} | ${rss.answeredMb.toFixed(1)} | ${floorMb.toFixed(1)} |`,
  ];
}
