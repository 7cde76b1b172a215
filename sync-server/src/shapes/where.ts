/**
 * Validate and compile a client-sent shape `where` clause.
 *
 * The client's text is untrusted. It is parsed with PostgreSQL's own parser (libpg-query, the real
 * PostgreSQL 17 grammar compiled to WebAssembly, shipped inside the npm package), every node of the
 * tree is checked against a whitelist, and the SQL is rendered back by us from the tree. Nothing the
 * client wrote reaches PostgreSQL verbatim: identifiers are re-quoted, string constants re-escaped,
 * numbers re-printed, and every sub-expression is wrapped in parentheses, so the result is exactly
 * the tree we checked. What passes is a pure filter over one row of one table: columns of that
 * table, constants, `$n` parameters, operators and a few immutable functions. No subqueries, no
 * other relations, no functions with side effects, no catalog access.
 *
 * The result is evaluated by the shape service over `public.<table> as <table>` (snapshots) and over
 * `jsonb_populate_record(null::public.<table>, …) as <table>` (change-log images), so column
 * references are rendered unqualified and resolve to that single row.
 *
 * Type errors (`name = 1`, a `$n` whose type cannot be inferred) are not detected here: we do not
 * know column types, so they surface as PostgreSQL errors when the filter first runs.
 */
import { loadModule, parseSync } from 'libpg-query';
import type {
  A_Const,
  A_Expr,
  BoolExpr,
  BooleanTest,
  CoalesceExpr,
  ColumnRef,
  FuncCall,
  Node,
  NullTest,
  ParamRef,
  ParseResult,
  TypeCast,
  TypeName,
} from 'libpg-query';

/** A refused or malformed `where`/`params`. The message is meant for the client (HTTP 400). */
export class WhereError extends Error {
  override name = 'WhereError';
}

/** The table's column names; a `Set<string>` fits (and then unknown-column errors list them). */
export interface WhereColumns {
  has(name: string): boolean;
}

export interface CompiledWhere {
  /** A boolean SQL expression rendered by us; client `$n` is `$(n + paramOffset)`. */
  sql: string;
  /** The client's params, in order, to bind after the server's own `paramOffset` params. */
  params: string[];
}

export interface CompileOptions {
  /** The table name: the only qualifier a column reference may carry (`parts.name`). */
  table: string;
  columns: WhereColumns;
  /** How many server params precede the client's: client `$1` becomes `$(paramOffset + 1)`. */
  paramOffset: number;
}

// ---------------------------------------------------------------------------------------------
// Limits and whitelists
// ---------------------------------------------------------------------------------------------

export const MAX_WHERE_LENGTH = 4000;
/** Expression nodes (columns, constants, operators, calls…): bounds rendering work and recursion. */
export const MAX_WHERE_NODES = 200;
export const MAX_PARAMS = 100;

/** Binary operators, by the name the parser gives them (`!=` is already `<>` there). */
const BINARY_OPERATORS: ReadonlySet<string> = new Set([
  '=', '<>', '<', '<=', '>', '>=', // comparisons
  '+', '-', '*', '/', '%', // arithmetic
  '||', // string concatenation
]);

/**
 * Functions: all immutable, side-effect free, and not able to reach anything but their arguments.
 * Rendered schema-qualified (`pg_catalog.lower`) so that no same-named function elsewhere on the
 * search_path can be picked by overload resolution. `trim(… from …)` is SQL syntax the parser turns
 * into `pg_catalog.btrim/ltrim/rtrim`; `coalesce` is its own node kind (CoalesceExpr).
 */
const FUNCTIONS: ReadonlyMap<string, { minArgs: number; maxArgs: number }> = new Map([
  ['lower', { minArgs: 1, maxArgs: 1 }],
  ['upper', { minArgs: 1, maxArgs: 1 }],
  ['length', { minArgs: 1, maxArgs: 1 }],
  ['char_length', { minArgs: 1, maxArgs: 1 }],
  ['abs', { minArgs: 1, maxArgs: 1 }],
  ['btrim', { minArgs: 1, maxArgs: 2 }],
  ['ltrim', { minArgs: 1, maxArgs: 2 }],
  ['rtrim', { minArgs: 1, maxArgs: 2 }],
]);
const TRIM_SYNTAX_FUNCTIONS: ReadonlySet<string> = new Set(['btrim', 'ltrim', 'rtrim']);

