import Papa from 'papaparse';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import {
  COMMANDS,
  type CommandArgs,
  type CommandEnvelope,
  type CommandName,
  type ImportField,
  type ImportFileProblem,
  type ImportProblem,
  type MutationResult,
} from '@cimco/contract';
import { applyCommand, type Caller } from '../commands/processor.ts';
import { HttpError } from '../http/errors.ts';

/**
 * A parts catalogue from a spreadsheet (FEATURES.md §9): preview first, then apply.
 *
 * The file is what people really have: Excel's "CSV UTF-8" (with a byte-order mark) or plain CSV,
 * Windows line ends, commas inside quoted names, empty cells, stray spaces, `;` as the separator
 * (Spanish-locale Excel), headers spelled "Part Number", "part_number" or "Qty". Each data row is
 * checked against the same schema as the tablet's `part.create` command, so what passes the preview
 * is what the command accepts.
 *
 * - A part number repeated in the file (whatever its case) is an error on the later rows.
 * - A part number already in the yard is skipped, and the report says so: an import never
 *   overwrites what the storeroom has been editing (edit those parts in the app).
 * - Applying creates each valid row **as commands** through the command processor — `part.create`,
 *   then `stock.adjust` (reason `count`) for a nonzero quantity — from the caller's tablet with
 *   fresh mutation ids: audited, acknowledged in `mutation_results` and synced like any tablet edit.
 *   Rows with errors are left out; the valid ones are applied.
 */

export const MAX_PREVIEW_ROWS = 20;
const MAX_QUANTITY = 1_000_000;

const TEXT_FIELDS = ['partNumber', 'name', 'category', 'partType', 'manufacturer', 'supplier', 'location', 'unit', 'description'] as const;
type NumberField = 'quantity' | 'minQuantity' | 'unitCost' | 'leadTimeDays' | 'wearRating';
type Field = ImportField;

/**
 * Accepted headers, compared in lower case without accents, spaces, underscores, dashes, dots or
 * brackets: English, and the Spanish the tablet's own export writes for a Spanish reader.
 */
const FIELDS: Record<Field, { label: string; headers: string[] }> = {
  partNumber: { label: 'part number', headers: ['partnumber', 'partno', 'partnum', 'part#', 'number', 'pn', 'numerodeparte', 'numeroparte', 'referencia'] },
  name: { label: 'name', headers: ['name', 'partname', 'nombre'] },
  category: { label: 'category', headers: ['category', 'categoria'] },
  partType: { label: 'part type', headers: ['parttype', 'type', 'tipodepieza'] },
  manufacturer: { label: 'manufacturer', headers: ['manufacturer', 'mfr', 'mfg', 'fabricante'] },
  supplier: { label: 'supplier', headers: ['supplier', 'vendor', 'proveedor'] },
  quantity: { label: 'quantity', headers: ['quantity', 'qty', 'onhand', 'stock', 'cantidad', 'existencias'] },
  minQuantity: { label: 'min quantity', headers: ['minquantity', 'minqty', 'min', 'minimum', 'reorderpoint', 'cantidadminima', 'minimo'] },
  location: { label: 'location', headers: ['location', 'bin', 'ubicacion'] },
  unitCost: { label: 'unit cost', headers: ['unitcost', 'cost', 'price', 'costeunitario', 'costounitario', 'precio'] },
  unit: { label: 'unit', headers: ['unit', 'uom', 'unidad'] },
  leadTimeDays: { label: 'lead time', headers: ['leadtimedays', 'leadtime', 'plazodeentregadias', 'plazodeentrega'] },
  wearRating: { label: 'wear rating', headers: ['wearrating', 'wear', 'desgaste'] },
  description: { label: 'description', headers: ['description', 'desc', 'descripcion'] },
};
const HEADER_TO_FIELD = new Map<string, Field>(
  (Object.entries(FIELDS) as [Field, { headers: string[] }][]).flatMap(([field, { headers }]) => headers.map((h) => [h, field] as const)),
);

