import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every reason the server can give for refusing a command (or for applying it with a conflict)
 * has a text of its own in English and in Spanish (the `attention.codes` group, which the Needs
 * attention and conflicts screens show by code): a Spanish tablet never shows the server's English
 * message. A new `CommandRefusal('code', …)` without its texts fails here.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** The codes the server's command code writes: refusals, and the codes of applied-with-conflict results. */
function serverCodes(): string[] {
  const codes = new Set<string>();
  for (const file of sources(path.join(root, 'sync-server/src/commands'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(/CommandRefusal\(\s*'([a-z_]+)'/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/\brefused\(envelope, '([a-z_]+)'/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/\bcode: '([a-z_]+)'/g)) codes.add(match[1]!);
  }
  return [...codes].sort();
}

type Texts = { attention: { codes: Record<string, string> } };
// Loaded at run time: the server's compiler does not check the client's i18n types.
const load = async (file: string, name: string) =>
  ((await import(path.join(root, 'client/src/i18n', file))) as Record<string, Texts>)[name]!;

describe('refusal texts', () => {
  it('finds the server codes it checks', () => {
    expect(serverCodes()).toEqual(expect.arrayContaining(['forbidden', 'invalid', 'task_cancelled', 'duplicate_part_number', 'already_received', 'negative_stock']));
  });

  it('gives every server code a Spanish and an English text, the Spanish one its own', async () => {
    const en = await load('en.ts', 'en');
    const es = await load('es.ts', 'es');
    const missing = serverCodes().filter((code) => !en.attention.codes[code] || !es.attention.codes[code] || es.attention.codes[code] === en.attention.codes[code]);
    expect(missing).toEqual([]);
  });
});
