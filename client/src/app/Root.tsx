import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter } from 'react-router';
import type { CommandInput, CommandName } from '@cimco/contract';
import { openLocalDatabase, type LocalDatabase } from '../db/local-database.ts';
import { DatabaseProvider } from '../db/react.ts';
import { chosenYard, followYardSwitches } from '../db/yard-choice.ts';
import { UpdatePrompt } from '../pwa/index.ts';
import { App } from './App.tsx';

// One database per page, opened once (StrictMode mounts twice in development).
let opening: Promise<LocalDatabase> | undefined;

/** Opens the tablet's database (from IndexedDB, online or not), then shows the app. */
export function Root() {
  const { t } = useTranslation();
  const [db, setDb] = useState<LocalDatabase | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    opening ??= openLocalDatabase(chosenYard());
    followYardSwitches();
    opening.then((opened) => {
      // For the end-to-end tests, benchmarks and support on a tablet (devtools): the local
      // database, and recording a command as the screens do.
      Object.assign(window, {
        cimcoDb: opened,
        cimcoRecord: <N extends CommandName>(name: N, args: CommandInput<N>) => opened.record(name, args),
      });
      setDb(opened);
    }, (caught: unknown) => setError(caught instanceof Error ? caught.message : String(caught)));
  }, []);

  return (
    <>
      <UpdatePrompt />
      {error ? (
        <main className="splash" role="alert">
          <h1>{t('common.appName')}</h1>
          <p>{t('app.databaseFailed', { error })}</p>
        </main>
      ) : db ? (
        <DatabaseProvider db={db}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </DatabaseProvider>
      ) : (
        <main className="splash" aria-busy="true">
          <h1>{t('common.appName')}</h1>
          <p>{t('app.openingDatabase')}</p>
        </main>
      )}
    </>
  );
}
