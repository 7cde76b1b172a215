import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { csvCell, visibleRows, type CsvKind, type SyncedTable } from '@cimco/contract';
import { caller } from '../auth/require-auth.ts';
import { HttpError } from '../http/errors.ts';

/**
 * GET /api/export/<list>.csv — any list as a spreadsheet-safe CSV file (FEATURES.md §9).
 *
 * - Streamed: a read-only REPEATABLE READ transaction declares a cursor and fetches it in batches
 *   into csv-stringify, with the response's back-pressure; the table is never held in memory, and
 *   the file is one consistent snapshot however long the download takes.
 * - Excel-friendly: a UTF-8 byte-order mark (so "Válvula" keeps its accent), CRLF line ends, human
 *   column headers, times in the yard's own time zone.
 * - Formula-injection safe (OWASP "CSV Injection"): a text cell starting with = + - @ tab or
 *   carriage return gets a leading single quote, so a part named `=HYPERLINK(…)` opens as text.
 *   Numbers in numeric columns are left alone: a quantity of -3 stays -3.
 * - Exactly the rows the caller's shapes show (the contract's `visibleRows`, the one visibility
 *   rule): their yard; a technician's own conflicts only; the audit log only for supervisors and
 *   admins. A list may leave out more (deleted parts and log entries), never show more.
 */

type Kind = CsvKind;
interface Column {
  header: string;
  /** An SQL expression over the list's FROM clause. Times are rendered as text in the yard's zone. */
  sql: string;
  kind?: Kind;
}
interface ExportList {
  /** The table the list is a view of: who may export it, and which rows, is that table's rule. */
  table: SyncedTable;
  alias: string;
  /** Joins for the columns (lookups only: never a join that filters rows). */
  joins?: string;
  /** Rows the list leaves out beyond the visibility rule (soft-deleted ones). */
  filter?: string;
  orderBy: string;
  columns: Column[];
}

const time = (expr: string) => `to_char(${expr}, 'YYYY-MM-DD HH24:MI:SS')`;
const num = (header: string, sql: string): Column => ({ header, sql, kind: 'number' });
const bool = (header: string, sql: string): Column => ({ header, sql, kind: 'bool' });
const col = (header: string, sql: string): Column => ({ header, sql });

