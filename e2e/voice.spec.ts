import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, goOnline, local, serverRows, signIn, waitForEmptyOutbox, waitForLocal } from './support/tablet.ts';

// Voice (feature 10): a spoken stock change is read into a stock command on the matching part of
// the tablet's own catalog, shown for confirmation and recorded — offline, as only the recognition
// itself may need the network — in English and in Spanish (where "kits de sellos" leaves the
// person to pick the part); and the microphone of a long text field dictates into it.
//
// Headless Chromium has no speech engine: a scripted one stands in for it (SCRIPTED_SPEECH),
// saying whatever the test put in `window.__nextPhrase`. It reports on-device recognition, so it
// works offline, as Chrome does once the language pack is installed.

test.describe.configure({ timeout: 300_000 });
test.afterAll(closeServerDb);

interface SpeechWindow {
  __nextPhrase?: string;
  /** What the app asked of the last recognition it started. */
  __speech?: { lang: string; processLocally: boolean; continuous: boolean; starts: number };
}

/**
 * A stand-in for the browser's SpeechRecognition, installed before the app's scripts run. Given as
 * text, so it reaches the page as written (the test's compiler would add helpers to a class it
 * transforms, which the page does not have).
 */
const SCRIPTED_SPEECH = `(() => {
  class ScriptedRecognition {
    constructor() {
      this.lang = '';
      this.continuous = false;
      this.interimResults = false;
      this.maxAlternatives = 1;
      this.processLocally = false;
      this.onresult = null;
      this.onerror = null;
      this.onend = null;
      this.done = false;
    }
    // As Chrome's, from 139: the language can be recognised on the device.
    static available() {
      return Promise.resolve('available');
    }
    start() {
      const phrase = window.__nextPhrase;
      window.__speech = { lang: this.lang, processLocally: this.processLocally, continuous: this.continuous, starts: ((window.__speech && window.__speech.starts) || 0) + 1 };
      // The engine answers later, as the real one does: a final result, then the end.
      setTimeout(() => {
        if (this.done) return;
        if (phrase) {
          const result = Object.assign([{ transcript: phrase, confidence: 0.92 }], { isFinal: true });
          if (this.onresult) this.onresult({ resultIndex: 0, results: [result] });
        } else if (this.onerror) {
          this.onerror({ error: 'no-speech' });
        }
        this.finish();
      }, 150);
    }
    // What was said still arrives (the timer above).
    stop() {}
    abort() {
      setTimeout(() => this.finish(), 0);
    }
    finish() {
      if (this.done) return;
      this.done = true;
      if (this.onend) this.onend();
    }
  }
  window.SpeechRecognition = ScriptedRecognition;
  window.webkitSpeechRecognition = ScriptedRecognition;
})();`;

async function say(page: Page, phrase: string): Promise<void> {
  await page.evaluate((text) => ((globalThis as unknown as SpeechWindow).__nextPhrase = text), phrase);
}

async function lastRecognition(page: Page): Promise<SpeechWindow['__speech']> {
  return page.evaluate(() => (globalThis as unknown as SpeechWindow).__speech);
}

interface Part {
  id: string;
  part_number: string;
  name: string;
  quantity: number;
}

async function demoPart(page: Page, name: string): Promise<Part> {
  const [part] = await local<Part>(page, 'select id::text, part_number, name, quantity from parts where name = $1 and search is not null', [name]);
  expect(part, `the demo part "${name}"`).toBeDefined();
  return part!;
}

async function expectQuantity(page: Page, part: Part, quantity: number): Promise<void> {
  await waitForLocal(page, `${part.part_number} at ${quantity} on the tablet`, 'select quantity = $2 as ok from parts where id = $1', [part.id, quantity], SHOWN.timeout);
}

