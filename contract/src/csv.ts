import { z } from 'zod';

/**
 * Spreadsheet-safe CSV, one rule for the server's exports and the tablet's (FEATURES.md §9).
 *
 * Formula injection (OWASP "CSV Injection"): a text cell starting with = + - @ tab or carriage
 * return is read as a formula by Excel, LibreOffice and Google Sheets, so it gets a leading single
 * quote and opens as the text it is (a part named `=HYPERLINK(…)` stays a name). Numbers in
 * numeric columns are left alone: a quantity of -3 stays -3.
 */
export type CsvKind = 'text' | 'number' | 'bool';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** One cell as text a spreadsheet shows literally. `yes`/`no` are the words for booleans. */
export function csvCell(value: unknown, kind: CsvKind = 'text', words: { yes: string; no: string } = { yes: 'yes', no: 'no' }): string {
  if (value === null || value === undefined) return '';
  if (kind === 'bool' && typeof value === 'boolean') return value ? words.yes : words.no;
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (kind === 'number' && PLAIN_NUMBER.test(text)) return text;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting: a cell with a comma, quote or line break is wrapped in quotes, inner quotes doubled. */
function quote(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

/**
 * A whole file as Excel opens it cleanly: a UTF-8 byte-order mark (so "Válvula" keeps its accent),
 * CRLF line ends, the header row first. `rows` are already made safe with csvCell.
 */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header, ...rows].map((cells) => cells.map(quote).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// ---- the parts-catalog import's report (POST /api/import/parts) ------------------------------


/** The columns an imported catalog may have (what each row of the file fills in). */
export const IMPORT_FIELDS = [
  'partNumber', 'name', 'category', 'partType', 'manufacturer', 'supplier', 'quantity', 'minQuantity',
  'location', 'unitCost', 'unit', 'leadTimeDays', 'wearRating', 'description',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/**
 * What is wrong with one row, by code, so the tablet says it in the reader's language (the server's
 * `messages` stay English, for logs and API users). `field` is the column, `value` what the cell
 * held, `limit` the bound broken, `firstLine` the earlier line with the same part number.
 */
export const IMPORT_PROBLEM_CODES = [
  'quotes', 'cell_count', 'encoding', 'malformed', 'not_whole_number', 'not_amount', 'negative', 'too_large',
  'required', 'too_long', 'too_small', 'too_big', 'cents', 'invalid_characters', 'invalid', 'duplicate_in_file',
] as const;
export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

export const importProblemSchema = z.object({
  code: z.enum(IMPORT_PROBLEM_CODES),
  field: z.enum(IMPORT_FIELDS).optional(),
  value: z.string().optional(),
  limit: z.number().optional(),
  firstLine: z.number().optional(),
});
export type ImportProblem = z.infer<typeof importProblemSchema>;

/** Whole-file problems (a 400 `invalid_csv` answer carries the code in `fields.reason`, the column in `fields.column`). */
export const IMPORT_FILE_PROBLEMS = ['empty', 'no_header', 'missing_column', 'duplicate_column', 'no_rows'] as const;
export type ImportFileProblem = (typeof IMPORT_FILE_PROBLEMS)[number];

const nullableText = z.string().nullable();
export const importReportSchema = z.object({
  dryRun: z.boolean(),
  rows: z.number(),
  valid: z.number(),
  toCreate: z.number(),
  columns: z.array(z.object({ header: z.string(), field: z.enum(IMPORT_FIELDS).nullable() })),
  ignoredColumns: z.array(z.string()),
  errors: z.array(z.object({ line: z.number(), partNumber: nullableText, messages: z.array(z.string()), problems: z.array(importProblemSchema) })),
  willCreate: z.array(z.object({ line: z.number(), partNumber: z.string(), name: z.string(), quantity: z.number(), location: nullableText, category: nullableText })),
  skipped: z.array(z.object({ line: z.number(), partNumber: z.string(), existingPartId: z.string(), existingName: z.string(), deleted: z.boolean(), message: z.string() })),
  created: z.number().optional(),
  rejected: z.number().optional(),
  results: z
    .array(z.object({ line: z.number(), partNumber: z.string(), status: z.enum(['created', 'rejected']), quantity: z.number(), code: z.string().optional(), message: z.string().optional() }))
    .optional(),
});
export type ImportReportBody = z.infer<typeof importReportSchema>;
