import { csvCell, csvFile, type CsvKind } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import './export-button.css';

/** One column of an exported list: its header (in the reader's language) and each row's value. */
export interface ExportColumn<T> {
  header: string;
  value: (row: T) => unknown;
  /** `number` leaves plain numbers alone; everything else gets the formula guard. */
  kind?: CsvKind;
}

/** Today on this tablet's clock as YYYY-MM-DD, for file names. */
function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A file name a person recognises: `parts-2026-12-06.csv` (the list's name in the reader's language). */
export function exportFileName(list: string, now = new Date()): string {
  return `${list.replace(/[^\p{L}\p{N}_-]+/gu, '-')}-${today(now)}.csv`;
}

/** The CSV of `rows`, spreadsheet-safe by the contract's one rule (the server's exports use it too). */
export function exportCsv<T>(columns: readonly ExportColumn<T>[], rows: readonly T[], words: { yes: string; no: string }): string {
  return csvFile(
    columns.map((c) => c.header),
    rows.map((row) => columns.map((c) => csvCell(c.value(row), c.kind ?? 'text', words))),
  );
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // After the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * "Export CSV": the rows a list shows, as it shows them (its filters and order), made on the tablet
 * from the same local query the list runs — so it works offline and never disagrees with the
 * screen. `rows` is the list's rows, or a function reading them (for lists that only window theirs).
 */
export function ExportButton<T>({
  list,
  columns,
  rows,
  disabled,
  label,
}: {
  /** The list's name in the file name (e.g. t('csv.files.parts')). */
  list: string;
  columns: readonly ExportColumn<T>[];
  rows: readonly T[] | (() => Promise<readonly T[]>);
  disabled?: boolean;
  /** The button's name where a screen has more than one list ("Export history as CSV"). */
  label?: string;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const all = typeof rows === 'function' ? await rows() : rows;
      download(exportFileName(list), exportCsv(columns, all, { yes: t('csv.yes'), no: t('csv.no') }));
    } catch (caught) {
      setError(t('csv.exportFailed', { message: caught instanceof Error ? caught.message : String(caught) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="export-button">
      {/* Compact, to keep a list's toolbar on as few lines as it had (a landscape tablet's rows
          are precious); its name is the whole "Export CSV" (the visible "CSV" is part of it). */}
      <button
        type="button"
        className="secondary export-csv"
        data-testid="export-csv"
        aria-label={busy ? t('csv.exporting') : (label ?? t('csv.export'))}
        title={label ?? t('csv.export')}
        disabled={busy || disabled}
        onClick={() => void run()}
      >
        <span aria-hidden="true">⤓</span> CSV
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
