import { mayRead } from '@cimco/contract';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { NeedsAttentionScreen } from '../attention/NeedsAttentionScreen.tsx';
import { useDatabase } from '../db/react.ts';
import { applyUserLocale } from '../i18n/index.ts';
import { ConflictsScreen } from '../screens/conflicts/ConflictsScreen.tsx';
import { EquipmentScreen } from '../screens/equipment/EquipmentScreen.tsx';
import { OrdersScreen } from '../screens/orders/OrdersScreen.tsx';
import { PartsScreen } from '../screens/parts/PartsScreen.tsx';
import { TasksScreen } from '../screens/tasks/TasksScreen.tsx';
import type { LocalSession } from '../session/local-session.ts';
import { useSession } from '../session/use-session.ts';
import { SyncBar } from '../sync/SyncBar.tsx';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';
import { lastSearchOf } from '../ui/use-url-filters.ts';
import { LoginScreen } from './LoginScreen.tsx';
import { ROUTES } from './paths.ts';

/** Where a role lands after signing in (and on `/`). */
function homeOf(_session: LocalSession): string {
  return ROUTES.parts;
}

export function App() {
  const { t } = useTranslation();
  const session = useSession();

  useEffect(() => {
    if (session) void applyUserLocale(session.locale);
  }, [session]);

  if (session === undefined) return <main className="splash" aria-busy="true">{t('common.loading')}</main>;
  if (session === null) return <LoginScreen />;
  // The server would not renew the session: sign in again before anything more is uploaded. The
  // queue stays, and so does everything on screen.
  if (session.expired) return <LoginScreen expiredUser={session.username} />;

  return (
    <Routes>
      <Route element={<Layout session={session} />}>
        <Route index element={<Navigate to={homeOf(session)} replace />} />
        <Route path={ROUTES.parts} element={<PartsScreen session={session} />} />
        <Route path={ROUTES.part} element={<PartRoute session={session} />} />
        <Route path={ROUTES.bin} element={<BinRoute session={session} />} />
        <Route path={ROUTES.tasks} element={<TasksScreen session={session} />} />
        <Route path={ROUTES.task} element={<TaskRoute session={session} />} />
        <Route path={ROUTES.equipment} element={<EquipmentScreen session={session} />} />
        <Route path={ROUTES.machine} element={<MachineRoute session={session} />} />
        <Route path={ROUTES.orders} element={<OrdersScreen session={session} />} />
        <Route path={ROUTES.conflicts} element={<ConflictsScreen session={session} />} />
        <Route path={ROUTES.attention} element={<NeedsAttentionScreen />} />
        <Route path="*" element={<Navigate to={homeOf(session)} replace />} />
      </Route>
    </Routes>
  );
}

// Each keyed by its record, so a screen opened on another record starts fresh.
function PartRoute({ session }: { session: LocalSession }) {
  const { partNumber } = useParams();
  return <PartsScreen session={session} partNumber={partNumber} />;
}

function BinRoute({ session }: { session: LocalSession }) {
  const { location } = useParams();
  return <PartsScreen key={location} session={session} bin={location ?? ''} />;
}

function TaskRoute({ session }: { session: LocalSession }) {
  const { id } = useParams();
  return <TasksScreen session={session} taskId={id} />;
}

function MachineRoute({ session }: { session: LocalSession }) {
  const { tag } = useParams();
  return <EquipmentScreen session={session} tag={tag} />;
}

/** The bar every screen shares: the yard's name, the screens this role uses, who is signed in. */
function Layout({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const navigate = useNavigate();
  // Re-rendered on every navigation, so each link carries its screen's latest filters.
  useLocation();
  const links: { to: string; label: string }[] = [
    { to: ROUTES.parts, label: t('nav.parts') },
    { to: ROUTES.tasks, label: t('nav.tasks') },
    { to: ROUTES.equipment, label: t('nav.equipment') },
    ...(mayRead(session.role, 'incoming_orders') ? [{ to: ROUTES.orders, label: t('nav.orders') }] : []),
    { to: ROUTES.conflicts, label: t('nav.conflicts') },
    { to: ROUTES.attention, label: t('nav.needsAttention') },
  ];
  return (
    <div className="app">
      <header className="app-header">
        <h1>{t('common.appName')}</h1>
        <nav className="app-nav" aria-label={t('nav.label')}>
          {links.map(({ to, label }) => (
            // Back to the filters this screen last had in this tab.
            <NavLink key={to} to={{ pathname: to, search: lastSearchOf(to) }}>
              {label}
            </NavLink>
          ))}
        </nav>
        <span className="app-user">
          <LanguageSwitch />
          {session.displayName}
          <button type="button" className="link" onClick={() => void db.signOut()}>
            {t('nav.signOut')}
          </button>
        </span>
      </header>
      <SyncBar onOpenAttention={() => void navigate(ROUTES.attention)} />
      <main className="app-screen">
        <Outlet />
      </main>
    </div>
  );
}