/**
 * Cast targets, by the canonical name the parser produces (`integer` → `pg_catalog.int4`,
 * `double precision` → `pg_catalog.float8`, `boolean` → `pg_catalog.bool`, `decimal` →
 * `pg_catalog.numeric`, `timestamp with time zone` → `pg_catalog.timestamptz`, …). `typmods`
 * lists the allowed ranges of type modifiers (`varchar(n)`, `numeric(p, s)`, `timestamp(p)`).
 */
const CAST_TYPES: ReadonlyMap<string, { typmods: readonly (readonly [number, number])[] }> = new Map([
  ['text', { typmods: [] }],
  ['varchar', { typmods: [[1, 10485760]] }],
  ['int2', { typmods: [] }],
  ['int4', { typmods: [] }],
  ['int8', { typmods: [] }],
  ['numeric', { typmods: [[1, 1000], [-1000, 1000]] }],
  ['float4', { typmods: [] }],
  ['float8', { typmods: [] }],
  ['bool', { typmods: [] }],
  ['date', { typmods: [] }],
  ['timestamp', { typmods: [[0, 6]] }],
  ['timestamptz', { typmods: [[0, 6]] }],
  ['uuid', { typmods: [] }],
]);
const CAST_TYPE_NAMES =
  'text, varchar, smallint/int2, integer/int4, bigint/int8, numeric/decimal, real/float4, ' +
  'double precision/float8, boolean, date, timestamp, timestamptz, uuid';

/** Columns every table has but no filter should see. */
const SYSTEM_COLUMNS: ReadonlySet<string> = new Set(['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']);

/** Appended to every "not allowed" message, so the client learns what is. */
const ALLOWED =
  'Allowed: columns of the table, string/number/boolean/NULL constants, $1…$n parameters, ' +
  '= <> != < <= > >=, AND, OR, NOT, IS [NOT] NULL, IS [NOT] TRUE/FALSE, [NOT] IN (constants or parameters), ' +
  '[NOT] LIKE/ILIKE, [NOT] BETWEEN, + - * / %, unary -, ||, casts to ' +
  `${CAST_TYPE_NAMES}, and the functions lower, upper, length, char_length, coalesce, abs, trim, btrim, ltrim, rtrim.`;

/** Node kinds we refuse, described the way a client would have written them. */
const REFUSED_NODES: Readonly<Record<string, string>> = {
  SubLink: 'subqueries (SELECT, EXISTS, IN/ANY/ALL (SELECT …))',
  SelectStmt: 'SELECT',
  CaseExpr: 'CASE expressions',
  A_ArrayExpr: 'array constructors (ARRAY[…])',
  RowExpr: 'row constructors (ROW(…), (a, b))',
  CollateClause: 'COLLATE',
  A_Indirection: 'subscripts and field selection',
  SQLValueFunction: 'CURRENT_DATE, CURRENT_USER and similar',
  MinMaxExpr: 'GREATEST/LEAST',
  GroupingFunc: 'GROUPING',
  XmlExpr: 'XML expressions',
  XmlSerialize: 'XML expressions',
  SetToDefault: 'DEFAULT',
};
const REFUSED_A_EXPR_KINDS: Readonly<Record<string, string>> = {
  AEXPR_OP_ANY: '= ANY (…)',
  AEXPR_OP_ALL: '= ALL (…)',
  AEXPR_DISTINCT: 'IS DISTINCT FROM',
  AEXPR_NOT_DISTINCT: 'IS NOT DISTINCT FROM',
  AEXPR_NULLIF: 'NULLIF',
  AEXPR_SIMILAR: 'SIMILAR TO',
};

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/**
 * Load the parser's WebAssembly module (from the package's own files; nothing is downloaded).
 * `compileWhere` does this itself; call it at start-up to pay the cost early.
 */
export async function loadWhereParser(): Promise<void> {
  await loadModule();
}

/**
 * Check the client's `where` against the whitelist and render it back as SQL.
 * where: the client's text; params: the client's params in order ($1 → params[0]).
 * Rejects with a WhereError (never anything else for bad input) before any SQL is produced.
 */
