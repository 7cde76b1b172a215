import { useLive, useLiveQuery } from '../../db/react.ts';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { paths, ROUTES } from '../../app/paths.ts';
import { useUrlFilters } from '../../ui/use-url-filters.ts';
import { PartsExportButton } from './PartsExportButton.tsx';
import type { LocalSession } from '../../session/local-session.ts';
import { PartDetail } from './PartDetail.tsx';
import { NewPartButton } from './PartForm.tsx';
import { PartsList } from './PartsList.tsx';
import { StockPhraseButton } from '../../voice/StockPhraseButton.tsx';
import { CATEGORIES_SQL, LOCATIONS_SQL, NO_FILTERS, PART_SORTS, type PartFilters, type PartSort } from './parts-query.ts';
import './parts.css';

// One lookup in the part-number index (parts_number_idx; `search is not null` = not deleted).
/** How long the search box rests before the URL takes its text. */
const URL_SEARCH_PAUSE_MS = 400;

const PART_ID_SQL = 'select id from parts where upper(part_number) = upper($1) and part_number = $1 and search is not null';

/**
 * Parts inventory: a windowed, virtualised list of every part (fast with 50,000), instant search,
 * filters and sort (in the URL's query string); tapping a part opens its panel (`/parts/<number>`)
 * with stock actions, bin move and history. `/bins/<location>` is the list of one bin.
 */
