/**
 * The knowledge loop's SQL: past fixes (problem, cause, fix steps — kept when a task is completed)
 * ranked for what a person is typing, and the knowledge page's list. Read from the `knowledge`
 * overlay table, so a fix recorded or a vote cast on this tablet counts at once, offline.
 */

/** One past fix as the screens show it. */
export interface KnowledgeRow {
  id: string;
  problem: string;
  cause: string | null;
  fix_steps: string | null;
  category: string | null;
  helpful_votes: number;
  equipment_id: string | null;
  equipment_tag: string | null;
  equipment_name: string | null;
  created_at: string;
  /** This person has said "this helped" already (their vote counts once). */
  voted: boolean;
  /** How it relates to the machine the person is working on (suggestions only; else 'other'). */
  relation: 'machine' | 'kind' | 'other';
  pending: boolean;
}

/** The words of a text that similarity can use: letters or digits, three or more, lower-cased. */
export function knowledgeWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return [...new Set(words)].slice(0, 8);
}

/** A fix is suggested when its words match the typed ones at least this well (0 … 1, see below). */
export const SUGGESTION_MIN_MATCH = 0.5;
/** Suggestions shown at most. */
export const SUGGESTION_LIMIT = 5;
/**
 * A typed word this long or longer also matches a misspelling of it in a fix's problem. Shorter
 * words have too few trigrams for pg_trgm to tell a misspelling from another word ("leek" is 0.4
 * like "leak"), and "the", "and" would make every fix a candidate.
 */
export const MISSPELT_MIN_LENGTH = 5;
/** A misspelling counts from this word similarity on: pg_trgm's default threshold, the one `<%` applies. */
export const MISSPELT_MIN_MATCH = 0.6;

/** The columns of a fix; `voted` is of the person signed in on this tablet. */
const FIX_COLUMNS = `k.id, k.problem, k.cause, k.fix_steps, k.category, k.helpful_votes, k.equipment_id,
         e.tag as equipment_tag, e.name as equipment_name, coalesce(k.created_at, now())::text as created_at,
         exists (select 1 from knowledge_votes v where v.knowledge_id = k.id and v.user_id = (select user_id from session)) as voted, k.pending`;

/**
 * The text a fix's words are found in: problem, cause and fix steps, lower-cased. The same
 * expression is the first column of the trigram index knowledge_text_idx (db/local-schema.ts,
 * SCREEN_INDEXES_SQL), which serves `doc ~ '\mword'`; its second column, `lower(problem)`,
 * serves `word <% lower(problem)` (misspellings).
 */
export const KNOWLEDGE_DOC_SQL = "lower(k.problem || ' ' || coalesce(k.cause, '') || ' ' || coalesce(k.fix_steps, ''))";

/**
 * The typed words a matching fix must contain at least one of (the seeds), longest first. A fix is
 * suggested only if at least half of the n words are found in it (each scores at most 1 and the
 * mean must reach SUGGESTION_MIN_MATCH = ½), so it misses at most n − ⌈n/2⌉ of them: any
 * n − ⌈n/2⌉ + 1 words include one it has. Looking up only those finds every fix that can be
 * suggested; the longest are taken because long words are rare ones — "vibration", not "the".
 */
export function seedWords(words: string[]): string[] {
  const count = words.length - Math.ceil(words.length * SUGGESTION_MIN_MATCH) + 1;
  return [...words].sort((a, b) => b.length - a.length).slice(0, Math.max(0, Math.min(count, words.length)));
}

/**
 * Past fixes for a task or log entry being typed, best first:
 *
 * 1. fixes on the same machine;
 * 2. then fixes on a machine of the same type *and* of the same category (both known) — the same
 *    fault on a sister machine;
 * 3. then the rest;
 *
 * and within each, by how well the words match, raised by "this helped" votes: the match is the
 * mean over the typed words of each word's score, times 1 + 0.2·ln(1 + votes) — a fix that helped
 * ten people outranks a slightly closer one that helped nobody, not a fix about something else.
 * A typed word scores
 *
 * - 1 when it is a whole word of the fix's problem, cause or fix steps;
 * - n/(n+1) for n letters when it begins a longer word there ("leak" in "leaking": 0.8, what
 *   pg_trgm's word_similarity gives for it);
 * - else, for a word of MISSPELT_MIN_LENGTH letters or more, its word_similarity to the problem
 *   when at least MISSPELT_MIN_MATCH (0.6): a misspelling;
 * - else 0.
 *
 * Fixes whose match reaches SUGGESTION_MIN_MATCH (before votes) are suggested. No words: none.
 *
 * Why this shape (p95 under 50 ms at 2,000 fixes, bench/knowledge-sql.ts): word_similarity costs
 * 15–90 µs per word and row on a fix's whole text in PGlite, and the generated fixes share most
 * of their words, so scoring every candidate that way took 0.1–1.4 s. It is now only computed on
 * the short problem text, and only where a word is not found as typed (a regex on the text,
 * a few µs). The candidates come from knowledge_text_idx, one seed word at a time in a lateral
 * join on the words (one statement text for any number of words), by regex (its recheck is
 * cheap) and by `<%` on the problem (rechecked on the short text). The index keeps no pending
 * list (db/local-schema.ts): with one, the planner rightly scanned every fix instead. Only the
 * candidates are scored, and the fix's columns are read for those that pass.
 *
 * Parameters: [words (knowledgeWords), machine id, category, seeds (seedWords)]; the text is the
 * same for any words (the live query engine reads its tables from its plan once per text). The
 * words are letters and digits only (knowledgeWords), so they go into a regex as they are.
 */
