import { currentSchemaVersion } from '../db/migrate.ts';
import { runCli } from './run-cli.ts';

// `npm run migrate`: runCli applies pending migrations before the body runs.
await runCli('migrate', async ({ db }) => {
  console.log(`Schema is at ${await currentSchemaVersion(db.pool)}.`);
});