export function PartsScreen({ session, partNumber, bin }: { session: LocalSession; partNumber?: string; bin?: string }) {
  const { t } = useTranslation();
  const ids = useId();
  const navigate = useNavigate();
  const { search: query } = useLocation();
  const [urlFilters, setFilters] = useUrlFilters<PartFilters>(NO_FILTERS);
  // The search box drives the list directly; the URL follows once typing pauses. A navigation per
  // keystroke re-rendered the whole screen and cost a third of each keystroke's time.
  const [searchText, setSearchText] = useState(urlFilters.search);
  const [liveSearch, setLiveSearch] = useState(urlFilters.search);
  const writtenSearch = useRef(urlFilters.search);
  // The same object while the values are the same: the URL catching up with the search box must
  // not look like a new search to the list (it would query and flash busy again).
  const filtersKey = JSON.stringify({ ...urlFilters, search: liveSearch, ...(bin !== undefined && { location: bin }) });
  const filters = useMemo(() => JSON.parse(filtersKey) as PartFilters, [filtersKey]);
  // Only while a part is open: the list alone runs no lookup on every change to parts.
  const selected = useLive<{ id: string }>(partNumber ? { sql: PART_ID_SQL, params: [partNumber] } : null)?.rows[0];
  const selectedId = partNumber ? (selected?.id ?? null) : null;
  const listPath = bin === undefined ? ROUTES.parts : paths.bin(bin);
  const searchRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // One frame: keys typed within it are one search.
  useEffect(() => {
    if (searchText === liveSearch) return;
    const frame = window.requestAnimationFrame(() => setLiveSearch(searchText));
    return () => window.cancelAnimationFrame(frame);
  }, [searchText, liveSearch]);

  // The URL catches up when typing pauses (a link or a reload shows the same list).
  useEffect(() => {
    if (liveSearch === writtenSearch.current) return;
    const timer = window.setTimeout(() => {
      // A part opened (or closed) meanwhile carried the search in its own URL: writing it again
      // now would navigate from the old location and undo that (E2E: a row tapped right after
      // typing stayed on the list).
      if (writtenSearch.current === liveSearch) return;
      writtenSearch.current = liveSearch;
      setFilters((f) => ({ ...f, search: liveSearch }));
    }, URL_SEARCH_PAUSE_MS);
    return () => window.clearTimeout(timer);
  }, [liveSearch, setFilters]);

  // The URL's search changed from outside (back, forward, a link): the box follows it.
  useEffect(() => {
    if (urlFilters.search === writtenSearch.current) return;
    writtenSearch.current = urlFilters.search;
    setSearchText(urlFilters.search);
    setLiveSearch(urlFilters.search);
  }, [urlFilters.search]);

  /**
   * The query string with the search as typed now (the URL may not have caught up yet), for a
   * navigation that carries it: the pending write of the search is then done.
   */
  const currentQuery = () => {
    writtenSearch.current = liveSearch;
    const params = new URLSearchParams(query);
    if (liveSearch === '') params.delete('search');
    else params.set('search', liveSearch);
    const text = params.toString();
    return text ? `?${text}` : '';
  };

  const categories = useLiveQuery<{ value: string }>(CATEGORIES_SQL, [])?.rows;
  const locations = useLiveQuery<{ value: string }>(LOCATIONS_SQL, [])?.rows;
  const update = (change: Partial<PartFilters>) => {
    // Another bin chosen on a bin's page: that is the parts list with the bin as its filter.
    if (bin !== undefined && change.location !== undefined && change.location !== bin) {
      void navigate(`${ROUTES.parts}?${new URLSearchParams({ ...(change.location && { location: change.location }) })}`);
      return;
    }
    if (change.search !== undefined) {
      setSearchText(change.search);
      setLiveSearch(change.search);
      writtenSearch.current = change.search;
    }
    setFilters((f) => ({ ...f, search: liveSearch, ...change }));
  };
  const filtered =
    filters.search !== '' || filters.category !== '' || filters.location !== '' || filters.lowStockOnly || filters.highWearOnly;

  const closeDetail = useCallback(() => {
    const closedId = selectedId;
    void navigate(listPath + currentQuery());
    // Back to the row that was opened (if it is still on screen), else to the search box.
    window.requestAnimationFrame(() => {
      const row = closedId ? listRef.current?.querySelector<HTMLElement>(`[data-part-id="${closedId}"]`) : null;
      (row ?? searchRef.current)?.focus();
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- currentQuery reads this render's search
  }, [selectedId, navigate, listPath, query, liveSearch]);

  return (
    <section className="screen parts-screen" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`} className="visually-hidden">
        {t('parts.title')}
      </h2>
      <div className="parts-toolbar" role="search">
        <div className="parts-field parts-search">
          <label htmlFor={`${ids}-search`}>{t('parts.search')}</label>
          <input
            id={`${ids}-search`}
            ref={searchRef}
            type="search"
            value={searchText}
            placeholder={t('parts.searchPlaceholder')}
            autoComplete="off"
            spellCheck={false}
            enterKeyHint="search"
            onChange={(event) => setSearchText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') {
                // Search now, without waiting for the pause.
                update({ search: searchText });
              } else if (event.key === 'Escape' && searchText !== '') {
                setSearchText('');
                update({ search: '' });
              }
            }}
          />
        </div>
        <div className="parts-field">
          <label htmlFor={`${ids}-category`}>{t('parts.category')}</label>
          <select id={`${ids}-category`} value={filters.category} onChange={(event) => update({ category: event.target.value })}>
            <option value="">{t('parts.allCategories')}</option>
            {categories?.map(({ value }) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="parts-field">
          <label htmlFor={`${ids}-location`}>{t('parts.location')}</label>
          <select id={`${ids}-location`} value={filters.location} onChange={(event) => update({ location: event.target.value })}>
            <option value="">{t('parts.allLocations')}</option>
            {locations?.map(({ value }) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div className="parts-field">
          <label htmlFor={`${ids}-sort`}>{t('parts.sortBy')}</label>
          <select id={`${ids}-sort`} value={filters.sort} onChange={(event) => update({ sort: event.target.value as PartSort })}>
            {PART_SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`parts.sort.${sort}`)}
              </option>
            ))}
          </select>
        </div>
        <label className="parts-check">
          <input type="checkbox" checked={filters.lowStockOnly} onChange={(event) => update({ lowStockOnly: event.target.checked })} />
          {t('parts.lowStockOnly')}
        </label>
        <label className="parts-check">
          <input type="checkbox" checked={filters.highWearOnly} onChange={(event) => update({ highWearOnly: event.target.checked })} />
          {t('parts.highWearOnly')}
        </label>
        {/* On the filters' second row, at its end: they do not push a filter onto a third. */}
        <div className="parts-actions">
          {filtered && (
            <button
              type="button"
              className="secondary parts-clear"
              onClick={() => {
                setSearchText('');
                setLiveSearch('');
                writtenSearch.current = '';
                setFilters(() => ({ ...NO_FILTERS, sort: filters.sort }));
              }}
            >
              {t('parts.clearFilters')}
            </button>
          )}
          <StockPhraseButton session={session} />
          <PartsExportButton filters={filters} />
          <NewPartButton session={session} />
        </div>
      </div>
      <PartsList
        ref={listRef}
        filters={filters}
        filtered={filtered}
        selectedId={selectedId}
        onOpen={(_id, number) => void navigate(paths.part(number) + currentQuery())}
      />
      {selectedId && (
        <PartDetail key={selectedId} partId={selectedId} session={session} locations={locations?.map((l) => l.value) ?? []} onClose={closeDetail} />
      )}
    </section>
  );
}
