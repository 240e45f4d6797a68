import { LRUCache } from 'lru-cache';
import type { DataVersions } from './change-feed.ts';

/**
 * A per-process cache whose entries are used only while the change feed says the data under them
 * is unchanged (see {@link DataVersions}), and for at most `ttlMs` as a last resort. While the feed
 * is not listening nothing is kept, so every read goes to the database.
 */
export class VersionedCache<K extends {}, V> {
  readonly #entries: LRUCache<K, { value: V; token: string }>;

  constructor(
    private readonly versions: DataVersions,
    options: { max: number; ttlMs: number },
  ) {
    this.#entries = new LRUCache({ max: options.max, ttl: options.ttlMs });
  }

  /** The value cached under `key` while the data under `dataKey` is unchanged; else undefined. */
  peek(key: K, dataKey: string): V | undefined {
    const token = this.versions.token([dataKey]);
    const hit = token === null ? undefined : this.#entries.get(key);
    return hit && hit.token === token ? hit.value : undefined;
  }

  /**
   * The cached value, or `read`'s, which is kept unless it is undefined. The token is taken
   * before the read: a change that lands during it makes the copy stale at once.
   */
  async get(key: K, dataKey: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const token = this.versions.token([dataKey]);
    const hit = token === null ? undefined : this.#entries.get(key);
    if (hit && hit.token === token) return hit.value;
    const value = await read();
    if (value !== undefined && token !== null) this.#entries.set(key, { value, token });
    return value;
  }

  /** Forgets `key` (the process itself has just changed or removed it). */
  delete(key: K): void {
    this.#entries.delete(key);
  }
}
