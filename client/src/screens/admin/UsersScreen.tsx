import { LOCALES, newPasswordSchema, ROLES, type Locale, type Role } from '@cimco/contract';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { v7 as uuidv7 } from 'uuid';
import { useDatabase, useLiveQuery } from '../../db/react.ts';
import { LANGUAGE_NAMES } from '../../i18n/index.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { Dialog } from '../../ui/Dialog.tsx';
import { Field, FormError } from '../../ui/fields.tsx';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { useContractForm } from '../../ui/use-contract-form.ts';
import { callServer, isOffline, useServerReachable } from './server-call.ts';

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  locale: Locale;
  active: boolean;
  pending: boolean;
}

const USERS_SQL = `select id, username, display_name, role, locale, active, pending from users
  order by active desc, lower(display_name), username`;

/**
 * The yard's people (the synced `users` table, so the list works offline): create one, change a
 * name, role or language, disable or enable, set a new password. Creating and editing are commands
 * (queued offline like any change); a new password goes straight to the server (see
 * sync-server/src/admin/routes.ts for why), so it needs the network.
 */
export function UsersScreen({ session }: { session: LocalSession }) {
  const { t } = useTranslation();
  const db = useDatabase();
  const users = useLiveQuery<UserRow>(USERS_SQL, [])?.rows;
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<UserRow>();
  const [resetting, setResetting] = useState<UserRow>();
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<string>();

  const setActive = async (user: UserRow, active: boolean) => {
    setError(undefined);
    try {
      await db.record('user.update', { id: user.id, active });
      setNotice(t(active ? 'admin.users.enabledNotice' : 'admin.users.disabledNotice', { name: user.display_name }));
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  };

  return (
    <div className="admin-users">
      <div className="admin-toolbar">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          {t('admin.users.new')}
        </button>
      </div>
      <p className="list-summary" role="status" aria-live="polite">
        {users ? t('admin.users.count', { count: users.length }) : t('common.loading')}
        {notice && ` · ${notice}`}
      </p>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="admin-table" data-testid="users-table">
        <thead>
          <tr>
            <th scope="col">{t('admin.users.name')}</th>
            <th scope="col">{t('admin.users.username')}</th>
            <th scope="col">{t('admin.users.role')}</th>
            <th scope="col">{t('admin.users.language')}</th>
            <th scope="col">{t('admin.users.state')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('admin.users.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users?.map((user) => (
            <tr key={user.id} data-testid="user-row" data-username={user.username} data-active={user.active ? 'true' : 'false'} className={user.active ? '' : 'is-disabled'}>
              <td>
                {user.display_name} {user.pending && <PendingMarker />}
              </td>
              <td>{user.username}</td>
              <td>{t(`admin.roles.${user.role}`)}</td>
              <td>{LANGUAGE_NAMES[user.locale] ?? user.locale}</td>
              <td>{user.active ? t('admin.users.active') : t('admin.users.disabled')}</td>
              <td className="admin-actions">
                <button type="button" className="secondary" onClick={() => setEditing(user)}>
                  {t('admin.users.edit')}
                </button>
                <button type="button" className="secondary" onClick={() => setResetting(user)}>
                  {t('admin.users.resetPassword')}
                </button>
                {user.id !== session.userId &&
                  (user.active ? (
                    <button type="button" className="secondary danger" onClick={() => void setActive(user, false)}>
                      {t('admin.users.disable')}
                    </button>
                  ) : (
                    <button type="button" className="secondary" onClick={() => void setActive(user, true)}>
                      {t('admin.users.enable')}
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {creating && <UserCreateDialog onClose={() => setCreating(false)} onCreated={(name) => setNotice(t('admin.users.createdNotice', { name }))} />}
      {editing && <UserEditDialog user={editing} self={editing.id === session.userId} onClose={() => setEditing(undefined)} onSaved={(name) => setNotice(t('admin.users.savedNotice', { name }))} />}
      {resetting && (
        <PasswordDialog
          session={session}
          user={resetting}
          onClose={() => setResetting(undefined)}
          onDone={(name) => setNotice(t('admin.users.passwordNotice', { name }))}
        />
      )}
    </div>
  );
}

function RoleOptions() {
  const { t } = useTranslation();
  return ROLES.map((role) => (
    <option key={role} value={role}>
      {t(`admin.roles.${role}`)}
    </option>
  ));
}

function LanguageOptions() {
  return LOCALES.map((locale) => (
    <option key={locale} value={locale}>
      {LANGUAGE_NAMES[locale]}
    </option>
  ));
}

interface CreateValues {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  locale: Locale;
  password: string;
}

function UserCreateDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (name: string) => void }) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'user.create', CreateValues>({
    command: 'user.create',
    defaultValues: { id: uuidv7(), username: '', displayName: '', role: 'technician', locale: 'es', password: '' },
    toArgs: (v) => ({ id: v.id, username: v.username, displayName: v.displayName, role: v.role, locale: v.locale, password: v.password }),
    onRecorded: (args) => {
      onCreated(args.displayName.trim());
      onClose();
    },
  });
  const { register } = form;
  return (
    <Dialog label={t('admin.users.new')} heading={t('admin.users.new')} onClose={onClose} testId="user-create-dialog">
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        <Field label={t('admin.users.name')} error={errorOf('displayName')}>
          {({ id, describedBy }) => <input id={id} data-autofocus aria-describedby={describedBy} {...register('displayName')} />}
        </Field>
        <Field label={t('admin.users.username')} error={errorOf('username')} hint={t('admin.users.usernameHint')}>
          {({ id, describedBy }) => <input id={id} autoCapitalize="none" autoComplete="off" spellCheck={false} aria-describedby={describedBy} {...register('username')} />}
        </Field>
        <div className="field-row">
          <Field label={t('admin.users.role')} error={errorOf('role')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('role')}>
                <RoleOptions />
              </select>
            )}
          </Field>
          <Field label={t('admin.users.language')} error={errorOf('locale')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('locale')}>
                <LanguageOptions />
              </select>
            )}
          </Field>
        </div>
        <Field label={t('admin.users.password')} error={errorOf('password')} hint={t('admin.users.passwordHint')}>
          {({ id, describedBy }) => <input id={id} type="password" autoComplete="new-password" aria-describedby={describedBy} {...register('password')} />}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('admin.users.create')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

interface EditValues {
  displayName: string;
  role: Role;
  locale: Locale;
}

function UserEditDialog({ user, self, onClose, onSaved }: { user: UserRow; self: boolean; onClose: () => void; onSaved: (name: string) => void }) {
  const { t } = useTranslation();
  const { form, submit, formError, busy, errorOf } = useContractForm<'user.update', EditValues>({
    command: 'user.update',
    defaultValues: { displayName: user.display_name, role: user.role, locale: user.locale },
    // Only what changed: an edit never re-sends fields nobody touched.
    toArgs: (v) => ({
      id: user.id,
      ...(v.displayName.trim() !== user.display_name && { displayName: v.displayName }),
      ...(v.role !== user.role && { role: v.role }),
      ...(v.locale !== user.locale && { locale: v.locale }),
    }),
    onRecorded: () => {
      onSaved(form.getValues('displayName').trim());
      onClose();
    },
  });
  const { register } = form;
  return (
    <Dialog label={t('admin.users.editTitle')} heading={t('admin.users.editTitle')} onClose={onClose} testId="user-edit-dialog">
      <form className="cy-form" onSubmit={(event) => void submit(event)} noValidate>
        <p className="notice">{user.username}</p>
        <Field label={t('admin.users.name')} error={errorOf('displayName')}>
          {({ id, describedBy }) => <input id={id} data-autofocus aria-describedby={describedBy} {...register('displayName')} />}
        </Field>
        <div className="field-row">
          <Field label={t('admin.users.role')} error={errorOf('role')} hint={self ? t('admin.users.ownRole') : undefined}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} disabled={self} {...register('role')}>
                <RoleOptions />
              </select>
            )}
          </Field>
          <Field label={t('admin.users.language')} error={errorOf('locale')}>
            {({ id, describedBy }) => (
              <select id={id} aria-describedby={describedBy} {...register('locale')}>
                <LanguageOptions />
              </select>
            )}
          </Field>
        </div>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** A new password for someone: straight to the server (never into the outbox). */
