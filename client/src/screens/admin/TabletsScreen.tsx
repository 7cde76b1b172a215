import { adminDevicesResponseSchema, type AdminDevice } from '@cimco/contract';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDatabase } from '../../db/react.ts';
import type { LocalSession } from '../../session/local-session.ts';
import { formatDateTime } from '../../ui/format.ts';
import { formErrorsOf } from '../../ui/form-errors.ts';
import { PendingMarker } from '../../ui/PendingMarker.tsx';
import { callServer, isOffline } from './server-call.ts';

/**
 * The yard's tablets (`GET /api/admin/devices`: devices are not synced, so this list needs the
 * server): name, who signed in last, when it was last seen, and "Revoke" for a lost one (the
 * `device.revoke` command: it can no longer sign in or renew, and its sessions end).
 */
export function TabletsScreen({ session }: { session: LocalSession }) {
  const { t, i18n } = useTranslation();
  const db = useDatabase();
  const [devices, setDevices] = useState<AdminDevice[]>();
  const [error, setError] = useState<string>();
  const [revoking, setRevoking] = useState<ReadonlySet<string>>(new Set());

  const load = useCallback(async () => {
    setError(undefined);
    try {
      const response = await callServer(session, '/api/admin/devices');
      setDevices(adminDevicesResponseSchema.parse(await response.json()).devices);
    } catch (caught) {
      setError(isOffline(caught) ? t('admin.offline') : t('common.somethingWentWrong'));
    }
  }, [session, t]);

  useEffect(() => {
    // The first answer arrives after this effect; the state is set then.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void load();
  }, [load]);

  const revoke = async (device: AdminDevice) => {
    if (!window.confirm(t('admin.tablets.confirmRevoke', { name: device.name ?? device.id }))) return;
    try {
      await db.record('device.revoke', { id: device.id });
      setRevoking((ids) => new Set([...ids, device.id]));
    } catch (caught) {
      setError(formErrorsOf(caught, t).form);
    }
  };

  return (
    <div className="admin-tablets">
      <div className="admin-toolbar">
        <button type="button" className="secondary" onClick={() => void load()}>
          {t('admin.tablets.refresh')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert" data-testid="tablets-error">
          {error}
        </p>
      )}
      {devices && devices.length === 0 && <p className="empty">{t('admin.tablets.none')}</p>}
      {devices && devices.length > 0 && (
        <table className="admin-table" data-testid="tablets-table">
          <thead>
            <tr>
              <th scope="col">{t('admin.tablets.name')}</th>
              <th scope="col">{t('admin.tablets.user')}</th>
              <th scope="col">{t('admin.tablets.lastSeen')}</th>
              <th scope="col">{t('admin.tablets.state')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('admin.users.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {devices.map((device) => {
              const pending = revoking.has(device.id) && !device.revokedAt;
              return (
                <tr key={device.id} data-testid="tablet-row" data-device-id={device.id} className={device.revokedAt ? 'is-disabled' : ''}>
                  <td>
                    {device.name ?? t('admin.tablets.unnamed')}
                    {device.userAgent && <span className="admin-sub">{device.userAgent}</span>}
                  </td>
                  <td>{device.userDisplayName ?? '—'}</td>
                  <td>{formatDateTime(device.lastSeenAt, i18n.language)}</td>
                  <td>
                    {device.revokedAt
                      ? t('admin.tablets.revokedOn', { date: formatDateTime(device.revokedAt, i18n.language), name: device.revokedByName ?? '—' })
                      : pending
                        ? t('admin.tablets.revoking')
                        : t('admin.tablets.inUse')}
                    {pending && <PendingMarker />}
                  </td>
                  <td className="admin-actions">
                    {!device.revokedAt && !pending && (
                      <button type="button" className="secondary danger" onClick={() => void revoke(device)}>
                        {t('admin.tablets.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
