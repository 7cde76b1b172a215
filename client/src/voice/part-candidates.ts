/**
 * The parts a spoken phrase may mean, from this tablet's database (so it works offline): the
 * parts search's top rows for the words said, ranked by part-match.ts.
 */
import type { LocalDatabase } from '../db/local-database.ts';
import { NO_FILTERS, partsListQuery, searchTerms, type PartFilters, type PartListRow } from '../screens/parts/parts-query.ts';
import { rankParts, type PartCandidate, type RankedPart } from './part-match.ts';
import type { ParsedStockPhrase } from './stock-phrase.ts';

export interface PartOption extends PartCandidate {
  quantity: number;
  unit: string | null;
}

/** The search's best rows are enough: it already orders parts by how well they match. */
const ROWS = 30;

async function search(db: LocalDatabase, filters: PartFilters): Promise<PartListRow[]> {
  const query = partsListQuery(filters);
  return (await db.query<PartListRow>(`${query.sql} limit ${ROWS}`, query.params)).rows;
}

export async function partCandidates(db: LocalDatabase, phrase: ParsedStockPhrase): Promise<RankedPart<PartOption>[]> {
  const filters = { ...NO_FILTERS, search: phrase.partWords };
  const searches = [search(db, filters)];
  // The bin said: its parts too, in case the words alone find more than the rows read.
  if (phrase.location) searches.push(search(db, { ...filters, location: phrase.location }));
  let rows = (await Promise.all(searches)).flat();
  // The search wants every word; a recogniser may add one the catalog does not have ("the big seal
  // kit"). Then each word alone, and the matcher judges how many of them a part has.
  if (rows.length === 0) {
    const words = searchTerms(phrase.partWords);
    if (words.length > 1) rows = (await Promise.all(words.map((word) => search(db, { ...NO_FILTERS, search: word })))).flat();
  }
  const unique = new Map(rows.map((row) => [row.id, row]));
  const options = [...unique.values()].map(
    (row): PartOption => ({
      id: row.id,
      partNumber: row.part_number,
      name: row.name,
      manufacturer: row.manufacturer,
      location: row.location,
      category: row.category,
      quantity: row.quantity,
      unit: row.unit,
    }),
  );
  return rankParts(phrase.partWords, options, { location: phrase.location });
}
