/**
 * Spoken stock commands (client/src/voice): a corpus of phrases in English and Spanish — numbers
 * in words and digits, units, accents said or dropped, odd capitals and punctuation, misspelt part
 * names, part numbers read out, bins and machines — each read by parseStockPhrase into the
 * expected reason and quantity, and matched by rankParts/bestMatch to the expected part of the
 * yard's real catalog (../shared/data/yard-parts.csv). The app matches against the local parts
 * search's top rows; here every part of the catalog is a candidate, which is harder.
 *
 * Phrases whose part the catalog cannot tell apart (several hammers, two parts with one name) must
 * leave the choice to the person: bestMatch gives nothing, and the parts meant are near the top.
 */
import fs from 'node:fs';
import path from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { bestMatch, rankParts, type PartCandidate } from '../../../client/src/voice/part-match.ts';
import {
  parseStockPhrase,
  type ParsedStockPhrase,
  type PhraseLanguage,
  type StockPhraseError,
  type StockReason,
} from '../../../client/src/voice/stock-phrase.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const YARD_PARTS_CSV = path.resolve(REPO_ROOT, '../shared/data/yard-parts.csv');

const CATALOG: PartCandidate[] = Papa.parse<Record<string, string>>(fs.readFileSync(YARD_PARTS_CSV, 'utf8'), {
  header: true,
  skipEmptyLines: true,
}).data.map((row, i) => ({
  id: String(i),
  partNumber: row.part_number ?? '',
  name: row.name ?? '',
  manufacturer: row.manufacturer || null,
  location: row.location || null,
  category: row.category || null,
}));

/** How many ranked parts the UI offers to pick from when the match is not sure. */
const PICK_LIST = 5;

function parsed(text: string, language: PhraseLanguage): ParsedStockPhrase {
  const result = parseStockPhrase(text, language);
  if ('error' in result) throw new Error(`"${text}" gave ${result.error}`);
  return result;
}

const ranked = (phrase: ParsedStockPhrase) => rankParts(phrase.partWords, CATALOG, { location: phrase.location });

type Phrase = [
  language: PhraseLanguage,
  say: string,
  reason: StockReason,
  quantity: number,
  partNumber: string,
  also?: { location?: string; equipment?: string },
];

