import { mayDo, mayRead, mayRun } from '@cimco/contract';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate, useParams } from 'react-router';
import { NeedsAttentionScreen } from '../attention/NeedsAttentionScreen.tsx';
import { useDatabase } from '../db/react.ts';
import { applyUserLocale } from '../i18n/index.ts';
import { AdminScreen } from '../screens/admin/AdminScreen.tsx';
import { ConflictsScreen } from '../screens/conflicts/ConflictsScreen.tsx';
import { DashboardScreen } from '../screens/dashboard/DashboardScreen.tsx';
import { EquipmentScreen } from '../screens/equipment/EquipmentScreen.tsx';
import { MachinePage } from '../screens/equipment/MachinePage.tsx';
import { LogScreen } from '../screens/log/LogScreen.tsx';
import { KnowledgeScreen } from '../screens/knowledge/KnowledgeScreen.tsx';
import { LabelsScreen } from '../screens/labels/LabelsScreen.tsx';
import { TemplatesScreen } from '../screens/templates/TemplatesScreen.tsx';
import { ScanDialog } from '../scan/ScanDialog.tsx';
import { ImportScreen } from '../screens/import/ImportScreen.tsx';
import { OrdersScreen } from '../screens/orders/OrdersScreen.tsx';
import { PartsScreen } from '../screens/parts/PartsScreen.tsx';
import { TasksScreen } from '../screens/tasks/TasksScreen.tsx';
import type { LocalSession } from '../session/local-session.ts';
import { useSession } from '../session/use-session.ts';
import { SyncBar } from '../sync/SyncBar.tsx';
import { LanguageSwitch } from '../ui/LanguageSwitch.tsx';
import { lastSearchOf } from '../ui/use-url-filters.ts';
import { chosenYard } from '../db/yard-choice.ts';
import { TrainingBanner } from '../training/TrainingBanner.tsx';
import { TrainingSignIn } from '../training/TrainingSignIn.tsx';
import { TrainingSwitch } from '../training/TrainingSwitch.tsx';
import '../training/training.css';
import { LoginScreen } from './LoginScreen.tsx';
import { ROUTES } from './paths.ts';

/** Where a role lands after signing in (and on `/`): the morning check for those who run the yard. */
function homeOf(session: LocalSession): string {
  return session.role === 'supervisor' || session.role === 'admin' ? ROUTES.dashboard : ROUTES.parts;
}

/** The yard this page shows: fixed for its life (a switch reloads the app). */
const training = chosenYard() === 'training';

export function App() {
  const { t } = useTranslation();
  const session = useSession();

  useEffect(() => {
    if (session) void applyUserLocale(session.locale);
  }, [session]);

  if (session === undefined) return <main className="splash" aria-busy="true">{t('common.loading')}</main>;
  // The training yard has no passwords: pick a person (again, after a reset ended the session).
  if (training && (session === null || session.expired)) return <TrainingSignIn />;
  if (session === null) return <LoginScreen />;
  // The server would not renew the session: sign in again before anything more is uploaded. The
  // queue stays, and so does everything on screen.
  if (session.expired) return <LoginScreen expiredUser={session.username} />;

  return (
    <Routes>
      <Route element={<Layout session={session} />}>
        <Route index element={<Navigate to={homeOf(session)} replace />} />
        <Route path={ROUTES.dashboard} element={<DashboardScreen />} />
        <Route path={ROUTES.parts} element={<PartRoute session={session} />} />
        <Route path={ROUTES.part} element={<PartRoute session={session} />} />
        <Route path={ROUTES.bin} element={<BinRoute session={session} />} />
        <Route path={ROUTES.tasks} element={<TasksScreen session={session} />} />
        <Route path={ROUTES.task} element={<TaskRoute session={session} />} />
        <Route path={ROUTES.equipment} element={<EquipmentScreen session={session} />} />
        <Route path={ROUTES.machine} element={<MachineRoute session={session} />} />
        <Route path={ROUTES.log} element={<LogScreen session={session} />} />
        <Route path={ROUTES.knowledge} element={<KnowledgeScreen />} />
        <Route path={ROUTES.labels} element={<LabelsScreen />} />
        <Route path={ROUTES.templates} element={mayRun(session.role, 'template.save') ? <TemplatesScreen /> : <Navigate to={homeOf(session)} replace />} />
        <Route path={ROUTES.orders} element={<OrdersScreen session={session} />} />
        <Route path={ROUTES.conflicts} element={<ConflictsScreen session={session} />} />
        <Route path={ROUTES.attention} element={<NeedsAttentionScreen />} />
        <Route path={ROUTES.import} element={<ImportScreen session={session} />} />
        <Route path={ROUTES.adminUsers} element={<AdminScreen session={session} section="users" />} />
        <Route path={ROUTES.adminTablets} element={<AdminScreen session={session} section="tablets" />} />
        <Route path={ROUTES.adminAudit} element={<AdminScreen session={session} section="audit" />} />
        <Route path="*" element={<Navigate to={homeOf(session)} replace />} />
      </Route>
    </Routes>
  );
}

