/**
 * The knowledge loop's SQL (client/src/screens/knowledge/knowledge-query.ts) on the tablet's local
 * schema: suggestions for what is being typed rank the same machine first, then a sister machine
 * (same type) in the same category, then the rest, each by word match raised by votes; a vote
 * recorded on the tablet counts at once and only once per person; the knowledge page filters.
 */
import { v7 as uuidv7 } from 'uuid';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordCommand } from '../../../client/src/outbox/record-command.ts';
import {
  DEFAULT_KNOWLEDGE_FILTERS,
  KNOWLEDGE_LIST_SQL,
  knowledgeListParams,
  knowledgeWords,
  seedWords,
  similarFixesQuery,
  type KnowledgeFilters,
  type KnowledgeRow,
} from '../../../client/src/screens/knowledge/knowledge-query.ts';
import { useLocalDatabase } from '../support/local-database.ts';

describe('past fixes on the tablet', () => {
  const local = useLocalDatabase();
  const userId = uuidv7();
  const shredder = uuidv7();
  const otherShredder = uuidv7();
  const loader = uuidv7();

  beforeAll(async () => {
    await local.pg.query(
      `insert into session (user_id, site_id, username, display_name, role, locale, access_token, access_token_expires_at, refresh_token, refresh_token_expires_at)
       values ($1, $2, 'tech', 'Ana', 'technician', 'en', 'a', now() + interval '1 hour', 'r', now() + interval '1 day')`,
      [userId, uuidv7()],
    );
    await local.pg.query(
      `insert into equipment_synced (id, tag, name, type, status) values
         ($1, 'SHR-1', 'Main shredder', 'shredder', 'running'),
         ($2, 'SHR-2', 'Second shredder', 'shredder', 'running'),
         ($3, 'LDR-1', 'Loader', 'loader', 'running')`,
      [shredder, otherShredder, loader],
    );
  });

  beforeEach(async () => {
    await local.pg.exec('delete from outbox; delete from knowledge_votes_synced; delete from knowledge_synced');
  });

  async function fix(problem: string, fields: { machine?: string; category?: string; cause?: string; fixSteps?: string; votes?: number; daysAgo?: number } = {}) {
    const id = uuidv7();
    await local.pg.query(
      `insert into knowledge_synced (id, equipment_id, category, problem, cause, fix_steps, helpful_votes, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, now() - make_interval(days => $8))`,
      [id, fields.machine ?? null, fields.category ?? null, problem, fields.cause ?? null, fields.fixSteps ?? null, fields.votes ?? 0, fields.daysAgo ?? 1],
    );
    return id;
  }

  async function suggest(text: string, machine: string | null = null, category: string | null = null) {
    const { sql, params } = similarFixesQuery(text, machine, category);
    const { rows } = await local.pg.query<KnowledgeRow>(sql, params);
    return rows;
  }

  async function list(filters: Partial<KnowledgeFilters> = {}) {
    const { rows } = await local.pg.query<KnowledgeRow>(KNOWLEDGE_LIST_SQL, knowledgeListParams({ ...DEFAULT_KNOWLEDGE_FILTERS, ...filters }));
    return rows.map((row) => row.problem);
  }

  it('takes the words that similarity can use', () => {
    expect(knowledgeWords('  Hydraulic LEAK at the ram, 2x!  ')).toEqual(['hydraulic', 'leak', 'the', 'ram']);
    expect(knowledgeWords('a b')).toEqual([]);
  });

  it('ranks the same machine first, then a sister machine in the same category, then the rest; unrelated fixes are left out', async () => {
    await fix('Hydraulic hose leaking at the ram', { machine: loader, category: 'hydraulics', votes: 9 });
    await fix('Hydraulic leak on the pusher cylinder', { machine: otherShredder, category: 'hydraulics' });
    await fix('Hydraulic leak at the main pump', { machine: shredder, category: 'hydraulics', daysAgo: 300 });
    await fix('Conveyor belt torn', { machine: shredder, category: 'general' });
    await fix('Hydraulic leak, pusher cylinder seals', { machine: otherShredder, category: 'electrical' });
    const rows = await suggest('hydraulic leak', shredder, 'hydraulics');
    expect(rows.map((r) => [r.problem, r.relation])).toEqual([
      ['Hydraulic leak at the main pump', 'machine'],
      ['Hydraulic leak on the pusher cylinder', 'kind'],
      // Another category on a sister machine is no closer than a loader's fix: votes decide.
      ['Hydraulic hose leaking at the ram', 'other'],
      ['Hydraulic leak, pusher cylinder seals', 'other'],
    ]);
    expect(await suggest('hydralic leak', shredder, 'hydraulics').then((r) => r[0]?.problem)).toBe('Hydraulic leak at the main pump');
    expect(await suggest('', shredder, 'hydraulics')).toEqual([]);
    expect(await suggest('bearing noise', shredder, 'hydraulics')).toEqual([]);
  });

  it('finds words in the cause and the fix too, and without a machine ranks by match and votes', async () => {
    await fix('Shredder stops under load', { cause: 'Overload relay tripping', fixSteps: 'Reset the relay, check the motor current', daysAgo: 5 });
    await fix('Rotor will not start', { fixSteps: 'Replaced the overload relay', daysAgo: 1 });
    await fix('Relay box cover cracked', { votes: 2 });
    // Both words in both: the newer first; one word only is a weaker match, whatever its votes.
    expect((await suggest('overload relay')).map((r) => r.problem)).toEqual(['Rotor will not start', 'Shredder stops under load', 'Relay box cover cracked']);
    await local.pg.query(`update knowledge_synced set helpful_votes = 3 where problem = 'Shredder stops under load'`);
    expect((await suggest('overload relay')).map((r) => r.problem)[0]).toBe('Shredder stops under load');
  });

  it('finds a word beginning a longer one anywhere in the fix, a misspelt long word in the problem, and wants half the words found', async () => {
    await fix('Rotor vibration after a hammer change', { daysAgo: 1 });
    await fix('Pump noise at start', { fixSteps: 'Tightened the leaking suction fitting', daysAgo: 2 });
    await fix('Conveyor belt torn', { cause: 'Vibration of the loose idler' });
    // "leak" begins "leaking" (0.8, as pg_trgm's word similarity has it): found in the fix steps.
    const leak = await suggest('leak');
    expect(leak.map((r) => r.problem)).toEqual(['Pump noise at start']);
    expect((leak[0] as KnowledgeRow & { match: number }).match).toBeCloseTo(0.8, 6);
    // "vibraton" is "vibration" misspelt, in a problem (word similarity 0.67); in a cause it is not looked for.
    expect((await suggest('rotor vibraton')).map((r) => r.problem)).toEqual(['Rotor vibration after a hammer change']);
    expect((await suggest('vibraton idler')).map((r) => r.problem)).toEqual(['Conveyor belt torn']);
    // Two of four words found is half: suggested; one of three is not.
    expect((await suggest('hydraulic pump seal noise')).map((r) => r.problem)).toEqual(['Pump noise at start']);
    expect(await suggest('hydraulic pump seal')).toEqual([]);
  });

  it('looks up the candidates by the longest words, enough of them that every fix with half the words has one', () => {
    expect(seedWords(['rotor', 'vibration', 'after', 'hammer', 'change'])).toEqual(['vibration', 'hammer', 'change']);
    expect(seedWords(['hydraulic', 'leak', 'the', 'main'])).toEqual(['hydraulic', 'leak', 'main']);
    expect(seedWords(['hydraulic', 'leak'])).toEqual(['hydraulic', 'leak']);
    expect(seedWords(['bearing'])).toEqual(['bearing']);
    expect(seedWords([])).toEqual([]);
  });

  it('a vote recorded on the tablet raises the fix at once, and counts once per person', async () => {
    const first = await fix('Magnet will not release', { category: 'electrical', daysAgo: 1 });
    const second = await fix('Magnet will not release scrap', { category: 'electrical', daysAgo: 2 });
    expect((await suggest('magnet release')).map((r) => r.id)).toEqual([first, second]);
    await recordCommand(local.pg, 'knowledge.vote', { id: uuidv7(), knowledgeId: second });
    const rows = await suggest('magnet release');
    expect(rows.map((r) => [r.id, r.helpful_votes, r.voted, r.pending])).toEqual([
      [second, 1, true, true],
      [first, 0, false, false],
    ]);
  });

  it('the knowledge page filters by machine, category and words, and lists the most helpful first', async () => {
    await fix('Hydraulic leak at the main pump', { machine: shredder, category: 'hydraulics', votes: 1 });
    await fix('Hydraulic hose leaking at the ram', { machine: loader, category: 'hydraulics', votes: 4 });
    await fix('Conveyor belt torn', { machine: shredder, category: 'general' });
    expect(await list()).toEqual(['Hydraulic hose leaking at the ram', 'Hydraulic leak at the main pump', 'Conveyor belt torn']);
    expect(await list({ machine: 'shr-1' })).toEqual(['Hydraulic leak at the main pump', 'Conveyor belt torn']);
    expect(await list({ category: 'hydraulics', machine: 'SHR-1' })).toEqual(['Hydraulic leak at the main pump']);
    expect(await list({ search: 'conveyor' })).toEqual(['Conveyor belt torn']);
    // Every word must be found: "leak pump" narrows to one.
    expect(await list({ search: 'leak pump' })).toEqual(['Hydraulic leak at the main pump']);
    expect(await list({ search: 'gearbox' })).toEqual([]);
  });
});
