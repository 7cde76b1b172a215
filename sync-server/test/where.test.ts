import { parseSync } from 'libpg-query';
import { v7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileWhere, loadWhereParser, paramsFromQuery, WhereError, type CompiledWhere } from '../src/shapes/where.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const PARTS_COLUMNS = [
  'id', 'site_id', 'part_number', 'name', 'description', 'category', 'part_type', 'manufacturer', 'supplier',
  'unit_cost', 'quantity', 'min_quantity', 'unit', 'lead_time_days', 'location', 'wear_rating', 'deleted_at',
  'created_at', 'updated_at', 'updated_by', 'version',
];
const columns = new Set(PARTS_COLUMNS);

function compile(where: string, params: string[] = [], paramOffset = 0): Promise<CompiledWhere> {
  return compileWhere(where, params, { table: 'parts', columns, paramOffset });
}

async function sqlOf(where: string, params: string[] = [], paramOffset = 0): Promise<string> {
  return (await compile(where, params, paramOffset)).sql;
}

async function refusal(where: string, params: string[] = []): Promise<WhereError> {
  const error = await compile(where, params).then(
    (compiled) => new Error(`compiled, but should have been refused: ${compiled.sql}`),
    (e: unknown) => e,
  );
  if (!(error instanceof WhereError)) throw error;
  return error;
}

beforeAll(async () => {
  await loadWhereParser();
});

