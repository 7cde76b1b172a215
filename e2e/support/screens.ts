/**
 * The screens as a person uses them (labels and roles, in English): the steps the end-to-end
 * tests take on the parts and tasks screens.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';

/** A change shows at once; on a busy two-core machine "at once" can still take seconds. */
export const SHOWN = { timeout: 30_000 };

/** The tests read English labels (the demo technician's account is in Spanish). */
export async function inEnglish(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('cimco.language', 'en'));
}

export function partRow(page: Page, partNumber: string) {
  return page.locator(`[data-testid="part-row"][data-part-number="${partNumber}"]`);
}

export async function openParts(page: Page, search: string): Promise<void> {
  await page.getByRole('link', { name: 'Parts' }).click();
  await page.getByLabel('Search parts').fill(search);
}

export async function useStock(page: Page, partNumber: string, quantity: number): Promise<void> {
  await openParts(page, partNumber);
  await partRow(page, partNumber).click();
  await page.getByRole('button', { name: 'Use', exact: true }).click();
  await page.getByLabel('Quantity used').fill(String(quantity));
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('stock-saved')).not.toBeEmpty(SHOWN);
  await page.keyboard.press('Escape');
}

export async function createTask(page: Page, title: string): Promise<void> {
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.getByRole('button', { name: 'New task', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByLabel('Title', { exact: true }).fill(title);
  await dialog.getByRole('button', { name: 'Create task', exact: true }).click();
  await expect(dialog).toHaveCount(0, SHOWN);
}

export async function completeTask(page: Page, taskId: string, fix: string): Promise<void> {
  await page.getByRole('link', { name: 'Tasks' }).click();
  await page.locator(`[data-testid="task-row"][data-task-id="${taskId}"]`).click();
  const dialog = page.getByRole('dialog', { name: 'Task details' });
  await dialog.getByRole('button', { name: 'Complete', exact: true }).click();
  await dialog.getByLabel('Problem', { exact: true }).fill('Hydraulic hose leaking at the fitting');
  await dialog.getByLabel('Fix', { exact: true }).fill(fix);
  await dialog.getByLabel('Lock-out/tag-out confirmed').check();
  await dialog.getByRole('button', { name: 'Complete task', exact: true }).click();
  await expect(dialog.getByRole('button', { name: 'Complete task', exact: true })).toHaveCount(0, SHOWN);
  if (await dialog.count()) await page.keyboard.press('Escape');
}
