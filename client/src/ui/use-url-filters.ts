import { useCallback, useEffect, useMemo } from 'react';
import { useLocation, useSearchParams } from 'react-router';

type FilterValue = string | boolean | string[] | number[];

/**
 * A screen's filters, kept in the URL's query string (`/tasks?statuses=open,on_hold&mine=1`): a
 * link or a reload shows the same list, back and forward step through filter changes, and the
 * nav bar returns to the last filters used in this tab (`lastSearchOf`). A value equal to its
 * default is left out of the URL. Arrays are comma-separated; `numbers` names the arrays of numbers.
 */
export function useUrlFilters<F extends { [K in keyof F]: FilterValue }>(
  defaults: F,
  { numbers = [] }: { numbers?: readonly (keyof F & string)[] } = {},
): [F, (update: (filters: F) => F) => void] {
  const [params, setParams] = useSearchParams();
  const location = useLocation();

  const filters = useMemo(() => {
    const read: Record<string, FilterValue> = { ...defaults };
    for (const [key, fallback] of Object.entries(defaults) as [string, FilterValue][]) {
      const raw = params.get(key);
      if (raw === null) continue;
      if (typeof fallback === 'boolean') read[key] = raw === '1';
      else if (Array.isArray(fallback)) {
        const items = raw === '' ? [] : raw.split(',');
        read[key] = (numbers as readonly string[]).includes(key) ? items.map(Number).filter((n) => Number.isFinite(n)) : items;
      } else read[key] = raw;
    }
    return read as F;
    // `defaults` and `numbers` are constants of the screen.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [params]);

  const update = useCallback(
    (change: (filters: F) => F) => {
      const next = change(filters);
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(next) as [keyof F & string, FilterValue][]) {
        if (encode(value) !== encode(defaults[key])) search.set(key, encode(value));
      }
      // Typing in a search box replaces the history entry rather than adding one per keystroke.
      const typing = (Object.keys(next) as (keyof F)[]).some((key) => typeof next[key] === 'string' && next[key] !== filters[key]);
      setParams(search, { replace: typing });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [filters, setParams],
  );

  useEffect(() => {
    try {
      sessionStorage.setItem(LAST_SEARCH + location.pathname, location.search);
    } catch {
      // Storage blocked: the nav bar opens the screen with its default filters.
    }
  }, [location.pathname, location.search]);

  return [filters, update];
}

function encode(value: FilterValue): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'boolean') return value ? '1' : '0';
  return value;
}

const LAST_SEARCH = 'cimco.search:';

/** The query string a screen was last shown with in this tab ('' when none). */
export function lastSearchOf(pathname: string): string {
  try {
    return sessionStorage.getItem(LAST_SEARCH + pathname) ?? '';
  } catch {
    return '';
  }
}
