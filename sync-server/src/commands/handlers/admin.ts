import type { CommandArgs } from '@cimco/contract';
import { hashPassword } from '../../auth/passwords.ts';
import type { CommandContext, CommandEffect } from '../context.ts';
import { lockRow, type EditableTable } from '../field-edit.ts';
import { lockName } from '../references.ts';
import { CommandRefusal } from '../refusal.ts';
import { trainingUsername } from '../../training/training-yard.ts';
import { EQUIPMENT } from './equipment.ts';
import { ORDERS } from './orders.ts';
import { PARTS } from './parts.ts';
import { TASKS } from './tasks.ts';

const RESTORABLE: Record<string, EditableTable> = { equipment: EQUIPMENT, tasks: TASKS, parts: PARTS, incoming_orders: ORDERS };

/**
 * Reviewing a conflict: dismiss it, or restore the value a concurrent edit overwrote (which is
 * itself an edit: it bumps the row's version and syncs to every tablet).
 */
export async function resolveConflict(ctx: CommandContext, a: CommandArgs<'conflict.resolve'>): Promise<CommandEffect> {
  const conflict = await lockRow(ctx, { table: 'conflicts', noun: 'conflict' }, a.id);
  if (conflict.status !== 'open') {
    return { entity: 'conflicts', entityId: a.id, before: { status: conflict.status }, after: { status: conflict.status }, code: 'already_resolved' };
  }
  let status = 'dismissed';
  if (a.action === 'restore') {
    const spec = RESTORABLE[String(conflict.entity)];
    if (conflict.kind !== 'overwritten' || !spec || !conflict.field) {
      throw new CommandRefusal('not_restorable', 'Only an overwritten field can be restored; dismiss this one instead.');
    }
    // A restore is an edit: refused, like any edit, on a deleted part, a retired machine…
    const refusal = spec.refuse?.(await lockRow(ctx, spec, String(conflict.entity_id)));
    if (refusal) throw refusal;
    const column = String(conflict.field);
    const { rows } = await ctx.tx.query<{ ok: boolean }>(
      `select exists (select 1 from information_schema.columns where table_name = $1 and column_name = $2) as ok`,
      [conflict.entity, column],
    );
    if (!rows[0]?.ok) throw new CommandRefusal('not_restorable', 'The overwritten field no longer exists.');
    // The stored value is JSON; jsonb_populate_record turns it back into the column's type.
    await ctx.tx.query(
      `update ${conflict.entity} t set "${column}" = r."${column}", updated_by = $3
         from jsonb_populate_record(null::${conflict.entity}, jsonb_build_object($2::text, $4::jsonb)) r
        where t.id = $1 and t.site_id = $5`,
      [conflict.entity_id, column, ctx.userId, JSON.stringify(conflict.overwritten_value), ctx.siteId],
    );
    status = 'restored';
  }
  await ctx.tx.query(
    'update conflicts set status = $2, resolved_by = $3, resolved_at = now(), updated_by = $3 where id = $1',
    [a.id, status, ctx.userId],
  );
  return { entity: 'conflicts', entityId: a.id, before: { status: 'open' }, after: { status } };
}

export async function createUser(ctx: CommandContext, a: CommandArgs<'user.create'>): Promise<CommandEffect> {
  const username = await usernameInYard(ctx, a.username);
  // Usernames are unique across the server (login does not ask for a yard).
  await lockName(ctx, 'username', username, 'server');
  const taken = await ctx.tx.query('select 1 from users where username = $1', [username]);
  if (taken.rowCount) throw new CommandRefusal('duplicate_username', `The username ${username} is taken.`);
  await ctx.tx.query(
    `insert into users (id, site_id, username, display_name, role, locale, password_hash, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [a.id, ctx.siteId, username, a.displayName, a.role, a.locale ?? 'en', await hashPassword(a.password), ctx.userId],
  );
  // Never the password, not even hashed, in the audit log.
  return { entity: 'users', entityId: a.id, after: { username, displayName: a.displayName, role: a.role } };
}

/**
 * A training yard's new accounts carry its code (`bob@training-…`), like its own people: practice
 * must not take a username the live yard may want (training/training-yard.ts).
 */
async function usernameInYard(ctx: CommandContext, username: string): Promise<string> {
  const { rows } = await ctx.tx.query<{ code: string }>('select code from sites where id = $1 and training_for is not null', [ctx.siteId]);
  const code = rows[0]?.code;
  if (!code || username.endsWith(`@${code}`)) return username;
  return trainingUsername(username, code);
}

export async function updateUser(ctx: CommandContext, a: CommandArgs<'user.update'>): Promise<CommandEffect> {
  const user = await lockRow(ctx, { table: 'users', noun: 'user' }, a.id);
  if (a.id === ctx.userId && (a.active === false || (a.role && a.role !== 'admin'))) {
    throw new CommandRefusal('self_lockout', 'You cannot disable yourself or remove your own admin role.');
  }
  await ctx.tx.query(
    `update users set display_name = coalesce($2, display_name), role = coalesce($3, role),
            locale = coalesce($4, locale), active = coalesce($5, active), updated_by = $6 where id = $1`,
    [a.id, a.displayName ?? null, a.role ?? null, a.locale ?? null, a.active ?? null, ctx.userId],
  );
  if (a.active === false) {
    await ctx.tx.query(`update refresh_tokens set revoked_at = now(), revoked_reason = 'admin' where user_id = $1 and revoked_at is null`, [a.id]);
  }
  return {
    entity: 'users',
    entityId: a.id,
    before: { displayName: user.display_name, role: user.role, locale: user.locale, active: user.active },
    after: { displayName: a.displayName, role: a.role, locale: a.locale, active: a.active },
  };
}

/** A lost tablet: it can no longer sign in or refresh, and its sessions end. */
export async function revokeDevice(ctx: CommandContext, a: CommandArgs<'device.revoke'>): Promise<CommandEffect> {
  const device = await lockRow(ctx, { table: 'devices', noun: 'tablet' }, a.id);
  if (!device.revoked_at) {
    await ctx.tx.query('update devices set revoked_at = now(), revoked_by = $2 where id = $1', [a.id, ctx.userId]);
    await ctx.tx.query(
      `update refresh_tokens set revoked_at = now(), revoked_reason = 'device_revoked' where device_id = $1 and revoked_at is null`,
      [a.id],
    );
  }
  return { entity: 'devices', entityId: a.id, before: { revoked: Boolean(device.revoked_at) }, after: { revoked: true } };
}