export async function compileWhere(
  where: string,
  params: readonly string[],
  opts: CompileOptions,
): Promise<CompiledWhere> {
  checkInputs(where, params, opts);
  await loadModule();
  const expr = parseWhere(where);
  const renderer = new Renderer(opts, params.length);
  const sql = renderer.expr(expr);
  for (let i = 1; i <= params.length; i++) {
    if (!renderer.usedParams.has(i)) throw new WhereError(`params[${i}] is not used: the where does not reference $${i}`);
  }
  return { sql, params: [...params] };
}

/**
 * The request's `params[1]=a&params[2]=b`, as Express hands it over: with the `qs` ("extended")
 * query parser that is `['a', 'b']` or `{ '1': 'a', '2': 'b' }` (qs switches to an object for large
 * or sparse indices); absent is `[]`. Note that qs compacts sparse arrays, so `params[1]` and
 * `params[3]` alone arrive as a two-element array: gaps can only be seen in the object form.
 */
export function paramsFromQuery(value: unknown): string[] {
  if (value === undefined) return [];
  let values: unknown[];
  if (Array.isArray(value)) {
    values = value;
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    for (const [key] of entries) {
      if (!/^[1-9][0-9]{0,2}$/.test(key)) {
        throw new WhereError(`params[${key}] is not a valid parameter: use params[1], params[2], … (1-based)`);
      }
    }
    entries.sort(([a], [b]) => Number(a) - Number(b));
    values = entries.map(([key, v], i) => {
      if (Number(key) !== i + 1) throw new WhereError(`params[${i + 1}] is missing (params must be numbered 1, 2, 3… without gaps)`);
      return v;
    });
  } else {
    throw new WhereError('params must be sent as params[1]=…&params[2]=… (1-based)');
  }
  if (values.length > MAX_PARAMS) throw new WhereError(`too many params: at most ${MAX_PARAMS}`);
  return values.map((v, i) => {
    if (typeof v !== 'string') throw new WhereError(`params[${i + 1}] must be a single string value`);
    return v;
  });
}

// ---------------------------------------------------------------------------------------------
// Input checks and parsing
// ---------------------------------------------------------------------------------------------

function checkInputs(where: string, params: readonly string[], opts: CompileOptions): void {
  if (typeof where !== 'string' || where.trim() === '') throw new WhereError('where is empty: give a boolean expression such as name = $1');
  if (where.length > MAX_WHERE_LENGTH) throw new WhereError(`where is too long: at most ${MAX_WHERE_LENGTH} characters`);
  // The parser is C: it would silently stop at a NUL and check only the text before it.
  if (where.includes('\0')) throw new WhereError('where contains a NUL character');
  if (params.length > MAX_PARAMS) throw new WhereError(`too many params: at most ${MAX_PARAMS}`);
  params.forEach((p, i) => {
    if (typeof p !== 'string') throw new WhereError(`params[${i + 1}] must be a string`);
    // PostgreSQL text cannot hold NUL; refuse here rather than fail in the query.
    if (p.includes('\0')) throw new WhereError(`params[${i + 1}] contains a NUL character`);
  });
  if (!Number.isInteger(opts.paramOffset) || opts.paramOffset < 0) throw new Error('compileWhere: paramOffset must be a non-negative integer');
}

/** The statement the client's text is parsed inside; the text follows it and nothing after. */
const WRAPPER = 'SELECT 1 FROM t WHERE ';
/** The keys of the one SelectStmt that wrapper produces. Anything else came from the client. */
const WRAPPER_KEYS: ReadonlySet<string> = new Set(['targetList', 'fromClause', 'whereClause', 'limitOption', 'op']);
const NOT_ONE_EXPRESSION =
  'where must be a single boolean expression: no ";", no further statements, and no clauses such as ' +
  'GROUP BY, ORDER BY, LIMIT, UNION, FOR UPDATE or WINDOW';