const CORPUS: Phrase[] = [
  // English — the seal kit, said every way.
  ['en', 'used two seal kits', 'used', 2, 'HC-SEAL-003'],
  ['en', 'USED TWO SEAL KITS', 'used', 2, 'HC-SEAL-003'],
  ['en', 'Used, two seal-kits!', 'used', 2, 'HC-SEAL-003'],
  ['en', 'used seal kit', 'used', 1, 'HC-SEAL-003'],
  ['en', 'used two seel kits', 'used', 2, 'HC-SEAL-003'],
  ['en', 'used 3 hc seal 3', 'used', 3, 'HC-SEAL-003'],
  ['en', 'used h c seal zero zero three', 'used', 1, 'HC-SEAL-003'],
  ['en', 'took one HC-SEAL-003', 'used', 1, 'HC-SEAL-003'],
  ['en', 'returned a dozen seal kits to bin B-3', 'returned', 12, 'HC-SEAL-003', { location: 'Bin B-3' }],
  ['en', 'put two seal kits back in bin b 3', 'returned', 2, 'HC-SEAL-003', { location: 'Bin B-3' }],
  ['en', 'two seal kits came in', 'received', 2, 'HC-SEAL-003'],
  ['en', 'we have zero seal kits', 'count', 0, 'HC-SEAL-003'],
  // English — pump, filter, hammers, belt, bearing, grate.
  ['en', 'Used 2 Hydrolic Pumps', 'used', 2, 'HP-MAIN-001'],
  ['en', 'replaced the main hydraulic pump', 'used', 1, 'HP-MAIN-001'],
  ['en', 'got two hydraulic pumps on shelf B-1', 'received', 2, 'HP-MAIN-001', { location: 'Shelf B-1' }],
  ['en', 'received a dozen hydraulic filter elements', 'received', 12, 'HF-EL-001'],
  ['en', 'received half a dozen filters', 'received', 6, 'HF-EL-001'],
  ['en', 'used 4 pcs hydraulic filter elements', 'used', 4, 'HF-EL-001'],
  ['en', 'took two boxes of filters from bin B-4', 'used', 2, 'HF-EL-001', { location: 'Bin B-4' }],
  ['en', 'six filters arrived', 'received', 6, 'HF-EL-001'],
  ['en', 'received 12 pieces heavy duty hammers', 'received', 12, 'SH-HD-001'],
  ['en', 'used two heavy duty shredder hammers', 'used', 2, 'SH-HD-001'],
  ['en', 'delivered twenty-four standard shredder hammers', 'received', 24, 'SH-STD-002'],
  ['en', 'pulled two hammers from bin A-2', 'used', 2, 'SH-STD-002', { location: 'Bin A-2' }],
  ['en', 'used two hamers from bin a1', 'used', 2, 'SH-HD-001', { location: 'Bin A-1' }],
  ['en', 'installed a new conveyer belt', 'used', 1, 'CB-24-001'],
  ['en', 'replaced the 24 inch conveyor belt on the shredder', 'used', 1, 'CB-24-001', { equipment: 'shredder' }],
  ['en', 'used a couple of bering 6205', 'used', 2, 'MB-6205'],
  ['en', 'we have ten motor bearings in bin D-2', 'count', 10, 'MB-6205', { location: 'Bin D-2' }],
  ['en', 'there are 3 shredder grates on rack A-5', 'count', 3, 'SG-3IN-001', { location: 'Rack A-5' }],
  ['en', 'used the 3 inch grate', 'used', 1, 'SG-3IN-001'],
  // English — the shredder's own parts.
  ['en', 'took a spyder cap manganese', 'used', 1, '73080-A25'],
  ['en', 'received two spider caps alloy steel', 'received', 2, '73080-B25'],
  ['en', 'consumed three rotor bering shim plates', 'used', 3, 'CID73080-99UB'],
  ['en', 'received a drive shaft', 'received', 1, '393.85'],
  ['en', 'brought back two end disc caps', 'returned', 2, '73080-A68'],
  ['en', 'gave three cotter pins back', 'returned', 3, 'ZX11397800'],
  ['en', 'received nine hundred ninety nine cotter pins', 'received', 999, 'ZX11397800'],
  ['en', 'counted eight holder bars', 'count', 8, 'CH73080-E99'],
  ['en', 'counted 40 tie rods', 'count', 40, 'CID73100-C108'],
  ['en', 'used two 2 inch flat washers', 'used', 2, '9-L70'],
  ['en', 'used one anvil insert casting', 'used', 1, '73100-A8'],
  ['en', 'installed a spherical roller bearing', 'used', 1, 'CID1251-0B69'],
  ['en', 'replaced the rtd bearing probe', 'used', 1, '4010'],
  ['en', 'used one part number 4010', 'used', 1, '4010'],
  ['en', 'used a main liner casting', 'used', 1, 'SAT021397-000'],
  ['en', 'used two kick out door lever arms left hand', 'used', 2, 'MR0003417-200'],
  ['en', 'used two lock plates', 'used', 2, '7700-A235'],
  ['en', 'used a 7980 a4', 'used', 1, '7980-A4'],
  ['en', 'got a hundred and ten weld bushings', 'received', 110, 'CID07700-A321'],
  ['en', 'received two top grates', 'received', 2, 'CID07880-00A6'],
  ['en', 'took three hood lock pins', 'used', 3, 'MR0005995-000'],
  ['en', 'received a pair of intake spreader liners center', 'received', 2, 'CID73080-B107'],

  // Spanish — the seal kit, with and without accents.
  ['es', 'usé dos kits de sellos', 'used', 2, 'HC-SEAL-003'],
  ['es', 'use dos kits de sellos', 'used', 2, 'HC-SEAL-003'],
  ['es', 'USE DOS KITS DE SELLOS', 'used', 2, 'HC-SEAL-003'],
  ['es', 'usé sello hidraulico', 'used', 1, 'HC-SEAL-003'],
  ['es', 'usé sello hidráulico', 'used', 1, 'HC-SEAL-003'],
  ['es', 'usé veintiún kits de sellos', 'used', 21, 'HC-SEAL-003'],
  ['es', 'recibimos una docena de kits de sellos', 'received', 12, 'HC-SEAL-003'],
  ['es', 'contamos media docena de kits de sellos', 'count', 6, 'HC-SEAL-003'],
  ['es', 'puse de vuelta dos kits de sellos en el contenedor B-3', 'returned', 2, 'HC-SEAL-003', { location: 'Bin B-3' }],
  ['es', 'usamos el h c seal cero cero tres', 'used', 1, 'HC-SEAL-003'],
  // Spanish — pump, filter, hammers, belt, bearing, grate.
  ['es', 'instalé una bomba idráulica principal', 'used', 1, 'HP-MAIN-001'],
  ['es', 'devolví la bomba hidráulica al estante B-1', 'returned', 1, 'HP-MAIN-001', { location: 'Shelf B-1' }],
  ['es', 'llegaron seis filtros', 'received', 6, 'HF-EL-001'],
  ['es', 'Recibimos Treinta Y Cinco Filtros', 'received', 35, 'HF-EL-001'],
  ['es', 'usamos 4 unidades de elemento de filtro', 'used', 4, 'HF-EL-001'],
  ['es', 'gasté cuatro cajas de filtros', 'used', 4, 'HF-EL-001'],
  ['es', 'devolvi un par de filtros hidraulicos al contenedor B-4', 'returned', 2, 'HF-EL-001', { location: 'Bin B-4' }],
  ['es', 'recibimos veinticinco martillos de uso pesado para la trituradora', 'received', 25, 'SH-HD-001', { equipment: 'shredder' }],
  ['es', 'recibí doce piezas de martillos de uso pesado', 'received', 12, 'SH-HD-001'],
  ['es', 'entraron veinticuatro martillos estándar', 'received', 24, 'SH-STD-002'],
  ['es', 'saqué dos martillos del contenedor A-1', 'used', 2, 'SH-HD-001', { location: 'Bin A-1' }],
  ['es', 'instalé una banda transportadora nueva', 'used', 1, 'CB-24-001'],
  ['es', 'cambié la banda de 24 pulgadas', 'used', 1, 'CB-24-001'],
  ['es', 'llegaron dos bandas transportadoras', 'received', 2, 'CB-24-001'],
  ['es', 'usé dos valeros de motor', 'used', 2, 'MB-6205'],
  ['es', 'usamos dos rodamineto de motor', 'used', 2, 'MB-6205'],
  ['es', 'hay doce baleros de motor en el contenedor D-2', 'count', 12, 'MB-6205', { location: 'Bin D-2' }],
  ['es', 'quedan 3 parrillas en el rack A-5', 'count', 3, 'SG-3IN-001', { location: 'Rack A-5' }],
  // Spanish — the shredder's own parts.
  ['es', 'tomé una tapa de araña de manganeso', 'used', 1, '73080-A25'],
  ['es', 'gastamos tres placas de calza del rotor', 'used', 3, 'CID73080-99UB'],
  ['es', 'devolvimos dos tapas de disco', 'returned', 2, '73080-A68'],
  ['es', 'regresé tres chavetas', 'returned', 3, 'ZX11397800'],
  ['es', 'llegaron doscientas cincuenta chavetas', 'received', 250, 'ZX11397800'],
  ['es', 'hay novecientos noventa y nueve chavetas', 'count', 999, 'ZX11397800'],
  ['es', 'conté ocho barras sujetadoras', 'count', 8, 'CH73080-E99'],
  ['es', 'hay cuarenta tirantes', 'count', 40, 'CID73100-C108'],
  ['es', 'usé un inserto de yunque', 'used', 1, '73100-A8'],
  ['es', 'instalamos un rodamiento de rodillos esféricos', 'used', 1, 'CID1251-0B69'],
  ['es', 'cambié la sonda de rodamiento', 'used', 1, '4010'],
  ['es', 'tomé un revestimiento principal', 'used', 1, 'SAT021397-000'],
  ['es', 'llegó un cardán', 'received', 1, '393.85'],
  ['es', 'recibimos cincuenta rondanas planas de 2 pulgadas', 'received', 50, '9-L70'],
  ['es', 'sacamos ciento diez rondanas planas de dos pulgadas', 'used', 110, '9-L70'],
  ['es', 'usé dos bujes de soldadura', 'used', 2, 'CID07700-A321'],
  ['es', 'instalé un pasador de martillo', 'used', 1, '7700-A353'],
  ['es', 'usamos dos brazos de palanca izquierdos de la puerta', 'used', 2, 'MR0003417-200'],
];

