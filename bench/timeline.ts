// Where an operation's time goes: the server's request log (Fastify's `incoming request` and
// `request completed` lines at log level info) turned into the CLI's requests in order, how long
// each took, and the time between them, when the CLI was busy on its own or waiting on nothing.

/** One request the server answered, in milliseconds from the start of the operation. */
export interface RequestSpan {
  method: string;
  route: string;
  status: number;
  startMs: number;
  ms: number;
}

/** Ids and names in a URL replaced by placeholders, so that requests of one kind share a route. */
export function routeOf(url: string): string {
  return url
    .split('?')[0]!
    .replace(/^\/api\/stacks\/[^/]+\/[^/]+\/[^/]+/, '/api/stacks/{stack}')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '{id}')
    .replace(/\/\d+(?=\/|$)/g, '/{n}');
}

/** The requests a JSON log holds that started between `from` and `to` (epoch ms), in start order. */
export function requestSpans(logLines: string[], from: number, to: number): RequestSpan[] {
  const started = new Map<string, { method: string; url: string; time: number }>();
  const spans: RequestSpan[] = [];
  for (const line of logLines) {
    if (!line.startsWith('{')) continue;
    let entry: { msg?: string; reqId?: string; time?: number; req?: { method: string; url: string }; res?: { statusCode: number }; responseTime?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.msg === 'incoming request' && entry.reqId && entry.req && entry.time) started.set(entry.reqId, { ...entry.req, time: entry.time });
    if (entry.msg === 'request completed' && entry.reqId && entry.responseTime !== undefined) {
      const start = started.get(entry.reqId);
      if (!start || start.time < from || start.time > to) continue;
      spans.push({ method: start.method, route: routeOf(start.url), status: entry.res?.statusCode ?? 0, startMs: start.time - from, ms: entry.responseTime });
    }
  }
  return spans.sort((a, b) => a.startMs - b.startMs);
}

/** Milliseconds during which at least one request was being answered. */
function busyMs(spans: RequestSpan[]): number {
  let busy = 0;
  let until = -Infinity;
  for (const span of spans) {
    const end = span.startMs + span.ms;
    if (span.startMs >= until) busy += span.ms;
    else if (end > until) busy += end - until;
    until = Math.max(until, end);
  }
  return busy;
}

/** The calls an update makes while the engine runs, folded into one phase of the timeline. */
const engineCall = /\/update\/\{id\}\/(journalentries|events(\/batch)?|checkpoint\w*|renew_lease)$/;

/**
 * Markdown: the requests in order, consecutive ones of the same route folded into one row, and
 * the engine's journal, event and lease calls into one phase (when they ran, how many, the
 * server's time answering them, the CLI's time before and between them); then the totals: wall
 * time, time with a request in flight, and time with none.
 */
export function timelineTables(spans: RequestSpan[], wallMs: number): string[] {
  interface Row { key: string; counts: Map<string, number>; first: number; last: number; serverMs: number; gapMs: number; maxGapMs: number }
  const rows: Row[] = [];
  let previousEnd = 0;
  for (const span of spans) {
    const gap = Math.max(0, span.startMs - previousEnd);
    const route = `${span.method} ${span.route}`;
    const key = engineCall.test(span.route) ? 'engine' : route;
    const row = rows.at(-1);
    if (row && row.key === key) {
      row.counts.set(route, (row.counts.get(route) ?? 0) + 1);
      row.serverMs += span.ms;
      row.gapMs += gap;
      row.maxGapMs = Math.max(row.maxGapMs, gap);
      row.last = Math.max(row.last, span.startMs + span.ms);
    } else rows.push({ key, counts: new Map([[route, 1]]), first: span.startMs, last: span.startMs + span.ms, serverMs: span.ms, gapMs: gap, maxGapMs: gap });
    previousEnd = Math.max(previousEnd, span.startMs + span.ms);
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const busy = busyMs(spans);
  const label = (row: Row) => [...row.counts].map(([route, n]) => `\`${route.replace('/api/stacks/{stack}', '…')}\`${n > 1 ? ` × ${n}` : ''}`).join(', ');
  return [
    '| from s | to s | requests | server ms | CLI ms before and between | longest wait ms |',
    '| ---: | ---: | --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${s(r.first)} | ${s(r.last)} | ${label(r)} | ${r.serverMs.toFixed(0)} | ${r.gapMs.toFixed(0)} | ${r.maxGapMs.toFixed(0)} |`),
    `| ${s(previousEnd)} | ${s(wallMs)} | (the CLI finishing after its last request) | | ${(wallMs - previousEnd).toFixed(0)} | |`,
    '',
    `Wall ${s(wallMs)} s: ${spans.length} requests, a request in flight for ${s(busy)} s, none for ${s(wallMs - busy)} s.`,
  ];
}
