import QRCode from 'qrcode';
import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useLiveQuery } from '../../db/react.ts';
import { plateUrl, type Plate } from '../../scan/plate-url.ts';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { LOCATIONS_SQL } from '../parts/parts-query.ts';
import { intoSheets, LABEL_STOCKS, labelStock } from './label-stock.ts';
import './labels.css';

interface MachineChoice {
  tag: string;
  name: string;
  area: string | null;
}

const MACHINES_SQL = `select tag, name, area from equipment where status <> 'retired' order by upper(tag)`;

interface Label {
  key: string;
  plate: Plate;
  title: string;
  subtitle: string;
}

interface LabelFilters {
  /** What the labels are for. */
  kind: string;
  /** The Avery number of the label sheets (label-stock.ts). */
  stock: string;
}

/**
 * Printable plates (`/labels`): choose machines or bins, then print sheets of labels — a QR code of
 * the plate's URL (scan/plate-url.ts), the tag or bin in large type, the name and area — laid out
 * for common label stock. Made on the tablet, offline; the browser's print dialog does the rest.
 */
export function LabelsScreen() {
  const { t } = useTranslation();
  const [filters, setFilters] = useUrlFilters<LabelFilters>({ kind: 'machines', stock: LABEL_STOCKS[0]!.id });
  const kind = filters.kind === 'bins' ? 'bins' : 'machines';
  const stock = labelStock(filters.stock);
  const machines = useLiveQuery<MachineChoice>(MACHINES_SQL)?.rows;
  const bins = useLiveQuery<{ value: string }>(LOCATIONS_SQL)?.rows;
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());

  const choices: Label[] = useMemo(
    () =>
      kind === 'machines'
        ? (machines ?? []).map((m) => ({ key: m.tag, plate: { kind: 'machine', tag: m.tag }, title: m.tag, subtitle: [m.name, m.area].filter(Boolean).join(' · ') }))
        : (bins ?? []).map((b) => ({ key: b.value, plate: { kind: 'bin', location: b.value }, title: b.value, subtitle: t('labels.binSubtitle') })),
    [kind, machines, bins, t],
  );
  const labels = choices.filter((choice) => chosen.has(choice.key));
  const qrCodes = useQrCodes(labels.map((label) => plateUrl(window.location.origin, label.plate)));

  const toggle = (key: string) =>
    setChosen((before) => {
      const next = new Set(before);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const sheetStyle = {
    '--label-columns': stock.columns,
    '--label-width': `${stock.width}in`,
    '--label-height': `${stock.height}in`,
    '--label-top': `${stock.top}in`,
    '--label-left': `${stock.left}in`,
    '--label-column-gap': `${stock.columnGap}in`,
    '--label-row-gap': `${stock.rowGap}in`,
  } as CSSProperties;

  return (
    <section className="screen labels-screen" aria-labelledby="labels-title">
      <div className="screen-header no-print">
        <h2 id="labels-title">{t('labels.title')}</h2>
        <button type="button" className="primary" disabled={labels.length === 0} onClick={() => window.print()}>
          {t('labels.print', { count: labels.length })}
        </button>
      </div>

      <div className="filter-bar no-print">
        <fieldset className="labels-kind">
          <legend>{t('labels.for')}</legend>
          {(['machines', 'bins'] as const).map((value) => (
            <label key={value}>
              <input
                type="radio"
                name="labels-kind"
                checked={kind === value}
                onChange={() => {
                  setChosen(new Set());
                  setFilters((f) => ({ ...f, kind: value }));
                }}
              />
              {t(`labels.kinds.${value}`)}
            </label>
          ))}
        </fieldset>
        <div className="filter-select">
          <label htmlFor="labels-stock">{t('labels.stock')}</label>
          <select id="labels-stock" value={stock.id} onChange={(event) => setFilters((f) => ({ ...f, stock: event.target.value }))}>
            {LABEL_STOCKS.map((option) => (
              <option key={option.id} value={option.id}>
                {option.name}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="secondary" onClick={() => setChosen(new Set(choices.map((c) => c.key)))}>
          {t('labels.chooseAll')}
        </button>
        {chosen.size > 0 && (
          <button type="button" className="secondary" onClick={() => setChosen(new Set())}>
            {t('labels.chooseNone')}
          </button>
        )}
      </div>

      <ul className="labels-choices no-print" aria-label={t(`labels.kinds.${kind}`)}>
        {choices.map((choice) => (
          <li key={choice.key}>
            <label>
              <input type="checkbox" checked={chosen.has(choice.key)} onChange={() => toggle(choice.key)} />
              <strong>{choice.title}</strong> {kind === 'machines' && choice.subtitle}
            </label>
          </li>
        ))}
      </ul>

      <p className="list-summary no-print" role="status" aria-live="polite">
        {labels.length === 0 ? t('labels.noneChosen') : t('labels.sheets', { count: intoSheets(labels, stock).length, labels: labels.length })}
      </p>
      <div className="label-sheets" data-testid="label-sheets">
        {intoSheets(labels, stock).map((sheet, index) => (
          <div key={index} className="label-sheet" style={sheetStyle}>
            {sheet.map((label) => {
              const url = plateUrl(window.location.origin, label.plate);
              const svg = qrCodes.get(url);
              return (
                <div key={label.key} className="label" data-testid="label" data-url={url}>
                  {/* The library's own SVG of a URL we made: no user markup goes in. */}
                  <div className="label-qr" data-testid="label-qr" role="img" aria-label={url} dangerouslySetInnerHTML={svg ? { __html: svg } : undefined} />
                  <div className="label-text">
                    <span className="label-title">{label.title}</span>
                    <span className="label-subtitle">{label.subtitle}</span>
                  </div>
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </section>
  );
}

/** SVG markup of each URL's QR code (error correction Q: a scratched or dirty plate still reads). */
function useQrCodes(urls: readonly string[]): ReadonlyMap<string, string> {
  const [codes, setCodes] = useState<ReadonlyMap<string, string>>(new Map());
  const key = urls.join('\n');
  useEffect(() => {
    let current = true;
    const wanted = key === '' ? [] : key.split('\n');
    void Promise.all(wanted.map(async (url) => [url, await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'Q', margin: 2 })] as const)).then(
      (pairs) => current && setCodes(new Map(pairs)),
    );
    return () => {
      current = false;
    };
  }, [key]);
  return codes;
}
