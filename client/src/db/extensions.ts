import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

/**
 * The Postgres extensions the local schema uses, as PGlite loads them: pass this as (or spread it
 * into) `extensions` of `PGlite.create`. pg_trgm indexes the parts list's search.
 */
export const LOCAL_EXTENSIONS = { pg_trgm };
