import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * One real PostgreSQL for the whole test run, in a temporary directory; each test file makes its
 * own database on it (support/database.ts), so files run in parallel without sharing rows.
 */
export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cimco-test-pg-'));
  const postgres = await startEmbeddedPostgres(dir, createLogger('warn'));
  const adminUrl = new URL(postgres.connectionString);
  adminUrl.pathname = '/postgres';
  project.provide('pgAdminUrl', adminUrl.toString());
  return async () => {
    await postgres.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}
