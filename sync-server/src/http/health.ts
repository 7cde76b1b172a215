import { Router } from 'express';
import type pg from 'pg';
import { currentSchemaVersion } from '../db/migrate.ts';

/** Liveness and readiness in one: 200 when the database answers, 503 when it does not. */
export function healthRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      const schemaVersion = await currentSchemaVersion(pool);
      res.json({ status: 'ok', database: 'ok', schemaVersion });
    } catch {
      res.status(503).json({
        status: 'unavailable',
        database: 'unreachable',
        message: 'The server cannot reach its database.',
      });
    }
  });
  return router;
}
