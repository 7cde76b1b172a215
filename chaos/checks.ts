import { SHAPE_RULES } from '@cimco/contract';
import type pg from 'pg';
import { tablesFor } from '../client/src/leader/shape-sync.ts';
import { syncedTableName } from '../client/src/db/synced-columns.ts';
import { readSession } from '../client/src/session/local-session.ts';
import { canonicalRows, scopeSql } from '../sync-server/test/support/shapes.ts';
import type { ChaosTablet } from './fleet.ts';
import type { DuplicatedPost } from './proxy.ts';

/**
 * What a chaos run must end with, once every fault is healed and every tablet has settled. Each
 * check reads the server's tables with plain SQL and the tablets' own databases: nothing here goes
 * through the code under test.
 */
export interface CheckResult {
  name: string;
  ok: boolean;
  /** One line of figures, printed whether it passed or not. */
  summary: string;
  /** What broke (the first ones; `summary` has the counts). */
  problems: string[];
}

const SHOWN = 10;

function result(name: string, summary: string, problems: string[]): CheckResult {
  return { name, ok: problems.length === 0, summary, problems: problems.slice(0, SHOWN) };
}

export interface CommandOutcomes {
  byStatus: Map<string, number>;
  refusalCodes: Map<string, number>;
}

/**
 * Every command a tablet recorded has exactly one result on the server (`mutation_results`, keyed
 * by its mutation id: none missing — a refusal is an answer, not a loss), and was applied at most
 * once: one `audit_log` row for an applied command, none for a refused one. No result for these
 * tablets exists that no tablet recorded.
 */
export async function checkExactlyOnce(pool: pg.Pool, tablets: readonly ChaosTablet[]): Promise<{ check: CheckResult; outcomes: CommandOutcomes }> {
  const { rows } = await pool.query<{ id: string; status: string; code: string | null; audits: number }>(
    `select m.id::text, m.status, m.code, (select count(*)::int from audit_log a where a.mutation_id = m.id) as audits
       from mutation_results m where m.device_id = any($1::uuid[])`,
    [tablets.map((t) => t.deviceId)],
  );
  const results = new Map(rows.map((row) => [row.id, row]));
  const recorded = new Map(tablets.flatMap((t) => t.recorded.map((c) => [c.mutationId, { ...c, tablet: t.name }] as const)));
  const problems: string[] = [];
  const outcomes: CommandOutcomes = { byStatus: new Map(), refusalCodes: new Map() };
  let lost = 0;
  let twice = 0;
  for (const [id, command] of recorded) {
    const row = results.get(id);
    if (!row) {
      lost++;
      problems.push(`lost: ${command.name} ${id} of ${command.tablet} has no result on the server`);
      continue;
    }
    outcomes.byStatus.set(row.status, (outcomes.byStatus.get(row.status) ?? 0) + 1);
    if (row.status === 'rejected') outcomes.refusalCodes.set(row.code ?? '?', (outcomes.refusalCodes.get(row.code ?? '?') ?? 0) + 1);
    const expected = row.status === 'rejected' ? 0 : 1;
    if (row.audits !== expected) {
      twice++;
      problems.push(`${row.audits > 1 ? 'applied twice' : 'applied wrongly'}: ${command.name} ${id} (${row.status}) of ${command.tablet} has ${row.audits} audit rows, expected ${expected}`);
    }
  }
  const strangers = rows.filter((row) => !recorded.has(row.id));
  for (const row of strangers) problems.push(`a result nobody recorded: ${row.id} (${row.status})`);
  const check = result(
    'commands recorded = commands answered once',
    `${recorded.size} recorded, ${results.size} results on the server, ${lost} lost, ${twice} applied other than once, ${strangers.length} unknown`,
    problems,
  );
  return { check, outcomes };
}

/** PostgreSQL outages, each from its kill to the end of its restart. */
export type Outages = readonly { from: number; to: number }[];

/** A server answering 5xx this long after PostgreSQL is back is still recovering (pools reconnecting). */
const RECOVERY_MS = 3_000;

function duringOutage(at: number, outages: Outages): boolean {
  return outages.some((outage) => at >= outage.from && at <= outage.to + RECOVERY_MS);
}

/**
 * A command upload delivered twice (the proxy's duplicate-posts fault) got the same answer both
 * times: the second copy waits for the first on the mutation-id lock and returns its stored
 * result. A copy cut off (a server or network killed under it), or failing while the database was
 * down, has nothing to compare.
 */
export function checkDuplicatedPosts(duplicates: readonly DuplicatedPost[], outages: Outages): CheckResult {
  const problems: string[] = [];
  let compared = 0;
  let oneCopyLost = 0;
  for (const { at, first, second } of duplicates) {
    const failed = (status: number | 'reset') => status === 'reset' || (status >= 500 && duringOutage(at, outages));
    if (failed(first.status) || failed(second.status)) {
      oneCopyLost++;
      continue;
    }
    compared++;
    if (first.status !== second.status) {
      problems.push(`the two copies of one upload were answered ${first.status} and ${second.status}: ${(first.status === 200 ? second : first).body.slice(0, 200)}`);
      continue;
    }
    if (first.status !== 200) continue;
    const a = answers(first.body);
    const b = answers(second.body);
    for (const [id, answer] of a) {
      if (b.get(id) !== answer) problems.push(`mutation ${id} was answered "${answer}" and "${b.get(id) ?? 'nothing'}"`);
    }
  }
  return result('a duplicated upload is answered alike', `${duplicates.length} uploads sent twice, ${compared} answer pairs compared, ${oneCopyLost} with a copy cut or failed in an outage`, problems);
}