describe('compileWhere: rendering', () => {
  it('renders comparisons with explicit parentheses and quoted identifiers', async () => {
    expect(await sqlOf('name = $1 and part_number ilike $2', ['Hammer', 'ham%'])).toBe(
      '(("name" = $1) AND ("part_number" ILIKE $2))',
    );
    expect(await sqlOf('quantity + 1 * 2 = 3 or not deleted_at is null and name = \'x\'')).toBe(
      '((("quantity" + (1 * 2)) = 3) OR ((NOT ("deleted_at" IS NULL)) AND ("name" = \'x\')))',
    );
    expect(await sqlOf('quantity != 0 and quantity <> 1 and quantity >= -2 and -quantity < 3 % 2')).toBe(
      '(("quantity" <> 0) AND ("quantity" <> 1) AND ("quantity" >= (-2)) AND ((- "quantity") < (3 % 2)))',
    );
  });

  it('renumbers parameters after the server params, without adding casts, keeping the client\'s', async () => {
    const compiled = await compile('site_id = $1 and (name = $2 or part_number = $2) and id = $3::uuid', ['s', 'n', 'i'], 2);
    expect(compiled.sql).toBe(
      '(("site_id" = $3) AND (("name" = $4) OR ("part_number" = $4)) AND ("id" = CAST($5 AS pg_catalog.uuid)))',
    );
    expect(compiled.params).toEqual(['s', 'n', 'i']);
  });

  it('accepts columns qualified with the table name, and re-quotes identifiers', async () => {
    await expect(compile('"parts"."Name" is null')).rejects.toThrow(/unknown column "Name"/);
    expect(await sqlOf('parts.name = \'a\' and "parts".unit is null')).toBe('(("name" = \'a\') AND ("unit" IS NULL))');
    const weird = new Set(['we"ird', 'Mixed Case']);
    const compiled = await compileWhere('"we""ird" = 1 and "Mixed Case" = 2', [], { table: 'odd', columns: weird, paramOffset: 0 });
    expect(compiled.sql).toBe('(("we""ird" = 1) AND ("Mixed Case" = 2))');
  });

  it('escapes string constants, whatever the client wrote', async () => {
    expect(await sqlOf("name = 'O''Brien'")).toBe(`("name" = 'O''Brien')`);
    expect(await sqlOf(`name = 'a\\b'`)).toBe(`("name" = E'a\\\\b')`);
    expect(await sqlOf(`name = E'it\\'s'`)).toBe(`("name" = 'it''s')`);
    expect(await sqlOf(`name = $$dollar'quoted$$`)).toBe(`("name" = 'dollar''quoted')`);
    expect(await sqlOf("name = 'Zürich ☃ 🚜'")).toBe(`("name" = 'Zürich ☃ 🚜')`);
    expect(await sqlOf("name = U&'\\0041\\00e9'")).toBe(`("name" = 'Aé')`);
    expect(await sqlOf("name = ''")).toBe(`("name" = '')`);
  });

  it('renders constants in our own spelling', async () => {
    expect(await sqlOf('quantity = 0 or quantity = 1_000 or quantity = 0x1F or unit_cost = 1.50 or unit_cost = -.5e2')).toBe(
      '(("quantity" = 0) OR ("quantity" = 1000) OR ("quantity" = 31) OR ("unit_cost" = 1.50) OR ("unit_cost" = (-.5e2)))',
    );
    expect(await sqlOf('unit_cost = 0x1FFFFFFFFFFFFFFFFFFF')).toBe('("unit_cost" = 151115727451828646838271)');
    expect(await sqlOf('true and not false and name is not null and category = null')).toBe(
      '(TRUE AND (NOT FALSE) AND ("name" IS NOT NULL) AND ("category" = NULL))',
    );
  });

  it('renders IN, LIKE, BETWEEN, boolean tests, || and the whitelisted functions', async () => {
    expect(await sqlOf("id in ($1, $2) and wear_rating not in (1, -2) and name not like 'a%' and name not ilike $3", ['a', 'b', 'c'])).toBe(
      `(("id" IN ($1, $2)) AND ("wear_rating" NOT IN (1, (-2))) AND ("name" NOT LIKE 'a%') AND ("name" NOT ILIKE $3))`,
    );
    expect(await sqlOf('quantity between 1 and 2 + 3 and quantity not between symmetric 5 and 1')).toBe(
      '(("quantity" BETWEEN 1 AND (2 + 3)) AND ("quantity" NOT BETWEEN SYMMETRIC 5 AND 1))',
    );
    expect(await sqlOf('(deleted_at is null) is true and name is not false')).toBe(
      '((("deleted_at" IS NULL) IS TRUE) AND ("name" IS NOT FALSE))',
    );
    expect(await sqlOf("lower(name) || '-' || upper(unit) = 'x' and length(name) > char_length(unit)")).toBe(
      `((((pg_catalog.lower("name") || '-') || pg_catalog.upper("unit")) = 'x') AND (pg_catalog.length("name") > pg_catalog.char_length("unit")))`,
    );
    expect(await sqlOf("trim(name) = 'a' and trim(leading '0' from part_number) = '1' and btrim(unit, 'x') = rtrim(unit)")).toBe(
      `((pg_catalog.btrim("name") = 'a') AND (pg_catalog.ltrim("part_number", '0') = '1') AND (pg_catalog.btrim("unit", 'x') = pg_catalog.rtrim("unit")))`,
    );
    expect(await sqlOf('coalesce(category, part_type, $1) = $1 and abs(quantity) > 1', ['x'])).toBe(
      '((COALESCE("category", "part_type", $1) = $1) AND (pg_catalog.abs("quantity") > 1))',
    );
  });

  it('renders casts with canonical, schema-qualified type names', async () => {
    expect(await sqlOf(
      'quantity::text = $1 and cast(unit_cost as decimal(10, 2)) > 1 and quantity::integer::bigint::smallint = 1 ' +
        "and unit_cost::double precision > 0 and unit_cost::real > 0 and name::varchar(3) = 'abc' " +
        "and created_at::timestamp(3) > '2024-01-01' and created_at::timestamp with time zone > date '2024-01-01' " +
        "and (quantity > 0)::boolean and (quantity > 0)::bool and id::uuid is not null and unit_cost::float8 = unit_cost::float4",
      ['1'],
    )).toBe(
      '((CAST("quantity" AS pg_catalog.text) = $1) AND (CAST("unit_cost" AS pg_catalog.numeric(10, 2)) > 1) ' +
        'AND (CAST(CAST(CAST("quantity" AS pg_catalog.int4) AS pg_catalog.int8) AS pg_catalog.int2) = 1) ' +
        'AND (CAST("unit_cost" AS pg_catalog.float8) > 0) AND (CAST("unit_cost" AS pg_catalog.float4) > 0) ' +
        `AND (CAST("name" AS pg_catalog.varchar(3)) = 'abc') AND (CAST("created_at" AS pg_catalog.timestamp(3)) > '2024-01-01') ` +
        `AND (CAST("created_at" AS pg_catalog.timestamptz) > CAST('2024-01-01' AS pg_catalog.date)) ` +
        'AND CAST(("quantity" > 0) AS pg_catalog.bool) AND CAST(("quantity" > 0) AS pg_catalog.bool) ' +
        'AND (CAST("id" AS pg_catalog.uuid) IS NOT NULL) AND (CAST("unit_cost" AS pg_catalog.float8) = CAST("unit_cost" AS pg_catalog.float4)))',
    );
  });

  it('drops comments: the output is rendered from the tree, never copied', async () => {
    expect(await sqlOf("name = 'a' /* */ or 1=1")).toBe(`(("name" = 'a') OR (1 = 1))`);
    expect(await sqlOf("name = 'a' -- trailing comment")).toBe(`("name" = 'a')`);
    expect(await sqlOf("name/* x */=/**/'a'/* nested /* c */ c */")).toBe(`("name" = 'a')`);
    expect(await sqlOf("name = '/* not a comment */ -- nor this'")).toBe(`("name" = '/* not a comment */ -- nor this')`);
  });

  it('produces SQL that parses back to a single expression', async () => {
    for (const where of ["name = 'a''--' or quantity - -1 > 0", 'quantity - - - 1 = 1', "name = 'a\\' or name like '%'"]) {
      const { sql } = await compile(where);
      const tree = parseSync(`SELECT 1 FROM t WHERE ${sql}`) as { stmts: unknown[] };
      expect(tree.stmts).toHaveLength(1);
      expect(await sqlOf(sql.replaceAll('pg_catalog.', ''))).toBe(sql);
    }
  });
});

