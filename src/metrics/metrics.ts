import type { BlobStore } from '../blobs/blob-store.js';

/** What is read from the database at each scrape, not counted as it happens. */
export interface MetricSources {
  updatesInFlight(): Promise<number>;
  jobsQueued(): Promise<number>;
  pool?(): { total: number; idle: number; waiting: number };
}

/** Kinds of state write a route carries, labelled on the state metrics. */
export type StateWriteKind = 'checkpoint' | 'verbatim' | 'delta' | 'journal' | 'events' | 'import';

/** What the server counts and times as it works, for `GET /metrics`. */
export interface Metrics {
  /** Whether anything can read them; when not, requests need no hook to count them. */
  readonly served: boolean;
  /** Prometheus's text format and its content type. */
  scrape(): Promise<{ contentType: string; text: string }>;
  /** One answered request; `route` is the matched pattern (`unmatched` when none), never the raw URL. */
  request(method: string, route: string, status: number, seconds: number): void;
  stateWrite(kind: StateWriteKind, bytes: number, seconds: number): void;
  leaseExpired(): void;
  jobFailed(kind: string): void;
  /** The store, with each operation timed. */
  timedBlobStore(store: BlobStore): BlobStore;
}

/** Without a metrics token nothing can read them, so nothing is recorded. */
const unserved: Metrics = {
  served: false,
  scrape: () => Promise.reject(new Error('metrics are not served without --metrics-token')),
  request() {},
  stateWrite() {},
  leaseExpired() {},
  jobFailed() {},
  timedBlobStore: (store) => store,
};

/** prom-client is loaded only when metrics are served (`--metrics-token`): 1.7 MB of heap otherwise held for nothing. */
export async function openMetrics(served: boolean, sources: MetricSources): Promise<Metrics> {
  if (!served) return unserved;
  const { PrometheusMetrics } = await import('./prometheus.js');
  return new PrometheusMetrics(sources);
}
