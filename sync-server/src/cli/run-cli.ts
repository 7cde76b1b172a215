import { ConfigError, loadConfig, type Config } from '../config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createLogger, type Logger } from '../logger.ts';

/** A failure the user caused and can fix: printed as one line, exit code 2, no stack. */
export class UsageError extends Error {}

/**
 * Shared frame of the command-line tools: configuration as the server reads it, the same database
 * (embedded in DATA_DIR, or DATABASE_URL), migrations first, a readable line on failure.
 * Exits through process.exit(), so a tool never waits on a handle left open.
 */
export async function runCli(
  name: string,
  body: (ctx: { config: Config; db: Database; logger: Logger }) => Promise<void>,
): Promise<never> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : String(error));
    process.exit(2);
  }
  const logger = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  let db: Database | undefined;
  let code = 0;
  try {
    db = await openDatabase(config, logger);
    await migrate(db.pool);
    await body({ config, db, logger });
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    code = error instanceof UsageError ? 2 : 1;
  } finally {
    await db?.close().catch(() => {});
  }
  process.exit(code);
}
