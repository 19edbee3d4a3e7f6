import type { Executor } from '../db/executor.js';

/**
 * What requests looked up about access (tokens and who they stand for, organizations,
 * memberships, team grants), kept for as long as the database's access generation stays put.
 * Triggers bump that generation on every change to those tables, from any replica or process
 * (migration 0022), so a request that reads the generation first sees every change committed
 * before it, as if it had looked everything up itself, and does in one small read what took five.
 */
export class AccessCache {
  private generation = -1;
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly maxEntries = 10_000) {}

  /** The lookups of one request, which read `generation` when it began. */
  at(generation: number): AccessLookups {
    if (generation > this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    return new AccessLookups(this, generation);
  }

  /** @internal */
  read(generation: number, key: string): unknown {
    return generation === this.generation ? this.entries.get(key) : undefined;
  }

  /** @internal */
  keep(generation: number, key: string, value: unknown): void {
    // A request that began before the latest change keeps nothing: what it saw is already old.
    if (generation !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, value);
  }
}

/** One request's view of the cache. Values are shared between requests: callers must not change them. */
export class AccessLookups {
  constructor(
    private readonly cache: AccessCache,
    readonly generation: number,
  ) {}

  /**
   * The value under `key`, loaded once per generation. Absent values (undefined) are not kept, and
   * reads inside a transaction always load: a transaction sees its own uncommitted changes.
   */
  async get<T>(db: Executor, key: string, load: () => Promise<T>): Promise<T> {
    if (db.isTransaction) return load();
    const kept = this.cache.read(this.generation, key);
    if (kept !== undefined) return kept as T;
    const value = await load();
    if (value !== undefined) this.cache.keep(this.generation, key, value);
    return value;
  }
}
