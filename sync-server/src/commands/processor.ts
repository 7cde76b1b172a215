import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { COMMANDS, mayRun, type CommandEnvelope, type MutationResult, type Role } from '@cimco/contract';
import { inTransaction } from '../db/database.ts';
import type { CommandContext, CommandEffect } from './context.ts';
import { HANDLERS } from './handlers/index.ts';
import { CommandRefusal } from './refusal.ts';

export interface Caller {
  userId: string;
  siteId: string;
  role: Role;
  deviceId: string;
}

/**
 * Applies one command, exactly once (DESIGN.md §4):
 *
 * - its own transaction, holding a lock on the mutation id, so a retried or duplicated command
 *   (the tablet re-posts after a lost answer) waits and then finds the stored result;
 * - authorise by role, validate with the contract's schema, run the command's handler, which
 *   applies its conflict rule;
 * - in the same transaction, write the `mutation_results` row (what the tablet learns through its
 *   shape, with the data change under one lsn) and, when applied, the `audit_log` row.
 *
 * A refusal rolls the handler's writes back but still records the result; when the refusal is
 * about a row (an edit of a deleted part…), what the user entered is kept in `conflicts`.
 */
export async function applyCommand(pool: pg.Pool, caller: Caller, envelope: CommandEnvelope): Promise<MutationResult> {
  return inTransaction(pool, async (tx) => {
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 7262021))', [envelope.mutationId]);
    const stored = await tx.query<{ device_id: string; status: MutationResult['status']; code: string | null; message: string | null; details: Record<string, unknown> | null }>(
      'select device_id, status, code, message, details from mutation_results where id = $1',
      [envelope.mutationId],
    );
    if (stored.rows[0]) {
      const row = stored.rows[0];
      if (row.device_id !== caller.deviceId) {
        return refused(envelope, 'duplicate_mutation_id', 'This mutation id was already used by another tablet.');
      }
      return {
        mutationId: envelope.mutationId,
        status: row.status,
        ...(row.code && { code: row.code }),
        ...(row.message && { message: row.message }),
        ...(row.details && { details: row.details }),
      };
    }

    const ctx: CommandContext = { tx, mutationId: envelope.mutationId, ...caller, clientTime: envelope.clientTime };
    let result: MutationResult;
    let entityId: string | null = null;
    await tx.query('savepoint command');
    try {
      const effect = await run(ctx, envelope);
      entityId = effect.entityId;
      await tx.query(
        `insert into audit_log (id, site_id, user_id, device_id, command, entity, entity_id, mutation_id, before, after, client_time)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [uuidv7(), caller.siteId, caller.userId, caller.deviceId, envelope.name, effect.entity, effect.entityId, envelope.mutationId,
          json(effect.before), json(effect.after), envelope.clientTime],
      );
      result = {
        mutationId: envelope.mutationId,
        status: effect.status ?? 'applied',
        ...(effect.code && { code: effect.code }),
        ...(effect.message && { message: effect.message }),
        ...(effect.details && { details: effect.details }),
      };
    } catch (error) {
      if (!(error instanceof CommandRefusal)) throw error;
      await tx.query('rollback to savepoint command');
      result = refused(envelope, error.code, error.message, error.details);
      if (error.keep) {
        entityId = error.keep.entityId;
        await tx.query(
          `insert into conflicts (id, site_id, kind, entity, entity_id, winning_value, mutation_id, device_id, user_id)
           values ($1, $2, 'refused', $3, $4, $5, $6, $7, $8)`,
          [uuidv7(), caller.siteId, error.keep.entity, error.keep.entityId, json(envelope.args), envelope.mutationId, caller.deviceId, caller.userId],
        );
      }
    }
    // mutation_results.message holds 1000 characters (a command wrong in every field can say more);
    // the details keep every field's messages.
    if (result.message && result.message.length > MAX_MESSAGE) result = { ...result, message: `${result.message.slice(0, MAX_MESSAGE - 1)}…` };
    await tx.query(
      `insert into mutation_results (id, site_id, device_id, user_id, command, status, code, message, details, entity_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [envelope.mutationId, caller.siteId, caller.deviceId, caller.userId, envelope.name, result.status,
        result.code ?? null, result.message ?? null, json(result.details), entityId],
    );
    return result;
  });
}

const MAX_MESSAGE = 1000;

async function run(ctx: CommandContext, envelope: CommandEnvelope): Promise<CommandEffect> {
  const command = COMMANDS[envelope.name];
  if (!mayRun(ctx.role, envelope.name)) {
    throw new CommandRefusal('forbidden', `A ${ctx.role} cannot run ${envelope.name}.`);
  }
  const parsed = command.args.safeParse(envelope.args);
  if (!parsed.success) {
    const fields: Record<string, string[]> = {};
    for (const issue of parsed.error.issues) (fields[issue.path.join('.') || '(args)'] ??= []).push(issue.message);
    const summary = Object.entries(fields).map(([f, m]) => `${f} ${m.join('; ')}`).join('. ');
    throw new CommandRefusal('invalid', `The ${envelope.name} command is not valid: ${summary}.`, { fields });
  }
  const handler = HANDLERS[envelope.name] as (ctx: CommandContext, args: unknown) => Promise<CommandEffect>;
  try {
    return await handler(ctx, parsed.data);
  } catch (error) {
    throw asRefusal(error) ?? error;
  }
}

/**
 * The database's own guards, as refusals: a row id used twice, a reference to nothing, a value a
 * CHECK constraint forbids. The handlers check the common cases with better messages first.
 */
function asRefusal(error: unknown): CommandRefusal | undefined {
  const { code, detail, constraint, column } = error as { code?: string; detail?: string; constraint?: string; column?: string };
  const about = detail ?? constraint ?? '';
  switch (code) {
    case '23505':
      return new CommandRefusal('already_exists', `That already exists (${about}).`);
    case '23503':
      return new CommandRefusal('unknown_reference', `It refers to something that does not exist (${about}).`);
    case '23514':
    case '23502':
      // Not the detail: it is the whole failing row, every column of it.
      return new CommandRefusal('invalid', `A value is not allowed (${constraint ?? column ?? 'a check failed'}).`);
  }
  return code?.startsWith('22') ? new CommandRefusal('invalid', `A value is not valid: ${(error as Error).message}.`) : undefined;
}

function refused(envelope: CommandEnvelope, code: string, message: string, details?: Record<string, unknown>): MutationResult {
  return { mutationId: envelope.mutationId, status: 'rejected', code, message, ...(details && { details }) };
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