function PasswordDialog({ session, user, onClose, onDone }: { session: LocalSession; user: UserRow; onClose: () => void; onDone: (name: string) => void }) {
  const { t } = useTranslation();
  const reachable = useServerReachable();
  const [password, setPassword] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setFieldError(undefined);
    setFormError(undefined);
    const parsed = newPasswordSchema.safeParse(password);
    if (!parsed.success) {
      setFieldError(password === '' ? t('validation.required') : t('validation.tooShort', { min: 10 }));
      return;
    }
    setBusy(true);
    try {
      await callServer(session, `/api/admin/users/${user.id}/password`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ password }),
      });
      onDone(user.display_name);
      onClose();
    } catch (caught) {
      setFormError(isOffline(caught) ? t('admin.offline') : t('common.somethingWentWrong'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog label={t('admin.users.resetPassword')} heading={t('admin.users.resetPasswordFor', { name: user.display_name })} onClose={onClose} testId="password-dialog">
      <form
        className="cy-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        {!reachable && <p className="error">{t('admin.offline')}</p>}
        <Field label={t('admin.users.newPassword')} error={fieldError} hint={t('admin.users.passwordResetHint')}>
          {({ id, describedBy }) => (
            <input id={id} type="password" autoComplete="new-password" data-autofocus aria-describedby={describedBy} value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <FormError message={formError} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || !reachable}>
            {t('admin.users.setPassword')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