describe('compileWhere: refusals', () => {
  const cases: [string, string, RegExp][] = [
    ['pg_sleep', 'pg_sleep(10) is null', /function pg_sleep is not allowed/],
    ['a second statement', '1=1; drop table parts', /single boolean expression/],
    ['a trailing semicolon', "name = 'a';", /single boolean expression/],
    ['IN (SELECT …)', 'id in (select id from users)', /subqueries/],
    ['EXISTS', 'exists(select 1 from users)', /subqueries/],
    ['a scalar subquery', "(select count(*) from users) > 0", /subqueries/],
    ['= ANY (SELECT …)', 'id = any(select id from users)', /subqueries/],
    ['a subquery inside a function argument', "lower((select password_hash from users limit 1)) = 'x'", /subqueries/],
    ['another table\'s column', "users.password_hash = 'x'", /only columns of parts/],
    ['a schema-qualified column', "public.parts.name = 'x'", /schema-qualified/],
    ['a system column', 'xmin = 1', /system column xmin/],
    ['ctid', "ctid = '(0,1)'", /system column ctid/],
    ['an unknown column', 'nope = 1', /unknown column "nope" in parts; its columns are: id, site_id, part_number/],
    ['a whole-row reference', 'parts is not null', /unknown column "parts"/],
    ['*', 'parts.* is null', /"\*" is not allowed/],
    ['now()', 'created_at < now()', /function now is not allowed/],
    ['random()', 'random() < 0.5', /function random is not allowed/],
    ['set_config', "set_config('role', 'x', false) = 'x'", /function set_config is not allowed/],
    ['a schema-qualified function', "pg_catalog.lower(name) = 'a'", /function pg_catalog.lower is not allowed: schema-qualified/],
    ['a shadowing function', "public.lower(name) = 'a'", /schema-qualified/],
    ['an aggregate', 'count(*) > 0', /function count is not allowed/],
    ['sum', 'sum(quantity) > 0', /function sum is not allowed/],
    ['a window call', "lower(name) over () = 'a'", /OVER/],
    ['VARIADIC', "lower(variadic name) = 'a'", /VARIADIC/],
    ['ORDER BY in a call', "lower(name order by name) = 'a'", /ORDER BY/],
    ['FILTER', "lower(name) filter (where true) = 'a'", /FILTER/],
    ['the wrong arity', "lower(name, 'x') = 'a'", /lower takes 1 argument, not 2/],
    ['substring (SQL syntax)', "substring(name from 1 for 2) = 'a'", /function substring is not allowed/],
    ['AT TIME ZONE', "created_at at time zone 'UTC' > '2024-01-01'", /function timezone is not allowed/],
    ['::regclass', "name::regclass is null", /cast to regclass is not allowed/],
    ['pg_catalog.regclass', "name::pg_catalog.regclass is null", /cast to regclass is not allowed/],
    ['::interval', "name::interval is null", /cast to interval is not allowed/],
    ['an array cast', 'id::text[] is null', /cast to text\[\] is not allowed/],
    ['a bad type modifier', "name::varchar(0) = 'a'", /invalid type modifier/],
    ['CASE', "case when true then name end = 'a'", /CASE expressions/],
    ['ARRAY[…]', 'array[1] = array[1]', /array constructors/],
    ['ROW(…)', 'row(1, 2) = row(1, 2)', /row constructors/],
    ['a JSON operator', "name::text->>'a' = 'b'", /the operator ->> is not allowed/],
    ['a regex operator', "name ~ 'a'", /the operator ~ is not allowed/],
    ['OPERATOR(…)', 'quantity OPERATOR(pg_catalog.=) 1', /OPERATOR\(pg_catalog\.=\)/],
    ['COLLATE', `name collate "C" = 'a'`, /COLLATE/],
    ['CURRENT_USER', "current_user = 'x'", /CURRENT_DATE, CURRENT_USER/],
    ['= ANY (array)', 'quantity = any($1)', /= ANY/],
    ['IS DISTINCT FROM', "name is distinct from 'a'", /IS DISTINCT FROM/],
    ['SIMILAR TO', "name similar to 'a'", /SIMILAR TO|function similar_to_escape/],
    ['LIKE … ESCAPE', "name like 'a!%' escape '!'", /ESCAPE/],
    ['a column in an IN list', 'name in (part_number)', /IN lists other than constants/],
    ['a column as a LIKE pattern', 'name like part_number', /LIKE patterns other than/],
    ['IS UNKNOWN', '(quantity > 1) is unknown', /IS \[NOT\] UNKNOWN/],
    ['a bit string', "b'101' = '1'", /bit-string constants/],
    ['subscripts', "(name).x = 'a'", /subscripts and field selection/],
    ['unary plus', 'quantity = +1', /the prefix operator \+/],
    ['GROUP BY', "name = 'a' group by 1", /single boolean expression/],
    ['ORDER BY', "name = 'a' order by 1", /single boolean expression/],
    ['LIMIT', "name = 'a' limit 1", /single boolean expression/],
    ['UNION', "name = 'a' union select 1", /single boolean expression/],
    ['FOR UPDATE', "name = 'a' for update", /single boolean expression/],
    ['WINDOW', "name = 'a' window w as ()", /single boolean expression/],
    ['a syntax error', "name = 'a' and", /where is not valid SQL: syntax error at end of input \(at character 15\)/],
    ['INTO', "name = 'a' into x", /syntax error at or near "into" \(at character 12\)/],
    ['an unterminated comment', "name = 'a' /* or 1=1", /unterminated \/\* comment/],
    ['an unterminated string', "name = 'a", /unterminated quoted string/],
    ['an empty where', '', /where is empty/],
    ['a blank where', '  \n\t ', /where is empty/],
    ['a comment-only where', '/* nothing */', /syntax error/],
    ['a NUL', "name = 'a'\0 or true", /NUL/],
    ['$0', '$0 = name', /\$0 is not a valid parameter/],
    ['$101', '$101 = name', /\$101 is not a valid parameter/],
  ];

  it.each(cases)('refuses %s', async (_label, where, message) => {
    const error = await refusal(where);
    expect(error.message).toMatch(message);
  });

  it('says what is allowed when it refuses a construct', async () => {
    const error = await refusal('pg_sleep(1) is null');
    expect(error.message).toMatch(/Allowed: columns of the table, .* and the functions lower, upper, length/);
  });

  it('counts positions in characters of the client text, as PostgreSQL does', async () => {
    expect((await refusal("name = 'ü☃🚜' and and")).message).toMatch(/syntax error at or near "and" \(at character 18\)/);
  });

  it('limits length and complexity', async () => {
    const long = `name = '${'x'.repeat(3995)}'`;
    expect(long.length).toBeGreaterThan(4000);
    expect((await refusal(long)).message).toMatch(/too long: at most 4000 characters/);
    expect(await sqlOf(`name = '${'x'.repeat(3980)}'`)).toHaveLength(3980 + 13);
    expect((await refusal(`${'not '.repeat(250)}true`)).message).toMatch(/too complex: at most 200 terms/);
    expect((await refusal(`quantity${' + 1'.repeat(150)} = 1`)).message).toMatch(/too complex/);
    expect((await refusal(`quantity in (${Array.from({ length: 250 }, (_, i) => i).join(', ')})`)).message).toMatch(/too complex/);
    expect(await sqlOf(`quantity${' + 1'.repeat(90)} = 1`)).toContain('+ 1)');
  });

  it('checks params against the placeholders', async () => {
    expect((await refusal('name = $1')).message).toMatch(/uses \$1 but params\[1\] was not given/);
    expect((await refusal('name = $1 or name = $3', ['a', 'b', 'c'])).message).toMatch(/params\[2\] is not used/);
    expect((await refusal('name = $1', ['a', 'b', 'c'])).message).toMatch(/params\[2\] is not used/);
    expect((await refusal('name = $1', ['a\0b'])).message).toMatch(/params\[1\] contains a NUL/);
    const many = Array.from({ length: 101 }, (_, i) => `p${i}`);
    expect((await refusal('name = $1', many)).message).toMatch(/too many params/);
    const hundred = Array.from({ length: 100 }, (_, i) => `p${i}`);
    const all = hundred.map((_, i) => `$${i + 1}`).join(', ');
    expect((await compile(`name in (${all})`, hundred, 5)).sql).toContain('$105))');
  });
});