export function headerKey(header: string): string {
  return header.replace(/^\uFEFF/, '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[\s_\-.()[\]/]+/g, '');
}

/** A row as read from the file, before validation. */
export interface CsvRow {
  /** The file line the row starts on (line 1 is the header when it is the first line). */
  line: number;
  values: Partial<Record<Field, string>>;
  /** Problems with the row's shape (quotes, cell count, encoding). */
  problems: RowProblem[];
}

export interface ParsedCsv {
  columns: { header: string; field: Field | null }[];
  ignoredColumns: string[];
  rows: CsvRow[];
}

/** One problem of a row: its code and details for the tablet's words, and an English sentence. */
export interface RowProblem extends ImportProblem {
  message: string;
}

/**
 * A whole-file problem (no header, no part number column…): 400, nothing is checked row by row.
 * `fields.reason` holds its code (and `fields.column` the column) for the tablet's words.
 */
function fileError(reason: ImportFileProblem, message: string, column?: Field): HttpError {
  return new HttpError(400, 'invalid_csv', message, { reason: [reason], ...(column && { column: [column] }) });
}

function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/[\r\n]|$/));
  const counts = [',', ';', '\t'].map((d) => [d, firstLine.split(d).length - 1] as const);
  const [best] = counts.toSorted((a, b) => b[1] - a[1]);
  return best && best[1] > 0 ? best[0] : ',';
}

export function parsePartsCsv(raw: string): ParsedCsv {
  const text = raw.replace(/^\uFEFF/, '');
  if (!text.trim()) throw fileError('empty', 'The file is empty. Send a CSV file whose first row names the columns (part number, name, quantity…).');
  const delimiter = detectDelimiter(text);

  let header: { header: string; field: Field | null }[] | undefined;
  const rows: CsvRow[] = [];
  // Line numbers: papaparse reports where each row ends; a row starts where the previous one ended.
  let start = 0;
  let line = 1;
  let counted = 0;
  const lineAt = (offset: number) => {
    // \n, \r\n and old Mac \r line ends.
    for (; counted < offset; counted++) {
      const c = text.charCodeAt(counted);
      if (c === 10 || (c === 13 && text.charCodeAt(counted + 1) !== 10)) line++;
    }
    return line;
  };

  Papa.parse<string[]>(text, {
    delimiter,
    step(result) {
      const rowLine = lineAt(start);
      start = result.meta.cursor;
      const cells = result.data;
      if (cells.every((cell) => cell.trim() === '')) return;
      if (!header) {
        header = cells.map((cell) => ({ header: cell.trim(), field: HEADER_TO_FIELD.get(headerKey(cell)) ?? null }));
        return;
      }
      const problems: RowProblem[] = result.errors.map((e) =>
        e.type === 'Quotes'
          ? { code: 'quotes', message: `the quotes do not match (${e.message}): a cell that contains commas or quotes must be wrapped in "…", with inner quotes doubled ("")` }
          : { code: 'malformed', message: e.message },
      );
      const extra = cells.slice(header.length).filter((cell) => cell.trim() !== '');
      if (extra.length > 0) {
        problems.push({
          code: 'cell_count',
          value: String(cells.length),
          limit: header.length,
          message: `has ${cells.length} cells but the header has ${header.length}: is a comma inside a cell missing its quotes?`,
        });
      }
      if (cells.some((cell) => cell.includes('\uFFFD'))) {
        problems.push({ code: 'encoding', message: 'has characters that are not UTF-8: save the file as "CSV UTF-8 (Comma delimited)"' });
      }
      const values: CsvRow['values'] = {};
      header.forEach((column, i) => {
        if (!column.field) return;
        const cell = cells[i] ?? '';
        // Stray spaces around and inside one-line cells; descriptions keep their line breaks.
        values[column.field] = column.field === 'description' ? cell.trim() : cell.replace(/\s+/g, ' ').trim();
      });
      rows.push({ line: rowLine, values, problems });
    },
  });

  if (!header) throw fileError('no_header', 'The file has no header row.');
  const columns: { header: string; field: Field | null }[] = header;
  const found = columns.map((c) => `"${c.header}"`).join(', ');
  for (const field of ['partNumber', 'name'] as const) {
    if (!columns.some((c) => c.field === field)) {
      throw fileError(
        'missing_column',
        `The file has no ${FIELDS[field].label} column (its first row is ${found}). ` +
          `Name the columns in the first row, e.g. part_number, name, category, part_type, manufacturer, quantity, min_quantity, location, unit_cost, supplier, description.`,
        field,
      );
    }
  }
  for (const field of Object.keys(FIELDS) as Field[]) {
    const same = columns.filter((c) => c.field === field);
    if (same.length > 1) {
      throw fileError('duplicate_column', `The columns ${same.map((c) => `"${c.header}"`).join(' and ')} both mean ${FIELDS[field].label}; keep one.`, field);
    }
  }
  if (rows.length === 0) throw fileError('no_rows', 'The file has a header row but no parts under it.');
  return {
    columns,
    ignoredColumns: columns.filter((c) => !c.field && c.header !== '').map((c) => c.header),
    rows,
  };
}