test('a spoken stock change is confirmed and recorded offline, in English and in Spanish; a text field takes dictation', async ({ page, context }) => {
  await inEnglish(context);
  await context.addInitScript({ content: SCRIPTED_SPEECH });
  const [{ started }] = (await serverRows<{ started: Date }>('select now() as started')) as [{ started: Date }];
  await signIn(page, 'storeroom');
  // Names only one part has ("Grapple cylinder seal kit"), and one of the seal kits that "kits de
  // sellos" cannot tell apart (sync-server/src/seed/demo-yard-data.ts).
  const grapple = await demoPart(page, 'Grapple cylinder seal kit');
  const baler = await demoPart(page, 'Baler cylinder rod seal kit');

  await page.getByRole('link', { name: 'Parts', exact: true }).click();
  await expect(page.getByTestId('part-row').first()).toBeVisible(SHOWN);
  await goOffline(context);

  await test.step('English: "used two grapple cylinder seal kits" names the part; Record takes 2 off at once', async () => {
    await say(page, 'used two grapple cylinder seal kits');
    await page.getByRole('button', { name: 'By voice', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Stock change by voice' });
    await expect(dialog.getByTestId('voice-heard')).toContainText('used two grapple cylinder seal kits', SHOWN);
    await expect(dialog.getByTestId('voice-part')).toHaveAttribute('data-part-number', grapple.part_number, SHOWN);
    await expect(dialog.getByLabel('What happened', { exact: true })).toHaveValue('used');
    await expect(dialog.getByLabel('Quantity', { exact: true })).toHaveValue('2');
    expect(await lastRecognition(page)).toMatchObject({ lang: 'en-US', processLocally: true, continuous: false });

    await dialog.getByRole('button', { name: 'Record', exact: true }).click();
    await expect(dialog).toHaveCount(0, SHOWN);
    await expect(page.getByTestId('voice-stock-status')).toContainText(`Recorded: Used 2 × ${grapple.name}`, SHOWN);
    await expectQuantity(page, grapple, grapple.quantity - 2);
  });

  await test.step('dictation: the microphone under a description appends what is said', async () => {
    await page.getByRole('button', { name: 'New part', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'New part' });
    const description = form.getByLabel('Description', { exact: true });
    await description.fill('Spare for the grapple.');
    await say(page, 'keep two on the shelf');
    const mic = form.getByRole('button', { name: 'Dictate', exact: true });
    await mic.click();
    await expect(description).toHaveValue('Spare for the grapple. keep two on the shelf', SHOWN);
    await expect(mic).toHaveAttribute('aria-pressed', 'false');
    expect(await lastRecognition(page)).toMatchObject({ lang: 'en-US', continuous: true });
    await page.keyboard.press('Escape');
    await expect(form).toHaveCount(0, SHOWN);
  });

  await test.step('Spanish: a phrase with no action is explained; "usé dos kits de sellos" lists the seal kits to pick from', async () => {
    await page.locator('.app-header .language-switch select').selectOption('es');
    const button = page.getByRole('button', { name: 'Por voz', exact: true });
    await say(page, 'buenos días');
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Movimiento por voz' });
    await expect(dialog.getByRole('alert')).toContainText('Diga qué pasó', SHOWN);
    await expect(dialog).toContainText('usé dos kits de sellos');

    await say(page, 'usé dos kits de sellos');
    await dialog.getByRole('button', { name: 'Intentar de nuevo', exact: true }).click();
    await expect(dialog.getByTestId('voice-heard')).toContainText('usé dos kits de sellos', SHOWN);
    expect(await lastRecognition(page)).toMatchObject({ lang: 'es-MX', processLocally: true });
    const options = dialog.getByTestId('voice-part-option');
    await expect(options.first()).toBeVisible(SHOWN);
    expect(await options.count()).toBeGreaterThan(1);
    const record = dialog.getByRole('button', { name: 'Registrar', exact: true });
    await expect(record).toBeDisabled();
    await expect(dialog.getByLabel('Cantidad', { exact: true })).toHaveValue('2');

    await dialog.locator(`[data-testid="voice-part-option"][data-part-number="${baler.part_number}"]`).click();
    await record.click();
    await expect(dialog).toHaveCount(0, SHOWN);
    await expect(page.getByTestId('voice-stock-status')).toContainText(`Registrado: Usado 2 × ${baler.name}`, SHOWN);
    await expectQuantity(page, baler, baler.quantity - 2);
  });

  await test.step('online: the server has exactly one movement of -2 for each, with what was heard', async () => {
    await goOnline(context);
    await waitForEmptyOutbox(page);
    const movements = (partId: string) =>
      serverRows('select delta, reason, note from stock_movements where part_id = $1 and created_at >= $2 order by created_at', [partId, started]);
    expect(await movements(grapple.id)).toEqual([{ delta: -2, reason: 'used', note: 'Voice: "used two grapple cylinder seal kits"' }]);
    expect(await movements(baler.id)).toEqual([{ delta: -2, reason: 'used', note: 'Por voz: "usé dos kits de sellos"' }]);
    for (const part of [grapple, baler]) {
      expect(await serverRows('select quantity from parts where id = $1', [part.id])).toEqual([{ quantity: part.quantity - 2 }]);
    }
  });
});
