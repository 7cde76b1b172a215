/**
 * The four roles on the yard. The order is not a hierarchy: permissions are granted per role
 * (per command, per shape), never by comparing roles.
 */
export const ROLES = ['technician', 'storeroom', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
