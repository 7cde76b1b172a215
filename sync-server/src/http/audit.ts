import { Router } from 'express';
import type pg from 'pg';
import { z } from 'zod';
import { COMMAND_NAMES, visibleRows, type CommandName } from '@cimco/contract';
import { caller } from '../auth/require-auth.ts';
import { HttpError, parseBody } from './errors.ts';

/**
 * GET /api/audit — who (user, tablet) did what (command, entity, before/after) and when, for
 * supervisors and admins (the contract's audit_log rule, as its shape and CSV export; never for
 * the crew's tablets). The caller's yard only, newest first.
 *
 * Keyset pagination on (server_time, id): `nextBefore` in one answer is the `before` of the next
 * page, so pages never skip or repeat rows while new ones are being written. Filters:
 * `user` (a user id or username), `device`, `command`, `entity`, `entityId`, and `from`/`to`
 * (an ISO date-time with offset, or a date, which means that whole day in the yard's time zone;
 * `from` is inclusive, `to` too).
 */

export const AUDIT_PAGE_MAX = 200;
export const AUDIT_PAGE_DEFAULT = 50;

const uuid = z.uuid({ error: 'must be a UUID' });
const isoDateTime = z.iso.datetime({ offset: true, error: 'must be an ISO date-time with offset (2026-11-23T14:05:00Z) or a date (2026-11-23)' });
const isoDay = z.iso.date();
const instant = z.union([isoDay, isoDateTime], { error: 'must be an ISO date-time with offset (2026-11-23T14:05:00Z) or a date (2026-11-23)' });

/** The cursor: the row's server time with microseconds and its id, base64url-encoded. */
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;
function encodeCursor(time: string, id: string): string {
  return Buffer.from(`${time}|${id}`).toString('base64url');
}
function decodeCursor(cursor: string): { time: string; id: string } | undefined {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match && uuid.safeParse(match[2]).success ? { time: match[1]!, id: match[2]! } : undefined;
}

export const auditQuerySchema = z
  .strictObject({
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(AUDIT_PAGE_MAX, `must be at most ${AUDIT_PAGE_MAX}`)
      .default(AUDIT_PAGE_DEFAULT),
    before: z.string().transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (cursor) return cursor;
      ctx.addIssue({ code: 'custom', message: 'is not a cursor from a previous page (nextBefore)' });
      return z.NEVER;
    }),
    user: z.string().trim().min(1, 'must not be empty').max(64),
    device: uuid,
    command: z.enum(COMMAND_NAMES as [CommandName, ...CommandName[]], { error: `must be a command name: ${COMMAND_NAMES.join(', ')}` }),
    entity: z.string().regex(/^[a-z_]{1,64}$/, 'must be a table name like parts, tasks, stock_movements'),
    entityId: uuid,
    from: instant,
    to: instant,
  })
  .partial({ before: true, user: true, device: true, command: true, entity: true, entityId: true, from: true, to: true })
  .refine((q) => !q.from || !q.to || (q.from.length === 10) !== (q.to.length === 10) || (q.from.length === 10 ? q.from <= q.to : Date.parse(q.from) <= Date.parse(q.to)), {
    message: 'must not be before from',
    path: ['to'],
  });

export interface AuditRow {
  id: string;
  serverTime: string;
  clientTime: string | null;
  userId: string | null;
  username: string | null;
  userName: string | null;
  deviceId: string | null;
  deviceName: string | null;
  command: string;
  entity: string | null;
  entityId: string | null;
  mutationId: string | null;
  before: unknown;
  after: unknown;
}

export function auditRoutes(pool: pg.Pool): Router {
  const router = Router();
  router.get('/audit', async (req, res) => {
    const who = caller(req);
    // The audit_log rule of the contract, as for its shape and its CSV export.
    const visible = visibleRows('audit_log', who, { column: (c) => `a.${c}` });
    if (!visible.ok) throw new HttpError(403, 'forbidden', `The audit log is for supervisors and administrators (${visible.reason}).`);
    const query = parseBody(auditQuerySchema, req.query);

    const params: unknown[] = [...visible.params];
    const where = [visible.where];
    const param = (value: unknown) => `$${params.push(value)}`;
    // Only when a date filter needs it: a parameter the query does not use has no type, and fails.
    let zone: string | undefined;
    const siteZone = () =>
      (zone ??= `coalesce((select timezone from pg_timezone_names z join sites s on s.timezone = z.name where s.id = ${param(who.siteId)}::uuid), 'UTC')`);
    if (query.user !== undefined) {
      where.push(uuid.safeParse(query.user).success ? `a.user_id = ${param(query.user)}::uuid` : `u.username = lower(${param(query.user)})`);
    }
    if (query.device) where.push(`a.device_id = ${param(query.device)}`);
    if (query.command) where.push(`a.command = ${param(query.command)}`);
    if (query.entity) where.push(`a.entity = ${param(query.entity)}`);
    if (query.entityId) where.push(`a.entity_id = ${param(query.entityId)}`);
    if (query.from) {
      where.push(query.from.length === 10
        ? `a.server_time >= (${param(query.from)}::date)::timestamp at time zone ${siteZone()}`
        : `a.server_time >= ${param(query.from)}::timestamptz`);
    }
    if (query.to) {
      where.push(query.to.length === 10
        ? `a.server_time < (${param(query.to)}::date + 1)::timestamp at time zone ${siteZone()}`
        : `a.server_time <= ${param(query.to)}::timestamptz`);
    }
    if (query.before) where.push(`(a.server_time, a.id) < (${param(query.before.time)}::timestamptz, ${param(query.before.id)}::uuid)`);

    const { rows } = await pool.query<{
      id: string; cursor_time: string; server_time: Date; client_time: Date | null; user_id: string | null; username: string | null;
      display_name: string | null; device_id: string | null; device_name: string | null; command: string; entity: string | null;
      entity_id: string | null; mutation_id: string | null; before: unknown; after: unknown;
    }>(
      `select a.id, to_char(a.server_time at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_time,
              a.server_time, a.client_time, a.user_id, u.username, u.display_name, a.device_id, d.name as device_name,
              a.command, a.entity, a.entity_id, a.mutation_id, a.before, a.after
         from audit_log a
         left join users u on u.id = a.user_id
         left join devices d on d.id = a.device_id
        where ${where.join(' and ')}
        order by a.server_time desc, a.id desc
        limit ${param(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    res.json({
      rows: page.map((r): AuditRow => ({
        id: r.id,
        serverTime: r.server_time.toISOString(),
        clientTime: r.client_time?.toISOString() ?? null,
        userId: r.user_id,
        username: r.username,
        userName: r.display_name,
        deviceId: r.device_id,
        deviceName: r.device_name,
        command: r.command,
        entity: r.entity,
        entityId: r.entity_id,
        mutationId: r.mutation_id,
        before: r.before,
        after: r.after,
      })),
      nextBefore: rows.length > query.limit && last ? encodeCursor(last.cursor_time, last.id) : null,
    });
  });
  return router;
}
