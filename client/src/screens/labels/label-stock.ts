/**
 * Label sheets the yard can buy at any office store, by their Avery numbers (US Letter). Sizes in
 * inches, as printed on the box; the sheet is laid out with CSS in those units, so a browser
 * printing at 100 % puts each label on its sticker.
 */
export interface LabelStock {
  id: string;
  /** How the box names it. */
  name: string;
  columns: number;
  rows: number;
  width: number;
  height: number;
  /** Page margins to the first label, and the gaps between labels. */
  top: number;
  left: number;
  columnGap: number;
  rowGap: number;
}

export const LABEL_STOCKS: readonly LabelStock[] = [
  { id: '22806', name: 'Avery 22806 · 2" × 2" · 12', columns: 3, rows: 4, width: 2, height: 2, top: 0.625, left: 0.625, columnGap: 0.625, rowGap: 0.625 },
  { id: '5163', name: 'Avery 5163 · 4" × 2" · 10', columns: 2, rows: 5, width: 4, height: 2, top: 0.5, left: 0.156, columnGap: 0.188, rowGap: 0 },
  { id: '5160', name: 'Avery 5160 · 2⅝" × 1" · 30', columns: 3, rows: 10, width: 2.625, height: 1, top: 0.5, left: 0.188, columnGap: 0.125, rowGap: 0 },
];

export const DEFAULT_LABEL_STOCK = LABEL_STOCKS[0]!;

export function labelStock(id: string): LabelStock {
  return LABEL_STOCKS.find((stock) => stock.id === id) ?? DEFAULT_LABEL_STOCK;
}

/** The labels split into sheets of the stock's size. */
export function intoSheets<T>(labels: readonly T[], stock: LabelStock): T[][] {
  const perSheet = stock.columns * stock.rows;
  const sheets: T[][] = [];
  for (let i = 0; i < labels.length; i += perSheet) sheets.push(labels.slice(i, i + perSheet));
  return sheets;
}