function parseWhere(where: string): Node {
  let tree: ParseResult;
  try {
    tree = parseSync(WRAPPER + where) as ParseResult;
  } catch (error) {
    throw new WhereError(`where is not valid SQL: ${syntaxErrorMessage(error, where)}`);
  }
  // The client's text must not have closed or extended the wrapping statement: exactly one
  // statement (a trailing ";" shows up as stmt_len), a SelectStmt with exactly the wrapper's parts.
  const stmts = tree.stmts ?? [];
  const raw = stmts[0];
  if (stmts.length !== 1 || raw === undefined || raw.stmt_len !== undefined || raw.stmt_location !== undefined) {
    throw new WhereError(NOT_ONE_EXPRESSION);
  }
  const select = raw.stmt !== undefined && 'SelectStmt' in raw.stmt ? raw.stmt.SelectStmt : undefined;
  if (
    select === undefined ||
    Object.keys(select).some((key) => !WRAPPER_KEYS.has(key)) ||
    select.op !== 'SETOP_NONE' ||
    select.limitOption !== 'LIMIT_OPTION_DEFAULT' ||
    select.targetList?.length !== 1 ||
    select.fromClause?.length !== 1 ||
    select.whereClause === undefined
  ) {
    throw new WhereError(NOT_ONE_EXPRESSION);
  }
  return select.whereClause;
}

/** PostgreSQL's message, with the position translated from the wrapped statement to the client's text. */
function syntaxErrorMessage(error: unknown, where: string): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
  const cursor = details?.cursorPosition;
  if (typeof cursor !== 'number' || cursor < WRAPPER.length) return error.message;
  const position = Math.min(cursor - WRAPPER.length, where.length) + 1;
  return `${error.message} (at character ${position})`;
}

// ---------------------------------------------------------------------------------------------
// Rendering: one method per node kind; anything without a method is refused
// ---------------------------------------------------------------------------------------------

class Renderer {
  readonly usedParams = new Set<number>();
  private nodes = 0;

  constructor(
    private readonly opts: CompileOptions,
    private readonly paramCount: number,
  ) {}

  /** Any allowed expression. Every result is an atom, a call, or parenthesised: precedence is fixed. */
  expr(node: Node): string {
    // Counted before descending, so recursion depth is bounded by the limit as well.
    if (++this.nodes > MAX_WHERE_NODES) {
      throw new WhereError(`where is too complex: at most ${MAX_WHERE_NODES} terms`);
    }
    if ('ColumnRef' in node) return this.columnRef(node.ColumnRef);
    if ('A_Const' in node) return this.constant(node.A_Const);
    if ('ParamRef' in node) return this.param(node.ParamRef);
    if ('A_Expr' in node) return this.aExpr(node.A_Expr);
    if ('BoolExpr' in node) return this.boolExpr(node.BoolExpr);
    if ('NullTest' in node) return this.nullTest(node.NullTest);
    if ('BooleanTest' in node) return this.booleanTest(node.BooleanTest);
    if ('TypeCast' in node) return this.typeCast(node.TypeCast);
    if ('FuncCall' in node) return this.funcCall(node.FuncCall);
    if ('CoalesceExpr' in node) return this.coalesce(node.CoalesceExpr);
    throw refused(describeNode(node));
  }

  /** `name`, `parts.name`, `"parts"."name"` → `"name"`: unqualified, it can only mean the one row. */
  private columnRef(ref: ColumnRef): string {
    const names = (ref.fields ?? []).map((field) => {
      if ('A_Star' in field) throw refused('"*"');
      if (!('String' in field) || field.String.sval === undefined) throw refused('this column reference');
      return field.String.sval;
    });
    const shown = names.join('.');
    let column: string;
    if (names.length === 1 && names[0] !== undefined) {
      column = names[0];
    } else if (names.length === 2 && names[0] !== undefined && names[1] !== undefined) {
      if (names[0] !== this.opts.table) {
        throw new WhereError(`column ${shown} is not allowed: only columns of ${this.opts.table} can be used`);
      }
      column = names[1];
    } else {
      throw new WhereError(`column ${shown} is not allowed: schema-qualified names are not supported`);
    }
    if (!this.opts.columns.has(column)) {
      if (SYSTEM_COLUMNS.has(column)) throw new WhereError(`system column ${column} is not allowed`);
      throw new WhereError(`unknown column ${quoteIdent(column)} in ${this.opts.table}${columnList(this.opts.columns)}`);
    }
    return quoteIdent(column);
  }