function answers(body: string): Map<string, string> {
  const parsed = JSON.parse(body) as { results: { mutationId: string; status: string; code?: string }[] };
  return new Map(parsed.results.map((r) => [r.mutationId, `${r.status}${r.code ? ` ${r.code}` : ''}`]));
}

/** Every server error the proxy passed on came while PostgreSQL was down (or just restarting). */
export function checkServerErrors(errors: readonly { at: number; status: number; path: string }[], outages: Outages): CheckResult {
  const unexplained = errors.filter((e) => !duringOutage(e.at, outages));
  return result(
    'no server error while the database was up',
    `${errors.length} answers 5xx, ${errors.length - unexplained.length} during a PostgreSQL outage`,
    unexplained.map((e) => `${e.status} on ${e.path} at ${new Date(e.at).toISOString()}`),
  );
}

/**
 * Every tablet's synced tables equal the server's rows it may see (its role's tables, its yard,
 * its own command results), row for row, as PostgreSQL's own JSON text of each row.
 */
export async function checkConvergence(pool: pg.Pool, tablets: readonly ChaosTablet[]): Promise<CheckResult> {
  const problems: string[] = [];
  let compared = 0;
  let rowsCompared = 0;
  for (const tablet of tablets) {
    const session = await readSession(tablet.pg);
    if (!session) {
      problems.push(`${tablet.name}: nobody is signed in any more`);
      continue;
    }
    const caller = { siteId: tablet.siteId, userId: tablet.userId, role: tablet.role, deviceId: tablet.deviceId };
    for (const table of tablesFor(session)) {
      const scope = scopeSql(table, caller);
      const expected = await canonicalRows(pool, table, scope.where, scope.params, SHAPE_RULES[table].hiddenColumns ?? []);
      const actual = await canonicalRows(tablet.pg, syncedTableName(table));
      compared++;
      rowsCompared += expected.length;
      if (!sameRows(expected, actual)) problems.push(`${tablet.name}: ${table} differs: ${describeDifference(expected, actual)}`);
    }
  }
  return result('every tablet equals the server', `${tablets.length} tablets, ${compared} tables, ${rowsCompared} server rows compared`, problems);
}

function sameRows(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((row, i) => row === b[i]);
}

function describeDifference(expected: readonly string[], actual: readonly string[]): string {
  const have = new Set(actual);
  const want = new Set(expected);
  const missing = expected.filter((row) => !have.has(row));
  const extra = actual.filter((row) => !want.has(row));
  return `${expected.length} rows on the server, ${actual.length} on the tablet; missing ${missing.length} (e.g. ${missing[0]?.slice(0, 160) ?? '-'}), extra ${extra.length} (e.g. ${extra[0]?.slice(0, 160) ?? '-'})`;
}

/** The stock ledger: every part's quantity is the sum of its movements. */
export async function checkLedger(pool: pg.Pool): Promise<CheckResult> {
  const { rows } = await pool.query<{ id: string; quantity: number; sum: number }>(
    `select p.id::text, p.quantity, coalesce(sum(m.delta), 0)::int as sum
       from parts p left join stock_movements m on m.part_id = p.id
      group by p.id having p.quantity <> coalesce(sum(m.delta), 0)`,
  );
  const { rows: totals } = await pool.query<{ parts: number; movements: number }>(
    'select (select count(*)::int from parts) as parts, (select count(*)::int from stock_movements) as movements',
  );
  return result(
    'parts.quantity = Σ stock movements',
    `${totals[0]!.parts} parts, ${totals[0]!.movements} movements, ${rows.length} parts off`,
    rows.map((r) => `part ${r.id}: quantity ${r.quantity}, movements sum to ${r.sum}`),
  );
}

/** Every command the server refused is in its tablet's Needs attention with the server's reason, and nothing else is. */
export async function checkRefusalsVisible(pool: pg.Pool, tablets: readonly ChaosTablet[]): Promise<CheckResult> {
  const problems: string[] = [];
  let refused = 0;
  for (const tablet of tablets) {
    const { rows: server } = await pool.query<{ id: string; code: string | null }>(
      `select id::text, code from mutation_results where device_id = $1 and status = 'rejected'`,
      [tablet.deviceId],
    );
    const { rows: local } = await tablet.pg.query<{ id: string; code: string | null }>('select mutation_id::text as id, code from needs_attention');
    const shown = new Map(local.map((row) => [row.id, row.code]));
    const refusedHere = new Set(server.map((row) => row.id));
    refused += server.length;
    for (const row of server) {
      if (!shown.has(row.id)) problems.push(`${tablet.name}: refusal ${row.id} (${row.code}) is not in Needs attention`);
      else if (shown.get(row.id) !== row.code) problems.push(`${tablet.name}: refusal ${row.id} shows code ${shown.get(row.id)}, the server said ${row.code}`);
    }
    for (const row of local) {
      if (!refusedHere.has(row.id)) problems.push(`${tablet.name}: ${row.id} is in Needs attention but the server did not refuse it (${row.code})`);
    }
  }
  return result('every refusal is on its tablet', `${refused} refusals, each looked up on its tablet`, problems);
}
