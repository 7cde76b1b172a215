import { useTranslation } from 'react-i18next';

/** What a screen shows a role that may not use it (the server refuses its API as well). */
export function NotAllowed() {
  const { t } = useTranslation();
  return (
    <section className="screen not-allowed" data-testid="not-allowed" aria-labelledby="not-allowed-title">
      <h2 id="not-allowed-title">{t('admin.notAllowedTitle')}</h2>
      <p>{t('admin.notAllowed')}</p>
    </section>
  );
}