  private constant(c: A_Const): string {
    if (c.isnull) return 'NULL';
    if (c.sval !== undefined) return quoteString(c.sval.sval ?? '');
    if (c.boolval !== undefined) return c.boolval.boolval ? 'TRUE' : 'FALSE';
    // Protobuf leaves out zero values: `ival: {}` is 0.
    if (c.ival !== undefined) return numberLiteral(String(c.ival.ival ?? 0));
    if (c.fval !== undefined) return numberLiteral(normaliseNumber(c.fval.fval ?? ''));
    if (c.bsval !== undefined) throw refused('bit-string constants');
    throw refused('this constant');
  }

  /** `$n` → `$(n + paramOffset)`, uncast: PostgreSQL infers its type from where it is used. */
  private param(p: ParamRef): string {
    const n = p.number ?? 0;
    if (n < 1 || n > MAX_PARAMS) throw new WhereError(`$${n} is not a valid parameter: use $1…$${MAX_PARAMS}`);
    if (n > this.paramCount) throw new WhereError(`where uses $${n} but params[${n}] was not given`);
    this.usedParams.add(n);
    return `$${n + this.opts.paramOffset}`;
  }

  private aExpr(e: A_Expr): string {
    const op = operatorName(e);
    switch (e.kind) {
      case 'AEXPR_OP':
        if (e.lexpr === undefined) {
          // Unary: only minus (`-1` itself arrives as a negative constant).
          if (op !== '-' || e.rexpr === undefined) throw refused(`the prefix operator ${op}`);
          return `(- ${this.expr(e.rexpr)})`;
        }
        if (!BINARY_OPERATORS.has(op) || e.rexpr === undefined) throw refused(`the operator ${op}`);
        return `(${this.expr(e.lexpr)} ${op} ${this.expr(e.rexpr)})`;
      case 'AEXPR_IN': {
        // The parser names IN "=" and NOT IN "<>".
        const keyword = op === '=' ? 'IN' : op === '<>' ? 'NOT IN' : undefined;
        if (keyword === undefined || e.lexpr === undefined) throw refused(`IN with ${op}`);
        const items = listItems(e.rexpr).map((item) => {
          if (!isValue(item)) throw refused('IN lists other than constants and $n parameters');
          return this.expr(item);
        });
        return `(${this.expr(e.lexpr)} ${keyword} (${items.join(', ')}))`;
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE': {
        const keyword = LIKE_OPERATORS[op];
        if (keyword === undefined || e.lexpr === undefined || e.rexpr === undefined) throw refused(`the operator ${op}`);
        if ('FuncCall' in e.rexpr) throw refused(`${keyword} … ESCAPE`);
        if (!isValue(e.rexpr)) throw refused(`${keyword} patterns other than a constant or a $n parameter`);
        return `(${this.expr(e.lexpr)} ${keyword} ${this.expr(e.rexpr)})`;
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const bounds = listItems(e.rexpr);
        const [low, high] = bounds;
        if (e.lexpr === undefined || bounds.length !== 2 || low === undefined || high === undefined) throw refused('this BETWEEN');
        // The parser names the variants "BETWEEN", "NOT BETWEEN", "BETWEEN SYMMETRIC", "NOT BETWEEN SYMMETRIC".
        const keyword = BETWEEN_KEYWORDS[e.kind];
        return `(${this.expr(e.lexpr)} ${keyword} ${this.expr(low)} AND ${this.expr(high)})`;
      }
      default:
        throw refused(REFUSED_A_EXPR_KINDS[e.kind ?? ''] ?? `the operator ${op}`);
    }
  }

  private boolExpr(e: BoolExpr): string {
    const args = (e.args ?? []).map((arg) => this.expr(arg));
    if (args.length === 0) throw refused('an empty boolean expression');
    switch (e.boolop) {
      case 'AND_EXPR':
        return `(${args.join(' AND ')})`;
      case 'OR_EXPR':
        return `(${args.join(' OR ')})`;
      case 'NOT_EXPR':
        if (args.length !== 1) throw refused('this NOT');
        return `(NOT ${args[0]})`;
      default:
        throw refused(`the boolean operator ${e.boolop}`);
    }
  }

