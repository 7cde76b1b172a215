import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { newPasswordSchema, usernameSchema } from '@cimco/contract';
import { createUser, findUserByUsername } from '../auth/users.ts';
import { runCli, UsageError } from './run-cli.ts';

const USAGE = `Create an administrator account.

  npm run create-admin                      asks for everything
  npm run create-admin -- --username boss --name "Ops Manager" --site sterling [--site-name "Sterling yard"] --password-stdin

  --site       the yard's code (lower-case letters, digits, dashes); created if it does not exist
  --site-name  the yard's name when it is created (default: the code)
  --password-stdin  read the password from standard input (for scripts) instead of asking`;

const optionsSchema = z.object({
  username: usernameSchema,
  name: z.string().trim().min(1, 'name is required').max(120),
  site: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'site must be a code like "sterling" (lower-case letters, digits, dashes)'),
  siteName: z.string().trim().min(1).max(120).optional(),
  password: newPasswordSchema,
});

await runCli('create-admin', async ({ db }) => {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      site: { type: 'string' },
      'site-name': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const ask = process.stdin.isTTY ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
  const need = async (value: string | undefined, question: string): Promise<string | undefined> =>
    value ?? (ask ? await ask.question(question) : undefined);
  const raw = {
    username: await need(values.username, 'Username: '),
    name: await need(values.name, 'Full name: '),
    site: await need(values.site, 'Yard code (e.g. sterling): '),
    siteName: values['site-name'],
    password: values['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : await need(undefined, 'Password (10+ characters): '),
  };
  ask?.close();
  const parsed = optionsSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new UsageError(`\n${problems}\n\n${USAGE}`);
  }
  const options = parsed.data;
  if (await findUserByUsername(db.pool, options.username)) {
    throw new UsageError(`a user named "${options.username.toLowerCase()}" already exists.`);
  }
  const siteId = await findOrCreateSite(db.pool, options.site, options.siteName ?? options.site);
  const user = await createUser(db.pool, {
    siteId,
    username: options.username,
    displayName: options.name,
    role: 'admin',
    password: options.password,
  });
  console.log(`Created administrator "${user.username}" for yard "${options.site}".`);
});

async function findOrCreateSite(pool: pg.Pool, code: string, name: string): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `insert into sites (id, code, name) values ($1, $2, $3)
     on conflict (code) do update set code = excluded.code
     returning id`,
    [uuidv7(), code, name],
  );
  return rows[0]!.id;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
