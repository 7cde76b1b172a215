/**
 * `npx tsx bench/search-sql.ts`: the parts list's search (client/src/screens/parts/parts-query.ts)
 * on a generated catalogue in an in-memory PGlite with the tablet's local schema — PGlite in Node
 * standing in for the browser's. For each term: a keystroke's work, the first 60 rows plus the
 * count, p50 and p95 over the runs, beside the same queries without the search column's trigram
 * index. Also how long loading the catalogue into the synced table took (the overlay table and
 * its indexes follow in the same statement).
 *
 * It prints figures and asserts nothing.
 */
import { PGlite } from '@electric-sql/pglite';
import { LOCAL_EXTENSIONS } from '../client/src/db/extensions.ts';
import { prepareLocalDatabase } from '../client/src/db/prepare-database.ts';
import { NO_FILTERS, partsListQuery, type PartFilters } from '../client/src/screens/parts/parts-query.ts';
import { generatePart } from '../sync-server/src/seed/generate.ts';
import { createRandom } from '../sync-server/src/seed/random.ts';
import { fixed, heading, int, percentile, table } from './lib/format.ts';
import { readOptions } from './lib/options.ts';

const USAGE = `npx tsx bench/search-sql.ts [-- options]

  --parts N   parts in the catalogue                        (default 50000)
  --runs N    measured runs of each term, after 3 unmeasured  (default 20)`;

const options = readOptions('search-sql', USAGE, process.argv.slice(2), { texts: ['parts', 'runs'] });
const PARTS = options.whole('parts', 50_000, 100, 1_000_000);
const RUNS = options.whole('runs', 20, 5, 10_000);
/** Runs not measured: PGlite's WebAssembly is compiled again, faster, once code has run a while. */
const WARM_UP = 3;
const PAGE = 60;
const PREFIX = 'B7K2QX';

/** A part number of the catalogue, and the same with one character changed that no part has. */
async function numbers(pg: PGlite): Promise<{ known: string; typo: string }> {
  const { rows } = await pg.query<{ part_number: string }>(`select part_number from parts where part_number like $1`, ['%-0012345']);
  const known = rows[0]!.part_number;
  for (const digit of '0123456789') {
    const typo = `${known.slice(0, -3)}${digit}${known.slice(-2)}`;
    const taken = await pg.query('select 1 from parts where upper(part_number) = $1', [typo]);
    if (typo !== known && taken.rows.length === 0) return { known, typo };
  }
  throw new Error(`every number one digit from ${known} is taken`);
}

async function loadCatalogue(pg: PGlite): Promise<number> {
  const random = createRandom(1);
  const now = Date.parse('2026-01-15T00:00:00Z');
  const quote = (v: unknown) => (v === null ? '' : `"${String(v).replaceAll('"', '""')}"`);
  const lines: string[] = [];
  for (let i = 0; i < PARTS; i++) {
    const p = generatePart(random, PREFIX, i, now);
    lines.push([p.id, p.part_number, p.name, p.category, p.part_type, p.manufacturer, p.supplier, p.unit_cost, p.stock, p.min_quantity,
      p.lead_time_days, p.location, p.wear_rating, p.created_at, p.created_at].map(quote).join(','));
  }
  const started = performance.now();
  await pg.query(
    `copy parts_synced (id, part_number, name, category, part_type, manufacturer, supplier, unit_cost, quantity, min_quantity,
       lead_time_days, location, wear_rating, created_at, updated_at) from '/dev/blob' with (format csv)`,
    [],
    { blob: new Blob([lines.join('\n')]) },
  );
  return (performance.now() - started) / 1000;
}

interface Term {
  label: string;
  filters: PartFilters;
}

async function terms(pg: PGlite): Promise<Term[]> {
  const { known, typo } = await numbers(pg);
  const search = (label: string, text: string): Term => ({ label: `${label}: "${text}"`, filters: { ...NO_FILTERS, search: text } });
  return [
    { label: 'no search, part number order', filters: NO_FILTERS },
    { label: 'no search, by status', filters: { ...NO_FILTERS, sort: 'status' } },
    { label: 'no search, low stock, by name', filters: { ...NO_FILTERS, lowStockOnly: true, sort: 'name' } },
    search('part number', known),
    search('part number, lower case', known.toLowerCase()),
    search('part number, one digit off', typo),
    search('number prefix', known.slice(0, -3)),
    search('number prefix', known.slice(0, 9)),
    search('serial', known.slice(-7)),
    search('one letter', 'h'),
    search('two letters', 'hy'),
    search('three letters', 'sea'),
    search('name word', 'hammer'),
    search('name word', 'filter'),
    search('two words', 'seal kit'),
    search('word and short spec', 'hose -12'),
    search('manufacturer', 'parker'),
    search('manufacturer, spelled two ways in the yard', 'metso'),
    search('typo, letter missing', 'hamer'),
    search('typo, letters swapped', 'bearnig'),
    search('typo, letter missing', 'contactr'),
    search('no match', 'zzzzzz'),
    { label: 'search and a filter: "filter" in Mobile equipment', filters: { ...NO_FILTERS, search: 'filter', category: 'Mobile equipment' } },
  ];
}

interface Figures {
  count: number;
  p50: number;
  p95: number;
}

async function measure(pg: PGlite, filters: PartFilters): Promise<Figures> {
  const { sql, countSql, params } = partsListQuery(filters);
  const times: number[] = [];
  let count = 0;
  for (let run = 0; run < WARM_UP + RUNS; run++) {
    const started = performance.now();
    await pg.query(`${sql} limit ${PAGE} offset 0`, params);
    count = (await pg.query<{ count: number }>(countSql, params)).rows[0]!.count;
    if (run >= WARM_UP) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { count, p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const pg = await PGlite.create({ extensions: LOCAL_EXTENSIONS });
  await prepareLocalDatabase(pg);
  // No ANALYZE: nothing runs one on a tablet either.
  const loadSeconds = await loadCatalogue(pg);
  const list = await terms(pg);
  const indexed: Figures[] = [];
  for (const term of list) indexed.push(await measure(pg, term.filters));
  await pg.exec('drop index parts_search_idx');
  const plain: Figures[] = [];
  for (const term of list) plain.push(await measure(pg, term.filters));
  await pg.close();

  console.log(heading(`Parts search: first ${PAGE} rows + count, ${int(PARTS)} parts, ${RUNS} runs each (ms)`));
  console.log(`load: COPY of ${int(PARTS)} parts into parts_synced (overlay table and indexes included) ${fixed(loadSeconds, 2)} s\n`);
  console.log(
    table(
      ['term', 'matches', 'p50', 'p95', 'no index p50', 'no index p95'],
      list.map((term, i) => [term.label, int(indexed[i]!.count), fixed(indexed[i]!.p50), fixed(indexed[i]!.p95), fixed(plain[i]!.p50), fixed(plain[i]!.p95)]),
    ),
  );
}

await main();
