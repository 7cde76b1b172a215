/**
 * Dates, numbers and money in the reader's language (`i18n.language`): one place, so every screen
 * writes 5 de dic. 2026 and 1.234,50 the same way.
 */

/** A calendar date (YYYY-MM-DD) in the reader's language, without shifting it across time zones. */
export function formatDate(date: string, language: string): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return date;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(y, m - 1, d));
}

export function formatDateTime(timestamp: string, language: string): string {
  const when = new Date(timestamp);
  if (Number.isNaN(when.getTime())) return timestamp;
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(when);
}

export function formatNumber(value: number, language: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language, options).format(value);
}

/** Money in the yard's currency (US dollars); `{ minimumFractionDigits: 0, maximumFractionDigits: 0 }` for whole dollars. */
export function formatMoney(value: number, language: string, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(language, { style: 'currency', currency: 'USD', ...options }).format(value);
}

/** A span of hours as "3.5 h" / "3,5 h". */
export function formatHours(hours: number, language: string): string {
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(hours)} h`;
}