export const EXPORTS = {
  parts: {
    table: 'parts',
    alias: 'p',
    filter: 'p.deleted_at is null',
    orderBy: 'upper(p.part_number), p.id',
    // The headers read back through POST /api/import/parts (see import-parts.ts).
    columns: [
      col('Part number', 'p.part_number'),
      col('Name', 'p.name'),
      col('Category', 'p.category'),
      col('Part type', 'p.part_type'),
      col('Manufacturer', 'p.manufacturer'),
      num('Quantity', 'p.quantity'),
      num('Min quantity', 'p.min_quantity'),
      col('Unit', 'p.unit'),
      col('Location', 'p.location'),
      num('Unit cost', 'p.unit_cost'),
      col('Supplier', 'p.supplier'),
      col('Description', 'p.description'),
      num('Lead time (days)', 'p.lead_time_days'),
      num('Wear rating', 'p.wear_rating'),
      col('Updated', time('p.updated_at')),
    ],
  },
  equipment: {
    table: 'equipment',
    alias: 'e',
    joins: 'left join equipment parent on parent.id = e.parent_id',
    orderBy: 'upper(e.tag), e.id',
    columns: [
      col('Tag', 'e.tag'),
      col('Name', 'e.name'),
      col('Type', 'e.type'),
      col('Area', 'e.area'),
      col('Status', 'e.status'),
      num('Criticality', 'e.criticality'),
      col('Make', 'e.make'),
      col('Model', 'e.model'),
      col('Serial', 'e.serial'),
      col('Part of', 'parent.tag'),
      num('Meter', 'e.meter'),
      col('Meter unit', 'e.meter_unit'),
      col('Status since', time('e.status_changed_at')),
      col('Notes', 'e.notes'),
      col('Updated', time('e.updated_at')),
    ],
  },
  tasks: {
    table: 'tasks',
    alias: 't',
    joins: `left join equipment e on e.id = t.equipment_id
      left join users assignee on assignee.id = t.assignee_id
      left join users creator on creator.id = t.created_by
      left join users completer on completer.id = t.completed_by`,
    orderBy: 't.created_at desc, t.id desc',
    columns: [
      col('Title', 't.title'),
      col('Equipment tag', 'e.tag'),
      col('Equipment', 'e.name'),
      num('Priority', 't.priority'),
      col('Category', 't.category'),
      col('Status', 't.status'),
      col('Assignee', 'assignee.display_name'),
      col('Due date', 't.due_date'),
      bool('LOTO confirmed', 't.loto_confirmed'),
      col('Description', 't.description'),
      col('Resolution', 't.resolution'),
      col('Created by', 'creator.display_name'),
      col('Created', time('t.created_at')),
      col('Completed by', 'completer.display_name'),
      col('Completed', time('t.completed_at')),
      col('Cancel reason', 't.cancelled_reason'),
    ],
  },
  logs: {
    table: 'logs',
    alias: 'l',
    joins: `left join equipment e on e.id = l.equipment_id
      left join users author on author.id = l.author_id
      left join tasks t on t.id = l.task_id`,
    filter: 'l.deleted_at is null',
    orderBy: 'l.created_at desc, l.id desc',
    columns: [
      col('Date', time('l.created_at')),
      col('Equipment tag', 'e.tag'),
      col('Equipment', 'e.name'),
      col('Kind', 'l.kind'),
      col('Entry', 'l.body'),
      col('Author', 'author.display_name'),
      num('Hours spent', 'l.hours_spent'),
      num('Meter reading', 'l.meter_reading'),
      bool('LOTO confirmed', 'l.loto_confirmed'),
      col('Task', 't.title'),
      col('Written on tablet at', time('l.client_created_at')),
    ],
  },
  movements: {
    table: 'stock_movements',
    alias: 'm',
    joins: `left join parts p on p.id = m.part_id
      left join tasks t on t.id = m.task_id
      left join equipment e on e.id = m.equipment_id
      left join incoming_orders o on o.id = m.order_id
      left join users author on author.id = m.author_id
      left join devices d on d.id = m.device_id`,
    orderBy: 'm.created_at desc, m.id desc',
    columns: [
      col('Date', time('m.created_at')),
      col('Part number', 'p.part_number'),
      col('Part', 'p.name'),
      num('Change', 'm.delta'),
      col('Reason', 'm.reason'),
      num('Quantity after', 'm.quantity_after'),
      col('From location', 'm.from_location'),
      col('To location', 'm.to_location'),
      col('Task', 't.title'),
      col('Equipment tag', 'e.tag'),
      col('Order number', 'o.order_number'),
      col('Note', 'm.note'),
      col('By', 'author.display_name'),
      col('Tablet', 'd.name'),
    ],
  },
  conflicts: {
    table: 'conflicts',
    alias: 'c',
    joins: `left join users u on u.id = c.user_id
      left join devices d on d.id = c.device_id
      left join users resolver on resolver.id = c.resolved_by`,
    orderBy: 'c.created_at desc, c.id desc',
    columns: [
      col('Date', time('c.created_at')),
      col('Kind', 'c.kind'),
      col('Status', 'c.status'),
      col('Entity', 'c.entity'),
      col('Item', `case c.entity
        when 'parts' then (select x.part_number || ' ' || x.name from parts x where x.id = c.entity_id)
        when 'equipment' then (select x.tag || ' ' || x.name from equipment x where x.id = c.entity_id)
        when 'tasks' then (select x.title from tasks x where x.id = c.entity_id)
        when 'incoming_orders' then (select x.order_number from incoming_orders x where x.id = c.entity_id)
        when 'knowledge' then (select x.problem from knowledge x where x.id = c.entity_id)
        end`),
      col('Item id', 'c.entity_id'),
      col('Field', 'c.field'),
      col('Overwritten value', 'c.overwritten_value::text'),
      col('Winning value', 'c.winning_value::text'),
      col('By', 'u.display_name'),
      col('Tablet', 'd.name'),
      col('Resolved by', 'resolver.display_name'),
      col('Resolved', time('c.resolved_at')),
    ],
  },
  audit: {
    table: 'audit_log',
    alias: 'a',
    joins: `left join users u on u.id = a.user_id
      left join devices d on d.id = a.device_id`,
    orderBy: 'a.server_time desc, a.id desc',
    columns: [
      col('Server time', time('a.server_time')),
      col('Tablet time', time('a.client_time')),
      col('User', 'u.display_name'),
      col('Username', 'u.username'),
      col('Tablet', 'd.name'),
      col('Command', 'a.command'),
      col('Entity', 'a.entity'),
      col('Entity id', 'a.entity_id'),
      col('Mutation id', 'a.mutation_id'),
      col('Before', 'a.before::text'),
      col('After', 'a.after::text'),
    ],
  },
} as const satisfies Record<string, ExportList>;

