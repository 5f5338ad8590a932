import type { EntityName } from './entities';
import type { MasterDataStore } from './store';

export interface MasterDataLookup {
  /** The record with this natural key (`jushuitan/WH-09`), or null when there is none. */
  get(entity: EntityName, key: string): Promise<Record<string, unknown> | null>;
  /**
   * What `get` would answer, given synchronously when it needs no read (the record, or null when there is none);
   * undefined when only `get` can answer. Optional: callers fall back to `get`.
   */
  getCached?(entity: EntityName, key: string): Record<string, unknown> | null | undefined;
}

export interface CachedLookupOptions {
  /**
   * Bounded staleness: at most this long after a master-data change, every replica sees it (the cache compares
   * the store's change marker at this interval and drops everything when it moved).
   */
  maxStalenessMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * In-memory cache in front of the master-data store, hits and misses alike (a miss parks a document, and
 * the re-processing of parked documents must see the mapping once it is added: `invalidate()` or the staleness
 * bound takes care of that).
 */
export class CachedMasterDataLookup implements MasterDataLookup {
  private readonly entries = new Map<string, Record<string, unknown> | null>();
  /** Reads in flight, so a burst of documents needing the same record costs one store read. */
  private readonly loading = new Map<string, Promise<Record<string, unknown> | null>>();
  private marker: string | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<void> | undefined;
  private readonly maxStalenessMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  hits = 0;
  misses = 0;

  constructor(
    private readonly store: MasterDataStore,
    options: CachedLookupOptions = {},
  ) {
    this.maxStalenessMs = options.maxStalenessMs ?? 10_000;
    this.maxEntries = options.maxEntries ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /** Drops every cached entry now (after an admin change in this process). */
  invalidate(): void {
    this.entries.clear();
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  /** The cached answer when it is within the staleness bound (a hit), else undefined and nothing counted. */
  getCached(entity: EntityName, key: string): Record<string, unknown> | null | undefined {
    if (this.now() - this.checkedAt >= this.maxStalenessMs) return undefined;
    const record = this.entries.get(`${entity}\u0000${key}`);
    if (record !== undefined) this.hits += 1;
    return record;
  }

  async get(entity: EntityName, key: string): Promise<Record<string, unknown> | null> {
    if (this.now() - this.checkedAt >= this.maxStalenessMs) await this.refreshMarker();
    const cacheKey = `${entity}\u0000${key}`;
    if (this.entries.has(cacheKey)) {
      this.hits += 1;
      return this.entries.get(cacheKey) ?? null;
    }
    const inFlight = this.loading.get(cacheKey);
    if (inFlight) {
      this.hits += 1;
      return inFlight;
    }
    this.misses += 1;
    const load = (async () => {
      try {
        const record = (await this.store.get(entity, key)) as Record<string, unknown> | null;
        if (this.entries.size >= this.maxEntries) this.entries.clear();
        this.entries.set(cacheKey, record);
        return record;
      } finally {
        this.loading.delete(cacheKey);
      }
    })();
    this.loading.set(cacheKey, load);
    return load;
  }

  private refreshMarker(): Promise<void> {
    this.checking ??= (async () => {
      try {
        const marker = await this.store.changeMarker();
        if (marker !== this.marker) this.entries.clear();
        this.marker = marker;
        this.checkedAt = this.now();
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }
}
