import pg from 'pg';

/** The channel the triggers of db/migrations/2026-11-24T0100_change_notifications.ts notify on. */
export const CHANGE_CHANNEL = 'raadssvar_changes';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/**
 * What changed, as version counters: one per key the triggers name (`council:12`, `user:7`,
 * `session:<SHA-256 of the id>`, `people`), raised by every notification for it. A cached copy remembers the
 * {@link ChangeFeed.token} of the keys it was built from and is good exactly while the token is
 * unchanged. `all` (a council changed) and every gap in listening (the LISTEN connection was lost,
 * so notifications may have been missed) raise the generation, which is part of every token.
 */
export interface DataVersions {
  /**
   * A string that changes whenever data under any of `keys` may have changed, or null when
   * nothing may be cached now (not listening). Take it before reading what it will guard.
   */
  token(keys: readonly string[]): string | null;
}

/** Every consultation changes `consultations`: the key of views that span all councils (administrators). */
export const ALL_CONSULTATIONS_KEY = 'consultations';

/**
 * Listens for the database's change notifications on a connection of its own, so that every app
 * process drops its cached copies when any process changes the data under them. While it is not
 * listening (before start, after close, between a lost connection and the next) its tokens are
 * null and nothing is cached; after a reconnection every earlier token is stale.
 */
export class ChangeFeed implements DataVersions {
  private readonly versions = new Map<string, number>();
  private generation = 0;
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly logger?: { warn(obj: object, msg?: string): void },
  ) {}

  /**
   * Connects and starts listening; resolves once notifications flow. When it cannot connect it
   * logs, keeps trying in the background and resolves: the app works without caches meanwhile.
   */
  async start(): Promise<void> {
    this.closed = false;
    try {
      await this.connect();
    } catch (error) {
      this.logger?.warn({ err: error }, 'could not listen for change notifications; caches are off until it can');
      this.scheduleReconnect();
    }
  }

  /** Stops listening; tokens are null from now on. */
  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  token(keys: readonly string[]): string | null {
    if (!this.listening) return null;
    let token = String(this.generation);
    for (const key of keys) token += `.${this.versions.get(key) ?? 0}`;
    return token;
  }

  /** Applies one notification payload. */
  private changed(key: string): void {
    if (key === 'all') {
      this.generation += 1;
      return;
    }
    this.versions.set(key, (this.versions.get(key) ?? 0) + 1);
    if (key.startsWith('council:') || key.startsWith('creator:')) {
      this.versions.set(ALL_CONSULTATIONS_KEY, (this.versions.get(ALL_CONSULTATIONS_KEY) ?? 0) + 1);
    }
    // Sessions come and go all day: keep their counters from piling up. Forgetting a counter
    // would let an old token match again, so they are dropped together with a new generation.
    if (this.versions.size > 100_000) {
      this.versions.clear();
      this.generation += 1;
    }
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.connection, application_name: 'raadssvar-changes' });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) this.changed(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    await client.connect();
    await client.query(`listen ${CHANGE_CHANNEL}`);
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Anything may have changed while nobody listened.
    this.generation += 1;
    this.listening = true;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private lost(client: pg.Client, error: Error): void {
    if (client !== this.client) return;
    this.client = null;
    this.listening = false;
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.logger?.warn({ err: error }, 'lost the change notifications; caches are off until they are back');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((error: Error) => {
        this.logger?.warn({ err: error }, 'could not listen for change notifications');
        if (!this.closed) this.scheduleReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }
}