describe('paramsFromQuery', () => {
  it('takes the arrays and objects the query parser produces', () => {
    expect(paramsFromQuery(undefined)).toEqual([]);
    expect(paramsFromQuery([])).toEqual([]);
    expect(paramsFromQuery(['a', 'b'])).toEqual(['a', 'b']);
    expect(paramsFromQuery({ '1': 'a', '2': 'b' })).toEqual(['a', 'b']);
    expect(paramsFromQuery({ '2': 'b', '10': 'j', '1': 'a', '3': 'c', '4': 'd', '5': 'e', '6': 'f', '7': 'g', '8': 'h', '9': 'i' }))
      .toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    expect(paramsFromQuery({ '1': '' })).toEqual(['']);
  });

  it('refuses gaps, keys that are not 1-based integers, and values that are not strings', () => {
    expect(() => paramsFromQuery({ '1': 'a', '3': 'c' })).toThrow(/params\[2\] is missing/);
    expect(() => paramsFromQuery({ '2': 'b' })).toThrow(/params\[1\] is missing/);
    expect(() => paramsFromQuery({ '0': 'a' })).toThrow(WhereError);
    expect(() => paramsFromQuery({ '01': 'a' })).toThrow(/params\[01\] is not a valid parameter/);
    expect(() => paramsFromQuery({ x: 'a' })).toThrow(/params\[x\] is not a valid parameter/);
    expect(() => paramsFromQuery({ '-1': 'a' })).toThrow(WhereError);
    expect(() => paramsFromQuery({ '1.5': 'a' })).toThrow(WhereError);
    expect(() => paramsFromQuery('a')).toThrow(/params\[1\]=…/);
    expect(() => paramsFromQuery(null)).toThrow(WhereError);
    expect(() => paramsFromQuery([['a', 'b']])).toThrow(/params\[1\] must be a single string/);
    expect(() => paramsFromQuery({ '1': { x: 'a' } })).toThrow(/params\[1\] must be a single string/);
    expect(() => paramsFromQuery(['a', 1])).toThrow(/params\[2\] must be a single string/);
    expect(() => paramsFromQuery(Array.from({ length: 101 }, () => 'a'))).toThrow(/too many params/);
  });
});

