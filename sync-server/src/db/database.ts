import pg from 'pg';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

/**
 * The server's one connection pool, to the embedded cluster or to DATABASE_URL.
 *
 * Every connection runs in UTC with ISO dates, so text renderings of values are the same whatever
 * the server's or the database's own settings (the shape protocol depends on that).
 */
export interface Database {
  pool: pg.Pool;
  connectionString: string;
  embedded: boolean;
  close(): Promise<void>;
}

// A `date` is a calendar day, not an instant: keep it as 'YYYY-MM-DD' instead of a Date at local
// midnight, which shifts a day in timezones west of UTC.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,DMY -c IntervalStyle=iso_8601 -c extra_float_digits=1';

export function createPool(connectionString: string, logger: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, options: SESSION_OPTIONS });
  // An idle connection dropped by the server (restart, admin kill) must not crash the process;
  // the pool replaces it on the next checkout. On Ctrl+C the whole process group, the embedded
  // PostgreSQL included, gets the signal, so a shutdown (57P01) closing idle connections is normal.
  pool.on('error', (error: Error & { code?: string }) => {
    const level = error.code === '57P01' ? 'debug' : 'warn';
    logger[level]({ code: error.code, message: error.message }, 'idle database connection lost');
  });
  return pool;
}

/**
 * Runs `work` in one transaction on a connection of its own: committed when it returns, rolled
 * back when it throws (the error goes on to the caller), the connection given back either way.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    // A failed rollback (the connection is gone) must not hide the error that caused it.
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, logger);
  const connectionString = config.databaseUrl ?? embedded!.connectionString;
  const pool = createPool(connectionString, logger);
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => {});
    await embedded?.stop();
    throw new Error(
      `Cannot connect to PostgreSQL${config.databaseUrl ? ' at DATABASE_URL' : ''}: ${(error as Error).message}`,
    );
  }
  return {
    pool,
    connectionString,
    embedded: embedded !== undefined,
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
