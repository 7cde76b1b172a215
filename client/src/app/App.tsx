import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NeedsAttentionScreen } from '../attention/NeedsAttentionScreen.tsx';
import { useDatabase } from '../db/react.ts';
import { applyUserLocale } from '../i18n/index.ts';
import { ConflictsScreen } from '../screens/conflicts/ConflictsScreen.tsx';
import { EquipmentScreen } from '../screens/equipment/EquipmentScreen.tsx';
import { PartsScreen } from '../screens/parts/PartsScreen.tsx';
import { TasksScreen } from '../screens/tasks/TasksScreen.tsx';
import { useSession } from '../session/use-session.ts';
import { SyncBar } from '../sync/SyncBar.tsx';
import { LoginScreen } from './LoginScreen.tsx';

const SCREENS = ['parts', 'tasks', 'equipment', 'conflicts', 'attention'] as const;
type Screen = (typeof SCREENS)[number];

/** The screen is in the URL's hash, so a reload (or the back button) keeps it. */
function useScreen(): [Screen, (screen: Screen) => void] {
  const read = (): Screen => SCREENS.find((s) => `#${s}` === window.location.hash) ?? 'parts';
  const [screen, setScreen] = useState<Screen>(read);
  useEffect(() => {
    const onHash = () => setScreen(read());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return [screen, (next) => void (window.location.hash = next)];
}

export function App() {
  const { t } = useTranslation();
  const db = useDatabase();
  const session = useSession();
  const [screen, go] = useScreen();

  useEffect(() => {
    if (session) void applyUserLocale(session.locale);
  }, [session]);

  if (session === undefined) return <main className="splash" aria-busy="true">{t('common.loading')}</main>;
  if (session === null) return <LoginScreen />;
  // The server would not renew the session: sign in again before anything more is uploaded. The
  // queue stays, and so does everything on screen.
  if (session.expired) return <LoginScreen expiredUser={session.username} />;

  const labels: Record<Screen, string> = {
    parts: t('nav.parts'),
    tasks: t('nav.tasks'),
    equipment: t('nav.equipment'),
    conflicts: t('nav.conflicts'),
    attention: t('nav.needsAttention'),
  };
  return (
    <div className="app">
      <header className="app-header">
        <h1>{t('common.appName')}</h1>
        <nav className="app-nav" aria-label={t('nav.label')}>
          {SCREENS.map((s) => (
            <a key={s} href={`#${s}`} aria-current={s === screen ? 'page' : undefined} onClick={() => go(s)}>
              {labels[s]}
            </a>
          ))}
        </nav>
        <span className="app-user">
          {session.displayName}
          <button type="button" className="link" onClick={() => void db.signOut()}>
            {t('nav.signOut')}
          </button>
        </span>
      </header>
      <SyncBar onOpenAttention={() => go('attention')} />
      <main className="app-screen">
        {screen === 'parts' && <PartsScreen session={session} />}
        {screen === 'tasks' && <TasksScreen session={session} />}
        {screen === 'equipment' && <EquipmentScreen session={session} />}
        {screen === 'conflicts' && <ConflictsScreen session={session} />}
        {screen === 'attention' && <NeedsAttentionScreen />}
      </main>
    </div>
  );
}
