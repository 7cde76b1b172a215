/**
 * English texts, grouped by screen. This object is the reference: es.ts must have every key
 * (TypeScript checks it), and `t('group.key')` is checked against it (i18n/index.ts).
 *
 * Plurals use i18next's suffixes: `key_one` and `key_other`, called as `t('sync.pending', { count })`.
 * Spanish may add `key_many` (used for 1,000,000 and more).
 */
export const en = {
  common: {
    appName: 'CIMCO Yard',
    loading: 'Loading…',
    retry: 'Try again',
    cancel: 'Cancel',
    close: 'Close',
    dismiss: 'Dismiss',
    somethingWentWrong: 'Something went wrong. Try again.',
    language: 'Language',
  },
  login: {
    title: 'Sign in',
    username: 'Username',
    password: 'Password',
    signIn: 'Sign in',
    signingIn: 'Signing in…',
    cannotReachServer: 'Cannot reach the server. Check the connection and try again.',
    sessionExpired: 'Your session has expired. Sign in again to upload your queued changes.',
  },
  sync: {
    online: 'Online',
    offline: 'Offline',
    pending_one: '{{count}} change waiting to upload',
    pending_other: '{{count}} changes waiting to upload',
    lastSync: 'Last sync {{time}}',
    neverSynced: 'Never synced',
    needsAttention_one: '{{count}} item needs attention',
    needsAttention_other: '{{count}} items need attention',
    syncing: 'Syncing…',
    uploading: 'Uploading…',
  },
  pwa: {
    updateAvailable: 'Update available',
    reload: 'Reload',
    later: 'Later',
    offlineReady: 'Ready to work offline',
  },
  nav: {
    parts: 'Parts',
    tasks: 'Tasks',
    equipment: 'Equipment',
    needsAttention: 'Needs attention',
    signOut: 'Sign out',
  },
};

/** The shape of the texts, every leaf a string. */
export type Messages = typeof en;
