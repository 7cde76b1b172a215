import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * The PostgreSQL extensions the local schema uses, as PGlite loads them (`extensions` of
 * `PGlite.create`): pg_trgm serves the parts search (trigram index, similarity for misspellings).
 */
export const LOCAL_EXTENSIONS = { pg_trgm };