// ---- validation -------------------------------------------------------------------------------

type PartArgs = CommandArgs<'part.create'>;
/** What one valid row will create. */
export interface PartPreview {
  line: number;
  partNumber: string;
  name: string;
  category: string | null;
  partType: string | null;
  manufacturer: string | null;
  supplier: string | null;
  quantity: number;
  minQuantity: number;
  location: string | null;
  unitCost: number | null;
  unit: string;
  description: string | null;
}
interface CheckedRow {
  line: number;
  partNumber: string | null;
  problems: RowProblem[];
  args?: Omit<PartArgs, 'id'>;
  quantity: number;
}

const partCreate = COMMANDS['part.create'].args;
const PLACEHOLDER_ID = '00000000-0000-7000-8000-000000000000';

function parseWhole(raw: string): number | undefined {
  const text = raw.replace(/\s/g, '');
  if (/^[+-]?\d{1,3}(,\d{3})+$/.test(text)) return Number(text.replace(/,/g, ''));
  if (/^[+-]?\d+(\.0*)?$/.test(text)) return Number(text);
  return undefined;
}

function parseMoney(raw: string): number | undefined {
  const text = raw.replace(/\s/g, '').replace(/^[$€£]/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(text)) return Number(text.replace(/,/g, ''));
  if (/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return Number(text);
  return undefined;
}

export function checkRow(row: CsvRow): CheckedRow {
  const v = row.values;
  const problems = [...row.problems];
  const args: Record<string, unknown> = { id: PLACEHOLDER_ID, partNumber: v.partNumber ?? '', name: v.name ?? '' };
  for (const field of TEXT_FIELDS) {
    if (field !== 'partNumber' && field !== 'name' && v[field]) args[field] = v[field];
  }

  const number = (field: NumberField, parse: (raw: string) => number | undefined, what: string) => {
    const raw = v[field];
    if (!raw) return undefined;
    const value = parse(raw);
    if (value === undefined) {
      problems.push({ code: parse === parseMoney ? 'not_amount' : 'not_whole_number', field, value: raw, message: `${FIELDS[field].label} "${raw}" is not ${what}` });
    }
    return value;
  };
  const quantity = number('quantity', parseWhole, 'a whole number') ?? 0;
  if (quantity < 0) problems.push({ code: 'negative', field: 'quantity', value: String(quantity), message: `quantity must not be negative (${quantity})` });
  else if (quantity > MAX_QUANTITY) {
    problems.push({ code: 'too_large', field: 'quantity', limit: MAX_QUANTITY, message: `quantity must be at most ${MAX_QUANTITY.toLocaleString('en')}` });
  }
  const wholes = [['minQuantity', 'a whole number'], ['leadTimeDays', 'a whole number of days'], ['wearRating', 'a whole number from 1 to 5']] as const;
  for (const [field, what] of wholes) {
    const value = number(field, parseWhole, what);
    if (value !== undefined) args[field] = value;
  }
  const unitCost = number('unitCost', parseMoney, 'an amount like 12.50');
  if (unitCost !== undefined) args.unitCost = unitCost;

  const parsed = partCreate.safeParse(args);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as Field | undefined;
      const known = field && FIELDS[field] ? field : undefined;
      problems.push({ ...problemOf(issue), ...(known && { field: known }), message: `${known ? FIELDS[known].label : 'row'} ${issue.message}` });
    }
  }
  const partNumber = v.partNumber || null;
  if (problems.length > 0 || !parsed.success) return { line: row.line, partNumber, problems, quantity };
  const { id: _placeholder, ...valid } = parsed.data;
  return { line: row.line, partNumber, problems, args: valid, quantity };
}