const HAMMERS = ['7980-A4', 'SH-HD-001', 'SH-STD-002', 'MR0008657-00A'];

/** Phrases the catalog cannot settle: [language, phrase, reason, quantity, parts meant (each within PICK_LIST)]. */
const AMBIGUOUS: [PhraseLanguage, string, StockReason, number, string[]][] = [
  ['en', 'used two hammers', 'used', 2, HAMMERS],
  ['en', 'used two hamers', 'used', 2, HAMMERS],
  ['en', 'received ten hammers for the shredder', 'received', 10, HAMMERS],
  ['en', 'ten hammers in', 'received', 10, HAMMERS],
  ['es', 'usamos dos martillos', 'used', 2, HAMMERS],
  ['es', 'sacamos media docena de martillos de la trituradora', 'used', 6, HAMMERS],
  ['en', 'counted twenty-five hinge pins', 'count', 25, ['MM1688150-100', 'MR0004969-100']],
  ['es', 'usamos dos pasadores de bisagra', 'used', 2, ['MM1688150-100', 'MR0004969-100']],
  ['en', 'pulled two inner bearing flingers', 'used', 2, ['73080-A114', '73080-A115', 'CID73080-A114']],
  ['es', 'cambiamos el cilindro de la puerta', 'used', 1, ['CID01252-0124', 'CID01252-A124']],
  ['en', 'got a hundred and ten flat washers', 'received', 110, ['9-J70', '9-L70', '9-N70', '9-V70', '9-E70']],
  ['en', 'received seven grease zerks', 'received', 7, ['13-B724', 'A13-A724']],
  ['en', 'counted 26 spider caps', 'count', 26, ['CID73080-A25', '73080-A25', '73080-B25']],
  ['en', 'used two anvil castings', 'used', 2, ['CID73100-00A8', '73100-A8']],
  ['es', 'quedan cinco parrillas abiertas', 'count', 5, ['7880-A1', '7880-A3', 'CID07880-00A1', 'CID07880-00A3']],
];

