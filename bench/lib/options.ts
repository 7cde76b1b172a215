import { parseArgs } from 'node:util';

/**
 * Command-line options for a bench: `--name value` strings and `--flag` booleans, checked at once
 * so a mistyped run stops before minutes of setup, with the message and the usage text (exit 2).
 */
export interface OptionReader {
  /** Prints the message and the usage, and exits with status 2. */
  fail(message: string): never;
  text(name: string): string | undefined;
  flag(name: string): boolean;
  whole(name: string, fallback: number, min: number, max: number): number;
  /** A comma-separated list of whole numbers, each from min to max. */
  wholeList(name: string, fallback: string, min: number, max: number): number[];
  /** A comma-separated list of known words; empty only when `noneAllowed`. */
  choices<T extends string>(name: string, fallback: string, known: readonly T[], options?: { noneAllowed?: boolean }): T[];
}

export function readOptions(
  bench: string,
  usage: string,
  argv: string[],
  names: { texts: string[]; flags?: string[] },
): OptionReader {
  const fail = (message: string): never => {
    console.error(`${bench}: ${message}\n\n${usage}`);
    process.exit(2);
  };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of names.texts) options[name] = { type: 'string' };
  for (const name of names.flags ?? []) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const isWhole = (s: string, min: number, max: number) => /^\d+$/.test(s) && Number(s) >= min && Number(s) <= max;
  const list = (name: string, fallback: string) => (text(name) ?? fallback).split(',').map((s) => s.trim()).filter(Boolean);
  return {
    fail,
    text,
    flag: (name) => values[name] === true,
    whole(name, fallback, min, max) {
      const value = text(name);
      if (value === undefined) return fallback;
      if (!isWhole(value, min, max)) fail(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
      return Number(value);
    },
    wholeList(name, fallback, min, max) {
      const items = list(name, fallback);
      if (items.length === 0 || items.some((item) => !isWhole(item, min, max))) {
        fail(`--${name} must be a comma-separated list of whole numbers from ${min} to ${max}, e.g. ${fallback}, not ${JSON.stringify(text(name))}`);
      }
      return items.map(Number);
    },
    choices<T extends string>(name: string, fallback: string, known: readonly T[], { noneAllowed = false } = {}): T[] {
      const items = list(name, fallback);
      if ((items.length === 0 && !noneAllowed) || items.some((item) => !known.includes(item as T))) {
        fail(`--${name} takes a comma-separated list of ${known.join(', ')}, not ${JSON.stringify(text(name))}`);
      }
      return items as T[];
    },
  };
}