/** A schema issue of `part.create` as a problem code (and its bound). */
function problemOf(issue: z.core.$ZodIssue): Pick<ImportProblem, 'code' | 'limit'> {
  const bound = (value: unknown) => Number(value);
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return bound(issue.minimum) <= 1 ? { code: 'required' } : { code: 'too_small', limit: bound(issue.minimum) };
      return { code: 'too_small', limit: bound(issue.minimum) };
    case 'too_big':
      return issue.origin === 'string' ? { code: 'too_long', limit: bound(issue.maximum) } : { code: 'too_big', limit: bound(issue.maximum) };
    case 'not_multiple_of':
      return { code: 'cents' };
    case 'custom':
      return (issue.params as { code?: string } | undefined)?.code === 'invalid_characters' ? { code: 'invalid_characters' } : { code: 'invalid' };
    default:
      return { code: 'invalid' };
  }
}

// ---- the report ---------------------------------------------------------------------------------

export interface ImportReport {
  dryRun: boolean;
  /** Data rows in the file (blank lines not counted). */
  rows: number;
  /** Rows without errors (including those skipped because the part exists). */
  valid: number;
  /** Valid rows that are (or would be) created. */
  toCreate: number;
  columns: { header: string; field: Field | null }[];
  ignoredColumns: string[];
  errors: { line: number; partNumber: string | null; messages: string[]; problems: ImportProblem[] }[];
  willCreate: PartPreview[];
  skipped: { line: number; partNumber: string; existingPartId: string; existingName: string; deleted: boolean; message: string }[];
  /** Applied imports only. */
  created?: number;
  rejected?: number;
  results?: RowResult[];
}

export interface RowResult {
  line: number;
  partNumber: string;
  status: 'created' | 'rejected';
  partId?: string;
  quantity: number;
  /** The commands sent for this row, in order (their mutation_results rows). */
  mutationIds: string[];
  code?: string;
  message?: string;
}

interface Plan {
  report: ImportReport;
  creates: { line: number; args: Omit<PartArgs, 'id'>; quantity: number }[];
}

