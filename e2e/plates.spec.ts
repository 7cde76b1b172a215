import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from './support/fixtures.ts';
import QRCode from 'qrcode';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { inEnglish, SHOWN } from './support/screens.ts';
import { closeServerDb, goOffline, serverRows, signIn } from './support/tablet.ts';

// QR plates (issue 14, item 1): label sheets printed from the tablet carry the app's own URL of
// each machine and bin, and the tablet's camera, reading a plate, opens that machine offline.

test.describe.configure({ timeout: 600_000 });
test.afterAll(closeServerDb);

// ZXing in Node, from the package's own .wasm (its default would fetch it from a CDN).
const require = createRequire(import.meta.url);
prepareZXingModule({ overrides: { wasmBinary: fs.readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')).buffer as ArrayBuffer } });

async function decode(png: Buffer): Promise<string[]> {
  const codes = await readBarcodes(new Uint8Array(png), { formats: ['QRCode'], tryHarder: true });
  return codes.filter((code) => code.isValid).map((code) => code.text);
}

test('a label sheet of machines and of bins carries, in each QR code, the URL of its machine or bin; without a camera a typed tag or bin opens it', async ({ page, context, baseURL }) => {
  await inEnglish(context);
  await signIn(page, 'supervisor');
  await goOffline(context);
  await page.getByRole('link', { name: 'Labels' }).click();
  await expect(page.getByRole('heading', { name: 'Plate labels' })).toBeVisible(SHOWN);

  // Three machines, then two bins, as the tablet lists them; each label's QR must be its URL.
  const choices = page.locator('.labels-choices label');
  await expect(choices.first()).toBeVisible(SHOWN);
  const machineTags: string[] = [];
  for (const i of [0, 1, 2]) {
    await choices.nth(i).getByRole('checkbox').check();
    machineTags.push(await choices.nth(i).locator('strong').innerText());
  }
  await checkSheet(machineTags.map((tag) => `${baseURL}/equipment/${encodeURIComponent(tag)}`));
  const knownTags = (await serverRows<{ tag: string }>('select tag from equipment where tag = any($1)', [machineTags])).map((r) => r.tag);
  expect(knownTags.sort()).toEqual([...machineTags].sort());

  // The choice lives in the URL, which the router applies in a transition: wait for it to follow.
  const bins = page.getByRole('radio', { name: 'Bins' });
  await bins.click();
  await expect(bins).toBeChecked(SHOWN);
  await expect(page.getByTestId('label')).toHaveCount(0, SHOWN);
  const binNames: string[] = [];
  for (const i of [0, 1]) {
    await choices.nth(i).getByRole('checkbox').check();
    binNames.push(await choices.nth(i).locator('strong').innerText());
  }
  await checkSheet(binNames.map((bin) => `${baseURL}/bins/${encodeURIComponent(bin)}`));
  const knownBins = (await serverRows<{ location: string }>('select distinct location from parts where location = any($1)', [binNames])).map((r) => r.location);
  expect(knownBins.sort()).toEqual([...binNames].sort());

  // No camera in this browser: the scanner says so, and a typed tag (any case) or bin opens it.
  const typed = async (text: string) => {
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Scan a plate' });
    await expect(dialog.getByRole('status')).not.toHaveText('Starting the camera…', SHOWN);
    await dialog.getByLabel('Or type a machine tag or a bin').fill(text);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    return dialog;
  };
  await typed(machineTags[1]!.toLowerCase());
  await expect(page).toHaveURL(new RegExp(`/equipment/${encodeURIComponent(machineTags[1]!)}$`), SHOWN);
  await typed(binNames[0]!.toLowerCase());
  await expect(page).toHaveURL(new RegExp(`/bins/${encodeURIComponent(binNames[0]!)}$`), SHOWN);
  const dialog = await typed('NO-SUCH-PLATE');
  await expect(dialog.getByRole('alert')).toHaveText('No machine or bin called "NO-SUCH-PLATE" on this tablet.');
  await dialog.getByRole('button', { name: 'Close' }).click();

  async function checkSheet(urls: string[]) {
    const labels = page.getByTestId('label');
    await expect(labels).toHaveCount(urls.length, SHOWN);
    expect(await labels.evaluateAll((all) => all.map((label) => label.getAttribute('data-url')))).toEqual(urls);
    const decoded: string[] = [];
    for (const qr of await page.getByTestId('label-qr').all()) {
      await expect(qr.locator('svg')).toBeVisible(SHOWN);
      decoded.push(...(await decode(await qr.screenshot())));
    }
    expect(decoded).toEqual(urls);
  }
});

/**
 * One still frame (4:2:0 Y4M, what Chromium's fake camera plays) showing the QR code of `text`,
 * black on white, in the middle of a 640×480 picture.
 */
function y4mOfQr(text: string): Buffer {
  const width = 640;
  const height = 480;
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const scale = Math.floor(400 / (modules.size + 8));
  const side = modules.size * scale;
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const luma = Buffer.alloc(width * height, 235);
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      for (let y = 0; y < scale; y++) luma.fill(16, (top + row * scale + y) * width + left + col * scale, (top + row * scale + y) * width + left + (col + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`), Buffer.from('FRAME\n'), luma, chroma]);
}

test('the camera reads a machine\'s plate and opens its page, offline', async ({ playwright, launchOptions, baseURL }) => {
  const [machine] = await serverRows<{ tag: string; name: string }>(`select tag, name from equipment where status <> 'retired' order by upper(tag) offset 4 limit 1`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cimco-e2e-camera-'));
  const video = path.join(dir, 'plate.y4m');
  fs.writeFileSync(video, y4mOfQr(`${baseURL}/equipment/${encodeURIComponent(machine!.tag)}`));
  const browser = await playwright.chromium.launch({
    ...launchOptions,
    args: [...(launchOptions.args ?? []), '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`, '--use-fake-ui-for-media-stream'],
  });
  try {
    const context = await browser.newContext({ baseURL, permissions: ['camera'] });
    await inEnglish(context);
    const page = await context.newPage();
    await signIn(page, 'tech2');
    await goOffline(context);

    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/equipment/${encodeURIComponent(machine!.tag)}$`), SHOWN);
    await expect(page.getByTestId('machine-timeline')).toBeVisible(SHOWN);
    await expect(page.getByRole('dialog', { name: 'Scan a plate' })).toHaveCount(0);

  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
