/**
 * `npx tsx bench/knowledge-sql.ts`: the past-fix suggestions shown while a task or log entry is
 * typed (client/src/screens/knowledge/knowledge-query.ts) on generated fixes in an in-memory PGlite
 * with the tablet's local schema — PGlite in Node standing in for the browser's. For each size and
 * typed text: p50 / p95 of the suggestion query, beside the same query with sequential scans
 * disabled (about the same when the planner takes the trigram index knowledge_text_idx by itself,
 * as it should) and the floor measured in the same run (one pass over the same rows computing
 * nothing: `select count(*)`), and the target (50 ms).
 *
 * The fixes arrive after the index is made, as fixes synced one by one do (an initial sync builds
 * the screen indexes after loading instead).
 *
 * It prints figures and asserts nothing.
 */
import { PGlite } from '@electric-sql/pglite';
import { v7 as uuidv7 } from 'uuid';
import { LOCAL_EXTENSIONS } from '../client/src/db/extensions.ts';
import { prepareLocalDatabase } from '../client/src/db/prepare-database.ts';
import { similarFixesQuery } from '../client/src/screens/knowledge/knowledge-query.ts';
import { KNOWLEDGE } from '../sync-server/src/seed/demo-yard-data.ts';
import { createRandom } from '../sync-server/src/seed/random.ts';
import { fixed, heading, int, percentile, table } from './lib/format.ts';
import { readOptions } from './lib/options.ts';

const USAGE = `npx tsx bench/knowledge-sql.ts [-- options]

  --fixes L   numbers of past fixes, one run each         (default 500,2000,5000)
  --runs N    measured runs of each text, after 3 unmeasured (default 20)`;

const options = readOptions('knowledge-sql', USAGE, process.argv.slice(2), { texts: ['fixes', 'runs'] });
const SIZES = options.wholeList('fixes', '500,2000,5000', 10, 1_000_000);
const RUNS = options.whole('runs', 20, 5, 10_000);
const WARM_UP = 3;
const MACHINES = 200;
const TEXTS = ['hydraulic leak', 'rotor vibration after hammer change', 'belt slips', 'hydralic leek', 'bearing', 'la banda patina'];

/** Fixes made of the demo yard's texts, words shuffled and mixed, spread over the machines. */
async function load(pg: PGlite, fixes: number, machines: string[]): Promise<void> {
  const random = createRandom(7);
  const words = KNOWLEDGE.flatMap((k) => `${k.problem} ${k.cause}`.split(/\s+/));
  const pick = () => words[random.int(0, words.length - 1)]!;
  const rows: unknown[][] = [];
  for (let i = 0; i < fixes; i++) {
    const base = KNOWLEDGE[i % KNOWLEDGE.length]!;
    const problem = i < KNOWLEDGE.length ? base.problem : `${base.problem.split(' ').slice(0, 3).join(' ')} ${pick()} ${pick()} ${pick()}`;
    rows.push([uuidv7(), machines[i % machines.length]!, base.category, problem, base.cause, base.fix, random.int(0, 3)]);
  }
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await pg.query(
      `insert into knowledge_synced (id, equipment_id, category, problem, cause, fix_steps, helpful_votes, created_at)
       select (r->>0)::uuid, (r->>1)::uuid, r->>2, r->>3, r->>4, r->>5, (r->>6)::int, now() from json_array_elements($1::json) r`,
      [JSON.stringify(chunk)],
    );
  }
}

async function time(run: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    const started = performance.now();
    await run();
    if (i >= WARM_UP) times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

async function main(): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const size of SIZES) {
    const pg = await PGlite.create({ extensions: LOCAL_EXTENSIONS });
    await prepareLocalDatabase(pg);
    const machines = Array.from({ length: MACHINES }, () => uuidv7());
    await pg.query(`insert into equipment_synced (id, tag, name, type, status) select id, 'M' || n, 'Machine ' || n, 'shredder', 'running'
                      from unnest($1::uuid[]) with ordinality as m(id, n)`, [machines]);
    await load(pg, size, machines);
    const floor = await time(() => pg.query('select count(*) from knowledge'));
    for (const text of TEXTS) {
      const { sql, params } = similarFixesQuery(text, machines[0], 'hydraulics');
      const figures = await time(() => pg.query(sql, params));
      const shown = (await pg.query(sql, params)).rows.length;
      // A check on the plan: with sequential scans off, the same figures mean the query already
      // reads its candidates through the trigram index (a scan of every fix would show here).
      await pg.exec('set enable_seqscan = off');
      const indexed = await time(() => pg.query(sql, params));
      await pg.exec('reset enable_seqscan');
      rows.push([int(size), `"${text}"`, shown, fixed(figures.p50), fixed(figures.p95), fixed(indexed.p95), fixed(floor.p95), '≤ 50']);
    }
    await pg.close();
  }
  console.log(heading(`Past-fix suggestions while typing: ${RUNS} runs each (ms)`));
  console.log(table(['fixes', 'typed', 'shown', 'p50', 'p95', 'seq scan off p95', 'floor p95 (count(*))', 'target'], rows));
}

await main();
process.exit(0);
