import type { Locale } from '@cimco/contract';
import type { Messages } from './en.ts';

/**
 * A translation of en.ts: every key, each a string. Where English has a plural `key_other`, a
 * language may also give `key_many` (Spanish uses it from 1,000,000: "1 000 000 de cambios").
 */
export type Translation<T = Messages> = {
  [K in keyof T]: T[K] extends string ? string : Translation<T[K]>;
} & {
  [K in keyof T as K extends `${infer Base}_other` ? `${Base}_many` : never]?: string;
};

/** The languages the app speaks: the accounts' locales (contract LOCALES). */
export const LANGUAGES = ['en', 'es'] as const satisfies readonly Locale[];
export type Language = (typeof LANGUAGES)[number];

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}