/**
 * What cannot be recorded. A count needs its number; the other reasons take 1 for a part said in
 * the singular with no number ("used seal kit", above), but not for a plural ("used seal kits").
 */
const ERRORS: [PhraseLanguage, string, StockPhraseError][] = [
  ['en', '', 'no_action'],
  ['en', 'two seal kits', 'no_action'],
  ['en', 'seal kits in bin B-3', 'no_action'],
  ['es', 'dos kits de sellos', 'no_action'],
  ['en', 'used two', 'no_part'],
  ['en', 'received a dozen', 'no_part'],
  ['es', 'usamos dos', 'no_part'],
  ['en', 'counted seal kits', 'no_quantity'],
  ['en', 'used seal kits', 'no_quantity'],
  ['en', 'used zero seal kits', 'no_quantity'],
  ['es', 'contamos kits de sellos', 'no_quantity'],
  ['es', 'usamos martillos', 'no_quantity'],
];

describe('spoken stock commands: the phrase corpus', () => {
  it('has at least 70 phrases, about half in each language', () => {
    const count = (language: PhraseLanguage) => CORPUS.filter(([l]) => l === language).length;
    expect(CORPUS.length).toBeGreaterThanOrEqual(70);
    expect(Math.abs(count('en') - count('es'))).toBeLessThanOrEqual(CORPUS.length / 5);
    // Every expected part is in the catalog, once.
    for (const [, , , , partNumber] of CORPUS) expect(CATALOG.filter((p) => p.partNumber === partNumber)).toHaveLength(1);
  });

  it.each(CORPUS)('%s: "%s" → %s %d × %s', (language, say, reason, quantity, partNumber, also = {}) => {
    const phrase = parsed(say, language);
    const { location, equipmentWords } = phrase;
    expect({ reason: phrase.reason, quantity: phrase.quantity, location, equipmentWords }).toEqual({
      reason,
      quantity,
      location: also.location,
      equipmentWords: also.equipment,
    });
    expect(bestMatch(ranked(phrase))?.part.partNumber).toBe(partNumber);
  });
});

