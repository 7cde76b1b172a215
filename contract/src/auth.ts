import { z } from 'zod';
import { LOCALES, ROLES } from './roles.ts';
import { withValidText } from './text.ts';

export const usernameSchema = z
  .string({ error: 'username must be text' })
  .trim()
  .min(1, 'username is required')
  .max(64, 'username is at most 64 characters');

export const passwordSchema = z
  .string({ error: 'password must be text' })
  .min(1, 'password is required')
  .max(256, 'password is at most 256 characters');

/** A new password chosen by a person (login accepts any stored password; creation is stricter). */
export const newPasswordSchema = passwordSchema.refine((p) => p.length >= 10, {
  message: 'password must be at least 10 characters',
});

/**
 * A tablet's own secret, made at its first start and kept in its database: it proves the tablet
 * is the one that registered its id (ids are visible to the whole yard, e.g. in stock movements).
 */
export const deviceSecretSchema = z
  .string({ error: 'device.secret must be text' })
  .regex(/^[A-Za-z0-9_-]{32,128}$/, 'device.secret must be 32 to 128 letters, digits, - or _');

export const deviceSchema = z.object({
  id: z.uuid({ error: 'device.id must be a UUID' }),
  /**
   * Optional only for clients older than tablet secrets: a tablet registered with a secret can
   * never be used without it (see the README's security model).
   */
  secret: deviceSecretSchema.optional(),
  name: z.string().trim().min(1).max(100).optional(),
});
export type DeviceCredentials = z.infer<typeof deviceSchema>;

export const loginRequestSchema = withValidText(
  z.object({
    username: usernameSchema,
    password: passwordSchema,
    device: deviceSchema.optional(),
  }),
);
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const refreshRequestSchema = withValidText(
  z.object({
    refreshToken: z
      .string({ error: 'refreshToken must be text' })
      .min(1, 'refreshToken is required')
      .max(200, 'refreshToken is too long'),
    /** The tablet the session was started on proves itself again at every renewal. */
    device: z.object({ id: z.uuid({ error: 'device.id must be a UUID' }), secret: deviceSecretSchema }).optional(),
  }),
);
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  locale: z.enum(LOCALES),
});
export type User = z.infer<typeof userSchema>;

export const sessionSchema = z.object({
  accessToken: z.string(),
  accessTokenExpiresAt: z.string(),
  refreshToken: z.string(),
  refreshTokenExpiresAt: z.string(),
  user: userSchema,
});
export type Session = z.infer<typeof sessionSchema>;

/** Claims carried by an access token, beyond the standard ones (`sub` is the user id). */
export interface AccessClaims {
  role: (typeof ROLES)[number];
  site: string;
  name: string;
  dev?: string;
}

/**
 * The people of a training yard (the demo yard's five, sync-server/src/seed/demo-yard-data.ts):
 * anyone on a tablet may practise as one of them, without a password. The tablet's picker shows
 * each with its name and role.
 */
export const TRAINING_ACCOUNTS = [
  { account: 'tech2', displayName: 'Terry Tech', role: 'technician' },
  { account: 'tech', displayName: 'Tomás Tech', role: 'technician' },
  { account: 'storeroom', displayName: 'Rosa Storeroom', role: 'storeroom' },
  { account: 'supervisor', displayName: 'Sam Supervisor', role: 'supervisor' },
  { account: 'admin', displayName: 'Alex Admin', role: 'admin' },
] as const satisfies ReadonlyArray<{ account: string; displayName: string; role: (typeof ROLES)[number] }>;
export type TrainingAccount = (typeof TRAINING_ACCOUNTS)[number]['account'];

const TRAINING_ACCOUNT_NAMES = TRAINING_ACCOUNTS.map((a) => a.account) as [TrainingAccount, ...TrainingAccount[]];

/** POST /api/auth/training: enter the training yard of a live yard as one of its people. */
export const trainingSignInRequestSchema = z.object({
  account: z.enum(TRAINING_ACCOUNT_NAMES, { error: `account must be one of ${TRAINING_ACCOUNT_NAMES.join(', ')}` }),
  /** The live yard (or its training yard); may be left out on a server with one yard. */
  site: z.uuid({ error: 'site must be a yard id (UUID)' }).optional(),
  device: deviceSchema.optional(),
});
export type TrainingSignInRequest = z.infer<typeof trainingSignInRequestSchema>;

/** What a training sign-in answers: a session, and which yard it is. */
export const trainingSessionSchema = sessionSchema.extend({
  yard: z.object({ id: z.uuid(), code: z.string(), name: z.string(), liveSiteId: z.uuid() }),
});
export type TrainingSession = z.infer<typeof trainingSessionSchema>;
