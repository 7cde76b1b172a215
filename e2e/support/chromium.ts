import fs from 'node:fs';

/**
 * How this project launches Chromium, for the end-to-end tests and the client bench alike:
 * Debian's Chromium (or CHROMIUM_PATH), since Playwright cannot download its own here, headless,
 * with the background services that would add traffic and CPU turned off.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function chromiumPath(): string {
  const file = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(file)) {
    throw new Error(`no Chromium at ${file}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return file;
}
