import { Router } from 'express';
import type pg from 'pg';
import { commandEnvelopeSchema, mutationBatchSchema, type CommandEnvelope } from '@cimco/contract';
import { caller } from '../auth/require-auth.ts';
import { HttpError, parseBody } from '../http/errors.ts';
import { applyCommand } from './processor.ts';

/**
 * POST /api/mutations `{deviceId, commands: [{mutationId, name, args, clientTime}, …]}` → 200
 * `{results: [{mutationId, status, code?, message?, details?}, …]}`, one per command, in order.
 *
 * Business refusals (and invalid arguments) are results, so one bad command never blocks the
 * tablet's queue. Only a malformed batch — not a list, no mutation id, an unknown command — is a
 * 400, naming each bad item, and then nothing is applied.
 */
export function mutationRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.post('/mutations', async (req, res) => {
    const who = caller(req);
    const batch = parseBody(mutationBatchSchema, req.body, { text: 'schema' });
    if (!who.deviceId) {
      throw new HttpError(403, 'device_required', 'Sign in on a registered tablet (with a device id) to send changes.');
    }
    if (batch.deviceId !== who.deviceId) {
      throw new HttpError(403, 'device_mismatch', 'These changes name another tablet than the one you signed in on.');
    }
    // requireAuth has just checked the account (active, with this role) and the tablet (not revoked).

    const envelopes: CommandEnvelope[] = [];
    const items: { index: number; fields: Record<string, string[]> }[] = [];
    batch.commands.forEach((command, index) => {
      const parsed = commandEnvelopeSchema.safeParse(command);
      if (parsed.success) return envelopes.push(parsed.data);
      const fields: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) (fields[issue.path.join('.') || '(command)'] ??= []).push(issue.message);
      items.push({ index, fields });
    });
    if (items.length > 0) {
      const first = items[0]!;
      throw new HttpError(
        400,
        'invalid_batch',
        `${items.length} command${items.length > 1 ? 's are' : ' is'} malformed; nothing was applied. ` +
          `Command ${first.index}: ${Object.entries(first.fields).map(([f, m]) => `${f} ${m.join('; ')}`).join(', ')}.`,
        Object.fromEntries(items.flatMap(({ index, fields }) => Object.entries(fields).map(([f, m]) => [`commands.${index}.${f}`, m]))),
      );
    }

    const results = [];
    for (const envelope of envelopes) {
      results.push(await applyCommand(pool, { userId: who.userId, siteId: who.siteId, role: who.role, deviceId: who.deviceId }, envelope));
    }
    res.json({ results });
  });
  return router;
}
