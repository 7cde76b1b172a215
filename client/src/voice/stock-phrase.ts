/**
 * A spoken stock command — "used two seal kits", "usé dos kits de sellos", "received ten hammers
 * for the shredder from bin A-1" — read into its parts: what happened (the reason), how many, the
 * words naming the part (for part-match.ts), and the bin and machine if said. Pure: no browser API,
 * no catalog; errors are codes for the UI to translate.
 *
 * Speech recognisers drop accents and punctuation and capitalise as they like, so the text is
 * folded (lower case, no accents) and split into words first, and every list below is in that form.
 *
 * Decisions:
 * - A unit is skipped and not multiplied: "two boxes of filters" is 2 (of whatever unit the part is
 *   stocked in); the person confirms before anything is recorded.
 * - No number: "replaced the hydraulic pump", "usé sello hidráulico" is 1 when the part is said in
 *   the singular; plural without a number ("used seal kits") is `no_quantity`, and so is a count
 *   without a number — a count must be said.
 * - A count may be 0 ("we have zero seal kits"); the other reasons need at least 1.
 */
import { fold, similarity, singular } from './part-match.ts';

export type StockReason = 'used' | 'received' | 'count' | 'returned';
export type PhraseLanguage = 'en' | 'es';

export interface ParsedStockPhrase {
  reason: StockReason;
  /** As spoken, ≥ 1 (≥ 0 for a count); the caller makes it a signed change. */
  quantity: number;
  /** The words naming the part: folded, singular, fillers dropped, Spanish nouns in English. */
  partWords: string;
  /** As the catalog writes it: "Bin A-3", "Shelf B-1", "Rack C-1". */
  location?: string;
  /** The machine it was for or from, in English words: "shredder". */
  equipmentWords?: string;
}

export type StockPhraseError = 'no_action' | 'no_quantity' | 'no_part';

/* ---------------------------------------------------------------- numbers */

interface NumberWords {
  /** 0 … 19 (Spanish to 29: "veinticinco" is one word). */
  units: Record<string, number>;
  tens: Record<string, number>;
  /** Words for whole hundreds (Spanish) — English says "<unit> hundred". */
  hundreds: Record<string, number>;
  /** Word between tens and units (Spanish "treinta y cinco") or after the hundreds ("a hundred and ten"). */
  tensJoiner?: string;
  hundredsJoiner?: string;
  /** Fixed expressions ("a couple", "media docena"), longest first; they replace any other reading. */
  phrases: [string[], number][];
  /** Whole dozens: "two dozen" = 24. */
  dozen: string[];
}

const EN_UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const EN_TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const ES_UNITS = ['cero', 'uno', 'dos', 'tres', 'cuatro', 'cinco', 'seis', 'siete', 'ocho', 'nueve', 'diez', 'once', 'doce', 'trece', 'catorce', 'quince', 'dieciseis', 'diecisiete', 'dieciocho', 'diecinueve', 'veinte', 'veintiuno', 'veintidos', 'veintitres', 'veinticuatro', 'veinticinco', 'veintiseis', 'veintisiete', 'veintiocho', 'veintinueve'];
const ES_TENS = ['treinta', 'cuarenta', 'cincuenta', 'sesenta', 'setenta', 'ochenta', 'noventa'];
const ES_HUNDREDS = ['ciento', 'doscientos', 'trescientos', 'cuatrocientos', 'quinientos', 'seiscientos', 'setecientos', 'ochocientos', 'novecientos'];

const indexed = (words: string[], step: number, first: number) => Object.fromEntries(words.map((w, i) => [w, first + i * step]));

const EN_NUMBERS: NumberWords = {
  units: { ...indexed(EN_UNITS, 1, 0), a: 1, an: 1 },
  tens: indexed(EN_TENS, 10, 20),
  hundreds: {},
  hundredsJoiner: 'and',
  phrases: [
    [['half', 'a', 'dozen'], 6],
    [['half', 'dozen'], 6],
    [['a', 'couple'], 2],
    [['a', 'pair'], 2],
    [['a', 'dozen'], 12],
    [['couple'], 2],
    [['pair'], 2],
    [['dozen'], 12],
  ],
  dozen: ['dozen', 'dozens'],
};