describe('compileWhere against PostgreSQL', () => {
  let db: TestDatabase;
  const siteId = v7();
  const otherSiteId = v7();
  const ids = { hammer: v7(), saw: v7(), bolt: v7(), otherHammer: v7() };
  const nameOf = new Map(Object.entries(ids).map(([name, id]) => [id, name]));

  beforeAll(async () => {
    db = await createTestDatabase();
    await db.pool.query(`insert into sites (id, code, name) values ($1, 'w', 'W'), ($2, 'x', 'X')`, [siteId, otherSiteId]);
    const insert = `insert into parts (id, site_id, part_number, name, category, description, unit_cost, min_quantity, wear_rating, deleted_at)
      values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;
    await db.pool.query(insert, [ids.hammer, siteId, 'HAM-1', 'Hammer', 'tools', null, '12.50', 2, 3, null]);
    await db.pool.query(insert, [ids.saw, siteId, 'SAW-2', 'Saw', 'tools', null, '30.00', 0, null, '2024-05-01T00:00:00Z']);
    await db.pool.query(insert, [ids.bolt, siteId, 'BLT-3', "O'Brien bolt", null, 'a\\b', null, 10, 5, null]);
    await db.pool.query(insert, [ids.otherHammer, otherSiteId, 'HAM-1', 'Hammer', 'tools', null, '12.50', 2, 3, null]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  /** The snapshot query's shape: server filter first ($1), the client's after it. */
  async function select(where: string, params: string[] = []): Promise<string[]> {
    const compiled = await compileWhere(where, params, { table: 'parts', columns, paramOffset: 1 });
    const { rows } = await db.pool.query<{ id: string }>(
      `select id from public.parts as parts where (site_id = $1) and (${compiled.sql}) order by part_number`,
      [siteId, ...compiled.params],
    );
    return rows.map((r) => nameOf.get(r.id) ?? r.id);
  }

  it.each([
    ['name = $1', ['Hammer'], ['hammer']],
    ['lower(name) like $1', ['%ham%'], ['hammer']],
    ['category is null or unit_cost > $1', ['20'], ['bolt', 'saw']],
    ['min_quantity between $1 and $2', ['1', '10'], ['bolt', 'hammer']],
    ['wear_rating in (3, 5)', [], ['bolt', 'hammer']],
    ['wear_rating not in (3)', [], ['bolt']],
    ["name = 'O''Brien bolt'", [], ['bolt']],
    ["description = 'a\\b'", [], ['bolt']],
    ["description = E'a\\\\b'", [], ['bolt']],
    ['deleted_at is not null', [], ['saw']],
    ["deleted_at < date '2024-06-01' and deleted_at >= $1", ['2024-05-01T00:00:00Z'], ['saw']],
    ["coalesce(category, 'none') = 'none'", [], ['bolt']],
    ['cast(unit_cost as text) = $1', ['30.00'], ['saw']],
    ["parts.part_number || '-' || name = 'SAW-2-Saw'", [], ['saw']],
    ['id = $1::uuid', [ids.hammer], ['hammer']],
    ['id in ($1, $2)', [ids.saw, ids.otherHammer], ['saw']],
    ['abs(-min_quantity) >= 10', [], ['bolt']],
    ["btrim('  ' || name || '  ') = 'Saw' and trim(both 'S' from name) = 'aw'", [], ['saw']],
    ["\"name\" ilike 'SAW' and not (deleted_at is null)", [], ['saw']],
    ['unit_cost::numeric(10,1) = 12.5', [], ['hammer']],
    ['created_at::timestamptz(3) is not null and created_at::timestamp(0) is not null', [], ['bolt', 'hammer', 'saw']],
    ["part_number::varchar(3) = 'HAM'", [], ['hammer']],
    ['wear_rating::int2 + 1 = 4 and wear_rating::float8 / 2 = 1.5', [], ['hammer']],
    ['min_quantity % 3 = 1 and min_quantity / 5 = 2 and min_quantity * 1 - 0 = 10', [], ['bolt']],
    ['0x0A = min_quantity and 1_0 = min_quantity', [], ['bolt']],
    ["true and (false or name = 'Saw')", [], ['saw']],
    ['wear_rating is not null is true', [], ['bolt', 'hammer']],
    ['(wear_rating > 3) is not true', [], ['hammer', 'saw']],
    ['min_quantity - -1 = 3', [], ['hammer']],
    ['length(name) = $1 and char_length(upper(name)) = $1', ['3'], ['saw']],
    ["name not like '%a%'", [], ['bolt']],
    ['min_quantity not between symmetric 10 and 1', [], ['saw']],
  ] as [string, string[], string[]][])('%s with %j selects %j', async (where, params, expected) => {
    expect(await select(where, params)).toEqual(expected);
  });

  it('evaluates over change-log images (jsonb_populate_record) too', async () => {
    const compiled = await compileWhere("name = $1 and parts.min_quantity >= 2 and category is not null", ['Hammer'], {
      table: 'parts', columns, paramOffset: 1,
    });
    const images = await db.pool.query<{ image: unknown }>('select to_jsonb(p) as image from parts p where site_id = $1 order by part_number', [siteId]);
    const matches: boolean[] = [];
    for (const { image } of images.rows) {
      const { rows } = await db.pool.query<{ m: boolean }>(
        `select (${compiled.sql}) as m from jsonb_populate_record(null::public.parts, $1::jsonb) as parts`,
        [JSON.stringify(image), ...compiled.params],
      );
      matches.push(rows[0]?.m === true);
    }
    expect(matches).toEqual([false, true, false]); // BLT-3, HAM-1, SAW-2
  });

  it('refuses everything that could run something, before producing any SQL', async () => {
    // A canary: calling this function or reading this table would leave a trace.
    await db.pool.query('create table canary (hit int)');
    await db.pool.query(`create function public.canary_hit() returns boolean language sql volatile
      as 'insert into canary values (1) returning true'`);
    await db.pool.query('select public.canary_hit()'); // the canary works…
    expect((await db.pool.query('select count(*)::int as n from canary')).rows[0].n).toBe(1);
    await db.pool.query('truncate canary');

    const attacks = [
      'canary_hit()',
      'public.canary_hit()',
      'canary_hit() is null or true',
      '(select canary_hit())',
      'exists(select canary_hit())',
      'id in (select id from parts where canary_hit())',
      '(select count(*) from canary) >= 0',
      'pg_sleep(0) is null',
      "set_config('search_path', 'pg_temp', false) is null",
      "name = 'x'; insert into canary values (1)",
      "name = 'x' union select canary_hit()",
      "name = 'x' or lower(name::regclass::text) = 'canary'",
      "coalesce(canary_hit(), true)",
      "lower(canary_hit()::text) = 'true'",
      "name = 'a' /* */ or canary_hit()",
      "name = 'a' -- ' or canary_hit()\n or canary_hit()",
    ];
    const compiled: string[] = [];
    for (const where of attacks) {
      const result = await compileWhere(where, [], { table: 'parts', columns, paramOffset: 1 }).catch((e: unknown) => e);
      if (result instanceof WhereError) continue;
      // Should never happen; if it does, run it, so the canary shows what it would have done.
      compiled.push(where);
      if (result instanceof Error) throw result;
      await db.pool.query(`select id from public.parts as parts where (site_id = $1) and (${(result as CompiledWhere).sql})`, [siteId]).catch(() => undefined);
    }
    expect(compiled).toEqual([]);
    expect((await db.pool.query('select count(*)::int as n from canary')).rows[0].n).toBe(0);
  });

  it('keeps a quote-breaking string a string', async () => {
    // If the value were pasted through, this would be `name = '' or true --'` and match every row.
    expect(await select("name = ''' or true --'")).toEqual([]);
    expect(await select("name = $1", ["' or true --"])).toEqual([]);
    expect(await select("name = E'\\' or true --'")).toEqual([]);
  });
});
