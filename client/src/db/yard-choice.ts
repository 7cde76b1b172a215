/**
 * Which yard this tablet shows: the live yard or its training yard (FEATURES.md §11). Each has a
 * database of its own on the tablet (db/storage.ts), so practice never mixes with live data or
 * with the live outbox, and switching back is instant and works offline.
 *
 * The choice is the page's (localStorage); the database worker is told by its name at start. A
 * switch reloads every open tab of the app: each tab's worker must serve the same database.
 */
export type Yard = 'live' | 'training';

const YARD_KEY = 'cimco.yard';
/** The live yard a training yard is entered for (its id): sent with the training sign-in. */
const TRAINING_FOR_KEY = 'cimco.trainingFor';

export function chosenYard(): Yard {
  try {
    return localStorage.getItem(YARD_KEY) === 'training' ? 'training' : 'live';
  } catch {
    return 'live';
  }
}

/** The live yard the training yard was chosen from, when the tablet knew it. */
export function trainingFor(): string | undefined {
  try {
    return localStorage.getItem(TRAINING_FOR_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Switches this tablet to `yard` and opens the app again there (every tab follows). */
export function switchYard(yard: Yard, liveSiteId?: string): void {
  localStorage.setItem(YARD_KEY, yard);
  if (liveSiteId) localStorage.setItem(TRAINING_FOR_KEY, liveSiteId);
  window.location.assign('/');
}

/** Another tab switched yards: this one reloads into the same yard. */
export function followYardSwitches(): void {
  const shown = chosenYard();
  window.addEventListener('storage', (event) => {
    if (event.key === YARD_KEY && chosenYard() !== shown) window.location.reload();
  });
}
