/** A database that answers before its changes are stored and can be asked to store them. */
export interface WritesBack {
  writeBack(): Promise<void>;
}

/**
 * Resolves once the changes made so far are stored on the tablet (see `db/write-back.ts`). Called
 * after what a person must not lose: a recorded command, a sign-in or sign-out. A database that
 * stores every change before answering (PGlite in Node, in the tests) has nothing to wait for.
 */
export async function persisted(pg: object): Promise<void> {
  if ('writeBack' in pg && typeof pg.writeBack === 'function') await (pg as WritesBack).writeBack();
}
