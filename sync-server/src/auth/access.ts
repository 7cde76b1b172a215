import pg from 'pg';
import type { Role } from '@cimco/contract';
import { HttpError } from '../http/errors.ts';
import type { Logger } from '../logger.ts';
import type { AccessTokenSubject } from './access-tokens.ts';

/** Announced by migrations/0003_security.sql when an account's or a tablet's rights change. */
export const ACCESS_CHANNEL = 'access_changes';

interface AccountState {
  active: boolean;
  role: Role;
  siteId: string;
}
interface DeviceState {
  siteId: string;
  revoked: boolean;
}

interface Watcher {
  subject: AccessTokenSubject;
  onRevoked: (error: HttpError) => void;
}

/**
 * One authorisation per request, reads included: the account is active, has the role and yard its
 * token says, and the tablet it names is registered there and not revoked. An access token lives
 * 15 minutes; this is what makes disabling, demoting or revoking take effect at the next request
 * (the next one after the change's notification arrives, milliseconds after its commit).
 *
 * The answers come from memory: each account and tablet is read once, then kept until PostgreSQL
 * announces a change to it (a trigger NOTIFYs `access_changes` at commit), so a shape long-poll
 * costs no query. While the notification connection is down nothing is cached (every request
 * reads), so a missed notification can never keep a stale right alive. Requests in flight (a
 * long-poll) can `watch` their caller: a change that withdraws the right ends them.
 */
export class AccessControl {
  #accounts = new Map<string, Promise<AccountState | undefined>>();
  #devices = new Map<string, Promise<DeviceState | undefined>>();
  #watchers = new Set<Watcher>();
  #client: pg.Client | undefined;
  #listening = false;
  #stopped = false;
  #reads = 0;
  #changesHeard = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  /** Database reads made so far (a request answered from memory makes none). */
  get reads(): number {
    return this.#reads;
  }

  /** Change notifications handled so far (tests wait on it instead of on a clock). */
  get changesHeard(): number {
    return this.#changesHeard;
  }

  async start(): Promise<void> {
    await this.#listen();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#listening = false;
    this.#watchers.clear();
    await this.#client?.end().catch(() => {});
  }

  /** The caller as the database says now; throws 401 (account) or 403 (tablet) otherwise. */
  async authorise(subject: AccessTokenSubject): Promise<AccessTokenSubject> {
    const [account, device] = await Promise.all([
      this.#load(this.#accounts, subject.userId, () => this.#readAccount(subject.userId)),
      subject.deviceId ? this.#load(this.#devices, subject.deviceId, () => this.#readDevice(subject.deviceId!)) : undefined,
    ]);
    if (!account?.active) {
      throw new HttpError(401, 'account_disabled', 'This account is disabled. Ask an administrator.');
    }
    if (account.role !== subject.role || account.siteId !== subject.siteId) {
      // The tablet renews its session on a 401, and the new token carries the new role.
      throw new HttpError(401, 'role_changed', 'Your role or yard has changed: renew the session (or sign in again) to continue.');
    }
    if (subject.deviceId && (!device || device.revoked || device.siteId !== subject.siteId)) {
      throw new HttpError(403, 'device_revoked', 'This tablet has been revoked. Ask an administrator.');
    }
    return subject;
  }

  /**
   * Calls `onRevoked` (once) if a change to the caller's account or tablet withdraws the right it
   * was authorised with. Returns the function that stops watching.
   */
  watch(subject: AccessTokenSubject, onRevoked: (error: HttpError) => void): () => void {
    const watcher: Watcher = { subject, onRevoked };
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  #load<T>(cache: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
    if (!this.#listening) return read();
    let entry = cache.get(id);
    if (!entry) {
      entry = read();
      cache.set(id, entry);
      // A failed read is not an answer: the next request tries again.
      entry.catch(() => cache.get(id) === entry && cache.delete(id));
    }
    return entry;
  }

  async #readAccount(id: string): Promise<AccountState | undefined> {
    this.#reads++;
    const { rows } = await this.pool.query<{ active: boolean; role: Role; site_id: string }>(
      'select active, role, site_id from users where id = $1',
      [id],
    );
    return rows[0] && { active: rows[0].active, role: rows[0].role, siteId: rows[0].site_id };
  }

  async #readDevice(id: string): Promise<DeviceState | undefined> {
    this.#reads++;
    const { rows } = await this.pool.query<{ site_id: string; revoked: boolean }>(
      'select site_id, revoked_at is not null as revoked from devices where id = $1',
      [id],
    );
    return rows[0] && { siteId: rows[0].site_id, revoked: rows[0].revoked };
  }

  /** Forgets what changed, then re-checks the requests in flight that it concerns. */
  #changed(kind: 'users' | 'devices' | 'all', id?: string): void {
    if (kind === 'all') {
      this.#accounts.clear();
      this.#devices.clear();
    } else {
      (kind === 'users' ? this.#accounts : this.#devices).delete(id!);
    }
    for (const watcher of [...this.#watchers]) {
      const { subject } = watcher;
      if (kind === 'users' && subject.userId !== id) continue;
      if (kind === 'devices' && subject.deviceId !== id) continue;
      this.authorise(subject).catch((error: unknown) => {
        if (!(error instanceof HttpError) || !this.#watchers.delete(watcher)) return;
        watcher.onRevoked(error);
      });
    }
  }

  async #listen(): Promise<void> {
    if (this.#stopped) return;
    const retry = () => {
      if (!this.#stopped) setTimeout(() => void this.#listen(), 1_000).unref();
    };
    try {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('error', () => {});
      client.on('end', () => {
        if (this.#client !== client) return;
        this.#client = undefined;
        // Changes made while deaf would be missed: stop trusting (and using) the cache. Requests
        // in flight are re-checked once listening again (below), with one read per account.
        this.#listening = false;
        this.#accounts.clear();
        this.#devices.clear();
        retry();
      });
      client.on('notification', (message) => {
        const match = /^(users|devices):([0-9a-f-]{36})$/.exec(message.payload ?? '');
        if (!match) return;
        this.#changed(match[1] as 'users' | 'devices', match[2]);
        this.#changesHeard++;
      });
      await client.connect();
      await client.query(`listen ${ACCESS_CHANNEL}`);
      this.#client = client;
      this.#listening = true;
      // Anything may have changed while nobody listened: forget it all, re-check what is in flight.
      this.#changed('all');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'cannot listen for account and tablet changes; retrying');
      retry();
    }
  }
}