  private nullTest(t: NullTest): string {
    if (t.arg === undefined) throw refused('this IS NULL');
    switch (t.nulltesttype) {
      case 'IS_NULL':
        return `(${this.expr(t.arg)} IS NULL)`;
      case 'IS_NOT_NULL':
        return `(${this.expr(t.arg)} IS NOT NULL)`;
      default:
        throw refused(`the test ${t.nulltesttype}`);
    }
  }

  private booleanTest(t: BooleanTest): string {
    const keyword = BOOLEAN_TESTS[t.booltesttype ?? ''];
    if (keyword === undefined) throw refused('IS [NOT] UNKNOWN');
    if (t.arg === undefined) throw refused(`this ${keyword}`);
    return `(${this.expr(t.arg)} ${keyword})`;
  }

  /** `x::int`, `CAST(x AS int)`, `date '2024-01-01'` → `CAST(x AS pg_catalog.int4)`; the client's cast is kept. */
  private typeCast(c: TypeCast): string {
    if (c.arg === undefined || c.typeName === undefined) throw refused('this cast');
    const type = renderType(c.typeName);
    return `CAST(${this.expr(c.arg)} AS ${type})`;
  }

  private funcCall(f: FuncCall): string {
    const names = (f.funcname ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : '?'));
    const shown = names.join('.');
    let name: string | undefined;
    if (names.length === 1 && f.funcformat === 'COERCE_EXPLICIT_CALL') {
      name = names[0];
    } else if (
      // `trim([both|leading|trailing] [chars] from x)`: SQL syntax, which the parser itself qualifies.
      names.length === 2 && names[0] === 'pg_catalog' && f.funcformat === 'COERCE_SQL_SYNTAX' &&
      names[1] !== undefined && TRIM_SYNTAX_FUNCTIONS.has(names[1])
    ) {
      name = names[1];
    } else if (names.length > 1 && f.funcformat === 'COERCE_EXPLICIT_CALL') {
      throw new WhereError(`function ${shown} is not allowed: schema-qualified names are not supported. ${ALLOWED}`);
    }
    const arity = name === undefined ? undefined : FUNCTIONS.get(name);
    if (name === undefined || arity === undefined) throw refused(`the function ${names.at(-1) ?? shown}`);
    if (f.agg_star) throw refused(`${name}(*)`);
    if (f.agg_distinct || f.agg_order || f.agg_within_group || f.agg_filter || f.over || f.func_variadic) {
      throw refused(`DISTINCT, ORDER BY, WITHIN GROUP, FILTER, OVER or VARIADIC in a call of ${name}`);
    }
    const args = f.args ?? [];
    if (args.length < arity.minArgs || args.length > arity.maxArgs) {
      const expected = arity.minArgs === arity.maxArgs ? `${arity.minArgs}` : `${arity.minArgs} or ${arity.maxArgs}`;
      throw new WhereError(`${name} takes ${expected} argument${arity.maxArgs === 1 ? '' : 's'}, not ${args.length}`);
    }
    if (args.some((arg) => 'NamedArgExpr' in arg)) throw refused('named function arguments');
    return `pg_catalog.${name}(${args.map((arg) => this.expr(arg)).join(', ')})`;
  }

  private coalesce(c: CoalesceExpr): string {
    const args = (c.args ?? []).map((arg) => this.expr(arg));
    if (args.length === 0) throw refused('an empty COALESCE');
    return `COALESCE(${args.join(', ')})`;
  }
}

const LIKE_OPERATORS: Readonly<Record<string, string>> = {
  '~~': 'LIKE',
  '!~~': 'NOT LIKE',
  '~~*': 'ILIKE',
  '!~~*': 'NOT ILIKE',
};
const BETWEEN_KEYWORDS: Readonly<Record<string, string>> = {
  AEXPR_BETWEEN: 'BETWEEN',
  AEXPR_NOT_BETWEEN: 'NOT BETWEEN',
  AEXPR_BETWEEN_SYM: 'BETWEEN SYMMETRIC',
  AEXPR_NOT_BETWEEN_SYM: 'NOT BETWEEN SYMMETRIC',
};
const BOOLEAN_TESTS: Readonly<Record<string, string>> = {
  IS_TRUE: 'IS TRUE',
  IS_NOT_TRUE: 'IS NOT TRUE',
  IS_FALSE: 'IS FALSE',
  IS_NOT_FALSE: 'IS NOT FALSE',
};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function refused(what: string): WhereError {
  return new WhereError(`${what} is not allowed in where. ${ALLOWED}`);
}