export type ExportName = keyof typeof EXPORTS;
export const EXPORT_NAMES = Object.keys(EXPORTS) as ExportName[];

/** Rows fetched per round trip to the cursor. */
export const EXPORT_BATCH_SIZE = 500;

/** One cell as text a spreadsheet shows literally: the contract's rule, shared with the tablet's exports. */
export { csvCell };

export async function exportCsv(pool: pg.Pool, req: Request, res: Response): Promise<void> {
  const who = caller(req);
  const match = /^([a-z]+)\.csv$/.exec(String(req.params.file));
  const name = match?.[1] as ExportName | undefined;
  if (!name || !Object.hasOwn(EXPORTS, name)) {
    throw new HttpError(404, 'not_found', `There is no such export. Available: ${EXPORT_NAMES.map((n) => `${n}.csv`).join(', ')}.`);
  }
  const list: ExportList = EXPORTS[name];
  const visible = visibleRows(list.table, who, { column: (c) => `${list.alias}.${c}` });
  if (!visible.ok) throw new HttpError(403, 'forbidden', `A ${who.role} cannot export the ${name} list (${visible.reason}).`);

  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    // Times in the yard's own zone (a session setting local to this transaction).
    const site = await client.query<{ timezone: string; valid: boolean }>(
      `select s.timezone, exists (select 1 from pg_timezone_names where name = s.timezone) as valid from sites s where s.id = $1`,
      [who.siteId],
    );
    const timezone = site.rows[0]?.valid ? site.rows[0].timezone : 'UTC';
    const { rows } = await client.query<{ today: string }>(
      `select set_config('timezone', $1, true), to_char(now(), 'YYYY-MM-DD') as today`,
      [timezone],
    );
    const filename = `${name}-${rows[0]!.today}.csv`;
    await client.query(
      `declare export_rows no scroll cursor for
       select ${list.columns.map((c) => c.sql).join(', ')}
         from ${list.table} ${list.alias} ${list.joins ?? ''}
        where (${visible.where})${list.filter ? ` and (${list.filter})` : ''}
        order by ${list.orderBy}`,
      visible.params,
    );

    res.status(200).set({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    });
    const kinds = list.columns.map((c) => c.kind ?? 'text');
    async function* records(): AsyncGenerator<string[]> {
      yield list.columns.map((c) => c.header);
      for (;;) {
        const batch = await client.query<unknown[]>({ text: `fetch ${EXPORT_BATCH_SIZE} from export_rows`, rowMode: 'array' });
        for (const row of batch.rows) yield row.map((value, i) => csvCell(value, kinds[i]));
        if (batch.rows.length < EXPORT_BATCH_SIZE) return;
      }
    }
    try {
      await pipeline(Readable.from(records()), stringify({ bom: true, record_delimiter: 'windows' }), res);
    } catch (error) {
      // Once the file has started, an error can only cut the download short (the browser shows it
      // failed); a reader who went away is not an error at all.
      if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
        req.log?.debug({ export: name }, 'export download abandoned by the client');
      } else {
        req.log?.error({ err: error, export: name }, 'export failed part-way');
      }
    }
  } finally {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    client.release(broken);
  }
}
