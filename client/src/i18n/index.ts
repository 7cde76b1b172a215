import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { es } from './es.ts';
import { LANGUAGES, type Language } from './types.ts';

export { LANGUAGES, type Language, type Translation } from './types.ts';
export type { Messages } from './en.ts';

/** Each language's name in itself, for a language picker. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español' };

/** Where the language chosen on this tablet is kept (it wins over the account's locale). */
export const LANGUAGE_STORAGE_KEY = 'cimco.language';

/** 'es-MX' → 'es'; anything the app does not speak → undefined. */
export function toLanguage(tag: string | null | undefined): Language | undefined {
  const base = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.find((language) => language === base);
}

/**
 * The language to show: the preference stored on this tablet, else the signed-in user's locale,
 * else the first of the browser's languages that the app speaks, else English.
 */
export function resolveLanguage(sources: {
  stored?: string | null;
  userLocale?: string | null;
  browserLanguages?: readonly string[];
}): Language {
  const browser = (sources.browserLanguages ?? []).map(toLanguage).find((language) => language !== undefined);
  return toLanguage(sources.stored) ?? toLanguage(sources.userLocale) ?? browser ?? 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null; // Storage blocked: fall back to the account's or the browser's language.
  }
}

function browserLanguages(): readonly string[] {
  return navigator.languages?.length ? navigator.languages : [navigator.language];
}

let initialised: Promise<i18n> | undefined;

/**
 * Sets up i18next and react-i18next (`useTranslation()`), once. The texts are bundled, so `t` works
 * as soon as this returns: the app can render without awaiting the promise.
 *
 * @param userLocale the signed-in user's locale, when already known (a stored session).
 */
export function initI18n(options: { userLocale?: string | null } = {}): Promise<i18n> {
  initialised ??= i18next
    .use(initReactI18next)
    .init({
      resources: { en: { translation: en }, es: { translation: es } },
      lng: resolveLanguage({ stored: storedLanguage(), userLocale: options.userLocale, browserLanguages: browserLanguages() }),
      fallbackLng: 'en',
      supportedLngs: LANGUAGES,
      // Bundled texts: ready synchronously.
      initAsync: false,
      // React escapes what it renders.
      interpolation: { escapeValue: false },
    })
    .then(() => i18next);
  document.documentElement.lang = i18next.language ?? 'en';
  return initialised;
}

/** The language now shown. */
export function currentLanguage(): Language {
  return toLanguage(i18next.language) ?? 'en';
}

/** The user picked a language on this tablet: show it and keep it (it wins over the account's locale). */
export async function setLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Storage blocked: the choice lasts until the app is reloaded.
  }
  await changeLanguage(language);
}

/**
 * A user signed in (or their account changed): show their locale unless this tablet has a stored
 * preference.
 */
export async function applyUserLocale(locale: string | null | undefined): Promise<void> {
  await changeLanguage(resolveLanguage({ stored: storedLanguage(), userLocale: locale, browserLanguages: browserLanguages() }));
}

async function changeLanguage(language: Language): Promise<void> {
  if (i18next.language !== language) await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