const ES_NUMBERS: NumberWords = {
  units: { ...indexed(ES_UNITS, 1, 0), un: 1, una: 1, veintiun: 21, veintiuna: 21 },
  tens: indexed(ES_TENS, 10, 30),
  hundreds: { ...indexed(ES_HUNDREDS, 100, 100), cien: 100, ...indexed(ES_HUNDREDS.slice(1).map((w) => w.replace(/os$/, 'as')), 100, 200) },
  tensJoiner: 'y',
  phrases: [
    [['media', 'docena'], 6],
    [['un', 'par'], 2],
    [['una', 'docena'], 12],
    [['par'], 2],
    [['docena'], 12],
  ],
  dozen: ['docena', 'docenas'],
};

/** A number read from words[at…]: its value and the index after it. */
interface ReadNumber {
  value: number;
  next: number;
}

/** 0 … 99 in words. */
function belowHundred(words: string[], at: number, n: NumberWords): ReadNumber | undefined {
  const tens = n.tens[words[at] ?? ''];
  if (tens === undefined) {
    const unit = n.units[words[at] ?? ''];
    return unit === undefined ? undefined : { value: unit, next: at + 1 };
  }
  const joined = n.tensJoiner !== undefined && words[at + 1] === n.tensJoiner ? 1 : 0;
  const unit = n.units[words[at + 1 + joined] ?? ''];
  return unit !== undefined && unit >= 1 && unit <= 9 ? { value: tens + unit, next: at + 2 + joined } : { value: tens, next: at + 1 };
}

/** 0 … 999 in words: "a hundred and ten", "nine hundred ninety nine", "ciento diez", "doscientas". */
function belowThousand(words: string[], at: number, n: NumberWords): ReadNumber | undefined {
  let hundreds: ReadNumber | undefined;
  const word = n.hundreds[words[at] ?? ''];
  if (word !== undefined) hundreds = { value: word, next: at + 1 };
  else {
    const unit = n.units[words[at] ?? ''];
    if (unit !== undefined && unit >= 1 && unit <= 9 && words[at + 1] === 'hundred') hundreds = { value: unit * 100, next: at + 2 };
  }
  if (!hundreds) return belowHundred(words, at, n);
  const joined = n.hundredsJoiner !== undefined && words[hundreds.next] === n.hundredsJoiner ? 1 : 0;
  const rest = belowHundred(words, hundreds.next + joined, n);
  return rest && rest.value > 0 ? { value: hundreds.value + rest.value, next: rest.next } : hundreds;
}

/** A quantity at words[at]: digits, words, or a fixed expression; "two dozen" multiplies. */
function readNumber(words: string[], at: number, n: NumberWords): ReadNumber | undefined {
  for (const [phrase, value] of n.phrases) {
    if (phrase.every((w, i) => words[at + i] === w)) return { value, next: at + phrase.length };
  }
  const read = /^\d+$/.test(words[at] ?? '') ? { value: Number(words[at]), next: at + 1 } : belowThousand(words, at, n);
  if (read && n.dozen.includes(words[read.next] ?? '')) return { value: read.value * 12, next: read.next + 1 };
  return read;
}

/* ---------------------------------------------------------------- the languages' words */

interface Verb {
  reason: StockReason;
  /** Words in order; `*` lets up to three words come between ("put two seal kits back"). */
  words: string[];
  /** Taken only when no other verb was said ("we have used" is used, not a count); `last`: only as the last word. */
  weak?: 'anywhere' | 'last';
}

