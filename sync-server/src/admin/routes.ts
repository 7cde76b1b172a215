import { Router, type RequestHandler } from 'express';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { mayDo, setPasswordRequestSchema, type AdminDevice } from '@cimco/contract';
import { caller } from '../auth/require-auth.ts';
import { hashPassword } from '../auth/passwords.ts';
import { inTransaction } from '../db/database.ts';
import { HttpError, parseBody } from '../http/errors.ts';

/**
 * `/api/admin/*`: what the admin screens need that is neither a synced table nor a command.
 * Behind requireAuth (so a disabled account or revoked tablet is refused first), then refused with
 * 403 to every role but the ones `mayDo(role, 'admin.manage')` names — the same rule the tablet's
 * screens ask.
 *
 * - GET /admin/devices: the yard's tablets (devices are not synced to tablets).
 * - POST /admin/users/<id>/password: an admin sets someone's password. An HTTP call, not a
 *   command: a command's arguments wait in the tablet's outbox (IndexedDB) until uploaded, stay
 *   there shown in "Needs attention" if refused, and are retried from it — a plaintext password
 *   must not sit on a tablet's disk like that. Resetting a password needs the server anyway (an
 *   offline reset helps nobody sign in), so this one refuses when offline instead of queueing.
 *   It ends the person's sessions (their refresh tokens), and writes an audit row without the
 *   password.
 */
export function adminRoutes(pool: pg.Pool): Router {
  const router = Router();
  const adminOnly: RequestHandler = (req, _res, next) => {
    const { role } = caller(req);
    if (!mayDo(role, 'admin.manage')) return next(new HttpError(403, 'forbidden', `A ${role} cannot use the admin screens.`));
    next();
  };
  router.use('/admin', adminOnly);

  router.get('/admin/devices', async (req, res) => {
    const who = caller(req);
    const { rows } = await pool.query<AdminDevice>(
      `select d.id, d.name, d.user_agent as "userAgent", d.user_id as "userId", u.display_name as "userDisplayName",
              u.username, to_json(d.registered_at) #>> '{}' as "registeredAt", to_json(d.last_seen_at) #>> '{}' as "lastSeenAt",
              to_json(d.revoked_at) #>> '{}' as "revokedAt", r.display_name as "revokedByName"
         from devices d
         left join users u on u.id = d.user_id
         left join users r on r.id = d.revoked_by
        where d.site_id = $1
        order by d.revoked_at is not null, d.last_seen_at desc, d.id`,
      [who.siteId],
    );
    res.set('cache-control', 'no-store').json({ devices: rows });
  });

  const userParams = z.object({ id: z.uuid({ error: 'must be a user id (UUID)' }) });
  router.post('/admin/users/:id/password', async (req, res) => {
    const who = caller(req);
    const { id } = parseBody(userParams, req.params);
    const { password } = parseBody(setPasswordRequestSchema, req.body);
    await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ id: string }>('select id from users where id = $1 and site_id = $2 for update', [id, who.siteId]);
      if (!rows[0]) throw new HttpError(404, 'not_found', 'There is no such user in your yard.');
      await client.query('update users set password_hash = $2, updated_by = $3 where id = $1', [id, await hashPassword(password), who.userId]);
      // Whoever had the old password (or a tablet signed in with it) must sign in with the new one.
      await client.query(
        `update refresh_tokens set revoked_at = now(), revoked_reason = 'admin' where user_id = $1 and revoked_at is null`,
        [id],
      );
      await client.query(
        `insert into audit_log (id, site_id, user_id, device_id, command, entity, entity_id, after)
         values ($1, $2, $3, $4, 'user.setPassword', 'users', $5, '{"password":"changed"}')`,
        [uuidv7(), who.siteId, who.userId, who.deviceId ?? null, id],
      );
    });
    res.status(204).end();
  });
  return router;
}
