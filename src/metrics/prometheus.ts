import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Executor } from '../db/executor.js';
import type { MetricSources, Metrics, StateWriteKind } from './metrics.js';

const latencyBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The server's Prometheus metrics, in a registry of its own (not prom-client's global one), so
 * servers sharing a process (tests, replicas) keep theirs apart. Served by `GET /metrics`.
 */
export class PrometheusMetrics implements Metrics {
  readonly served = true;
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'stackyard_http_requests_total', help: 'HTTP requests answered, by route pattern and status.', labelNames: ['method', 'route', 'status'], registers: [this.registry] });
  private readonly requestSeconds = new Histogram({ name: 'stackyard_http_request_duration_seconds', help: 'Time to answer an HTTP request, by route pattern and status.', labelNames: ['method', 'route', 'status'], buckets: latencyBuckets, registers: [this.registry] });
  private readonly stateBytes = new Counter({ name: 'stackyard_state_write_bytes_total', help: 'Bytes of journal entries, checkpoints, events and imports accepted (after gzip).', labelNames: ['kind'], registers: [this.registry] });
  private readonly stateSeconds = new Histogram({ name: 'stackyard_state_write_duration_seconds', help: 'Time to accept a journal batch, checkpoint, event batch or import.', labelNames: ['kind'], buckets: latencyBuckets, registers: [this.registry] });
  private readonly leaseExpiries = new Counter({ name: 'stackyard_lease_expiries_total', help: "Calls refused because the update's lease had expired.", registers: [this.registry] });
  private readonly jobFailures = new Counter({ name: 'stackyard_job_failures_total', help: 'Background job runs that failed (each is retried later), by kind.', labelNames: ['kind'], registers: [this.registry] });
  private readonly blobSeconds = new Histogram({ name: 'stackyard_blob_operation_duration_seconds', help: 'Time of blob store operations, by operation.', labelNames: ['operation'], buckets: latencyBuckets, registers: [this.registry] });

  constructor(sources: MetricSources) {
    new Gauge({ name: 'stackyard_updates_in_flight', help: 'Updates running now (not previews).', registers: [this.registry], async collect() { this.set(await sources.updatesInFlight()); } });
    new Gauge({ name: 'stackyard_jobs_queued', help: 'Background jobs waiting to run.', registers: [this.registry], async collect() { this.set(await sources.jobsQueued()); } });
    const pool = sources.pool;
    if (pool) {
      new Gauge({
        name: 'stackyard_db_pool_connections',
        help: 'Database pool connections, by state (PostgreSQL).',
        labelNames: ['state'],
        registers: [this.registry],
        collect() {
          const { total, idle, waiting } = pool();
          this.set({ state: 'total' }, total);
          this.set({ state: 'idle' }, idle);
          this.set({ state: 'waiting' }, waiting);
        },
      });
    }
  }

  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /** One answered request; `route` is the matched pattern (`unmatched` when none), never the raw URL. */
  request(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  stateWrite(kind: StateWriteKind, bytes: number, seconds: number): void {
    this.stateBytes.inc({ kind }, bytes);
    this.stateSeconds.observe({ kind }, seconds);
  }

  leaseExpired(): void {
    this.leaseExpiries.inc();
  }

  jobFailed(kind: string): void {
    this.jobFailures.inc({ kind });
  }

  /** The store, with each operation timed. */
  timedBlobStore(store: BlobStore): BlobStore {
    const timed = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
      const end = this.blobSeconds.startTimer({ operation });
      try {
        return await run();
      } finally {
        end();
      }
    };
    return {
      description: store.description,
      put: (tx: Executor, key: string, bytes: Buffer) => timed('put', () => store.put(tx, key, bytes)),
      get: (tx: Executor, key: string) => timed('get', () => store.get(tx, key)),
      deletePrefix: (tx: Executor, prefix: string) => timed('deletePrefix', () => store.deletePrefix(tx, prefix)),
      check: () => timed('check', () => store.check()),
    };
  }
}