export function similarFixesQuery(text: string, equipmentId: string | null | undefined, category: string | null | undefined): { sql: string; params: unknown[] } {
  const words = knowledgeWords(text);
  const sql = `
  with target as (select id, type from equipment where id = $2::uuid),
  typed as (select w, length(w) as len from unnest($1::text[]) w),
  seeds as (select w, length(w) as len from unnest($4::text[]) w),
  -- Every fix that can reach the threshold has a seed word: at the start of a word of its text, or
  -- misspelt in its problem. One index lookup per seed and way.
  candidates as (
    select k.id from seeds s cross join lateral (select k.id from knowledge k where ${KNOWLEDGE_DOC_SQL} ~ ('\\m' || s.w)) k
    union
    select k.id from seeds s cross join lateral (select k.id from knowledge k where s.w <% lower(k.problem)) k
     where s.len >= ${MISSPELT_MIN_LENGTH}
  ),
  -- The mean of the words' scores; materialized, so computed once per candidate (not again for the
  -- filter, the order and the columns).
  matched as materialized (
    select k.id,
           (select sum(case when strpos(d.doc, t.w) > 0 and d.doc ~ ('\\m' || t.w || '\\M') then 1
                            when strpos(d.doc, t.w) > 0 and d.doc ~ ('\\m' || t.w) then t.len / (t.len + 1.0)
                            when t.len >= ${MISSPELT_MIN_LENGTH}
                              then (select case when s >= ${MISSPELT_MIN_MATCH} then s else 0 end from (select word_similarity(t.w, lower(k.problem)) as s) misspelt)
                            else 0 end::float8)
              from typed t) / cardinality($1::text[]) as match
      from candidates c
      join knowledge k on k.id = c.id
      -- offset 0: the text is built once per fix, not once per use.
      cross join lateral (select ${KNOWLEDGE_DOC_SQL} as doc offset 0) d
     where k.deleted_at is null
  ),
  scored as (
    select ${FIX_COLUMNS},
           case when k.equipment_id = (select id from target) then 'machine'
                when e.type is not null and e.type = (select type from target) and k.category = $3 then 'kind'
                else 'other' end as relation,
           m.match
      from matched m
      join knowledge k on k.id = m.id
      left join equipment e on e.id = k.equipment_id
     where m.match >= ${SUGGESTION_MIN_MATCH}
  )
  select * from scored
   order by case relation when 'machine' then 0 when 'kind' then 1 else 2 end,
            match * (1 + 0.2 * ln(1 + greatest(helpful_votes, 0))) desc, created_at desc, id
   limit ${SUGGESTION_LIMIT}`;
  return { sql, params: [words, equipmentId ?? null, category ?? null, seedWords(words)] };
}

/** The knowledge page's filters, in its query string (`/knowledge?machine=CIMCO001&category=hydraulics`). */
export interface KnowledgeFilters {
  /** A machine's tag ('' = every machine). */
  machine: string;
  /** A task category ('' = every category). */
  category: string;
  /** Words in the problem, cause or fix. */
  search: string;
}

export const DEFAULT_KNOWLEDGE_FILTERS: KnowledgeFilters = { machine: '', category: '', search: '' };

/** The most fixes listed at once (the page says when there are more). */
export const KNOWLEDGE_LIMIT = 300;

/**
 * Every fix passing the filters: with words, the best matches first (as in the suggestions, without
 * a machine to favour); without, the most helpful first, then the newest. Every word must be found
 * (within a typo: word similarity ≥ 0.6) so the list narrows as one types.
 *
 * Parameters: [words (knowledgeWords), machine tag or '', category or ''].
 */
export const KNOWLEDGE_LIST_SQL = `
  with scored as (
    select ${FIX_COLUMNS}, 'other' as relation,
           (select coalesce(min(word_similarity(w, lower(k.problem || ' ' || coalesce(k.cause, '') || ' ' || coalesce(k.fix_steps, '')))), 1)
              from unnest($1::text[]) w) as match
      from knowledge k
      left join equipment e on e.id = k.equipment_id
     where k.deleted_at is null
       and ($2 = '' or upper(e.tag) = upper($2))
       and ($3 = '' or k.category = $3)
  )
  select * from scored
   where match >= 0.6
   order by case when cardinality($1::text[]) > 0 then match * (1 + 0.2 * ln(1 + greatest(helpful_votes, 0))) end desc nulls last,
            helpful_votes desc, created_at desc, id
   limit ${KNOWLEDGE_LIMIT + 1}`;

export function knowledgeListParams(filters: KnowledgeFilters): unknown[] {
  return [knowledgeWords(filters.search), filters.machine.trim(), filters.category];
}