interface Lexicon {
  numbers: NumberWords;
  verbs: Verb[];
  /** Words that name nothing: articles, pronouns, "just", "some". */
  fillers: Set<string>;
  /** After a number, these make it a size, part of the part's name: "the 24 inch belt". */
  sizes: Set<string>;
  /** Counting units skipped after the number; each may be followed by one of `unitLinks`. */
  units: Set<string>;
  unitLinks: Set<string>;
  /** Spoken place words → the catalog's ("contenedor" → "Bin"). */
  places: Record<string, string>;
  /** Words that may come before a place or machine ("from", "del"). */
  prepositions: Set<string>;
  /** Before a machine even without an article: "for", "para". */
  purpose: Set<string>;
  articles: Set<string>;
  /** Machines, so "from the shredder" is where it came from but "shredder hammer" is the part. */
  machines: Set<string>;
  /** One digit each, for part numbers read out digit by digit ("zero zero three"). */
  digits: string[];
  /** Spanish nouns and adjectives → the English words of the catalog. */
  translations: Record<string, string>;
}

const verbs = (reason: StockReason, phrases: string[], weak?: Verb['weak']): Verb[] => phrases.map((p) => ({ reason, words: p.split(' '), weak }));
const words = (text: string) => new Set(text.split(' '));

const EN: Lexicon = {
  numbers: EN_NUMBERS,
  verbs: [
    ...verbs('used', ['used', 'use', 'took', 'take', 'taken', 'installed', 'install', 'replaced', 'replace', 'pulled', 'pull', 'consumed', 'put in']),
    ...verbs('received', ['received', 'receive', 'got', 'arrived', 'delivered', 'came in', 'come in']),
    ...verbs('received', ['in'], 'last'),
    ...verbs('count', ['counted', 'count', 'counting']),
    ...verbs('count', ['there are', 'there is', 'theres', 'we have', 'i have', 'have'], 'anywhere'),
    ...verbs('returned', ['returned', 'return', 'put back', 'put * back', 'brought back', 'brought * back', 'bring back', 'bring * back', 'gave back', 'gave * back']),
  ],
  fillers: words('i we weve ive just the a an of some more new another please ok okay and today yesterday also have has had been were was our my these those this that them here there so um uh from for with to off on in at part parts number'),
  sizes: words('inch inches mm cm foot feet'),
  units: words('pieces piece pcs pc units unit boxes box cases case packs pack'),
  unitLinks: words('of'),
  places: { bin: 'Bin', shelf: 'Shelf', rack: 'Rack' },
  prepositions: words('from in at into to on off for out of'),
  purpose: words('for'),
  articles: words('the a an our'),
  machines: words('shredder shear baler crane loader excavator forklift truck magnet'),
  digits: EN_UNITS.slice(0, 10),
  translations: {},
};

