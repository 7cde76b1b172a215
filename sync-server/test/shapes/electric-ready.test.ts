/**
 * Real Electric readiness (issue 15, item 4): every shape our server answers is one a real Electric
 * behind ELECTRIC_URL can serve. For every synced table, role and tablet state, the request the
 * proxy would send upstream (proxy.ts `upstreamShapeUrl`) is checked against what Electric
 * supports, as the installed `@electric-sql/client` documents it
 * (skills/electric-shapes/references/where-clause.md):
 *
 * - the shape is only table, columns, where and params, all decided from the caller's token: no
 *   server-side state Electric lacks;
 * - the table has a primary key and the columns include it (Electric keys rows by it);
 * - the where is parsed by PostgreSQL's own parser and uses nothing but column references of the
 *   table, `$n` parameters cast to the column's type, `=` and `AND`, over column types the
 *   reference lists; every parameter is used and is a valid value of its type.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROLES, SHAPE_RULES, SYNCED_TABLES, type SyncedTable } from '@cimco/contract';
import { loadModule, parseSync } from 'libpg-query';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstreamShapeUrl } from '../../src/shapes/proxy.ts';
import { parseShapeRequest, ShapeRequestError, type ShapeCaller } from '../../src/shapes/request.ts';
import { loadTableSchema, type TableSchema } from '../../src/shapes/table-schema.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
const schemas = new Map<SyncedTable, TableSchema>();

/** Electric's where reference, as shipped with the client this project uses. */
const reference = fs.readFileSync(
  path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/client/package.json')), 'skills/electric-shapes/references/where-clause.md'),
  'utf8',
);

beforeAll(async () => {
  db = await createTestDatabase();
  for (const table of SYNCED_TABLES) schemas.set(table, await loadTableSchema(db.pool, table));
  await loadModule();
});

afterAll(async () => {
  await db?.drop();
});

type Tree = Record<string, unknown>;

/** The where's nodes, checked: returns the operators and column types it used, and its params. */
function checkWhere(where: string, schema: TableSchema): { operators: Set<string>; types: Set<string>; params: Set<number> } {
  const used = { operators: new Set<string>(), types: new Set<string>(), params: new Set<number>() };
  const parsed = parseSync(`select 1 from t where ${where}`) as { stmts: { stmt: { SelectStmt: { whereClause: Tree } } }[] };
  expect(parsed.stmts).toHaveLength(1);
  const column = (node: Tree): string => {
    const fields = (node.ColumnRef as { fields: { String: { sval: string } }[] }).fields;
    expect(fields, 'a column reference is one unqualified name').toHaveLength(1);
    const name = fields[0]!.String.sval;
    const info = schema.columns.find((c) => c.name === name);
    expect(info, `${schema.table}.${name} exists`).toBeDefined();
    return info!.type;
  };
  const visit = (node: Tree): void => {
    const [kind] = Object.keys(node);
    if (kind === 'BoolExpr') {
      const expr = node.BoolExpr as { boolop: string; args: Tree[] };
      expect(expr.boolop).toBe('AND_EXPR');
      used.operators.add('AND');
      expr.args.forEach(visit);
    } else if (kind === 'A_Expr') {
      const expr = node.A_Expr as { kind: string; name: { String: { sval: string } }[]; lexpr: Tree; rexpr: Tree };
      expect(expr.kind).toBe('AEXPR_OP');
      const operator = expr.name.map((n) => n.String.sval).join('.');
      expect(operator).toBe('=');
      used.operators.add(operator);
      const type = column(expr.lexpr);
      used.types.add(type);
      // The right side: a parameter cast to the column's own type.
      const cast = expr.rexpr.TypeCast as { arg: { ParamRef: { number: number } }; typeName: { names: { String: { sval: string } }[] } };
      expect(cast, `${where}: compares a column with a typed parameter`).toBeDefined();
      expect(cast.typeName.names.at(-1)!.String.sval).toBe(type);
      used.params.add(cast.arg.ParamRef.number);
    } else {
      throw new Error(`${where}: a ${kind} node is outside the subset checked here`);
    }
  };
  visit(parsed.stmts[0]!.stmt.SelectStmt.whereClause);
  return used;
}

describe('every shape the server answers can be served by a real Electric', () => {
  it('the reference this test reads lists what our filters use', () => {
    expect(reference).toMatch(/\|\s*`uuid`\s*\|/);
    expect(reference).toMatch(/\|\s*`=`, `!=`, `<>`\s*\|/);
    expect(reference).toMatch(/\|\s*`AND`, `OR`, `NOT`\s*\|/);
    expect(reference).toMatch(/## Positional Parameters/);
  });

  const callers = ROLES.flatMap((role) =>
    [true, false].map((withDevice) => ({ role, withDevice })),
  );

  for (const table of SYNCED_TABLES) {
    it(`${table}: every role's shape is table, columns with the primary key, and a where in Electric's subset`, async () => {
      const schema = schemas.get(table)!;
      expect(schema.primaryKey.length, `${table} has a primary key`).toBeGreaterThan(0);
      let served = 0;
      for (const { role, withDevice } of callers) {
        const caller: ShapeCaller = { userId: uuidv7(), siteId: uuidv7(), role, username: 'someone', ...(withDevice && { deviceId: uuidv7() }) };
        const query = { table, offset: '-1' };
        let request;
        try {
          request = await parseShapeRequest(query, caller, async (t) => schemas.get(t)!);
        } catch (error) {
          // A caller the contract does not let read the table is refused before anything is sent.
          expect(error).toBeInstanceOf(ShapeRequestError);
          expect(SHAPE_RULES[table].roles.includes(role) && (withDevice || SHAPE_RULES[table].scope !== 'own-commands')).toBe(false);
          continue;
        }
        served++;
        const url = upstreamShapeUrl('http://electric.invalid', request, query, undefined);
        const names = [...url.searchParams.keys()];
        const paramNames = names.filter((n) => /^params\[\d+\]$/.test(n));
        expect(names.filter((n) => !paramNames.includes(n)).sort()).toEqual(['columns', 'offset', 'table', 'where']);

        const columns = url.searchParams.get('columns')!.split(',').map((c) => JSON.parse(c) as string);
        for (const key of schema.primaryKey) expect(columns, `${table} columns include ${key}`).toContain(key);
        for (const c of columns) expect(schema.columns.map((s) => s.name)).toContain(c);

        const used = checkWhere(url.searchParams.get('where')!, schema);
        for (const type of used.types) expect(reference, `Electric's reference lists ${type}`).toMatch(new RegExp(`\`${type}\``));
        // Every parameter is used, numbered from 1, and holds a value of its type.
        expect([...used.params].sort((a, b) => a - b)).toEqual(paramNames.map((_, i) => i + 1));
        for (const name of paramNames) expect(url.searchParams.get(name)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      }
      expect(served, `someone reads ${table}`).toBeGreaterThan(0);
    });
  }
});
