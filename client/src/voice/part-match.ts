/**
 * Which catalog part a spoken phrase names: ranks candidate parts (in the app, the local parts
 * search's top rows for the words) against the words of the phrase, tolerating what speech
 * recognition does to them — misspelt or misheard words, plurals, another word order, a part
 * number read out in pieces ("h c seal zero zero three") — and, when a bin was said, preferring
 * the parts kept there. Pure: no database, no browser API.
 */

export interface PartCandidate {
  id: string;
  partNumber: string;
  name: string;
  manufacturer?: string | null;
  location?: string | null;
  category?: string | null;
}

export interface RankedPart<T extends PartCandidate = PartCandidate> {
  part: T;
  /** 0 … 1; 1 is the part number said, or every word said found in a name with nothing more. */
  score: number;
}

/** Lower case, accents and tildes dropped: recognisers are not consistent with either. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const hasDigit = (word: string) => /\d/.test(word);

/**
 * English singular, by rule rather than dictionary: the same rule is applied to the catalog's
 * names and to the phrase, so it only has to be consistent, not correct ("hhcs" → "hhc" on both
 * sides is fine). Short words and words ending in ss/us/is ("brass", "clevis") are left alone.
 */
export function singular(word: string): string {
  if (word.length <= 3 || hasDigit(word) || /(ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(x|ch|sh|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  return word;
}

/** "007" and "7" are the same number when read out. */
const withoutLeadingZeros = (word: string) => word.replace(/(^|\D)0+(?=\d)/g, '$1');

/** The catalog's abbreviations, in the words a person says. */
const ABBREVIATIONS: Record<string, string> = { brg: 'bearing', assy: 'assembly', lh: 'left hand', rh: 'right hand' };

/** "2 1/2" → "2.5": otherwise a 2 1/2'' washer would have the words of a 2'' one. */
const mixedFractions = (text: string) =>
  text.replace(/(\d+)\s+(\d+)\/(\d+)/g, (_, whole: string, top: string, bottom: string) => String(Number(whole) + Number(top) / Number(bottom)));

/**
 * The words of a name or phrase as the matcher compares them: folded, split on anything that is
 * not a letter or digit (a fraction "1/2" or decimal "393.85" stays one word), abbreviations
 * spelt out, singular, numbers without leading zeros. The catalog writes inches as '' or ", a
 * person says "inch".
 */
export function catalogWords(text: string): string[] {
  return mixedFractions(fold(text))
    .replace(/(\d)\s*(''|"|”)/g, '$1 inch ')
    .split(/[^a-z0-9./]+/)
    .map((word) => word.replace(/^[./]+|[./]+$/g, ''))
    .filter(Boolean)
    .flatMap((word) => (ABBREVIATIONS[word] ?? word).split(' '))
    .map((word) => withoutLeadingZeros(singular(word)));
}

/** Letters and digits only, no leading zeros: how a part number is compared ("HC-SEAL-003" → "hcseal3"). */
export function compact(text: string): string {
  return withoutLeadingZeros(fold(text).replace(/[^a-z0-9]/g, ''));
}

/**
 * Edit distance counting a swap of two neighbours as one edit (optimal string alignment): the
 * usual misspellings — a letter wrong, missing, extra or two swapped — each cost 1.
 */
function editDistance(a: string, b: string): number {
  // d[i][j] = distance between a's first i letters and b's first j.
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Below this a word is not taken for a misspelling of another: one edit in a five-letter word
 * (0.8) or two in a nine-letter one ("hydrolic" / "hydraulic", 0.78) passes, "nut" / "cut" does not.
 */
const MIN_SIMILARITY = 0.7;

/** How alike two words are, 0 … 1 (0 below MIN_SIMILARITY). Numbers and codes must be exact. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (hasDigit(a) || hasDigit(b)) return 0;
  const s = 1 - editDistance(a, b) / Math.max(a.length, b.length);
  return s >= MIN_SIMILARITY ? s : 0;
}

/** Words of a name that say little about which part it is; left out when judging what a name adds. */
const NAME_FILLERS = new Set(['for', 'of', 'and', 'or', 'to', 'the', 'with', 'w', 'x', 'lg', 'use']);

/**
 * How well query words fit one word of a candidate, 0 … 1. A query word the candidates' own
 * vocabulary contains is taken as said ("motor" does not also half-match "rotor"); only a word
 * none of them knows is read as a misspelling. A recogniser may split a compound ("lock plate"
 * for "lockplate"), so two neighbouring query words joined count as one.
 */
function fit(query: string[], at: number, word: string, known: Set<string>): number {
  const q = query[at]!;
  if (q + (query[at + 1] ?? '') === word || (query[at - 1] ?? '') + q === word) return 1;
  return known.has(q) ? (q === word ? 1 : 0) : similarity(q, word);
}

const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/**
 * The name's score: mostly the share of the words said that the name (or manufacturer) has, then
 * a little for how much of the name they explain, so that "hammer" puts HAMMER a little above
 * HAMMER PIN and Shredder Hammer - Heavy Duty — a little, as all three are hammers.
 */
function nameScore(query: string[], candidate: PartCandidate, known: Set<string>): number {
  const name = catalogWords(candidate.name);
  const words = [...name, ...catalogWords(candidate.manufacturer ?? '')];
  const said = query.map((_, i) => Math.max(0, ...words.map((word) => fit(query, i, word, known))));
  const meaningful = name.filter((word) => !NAME_FILLERS.has(word));
  const explained = meaningful.map((word) => Math.max(0, ...query.map((_, i) => fit(query, i, word, known))));
  return mean(said) * (0.85 + 0.15 * mean(explained));
}

/**
 * 1 when the words said are the part number, or a run of them is (a run only from four letters and
 * digits with a digit among them, so "40" said as a size is not part number 40).
 */
function numberScore(query: string[], candidate: PartCandidate): number {
  const number = compact(candidate.partNumber);
  if (number === '') return 0;
  if (compact(query.join('')) === number) return 1;
  for (let from = 0; from < query.length; from++) {
    for (let to = from + 1; to <= query.length; to++) {
      const run = compact(query.slice(from, to).join(''));
      if (run === number && run.length >= 4 && hasDigit(run)) return 1;
    }
  }
  return 0;
}

/** A part elsewhere than the bin said keeps this share of its score. */
const ELSEWHERE = 0.7;

/**
 * The candidates, best first, each with a score in 0 … 1. With a location (e.g. "Bin A-3"), parts
 * kept there win over the others — if any part that matches the words at all is kept there: a bin
 * misheard or mis-said should not sink every part.
 */
export function rankParts<T extends PartCandidate>(partWords: string, candidates: T[], options: { location?: string } = {}): RankedPart<T>[] {
  const query = catalogWords(partWords);
  if (query.length === 0) return [];
  const known = new Set(candidates.flatMap((c) => [...catalogWords(c.name), ...catalogWords(c.manufacturer ?? '')]));
  let ranked = candidates.map((part) => ({ part, score: Math.max(numberScore(query, part), nameScore(query, part, known)) }));
  const place = options.location ? compact(options.location) : '';
  const there = (part: T) => place !== '' && compact(part.location ?? '') === place;
  if (ranked.some((r) => r.score > 0 && there(r.part))) {
    ranked = ranked.map((r) => (there(r.part) ? r : { ...r, score: r.score * ELSEWHERE }));
  }
  return ranked
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score || a.part.partNumber.localeCompare(b.part.partNumber));
}

/**
 * bestMatch's defaults: a sure match scores this much — most words said found, one of them maybe
 * misspelt ("hamer" in bin A-1 scores about 0.73, "two big seal kits" about 0.6) …
 */
export const SURE_SCORE = 0.6;
/** …and this much more than the next part; closer than that, the person picks. */
export const SURE_MARGIN = 0.1;

/**
 * The top part when it is clearly the one meant, else undefined (the UI then lists the ranking
 * for the person to pick from). Two parts with the same name are never clearly one.
 */
export function bestMatch<T extends PartCandidate>(ranked: RankedPart<T>[], minScore = SURE_SCORE, margin = SURE_MARGIN): RankedPart<T> | undefined {
  const [first, second] = ranked;
  if (!first || first.score < minScore) return undefined;
  if (second && first.score - second.score < margin) return undefined;
  return first;
}