/**
 * `/parts` and `/parts/<number>` are one element: opening and closing a part keeps the list, its
 * search and its scroll. A bin's page is keyed by its bin, so another bin starts fresh.
 */
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
  const { tag = '' } = useParams();
  return <MachinePage key={tag} session={session} tag={tag} />;
}

/**
 * The bar every screen shares, two short rows so a landscape tablet keeps its height for the work:
 * the yard's name, the sync state and who is signed in; then the screens this role uses.
 */
function Layout({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const navigate = useNavigate();
  const [scanning, setScanning] = useState(false);
  // Re-rendered on every navigation, so each link carries its screen's latest filters.
  useLocation();
  const links: { to: string; label: string }[] = [
    { to: ROUTES.dashboard, label: t('nav.dashboard') },
    { to: ROUTES.parts, label: t('nav.parts') },
    { to: ROUTES.tasks, label: t('nav.tasks') },
    { to: ROUTES.equipment, label: t('nav.equipment') },
    { to: ROUTES.log, label: t('nav.log') },
    { to: ROUTES.knowledge, label: t('nav.knowledge') },
    ...(mayRead(session.role, 'incoming_orders') ? [{ to: ROUTES.orders, label: t('nav.orders') }] : []),
    { to: ROUTES.conflicts, label: t('nav.conflicts') },
    { to: ROUTES.attention, label: t('nav.needsAttention') },
    ...(mayRun(session.role, 'template.save') ? [{ to: ROUTES.templates, label: t('nav.templates') }] : []),
    ...(mayDo(session.role, 'parts.import') ? [{ to: ROUTES.import, label: t('nav.import') }] : []),
    // Those who put plates on machines and bins print them.
    ...(mayRun(session.role, 'equipment.update') || mayRun(session.role, 'part.move') ? [{ to: ROUTES.labels, label: t('nav.labels') }] : []),
    ...(mayDo(session.role, 'admin.manage') ? [{ to: ROUTES.adminUsers, label: t('nav.admin') }] : []),
  ];
  return (
    <div className="app">
      <header className="app-header">
        {training && <TrainingBanner />}
        <div className="app-bar">
          <h1>{t('common.appName')}</h1>
          <SyncBar onOpenAttention={() => void navigate(ROUTES.attention)} />
          <span className="app-user">
            <button type="button" className="secondary bar-button" onClick={() => setScanning(true)}>
              {t('scan.button')}
            </button>
            {!training && <TrainingSwitch session={session} />}
            <LanguageSwitch />
            {session.displayName}
            <button type="button" className="link" onClick={() => void db.signOut()}>
              {t('nav.signOut')}
            </button>
          </span>
        </div>
        <nav className="app-nav" aria-label={t('nav.label')}>
          {links.map(({ to, label }) => (
            // Back to the filters this screen last had in this tab.
            <NavLink key={to} to={{ pathname: to, search: lastSearchOf(to) }}>
              {label}
            </NavLink>
          ))}
        </nav>
      </header>
      <main className="app-screen">
        <Outlet />
      </main>
      {scanning && <ScanDialog onClose={() => setScanning(false)} />}
    </div>
  );
}
