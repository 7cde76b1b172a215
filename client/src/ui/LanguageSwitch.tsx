import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage, LANGUAGE_NAMES, LANGUAGES, setLanguage, type Language } from '../i18n/index.ts';

/**
 * The language of this tablet, chosen by whoever holds it: kept on the tablet and winning over the
 * account's locale (a shared tablet, a visitor). Each language is named in itself.
 */
export function LanguageSwitch({ className }: { className?: string }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  // Re-rendered by react-i18next when the language changes.
  void i18n.language;
  return (
    <span className={`language-switch ${className ?? ''}`}>
      <label htmlFor={id}>{t('common.language')}</label>
      <select id={id} value={currentLanguage()} onChange={(event) => void setLanguage(event.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language} lang={language}>
            {LANGUAGE_NAMES[language]}
          </option>
        ))}
      </select>
    </span>
  );
}
