import { paths } from '../app/paths.ts';

/** What a plate names: a machine by its tag, or a bin by its location. */
export type Plate = { kind: 'machine'; tag: string } | { kind: 'bin'; location: string };

/**
 * The text of a plate's QR code: the app's own URL for the machine or bin, so a plate scanned with
 * the phone's camera app opens the same page as the tablet's scanner (paths.ts: these URLs are part
 * of the printed world).
 */
export function plateUrl(origin: string, plate: Plate): string {
  return origin.replace(/\/+$/, '') + (plate.kind === 'machine' ? paths.machine(plate.tag) : paths.bin(plate.location));
}

/**
 * The page a scanned code leads to, or undefined when it is none of ours. A plate's URL is followed
 * whatever its origin (plates printed while the server had another address still work), and only
 * its path is kept: a code can never send the tablet to another site.
 */
export function pathOfCode(code: string): string | undefined {
  const text = code.trim();
  if (text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return undefined;
  const match = /^\/(equipment|bins)\/([^/]+)\/?$/.exec(url.pathname);
  const value = match && safeDecode(match[2]!);
  if (!value) return undefined;
  return match![1] === 'equipment' ? paths.machine(value) : paths.bin(value);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).trim() || undefined;
  } catch {
    return undefined;
  }
}