function describeNode(node: Node): string {
  const kind = Object.keys(node)[0] ?? 'unknown';
  if (kind.startsWith('Json')) return 'JSON constructors and functions';
  return REFUSED_NODES[kind] ?? `this expression (${kind})`;
}

/** An operator's name; `OPERATOR(schema.op)` has several parts and is refused. */
function operatorName(e: A_Expr): string {
  const parts = (e.name ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : '?'));
  if (parts.length !== 1 || parts[0] === undefined) throw refused(`OPERATOR(${parts.join('.')})`);
  return parts[0];
}

/** The items of the List the parser puts in IN (…) and BETWEEN … AND …. */
function listItems(node: Node | undefined): Node[] {
  if (node === undefined || !('List' in node)) throw refused('this list');
  return node.List.items ?? [];
}

/** A constant or `$n`, possibly cast: what IN lists and LIKE patterns may hold. */
function isValue(node: Node): boolean {
  if ('TypeCast' in node) return node.TypeCast.arg !== undefined && isValue(node.TypeCast.arg);
  return 'A_Const' in node || 'ParamRef' in node;
}

function renderType(t: TypeName): string {
  const names = (t.names ?? []).map((n) => ('String' in n ? (n.String.sval ?? '') : '?'));
  // The parser itself qualifies SQL-standard type names (`integer` → pg_catalog.int4).
  const name = names.length === 1 ? names[0] : names.length === 2 && names[0] === 'pg_catalog' ? names[1] : undefined;
  const shown = name ?? names.join('.');
  const spec = name === undefined ? undefined : CAST_TYPES.get(name);
  if (name === undefined || spec === undefined || t.setof || t.pct_type || t.arrayBounds !== undefined) {
    throw new WhereError(`cast to ${shown}${t.arrayBounds ? '[]' : ''} is not allowed: casts are allowed to ${CAST_TYPE_NAMES}`);
  }
  const typmods = (t.typmods ?? []).map((m, i) => {
    const range = spec.typmods[i];
    const value = 'A_Const' in m && m.A_Const.ival !== undefined ? (m.A_Const.ival.ival ?? 0) : undefined;
    if (range === undefined || value === undefined || value < range[0] || value > range[1]) {
      throw new WhereError(`cast to ${name} has an invalid type modifier`);
    }
    return String(value);
  });
  // Qualified, like the functions, so that no other schema's type of the same name is meant.
  return `pg_catalog.${name}${typmods.length > 0 ? `(${typmods.join(', ')})` : ''}`;
}

/** Numeric literal text from the parser (`1_000.5`, `0x1F…`, `-1e10`) → plain decimal text. */
function normaliseNumber(text: string): string {
  const negative = text.startsWith('-');
  let digits = (negative ? text.slice(1) : text).replaceAll('_', '');
  // Hexadecimal/octal/binary literals too large for int8 arrive here as text: convert them.
  if (/^0[xob][0-9a-f]+$/i.test(digits)) digits = BigInt(digits).toString();
  return (negative ? '-' : '') + digits;
}

/** A number, printed so nothing can glue onto it: negatives in parentheses (`- -1` vs `--` comment). */
function numberLiteral(text: string): string {
  if (!/^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$/i.test(text)) throw refused(`the number ${text}`);
  return text.startsWith('-') ? `(${text})` : text;
}

/** A double-quoted identifier, embedded `"` doubled. */
function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A string constant. Standard quoting (`'O''Brien'`) unless the value has a backslash: then an
 * escape string with the backslash doubled (`E'a\\b'`), which means the same whatever the
 * session's standard_conforming_strings says (a plain `'a\'` would end differently when it is off).
 */
function quoteString(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/** ", columns: a, b, c" when the columns can be listed and are few enough to read. */
function columnList(columns: WhereColumns): string {
  if (!isIterable(columns)) return '';
  const names = [...columns].filter((n): n is string => typeof n === 'string');
  if (names.length === 0 || names.length > 40) return '';
  return `; its columns are: ${names.join(', ')}`;
}

function isIterable(value: object): value is Iterable<unknown> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}
