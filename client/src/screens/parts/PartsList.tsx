import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type Ref, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { StockBadge } from './badges.tsx';
import { stockStatus, type PartFilters, type PartListRow } from './parts-query.ts';
import { useLivePartsList, type QueryWindow } from './use-live-parts-list.ts';

/**
 * Every row has the same height: the list can place 50,000 rows without measuring them. Two lines
 * of text and a touch target well over 44 px, and eight rows on a landscape tablet (1024×768).
 */
export const ROW_HEIGHT = 56;
/** Rows are read from the database in pages of this many, a page either side of the screen. */
const PAGE = 100;

/**
 * The window of rows to read for the rows on screen: from a page before the first visible row to
 * a page after the last, aligned to pages so that scrolling a little does not read again.
 */
export function windowFor(first: number, last: number): QueryWindow {
  const offset = Math.max(0, Math.floor(first / PAGE) * PAGE - PAGE);
  const end = (Math.floor(last / PAGE) + 2) * PAGE;
  return { offset, limit: end - offset };
}

interface PartsListProps {
  ref?: Ref<HTMLDivElement>;
  filters: PartFilters;
  filtered: boolean;
  selectedId: string | null;
  onOpen: (id: string, partNumber: string) => void;
}

export function PartsList({ ref, filters, filtered, selectedId, onOpen }: PartsListProps) {
  const { t, i18n } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const height = useFillViewport(scrollRef);

  // The window is derived from what the virtualiser shows; a new query starts from the top.
  const [range, setRange] = useState({ first: 0, last: PAGE });
  const result = useLivePartsList(filters, windowFor(range.first, range.last));
  const total = result?.totalCount ?? 0;

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualiser is read during render on purpose
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
    getItemKey: (index) => index,
    onChange: (instance) => {
      const items = instance.getVirtualItems();
      const first = items[0]?.index ?? 0;
      const last = items[items.length - 1]?.index ?? 0;
      setRange((r) => (r.first === first && r.last === last ? r : { first, last }));
    },
  });

  useEffect(() => {
    scrollRef.current?.scrollTo({ top: 0 });
  }, [filters]);

  const number = new Intl.NumberFormat(i18n.language);
  const rowAt = (index: number): PartListRow | undefined => (result ? result.rows[index - result.offset] : undefined);

  function focusRow(index: number) {
    if (index < 0 || index >= total) return;
    virtualizer.scrollToIndex(index, { align: 'auto' });
    // The row may only be rendered after the scroll.
    const tryFocus = (attempts: number) => {
      const row = scrollRef.current?.querySelector<HTMLElement>(`[data-index="${index}"] [data-testid="part-row"]`);
      if (row) row.focus();
      else if (attempts > 0) window.requestAnimationFrame(() => tryFocus(attempts - 1));
    };
    tryFocus(10);
  }

  function onRowKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: 8, PageUp: -8 };
    let target: number | undefined;
    if (event.key in moves) target = Math.min(total - 1, Math.max(0, index + (moves[event.key] ?? 0)));
    else if (event.key === 'Home') target = 0;
    else if (event.key === 'End') target = total - 1;
    if (target === undefined) return;
    event.preventDefault();
    focusRow(target);
  }

  const loading = result === undefined || result.filters !== filters;
  return (
    <div className="parts-list-wrap">
      <p className="parts-count" role="status" data-testid="parts-count" data-count={result?.totalCount ?? ''} aria-busy={loading}>
        {result === undefined
          ? t('common.loading')
          : filtered
            ? t('parts.matches', { count: total, formatted: number.format(total) })
            : t('parts.count', { count: total, formatted: number.format(total) })}
      </p>
      <div className="parts-list-head" aria-hidden="true">
        <span>{t('parts.partNumberAndName')}</span>
        <span>{t('parts.manufacturer')}</span>
        <span>{t('parts.bin')}</span>
        <span className="num">{t('parts.quantity')}</span>
        <span>{t('parts.stockStatus')}</span>
      </div>
      <div
        ref={(element) => {
          scrollRef.current = element;
          if (typeof ref === 'function') ref(element);
          else if (ref) ref.current = element;
        }}
        className="parts-list"
        style={{ height }}
        role="list"
        aria-label={t('parts.listLabel')}
        aria-busy={loading}
        data-testid="parts-list"
      >
        {result?.error ? (
          <p className="parts-empty error" role="alert">
            {t('common.somethingWentWrong')}
          </p>
        ) : (
          result !== undefined && total === 0 && <p className="parts-empty">{filtered ? t('parts.noMatches') : t('parts.noParts')}</p>
        )}
        <div className="parts-list-inner" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const part = rowAt(item.index);
            return (
              <div
                key={item.key}
                role="listitem"
                aria-setsize={total}
                aria-posinset={item.index + 1}
                className="parts-list-item"
                data-index={item.index}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                {part ? (
                  <PartRow
                    part={part}
                    selected={part.id === selectedId}
                    format={number.format}
                    onOpen={onOpen}
                    onKeyDown={(event) => onRowKeyDown(event, item.index)}
                  />
                ) : (
                  <div className="part-row part-row-placeholder" aria-hidden="true">
                    <span className="placeholder-bar" />
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function PartRow({
  part,
  selected,
  format,
  onOpen,
  onKeyDown,
}: {
  part: PartListRow;
  selected: boolean;
  format: (n: number) => string;
  onOpen: (id: string, partNumber: string) => void;
  onKeyDown: (event: KeyboardEvent<HTMLButtonElement>) => void;
}) {
  const { t } = useTranslation();
  const status = stockStatus(part.quantity, part.min_quantity);
  return (
    <button
      type="button"
      className={`part-row${part.pending ? ' is-pending' : ''}`}
      data-testid="part-row"
      data-part-number={part.part_number}
      data-part-id={part.id}
      data-status={status}
      data-pending={part.pending ? 'true' : 'false'}
      aria-haspopup="dialog"
      aria-expanded={selected}
      onClick={() => onOpen(part.id, part.part_number)}
      onKeyDown={onKeyDown}
    >
      <span className="part-row-main">
        <span className="part-number">{part.part_number}</span>
        <span className="part-name">{part.name}</span>
      </span>
      <span className="part-manufacturer">
        <span className="visually-hidden">{t('parts.manufacturer')}: </span>
        {part.manufacturer ?? '—'}
      </span>
      <span className="part-location">
        <span className="visually-hidden">{t('parts.bin')}: </span>
        {part.location ?? '—'}
      </span>
      <span className="part-quantity num" data-testid="part-quantity" data-quantity={part.quantity}>
        <span className="part-quantity-value">{format(part.quantity)}</span> <span className="part-unit">{part.unit ?? ''}</span>
      </span>
      <span className="part-badges">
        <StockBadge status={status} />
        {part.pending && <PendingMarker />}
      </span>
    </button>
  );
}

/**
 * The list fills the screen below its own top edge and scrolls inside itself, so the search and
 * filters stay in view. Follows the window's size and anything above it changing height.
 */
function useFillViewport(ref: RefObject<HTMLElement | null>): number {
  const [height, setHeight] = useState(480);
  useLayoutEffect(() => {
    const measure = () => {
      const element = ref.current;
      if (!element) return;
      const top = element.getBoundingClientRect().top + window.scrollY;
      setHeight(Math.max(320, Math.floor(window.innerHeight - top - 12)));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(document.body);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [ref]);
  return height;
}