export async function planPartsImport(db: pg.Pool, siteId: string, csv: string, dryRun: boolean): Promise<Plan> {
  const parsed = parsePartsCsv(csv);
  const checked = parsed.rows.map(checkRow);

  const firstLine = new Map<string, number>();
  for (const row of checked) {
    if (!row.partNumber) continue;
    const key = row.partNumber.toUpperCase();
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, row.line);
    else {
      row.problems.push({
        code: 'duplicate_in_file',
        field: 'partNumber',
        value: row.partNumber,
        firstLine: first,
        message: `part number ${row.partNumber} is already on line ${first} of this file`,
      });
    }
  }

  const valid = checked.filter((row) => row.problems.length === 0 && row.args);
  const { rows: existing } = await db.query<{ id: string; key: string; name: string; deleted: boolean }>(
    `select id, upper(part_number) as key, name, deleted_at is not null as deleted
       from parts where site_id = $1 and upper(part_number) = any($2::text[])`,
    [siteId, valid.map((row) => row.args!.partNumber.toUpperCase())],
  );
  const inYard = new Map(existing.map((part) => [part.key, part]));

  const report: ImportReport = {
    dryRun,
    rows: checked.length,
    valid: valid.length,
    toCreate: 0,
    columns: parsed.columns,
    ignoredColumns: parsed.ignoredColumns,
    errors: checked
      .filter((row) => row.problems.length > 0)
      .map((row) => ({
        line: row.line,
        partNumber: row.partNumber,
        messages: row.problems.map((p) => p.message),
        problems: row.problems.map(({ message: _message, ...problem }) => problem),
      })),
    willCreate: [],
    skipped: [],
  };
  const creates: Plan['creates'] = [];
  for (const row of valid) {
    const args = row.args!;
    const part = inYard.get(args.partNumber.toUpperCase());
    if (part) {
      report.skipped.push({
        line: row.line,
        partNumber: args.partNumber,
        existingPartId: part.id,
        existingName: part.name,
        deleted: part.deleted,
        message: `Part number ${args.partNumber} already exists${part.deleted ? ' (deleted)' : ''} as "${part.name}" — skipped, not updated. Edit it in the app.`,
      });
      continue;
    }
    creates.push({ line: row.line, args, quantity: row.quantity });
    if (report.willCreate.length < MAX_PREVIEW_ROWS) {
      report.willCreate.push({
        line: row.line,
        partNumber: args.partNumber,
        name: args.name,
        category: args.category ?? null,
        partType: args.partType ?? null,
        manufacturer: args.manufacturer ?? null,
        supplier: args.supplier ?? null,
        quantity: row.quantity,
        minQuantity: args.minQuantity,
        location: args.location ?? null,
        unitCost: args.unitCost ?? null,
        unit: args.unit,
        description: args.description ?? null,
      });
    }
  }
  report.toCreate = creates.length;
  return { report, creates };
}

/** Creates the planned parts as the caller's tablet would: one command at a time, each audited. */
export async function applyPartsImport(
  db: pg.Pool,
  who: Caller,
  plan: Plan,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportReport> {
  const results: RowResult[] = [];
  const send = <N extends CommandName>(name: N, args: CommandArgs<N>): Promise<MutationResult> => {
    const envelope: CommandEnvelope = { mutationId: uuidv7(), name, args, clientTime: new Date().toISOString() };
    return applyCommand(db, who, envelope);
  };
  for (const { line, args, quantity } of plan.creates) {
    const partId = uuidv7();
    const created = await send('part.create', { id: partId, ...args });
    const result: RowResult = { line, partNumber: args.partNumber, status: 'created', partId, quantity, mutationIds: [created.mutationId] };
    if (created.status === 'rejected') {
      results.push({ line, partNumber: args.partNumber, status: 'rejected', quantity, mutationIds: [created.mutationId], code: created.code, message: created.message });
      onProgress?.(results.length, plan.creates.length);
      continue;
    }
    if (quantity !== 0) {
      const counted = await send('stock.adjust', { reason: 'count', movementId: uuidv7(), partId, counted: quantity, note: 'Counted in the imported catalogue (CSV)' });
      result.mutationIds.push(counted.mutationId);
      if (counted.status === 'rejected') {
        Object.assign(result, { code: counted.code, message: `Created, but its quantity was not recorded: ${counted.message}` });
      }
    }
    results.push(result);
    onProgress?.(results.length, plan.creates.length);
  }
  return {
    ...plan.report,
    created: results.filter((r) => r.status === 'created').length,
    rejected: results.filter((r) => r.status === 'rejected').length,
    results,
  };
}

export const importQuerySchema = z.strictObject({
  dryRun: z.enum(['true', 'false'], { error: 'must be true (preview, writes nothing) or false (apply)' }).default('true'),
  /**
   * `ndjson`: the applied import answers as it goes, one JSON object a line — `{"type":"progress",
   * "done","total"}` after each row, then `{"type":"report","report":…}` (or `{"type":"error"}` if it
   * broke off) — so the tablet's progress bar shows the rows really applied.
   */
  progress: z.enum(['ndjson'], { error: 'must be ndjson (or left out)' }).optional(),
});
