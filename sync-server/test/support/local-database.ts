import { PGlite } from '@electric-sql/pglite';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll } from 'vitest';
import { LOCAL_EXTENSIONS } from '../../../client/src/db/extensions.ts';
import { JSON_PARAMETERS } from '../../../client/src/db/json-parameters.ts';
import { prepareLocalDatabase } from '../../../client/src/db/prepare-database.ts';

/**
 * The tablet's local schema in an in-memory PGlite, for tests of its views and the screens' SQL:
 * opened before the file's tests, closed after. Read `.pg` inside tests.
 */
export function useLocalDatabase(): { readonly pg: PGlite } {
  const holder = {} as { pg: PGlite };
  beforeAll(async () => {
    holder.pg = await PGlite.create({ extensions: LOCAL_EXTENSIONS, serializers: JSON_PARAMETERS });
    await prepareLocalDatabase(holder.pg);
  });
  afterAll(async () => {
    await holder.pg?.close();
  });
  return holder;
}

/** A command in the outbox with one expected effect, as recordCommand stores them; its mutation id. */
export async function pendingEffect(
  pg: PGlite,
  table: string,
  rowId: string,
  op: 'insert' | 'set' | 'add',
  data: Record<string, unknown>,
): Promise<string> {
  const mutationId = uuidv7();
  await pg.query(`insert into outbox (mutation_id, name, args, user_id, client_time) values ($1, 'test', '{}', $2, now())`, [mutationId, uuidv7()]);
  await pg.query(
    `insert into outbox_effects (mutation_id, seq, table_name, row_id, op, data)
     values ($1, (select seq from outbox where mutation_id = $1), $2, $3, $4, $5)`,
    [mutationId, table, rowId, op, data],
  );
  return mutationId;
}
