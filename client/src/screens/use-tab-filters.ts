import { useEffect, useState } from 'react';

/**
 * A screen's filters that survive switching screens (and a reload) in this tab: kept in
 * sessionStorage under `key`, over `defaults` (a stored value lacking a newer filter gets its
 * default).
 */
export function useTabFilters<F extends object>(key: string, defaults: F): [F, (update: (filters: F) => F) => void] {
  const [filters, setFilters] = useState<F>(() => {
    try {
      const stored = sessionStorage.getItem(key);
      return stored ? { ...defaults, ...(JSON.parse(stored) as Partial<F>) } : defaults;
    } catch {
      return defaults;
    }
  });
  useEffect(() => {
    try {
      sessionStorage.setItem(key, JSON.stringify(filters));
    } catch {
      // Storage blocked: the filters last while the screen is open.
    }
  }, [key, filters]);
  return [filters, setFilters];
}