describe('spoken stock commands: phrases the person must settle', () => {
  it.each(AMBIGUOUS)('%s: "%s" → %s %d × one of several', (language, say, reason, quantity, meant) => {
    const phrase = parsed(say, language);
    expect(phrase).toMatchObject({ reason, quantity });
    const ranking = ranked(phrase);
    expect(bestMatch(ranking)).toBeUndefined();
    const offered = ranking.slice(0, PICK_LIST).map((r) => r.part.partNumber);
    for (const partNumber of meant) expect(offered).toContain(partNumber);
  });

  it.each(ERRORS)('%s: "%s" → %s', (language, say, error) => {
    expect(parseStockPhrase(say, language)).toEqual({ error });
  });
});

describe('spoken stock commands: numbers', () => {
  const EN: [string, number][] = [
    ['one', 1], ['a', 1], ['17', 17], ['a couple of', 2], ['a pair of', 2], ['a dozen', 12], ['half a dozen', 6],
    ['two dozen', 24], ['twenty-five', 25], ['ninety nine', 99], ['a hundred', 100], ['a hundred and ten', 110],
    ['two hundred fifty', 250], ['nine hundred and ninety-nine', 999],
  ];
  const ES: [string, number][] = [
    ['un', 1], ['17', 17], ['un par de', 2], ['una docena de', 12], ['media docena de', 6], ['dos docenas de', 24],
    ['veintiún', 21], ['veinticinco', 25], ['treinta y cinco', 35], ['cien', 100], ['ciento diez', 110],
    ['quinientos', 500], ['novecientos noventa y nueve', 999],
  ];

  it.each(EN)('en: "used %s seal kit(s)" → %d', (said, value) => {
    expect(parsed(`used ${said} seal kits`, 'en').quantity).toBe(value);
  });

  it.each(ES)('es: "usé %s kits de sellos" → %d', (said, value) => {
    expect(parsed(`usé ${said} kits de sellos`, 'es').quantity).toBe(value);
  });

  it('takes a number before a size for the part\'s, not the quantity', () => {
    expect(parsed('replaced the 24 inch conveyor belt', 'en')).toMatchObject({ quantity: 1, partWords: '24 inch conveyor belt' });
    expect(parsed('used two 2 inch flat washers', 'en')).toMatchObject({ quantity: 2, partWords: '2 inch flat washer' });
  });
});

describe('part matching', () => {
  it('reads words in any order, singular or plural, and a part number however it is said', () => {
    const top = (words: string) => rankParts(words, CATALOG)[0];
    expect(top('kit seal')?.score).toBe(top('seal kits')?.score);
    for (const said of ['HC-SEAL-003', 'hc seal 3', 'h c seal 003', 'hcseal003']) {
      expect(top(said)).toMatchObject({ score: 1, part: { partNumber: 'HC-SEAL-003' } });
    }
  });

  it('prefers the parts in the bin said, and only lists parts that match at all, best first in 0 … 1', () => {
    const anywhere = rankParts('hammer', CATALOG);
    const inA2 = rankParts('hammer', CATALOG, { location: 'Bin A-2' });
    expect(bestMatch(anywhere)).toBeUndefined();
    expect(bestMatch(inA2)?.part.partNumber).toBe('SH-STD-002');
    for (const ranking of [anywhere, inA2]) {
      expect(ranking.every((r, i) => r.score > 0 && r.score <= 1 && (i === 0 || ranking[i - 1]!.score >= r.score))).toBe(true);
    }
    // A bin where no such part is kept changes nothing.
    expect(rankParts('hammer', CATALOG, { location: 'Bin Z-9' })).toEqual(anywhere);
    expect(rankParts('gizmo', CATALOG)).toEqual([]);
  });
});
