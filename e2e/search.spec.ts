import { expect, test } from './support/fixtures.ts';
import { inEnglish, partRow, SHOWN } from './support/screens.ts';
import { closeServerDb, serverRows, signIn } from './support/tablet.ts';

// The yard's spellings: the storeroom types what they remember, not what the catalog says.

test.describe.configure({ timeout: 300_000 });
test.afterAll(closeServerDb);
test.beforeEach(async ({ context }) => {
  await inEnglish(context);
});

test('"metso" lists the parts entered as "Metzo", and a part number with one wrong character finds the part', async ({ page }) => {
  await signIn(page, 'storeroom');
  // A part whose manufacturer was entered as "Metzo": searching "metso" and its name lists it.
  const [metzo] = await serverRows<{ part_number: string; name: string }>(
    `select part_number, name from parts where manufacturer = 'Metzo' and deleted_at is null and name !~* 'metso' order by part_number limit 1`,
  );
  expect(metzo).toBeDefined();
  const search = page.getByLabel('Search parts');
  const shown = page.locator('[data-testid="part-row"]');
  await search.fill(`metso ${metzo!.name}`);
  await expect(partRow(page, metzo!.part_number)).toBeVisible(SHOWN);
  await search.fill('metso');
  await expect(page.getByTestId('parts-count')).not.toHaveAttribute('data-count', '0', SHOWN);

  // One character off in a part number (one that is no other part's number): the part comes first.
  const candidates = await serverRows<{ part_number: string }>(
    `select part_number from parts where deleted_at is null and part_number ~ '[0-9]{3}' order by md5(part_number) limit 20`,
  );
  const typoOf = (number: string) => {
    const digit = number.search(/[0-9]{3}/) + 1;
    return number.slice(0, digit) + String((Number(number[digit]) + 1) % 10) + number.slice(digit + 1);
  };
  const taken = new Set((await serverRows<{ part_number: string }>('select part_number from parts')).map((r) => r.part_number.toUpperCase()));
  const number = candidates.map((c) => c.part_number).find((n) => !taken.has(typoOf(n).toUpperCase()))!;
  const typo = typoOf(number);
  await search.fill(typo);
  await expect(shown.first()).toHaveAttribute('data-part-number', number, SHOWN);
  await expect(partRow(page, number)).toBeVisible();
});