const ES: Lexicon = {
  numbers: ES_NUMBERS,
  verbs: [
    ...verbs('used', ['use', 'usamos', 'usaron', 'ocupe', 'ocupamos', 'saque', 'sacamos', 'tome', 'tomamos', 'instale', 'instalamos', 'cambie', 'cambiamos', 'gaste', 'gastamos', 'puse', 'pusimos']),
    ...verbs('received', ['recibi', 'recibimos', 'recibieron', 'llegaron', 'llego', 'entraron', 'entro']),
    ...verbs('count', ['conte', 'contamos']),
    ...verbs('count', ['hay', 'quedan', 'queda', 'tenemos', 'tengo'], 'anywhere'),
    ...verbs('returned', ['devolvi', 'devolvimos', 'regrese', 'regresamos', 'puse de vuelta', 'pusimos de vuelta']),
  ],
  fillers: words('el la los las lo un una unos unas de del al a y o con por favor que ya yo nosotros nos me se le acabo acabamos hoy ayer mas otro otra otros otras nuevo nueva nuevos nuevas uso servicio tipo mi su este esta estos estas ese esa esos esas aqui para en parte partes numero'),
  sizes: words('pulgada pulgadas mm cm pie pies'),
  units: words('piezas pieza pzas pza unidades unidad cajas caja paquetes paquete'),
  unitLinks: words('de'),
  places: { contenedor: 'Bin', caja: 'Bin', cajon: 'Bin', bin: 'Bin', estante: 'Shelf', repisa: 'Shelf', anaquel: 'Shelf', rack: 'Rack' },
  prepositions: words('de del en al a desde para'),
  purpose: words('para'),
  articles: words('el la los las'),
  machines: words('trituradora cizalla empacadora compactadora grua cargador cargadora excavadora montacargas camion iman'),
  digits: ES_UNITS.slice(0, 10),
  translations: {
    martillo: 'hammer', bomba: 'pump', hidraulico: 'hydraulic', hidraulica: 'hydraulic', cilindro: 'cylinder',
    sello: 'seal', reten: 'seal', empaque: 'gasket', kit: 'kit', juego: 'kit', banda: 'belt', correa: 'belt',
    transportadora: 'conveyor', transportador: 'conveyor', motor: 'motor', balero: 'bearing', rodamiento: 'bearing',
    cojinete: 'bearing', filtro: 'filter', elemento: 'element', parrilla: 'grate', rejilla: 'grate', yunque: 'anvil',
    inserto: 'insert', fundicion: 'casting', perno: 'bolt', tornillo: 'bolt', arandela: 'washer', rondana: 'washer',
    tuerca: 'nut', techo: 'roof', delantero: 'front', delantera: 'front', trasero: 'rear', trasera: 'rear',
    pared: 'wall', puerta: 'door', superior: 'upper', inferior: 'lower', lateral: 'side', lado: 'side',
    forro: 'liner', revestimiento: 'liner', derecho: 'right', derecha: 'right', izquierdo: 'left', izquierda: 'left',
    mano: 'hand', tapa: 'cap', arana: 'spider', pasador: 'pin', chaveta: 'cotter pin', placa: 'plate',
    cubierta: 'cover', aceite: 'oil', carcasa: 'housing', alojamiento: 'housing', barra: 'bar', esparrago: 'stud',
    calza: 'shim', laina: 'shim', bisagra: 'hinge', principal: 'main', estandar: 'standard', pesado: 'heavy',
    pesada: 'heavy', pulgada: 'inch', interior: 'inner', exterior: 'outer', grasera: 'grease zerk', tapon: 'plug',
    tubo: 'pipe', abrazadera: 'clamp', trituradora: 'shredder', disco: 'disc', varilla: 'rod', espaciador: 'spacer',
    sonda: 'probe', eje: 'shaft', flecha: 'shaft', seguro: 'lock', soldadura: 'weld', acero: 'steel',
    aleacion: 'alloy', manganeso: 'manganese', abierta: 'open', abierto: 'open', solida: 'solid', solido: 'solid',
    relleno: 'filler', ensamble: 'assembly', brazo: 'arm', palanca: 'lever', cizalla: 'shear', cuchilla: 'blade',
    cadena: 'chain', resorte: 'spring', manguera: 'hose', valvula: 'valve', polea: 'pulley', engrane: 'gear',
    cabeza: 'head', ovalado: 'oval', ovalada: 'oval', hexagonal: 'hex', grua: 'crane', cargador: 'loader', camion: 'truck', iman: 'magnet',
    plana: 'flat', plano: 'flat', rodillo: 'roller', esferico: 'spherical', cuna: 'wedge', buje: 'bushing',
    retenedor: 'retainer', sujetador: 'holder', tirante: 'tie rod', cardan: 'driveshaft', collarin: 'collar',
    entrada: 'intake', esparcidor: 'spreader', central: 'center', centro: 'center',
  },
};

const LEXICONS: Record<PhraseLanguage, Lexicon> = { en: EN, es: ES };

/* ---------------------------------------------------------------- reading a phrase */

/**
 * The phrase's words: folded, split on spaces, punctuation and hyphens ("twenty-five", "A-3",
 * "HC-SEAL-003" are read word by word); "A3" after "bin" is read by takePlace.
 */
