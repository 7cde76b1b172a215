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

/** The columns of a fix; `voted` is of the person signed in on this tablet. */
const FIX_COLUMNS = `k.id, k.problem, k.cause, k.fix_steps, k.category, k.helpful_votes, k.equipment_id,
         e.tag as equipment_tag, e.name as equipment_name, coalesce(k.created_at, now())::text as created_at,
         exists (select 1 from knowledge_votes v where v.knowledge_id = k.id and v.user_id = (select user_id from session)) as voted, k.pending`;

/**
 * The text a fix's words are matched in: problem, cause and fix steps, lower-cased. The same
 * expression has a trigram index (db/local-schema.ts, SCREEN_INDEXES_SQL), which `word <% doc`
 * uses to find the candidate fixes; similarity is then computed for those only (it costs about
 * 15 µs per word and row on a long fix, too much to run over a yard's every fix per keystroke).
 */
export const KNOWLEDGE_DOC_SQL = "lower(k.problem || ' ' || coalesce(k.cause, '') || ' ' || coalesce(k.fix_steps, ''))";

/**
 * Past fixes for a task or log entry being typed, best first:
 *
 * 1. fixes on the same machine;
 * 2. then fixes on a machine of the same type *and* of the same category (both known) — the same
 *    fault on a sister machine;
 * 3. then the rest;
 *
 * and within each, by how well the words match, raised by "this helped" votes: the match is the
 * mean over the typed words of pg_trgm's `word_similarity` (1 when the word is in the fix, about
 * 0.8 for "leak" in "leaking", lower for a typo), times 1 + 0.2·ln(1 + votes) — a fix that helped
 * ten people outranks a slightly closer one that helped nobody, not a fix about something else.
 * Candidates are the fixes where some typed word is found within pg_trgm's word-similarity
 * threshold (0.6, by the index); of those, fixes matching at least SUGGESTION_MIN_MATCH (before
 * votes) are suggested. No words: no suggestions.
 */
export function similarFixesQuery(text: string, equipmentId: string | null | undefined, category: string | null | undefined): { sql: string; params: unknown[] } {
  const words = knowledgeWords(text);
  // $1 the words, $2 the machine, $3 the category, then one parameter per word for the index.
  const candidates = words.length > 0 ? words.map((_, i) => `$${i + 4} <% ${KNOWLEDGE_DOC_SQL}`).join(' or ') : 'false';
  const sql = `
  with target as (select id, type from equipment where id = $2::uuid),
  scored as (
    select ${FIX_COLUMNS},
           case when k.equipment_id = (select id from target) then 'machine'
                when e.type is not null and e.type = (select type from target) and k.category = $3 then 'kind'
                else 'other' end as relation,
           (select avg(word_similarity(w, ${KNOWLEDGE_DOC_SQL})) from unnest($1::text[]) w) as match
      from knowledge k
      left join equipment e on e.id = k.equipment_id
     where k.deleted_at is null and (${candidates})
  )
  select * from scored
   where match >= ${SUGGESTION_MIN_MATCH}
   order by case relation when 'machine' then 0 when 'kind' then 1 else 2 end,
            match * (1 + 0.2 * ln(1 + greatest(helpful_votes, 0))) desc, created_at desc, id
   limit ${SUGGESTION_LIMIT}`;
  return { sql, params: [words, equipmentId ?? null, category ?? null, ...words] };
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
