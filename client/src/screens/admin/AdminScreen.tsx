import { mayDo } from '@cimco/contract';
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { ROUTES } from '../../app/paths.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { AuditScreen } from './AuditScreen.tsx';
import { NotAllowed } from './NotAllowed.tsx';
import { TabletsScreen } from './TabletsScreen.tsx';
import { UsersScreen } from './UsersScreen.tsx';
import { TrainingReset } from '../../training/TrainingReset.tsx';
import './admin.css';

export type AdminSection = 'users' | 'tablets' | 'audit';

/**
 * The admin's screens (`/admin/users`, `/admin/tablets`, `/admin/audit`): people, tablets, and who
 * did what. Only for `mayDo(role, 'admin.manage')`; any other role sees "not allowed" (and the
 * server refuses `/api/admin/*` and the admin commands to them as well).
 */
export function AdminScreen({ session, section }: { session: LocalSession; section: AdminSection }) {
  const { t } = useTranslation();
  if (!mayDo(session.role, 'admin.manage')) return <NotAllowed />;
  const tabs: { to: string; label: string }[] = [
    { to: ROUTES.adminUsers, label: t('admin.tabs.users') },
    { to: ROUTES.adminTablets, label: t('admin.tabs.tablets') },
    { to: ROUTES.adminAudit, label: t('admin.tabs.audit') },
  ];
  return (
    <section className="screen admin-screen" aria-labelledby="admin-title">
      <div className="screen-header">
        <h2 id="admin-title">{t('admin.title')}</h2>
        <nav className="admin-tabs" aria-label={t('admin.title')}>
          {tabs.map((tab) => (
            <NavLink key={tab.to} to={tab.to}>
              {tab.label}
            </NavLink>
          ))}
        </nav>
      </div>
      {section === 'users' && (
        <>
          <UsersScreen session={session} />
          <TrainingReset session={session} />
        </>
      )}
      {section === 'tablets' && <TabletsScreen session={session} />}
      {section === 'audit' && <AuditScreen />}
    </section>
  );
}
