import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useRegisterSW } from 'virtual:pwa-register/react';
import './update-prompt.css';

/** How often an open app asks the server for a new version (a tablet may stay open all shift). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;
/** How long "Ready to work offline" stays up. */
const OFFLINE_READY_MS = 8000;

/**
 * Registers the service worker and tells the user about it, without blocking the app:
 * - "Update available — Reload": a new version is installed and waits; Reload switches to it (the
 *   page reloads once the new worker controls it), Later hides the bar until the next visit.
 * - "Ready to work offline": once, when the first install has cached the app and its database.
 *
 * Mount it once, near the top of the app, after `initI18n()`: it registers at its first render.
 */
export function UpdatePrompt() {
  const { t } = useTranslation();
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (!registration) return;
      setInterval(() => {
        if (!navigator.onLine || registration.installing) return;
        registration.update().catch(() => {
          // The server is out of reach: try again at the next check.
        });
      }, UPDATE_CHECK_MS);
    },
    onRegisterError(error: unknown) {
      console.warn('The service worker could not be registered: the app will not work offline.', error);
    },
  });

  useEffect(() => {
    if (!offlineReady) return;
    const timer = setTimeout(() => setOfflineReady(false), OFFLINE_READY_MS);
    return () => clearTimeout(timer);
  }, [offlineReady, setOfflineReady]);

  if (needRefresh) {
    return (
      <div className="pwa-prompt" role="status" aria-live="polite">
        <p className="pwa-prompt-text">{t('pwa.updateAvailable')}</p>
        <div className="pwa-prompt-actions">
          <button type="button" className="pwa-prompt-primary" onClick={() => void switchToNewVersion(updateServiceWorker)}>
            {t('pwa.reload')}
          </button>
          <button type="button" className="pwa-prompt-secondary" onClick={() => setNeedRefresh(false)}>
            {t('pwa.later')}
          </button>
        </div>
      </div>
    );
  }

  if (offlineReady) {
    return (
      <div className="pwa-prompt" role="status" aria-live="polite">
        <p className="pwa-prompt-text">{t('pwa.offlineReady')}</p>
        <div className="pwa-prompt-actions">
          <button type="button" className="pwa-prompt-secondary" onClick={() => setOfflineReady(false)}>
            {t('common.close')}
          </button>
        </div>
      </div>
    );
  }

  return null;
}

/**
 * Lets the waiting service worker take over, then reloads. virtual:pwa-register reloads only when
 * the page was already controlled when it loaded; a page opened before the first install (the
 * tablet's first shift) would stay on the old code, so reload on the controller change here too.
 */
async function switchToNewVersion(updateServiceWorker: (reloadPage?: boolean) => Promise<void>): Promise<void> {
  const registration = await navigator.serviceWorker.getRegistration();
  if (!registration?.waiting) {
    // Another tab has already switched: this page only needs the new code.
    window.location.reload();
    return;
  }
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
  await updateServiceWorker(true);
}