function tokens(text: string): string[] {
  return fold(text)
    .split(/[^a-z0-9./]+/)
    .map((w) => w.replace(/^[./]+|[./]+$/g, ''))
    .filter(Boolean);
}

/**
 * Finds "bin A-3" (or "A 3", "a3", "a three"), with a preposition and article before it, and
 * removes it. Returns the place as the catalog writes it.
 */
function takePlace(w: string[], lex: Lexicon): string | undefined {
  for (let at = 0; at < w.length; at++) {
    const kind = lex.places[w[at]!];
    if (!kind) continue;
    let letter: string | undefined;
    let number: ReadNumber | undefined;
    const joined = /^([a-z])(\d{1,2})$/.exec(w[at + 1] ?? '');
    if (joined) [letter, number] = [joined[1], { value: Number(joined[2]), next: at + 2 }];
    else if (/^[a-z]$/.test(w[at + 1] ?? '')) [letter, number] = [w[at + 1], readNumber(w, at + 2, lex.numbers)];
    if (!letter || !number) continue;
    let from = at;
    while (from > 0 && (lex.articles.has(w[from - 1]!) || lex.prepositions.has(w[from - 1]!))) from--;
    w.splice(from, number.next - from);
    return `${kind} ${letter.toUpperCase()}-${number.value}`;
  }
  return undefined;
}

/** Where `verb` matches w[at…]: the indexes of its words. */
function matchVerb(w: string[], at: number, verb: Verb): number[] | undefined {
  const found: number[] = [];
  let i = at;
  for (let k = 0; k < verb.words.length; k++) {
    const word = verb.words[k]!;
    if (word === '*') continue;
    const gap = verb.words[k - 1] === '*' ? 3 : 0;
    let j = i;
    while (j <= i + gap && w[j] !== word) j++;
    if (w[j] !== word) return undefined;
    found.push(j);
    i = j + 1;
  }
  return found;
}

/** The reason said, and the verb's words removed. The earliest firm verb wins; weak ones only alone. */
function takeReason(w: string[], lex: Lexicon): StockReason | undefined {
  let best: { verb: Verb; at: number[] } | undefined;
  for (const weak of [false, true]) {
    for (let at = 0; at < w.length && !best; at++) {
      const candidates = lex.verbs
        .filter((v) => Boolean(v.weak) === weak)
        .map((verb) => ({ verb, at: matchVerb(w, at, verb) }))
        .filter((m): m is { verb: Verb; at: number[] } => m.at !== undefined && (m.verb.weak !== 'last' || m.at[0] === w.length - 1));
      // The longest phrase at a place: "put back" over "put in"'s "put"… and "puse de vuelta" over "puse".
      best = candidates.sort((a, b) => b.at.length - a.at.length)[0];
    }
    if (best) break;
  }
  if (!best) return undefined;
  for (const i of [...best.at].reverse()) w.splice(i, 1);
  return best.verb.reason;
}

/**
 * "for the shredder", "para la trituradora", "from the shredder", "de la trituradora": a
 * preposition, then an article and/or a machine, to the end of the phrase. "for"/"para" need one of
 * the two; other prepositions both, so "de trituradora" stays a kind of part. Removed; the rest
 * of the words returned.
 */
function takeEquipment(w: string[], lex: Lexicon): string[] | undefined {
  for (let at = 0; at < w.length - 1; at++) {
    if (!lex.prepositions.has(w[at]!)) continue;
    const article = lex.articles.has(w[at + 1]!) ? 1 : 0;
    const machine = lex.machines.has(w[at + 1 + article] ?? '');
    const purpose = lex.purpose.has(w[at]!);
    if ((purpose && (article || machine)) || (article && machine)) return w.splice(at).slice(1);
  }
  return undefined;
}

