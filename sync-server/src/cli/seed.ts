import { parseArgs } from 'node:util';
import { z } from 'zod';
import { seedDemoYard } from '../seed/demo-yard.ts';
import { GENERATE_MAX_ROWS, generateYardData, type GenerateResult } from '../seed/generate.ts';
import { runCli } from './run-cli.ts';

const USAGE = `Fill a database with generated yard data (for benchmarks), or seed the demo yard.

  npm run seed -- --parts 50000 --equipment 2000 --logs 100000 [--tasks N] [--site CODE] [--seed N]
  npm run seed -- --demo

  --parts N       parts, each with an opening stock count              (default 0)
  --equipment N   machines, in parent/child groups                     (default 0)
  --logs N        maintenance log entries on those machines            (default 0)
  --tasks N       work orders                                          (default: equipment / 2)
  --site CODE     the yard to fill; created if missing, never the demo (default bench)
  --seed N        PRNG seed: the same seed gives the same content      (default 1)
  --demo          seed the demo yard "sterling" if it is not there yet

Each run uses a fresh prefix in part numbers and tags, so it can be repeated on the same site.
It uses the server's database: DATABASE_URL, or the embedded PostgreSQL in DATA_DIR (stop a
server using the same DATA_DIR first: only one process can run that database at a time).`;

const count = (flag: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `--${flag} must be a whole number, e.g. --${flag} 5000`)
    .transform(Number)
    .refine((n) => n <= GENERATE_MAX_ROWS, `--${flag} must be at most ${GENERATE_MAX_ROWS.toLocaleString('en-US')}`)
    .optional();

const optionsSchema = z
  .object({
    parts: count('parts'),
    equipment: count('equipment'),
    logs: count('logs'),
    tasks: count('tasks'),
    site: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, '--site must be a code like "bench" (lower-case letters, digits, dashes)')
      .refine((code) => code !== 'sterling', '--site sterling is the demo yard: choose another code')
      .default('bench'),
    seed: z
      .string()
      .trim()
      .regex(/^\d{1,10}$/, '--seed must be a whole number, e.g. --seed 42')
      .transform(Number)
      .default(1),
    demo: z.boolean().default(false),
  });

type Options = z.infer<typeof optionsSchema>;

/** Bad arguments are reported before any database is started. */
function parseOptions(argv: string[]): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        parts: { type: 'string' },
        equipment: { type: 'string' },
        logs: { type: 'string' },
        tasks: { type: 'string' },
        site: { type: 'string' },
        seed: { type: 'string' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    fail([(error as Error).message]);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => issue.message));
  const o = parsed.data;
  if (!o.demo && (o.parts ?? 0) + (o.equipment ?? 0) + (o.logs ?? 0) + (o.tasks ?? 0) === 0) {
    fail(['nothing to do: give --parts, --equipment, --logs or --tasks (or --demo)']);
  }
  return o;
}

function fail(problems: string[]): never {
  console.error(`seed: ${problems.join('\n      ')}\n\n${USAGE}`);
  process.exit(2);
}

function summary(result: GenerateResult, site: string, seconds: number): string {
  const rows = result.equipment + result.parts + result.stockMovements + result.tasks + result.logs;
  const line = (label: string, n: number, note = '') =>
    `  ${label.padEnd(16)}${n.toLocaleString('en-US').padStart(12)}${note}`;
  return [
    `Generated into site "${site}" (prefix ${result.prefix}) in ${seconds.toFixed(1)} s:`,
    line('equipment', result.equipment),
    line('parts', result.parts),
    line('stock movements', result.stockMovements, '  (opening counts)'),
    line('tasks', result.tasks),
    line('logs', result.logs),
    line('total rows', rows, `  (${Math.round(rows / Math.max(seconds, 0.001)).toLocaleString('en-US')} rows/s)`),
  ].join('\n');
}

const options = parseOptions(process.argv.slice(2));

await runCli('seed', async ({ db, logger }) => {
  if (options.demo) {
    const { seeded } = await seedDemoYard(db.pool, logger);
    console.log(seeded ? 'Seeded the demo yard "sterling".' : 'The demo yard "sterling" is already there: nothing to do.');
  }
  const { parts = 0, equipment = 0, logs = 0, tasks } = options;
  if (parts + equipment + logs + (tasks ?? 0) === 0) return;

  const started = performance.now();
  const result = await generateYardData(
    db.pool,
    { site: options.site, parts, equipment, logs, tasks, seed: options.seed },
    (message) => console.log(`  ${message}`),
  );
  console.log(summary(result, options.site, (performance.now() - started) / 1000));
});
