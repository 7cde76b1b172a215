import express, { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { mayDo } from '@cimco/contract';
import { caller } from '../auth/require-auth.ts';
import { HttpError, parseBody } from '../http/errors.ts';
import { exportCsv } from './export.ts';
import { applyPartsImport, importQuerySchema, planPartsImport } from './import-parts.ts';

export const IMPORT_BODY_LIMIT = '5mb';
/** Browsers label a .csv file differently (Excel on Windows registers it as application/vnd.ms-excel). */
const CSV_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/vnd.ms-excel'];

/**
 * GET /api/export/<list>.csv (export.ts) and POST /api/import/parts?dryRun=true|false with the CSV
 * file as the body (import-parts.ts). Behind requireAuth.
 */
export function csvRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/export/:file', (req, res) => exportCsv(pool, req, res));

  // The role is checked before a 5 MB body is read.
  const mayImport: RequestHandler = (req, _res, next) => {
    const { role } = caller(req);
    if (!mayDo(role, 'parts.import')) return next(new HttpError(403, 'forbidden', `A ${role} cannot import parts; ask the storeroom.`));
    next();
  };
  router.post('/import/parts', mayImport, express.text({ type: CSV_TYPES, limit: IMPORT_BODY_LIMIT }), async (req, res) => {
    const who = caller(req);
    const { dryRun, progress } = parseBody(importQuerySchema, req.query);
    if (typeof req.body !== 'string') {
      throw new HttpError(415, 'unsupported_media_type', 'Send the CSV file itself as the request body, with the header Content-Type: text/csv.');
    }
    if (dryRun === 'true') {
      const { report } = await planPartsImport(pool, who.siteId, req.body, true);
      res.json(report);
      return;
    }
    // Applied parts are commands from the caller's tablet (checked by requireAuth), audited and
    // synced like any edit.
    if (!who.deviceId) {
      throw new HttpError(403, 'device_required', 'Sign in on a registered tablet (with a device id) to import parts.');
    }
    const plan = await planPartsImport(pool, who.siteId, req.body, false);
    const importer = { userId: who.userId, siteId: who.siteId, role: who.role, deviceId: who.deviceId };
    if (progress !== 'ndjson') {
      res.json(await applyPartsImport(pool, importer, plan));
      return;
    }
    // The file was read and checked above (a broken file is still a plain 400); from here on the
    // answer is a stream of lines.
    res.status(200).set({ 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    line({ type: 'progress', done: 0, total: plan.report.toCreate });
    try {
      const report = await applyPartsImport(pool, importer, plan, (done, total) => line({ type: 'progress', done, total }));
      line({ type: 'report', report });
    } catch (error) {
      req.log?.error({ err: error }, 'parts import failed part-way');
      line({ type: 'error', message: 'The import stopped part-way; the rows applied so far are kept. Preview the file again to see what is left.' });
    }
    res.end();
  });
  return router;
}