/** A Spanish word in English: by the dictionary, its singular, or a close misspelling of either. */
function translate(word: string, lex: Lexicon): string {
  const dictionary = lex.translations;
  for (const form of [word, word.replace(/s$/, ''), word.replace(/es$/, '')]) {
    if (dictionary[form]) return dictionary[form];
  }
  if (word.length < 5 || Object.keys(dictionary).length === 0) return word;
  let best: [string, number] = [word, 0.8];
  for (const [es, en] of Object.entries(dictionary)) {
    const s = similarity(word.replace(/e?s$/, ''), es);
    if (s > best[1]) best = [en, s];
  }
  return best[0];
}

/**
 * The words naming the part, ready for part-match: fillers dropped — except single letters beside
 * a digit or another letter, which spell a code ("h c seal", "7980 a 4") —, numbers in words
 * written as digits ("zero zero three" → "003", "twenty four" → "24"), translated and singular.
 */
function partWordsOf(w: string[], lex: Lexicon): string[] {
  const out: string[] = [];
  const isDigit = (word: string | undefined) => lex.digits.includes(word ?? '');
  const spelt = (i: number) => /^([a-z]|\d+)$/.test(w[i] ?? '') || isDigit(w[i]);
  for (let i = 0; i < w.length; ) {
    const word = w[i]!;
    let end = i;
    while (isDigit(w[end])) end++;
    if (end - i > 1) {
      out.push(w.slice(i, end).map((d) => lex.digits.indexOf(d)).join(''));
      i = end;
      continue;
    }
    // Articles ("a", "un") are fillers here, not 1; digits stay as said.
    const number = lex.fillers.has(word) || /^\d/.test(word) ? undefined : belowThousand(w, i, lex.numbers);
    if (number) {
      out.push(String(number.value));
      i = number.next;
      continue;
    }
    if (!lex.fillers.has(word) || (word.length === 1 && (spelt(i - 1) || spelt(i + 1)))) out.push(...translate(word, lex).split(' '));
    i++;
  }
  return out.map(singular);
}

/** Whether the part was said in the plural: the singular rule changes one of its words (not a number or size: "tres", "inches"). */
function plural(w: string[], lex: Lexicon): boolean {
  const n = lex.numbers;
  const ignored = (word: string) => lex.fillers.has(word) || lex.sizes.has(word) || word in n.units || word in n.tens || word in n.hundreds;
  return w.some((word) => !ignored(word) && singular(word) !== word);
}

export function parseStockPhrase(text: string, language: PhraseLanguage): ParsedStockPhrase | { error: StockPhraseError } {
  const lex = LEXICONS[language];
  const w = tokens(text);
  const location = takePlace(w, lex);
  const reason = takeReason(w, lex);
  if (!reason) return { error: 'no_action' };
  const machine = takeEquipment(w, lex);

  // The quantity comes before the part ("two seal kits", "dos kits de sellos"); numbers after it
  // belong to the part ("motor bearing 6205"). Fillers before it are skipped ("we just used the two…").
  let at = 0;
  let quantity: ReadNumber | undefined;
  while (at < w.length && !(quantity = readNumber(w, at, lex.numbers)) && lex.fillers.has(w[at]!)) at++;
  if (quantity && lex.sizes.has(w[quantity.next] ?? '')) quantity = undefined;
  if (quantity) {
    at = quantity.next;
    if (lex.units.has(w[at] ?? '')) at += lex.unitLinks.has(w[at + 1] ?? '') ? 2 : 1;
  }
  const said = w.slice(at);
  const partWords = partWordsOf(said, lex);
  if (partWords.length === 0) return { error: 'no_part' };

  let value = quantity?.value;
  if (value === undefined && reason !== 'count' && !plural(said, lex)) value = 1;
  if (value === undefined || (value === 0 && reason !== 'count')) return { error: 'no_quantity' };

  const equipmentWords = machine && partWordsOf(machine, lex).join(' ');
  return {
    reason,
    quantity: value,
    partWords: partWords.join(' '),
    ...(location && { location }),
    ...(equipmentWords && { equipmentWords }),
  };
}
