import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * What the shape service needs to know about a synced table: its columns in order, their
 * PostgreSQL types (for the `electric-schema` header, from which clients parse values), and its
 * primary key (for message keys). Read from the catalog; cached per process and re-read when a
 * migration may have changed it.
 */
export interface ColumnInfo {
  name: string;
  /** `typname`, of the element type for arrays. */
  type: string;
  dims: number;
  notNull: boolean;
  /** Position in the primary key, or undefined. */
  pkIndex: number | undefined;
  isBool: boolean;
}

export interface TableSchema {
  table: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** Changes whenever a column is added, dropped, renamed or retyped. */
  fingerprint: string;
}

export async function loadTableSchema(db: pg.Pool | pg.PoolClient, table: string): Promise<TableSchema> {
  const { rows } = await db.query<{
    name: string;
    type: string;
    dims: number;
    not_null: boolean;
    pk_index: number | null;
    is_bool: boolean;
  }>(
    `select a.attname as name,
            case when t.typcategory = 'A' then e.typname else t.typname end as type,
            case when t.typcategory = 'A' then greatest(a.attndims, 1) else 0 end as dims,
            a.attnotnull as not_null,
            -- indkey is an int2vector: its subscripts, and so array_position, start at 0.
            array_position(i.indkey::int2[], a.attnum) as pk_index,
            t.typname = 'bool' as is_bool
       from pg_attribute a
       join pg_type t on t.oid = a.atttypid
       left join pg_type e on e.oid = t.typelem
       left join pg_index i on i.indrelid = a.attrelid and i.indisprimary
      where a.attrelid = format('public.%I', $1::text)::regclass and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [table],
  );
  const columns = rows.map((r) => ({
    name: r.name,
    type: r.type,
    dims: r.dims,
    notNull: r.not_null,
    pkIndex: r.pk_index ?? undefined,
    isBool: r.is_bool,
  }));
  const primaryKey = columns
    .filter((c) => c.pkIndex !== undefined)
    .sort((a, b) => a.pkIndex! - b.pkIndex!)
    .map((c) => c.name);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(columns.map((c) => [c.name, c.type, c.dims])))
    .digest('hex')
    .slice(0, 16);
  return { table, columns, primaryKey, fingerprint };
}

/** The `electric-schema` header: `{"col":{"type":"int8","pk_index":0,"not_null":true}, …}`. */
export function schemaHeader(schema: TableSchema, columns: readonly string[]): string {
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of columns) {
    const c = schema.columns.find((col) => col.name === name)!;
    out[name] = {
      type: c.type,
      ...(c.dims > 0 && { dims: c.dims }),
      ...(c.pkIndex !== undefined && { pk_index: c.pkIndex }),
      ...(c.notNull && { not_null: true }),
    };
  }
  return JSON.stringify(out);
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * SQL for a jsonb object of the given columns of row alias `alias`, each as PostgreSQL's text
 * output (the protocol's value format). `::text` is the output function for every type but bool,
 * whose cast gives `true`/`false` where the output function gives `t`/`f`.
 */
export function renderValuesSql(schema: TableSchema, columns: readonly string[], alias: string): string {
  const pairs = columns.map((name) => {
    const c = schema.columns.find((col) => col.name === name)!;
    const ref = `${alias}.${quoteIdent(name)}`;
    const text = c.isBool && c.dims === 0 ? `case when ${ref} then 't' when not ${ref} then 'f' end` : `${ref}::text`;
    return `'${name.replaceAll("'", "''")}', ${text}`;
  });
  // jsonb_build_object takes at most 100 arguments: build wide rows in pieces.
  const pieces: string[] = [];
  for (let i = 0; i < pairs.length; i += 40) pieces.push(`jsonb_build_object(${pairs.slice(i, i + 40).join(', ')})`);
  return pieces.length ? pieces.join(' || ') : `'{}'::jsonb`;
}

/** SQL for the message key `"public"."<table>"/"<pk1>"[/"<pk2>"…]` of row alias `alias`. */
export function renderKeySql(schema: TableSchema, alias: string): string {
  const prefix = `"public"."${schema.table.replaceAll('/', '//').replaceAll('.', '..')}"`;
  const parts = schema.primaryKey.map(
    (name) => `coalesce('/"' || replace(${alias}.${quoteIdent(name)}::text, '/', '//') || '"', '/_')`,
  );
  return `'${prefix.replaceAll("'", "''")}' || ${parts.join(' || ')}`;
}
