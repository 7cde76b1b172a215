import { z } from 'zod';
import { LOCALES, ROLES } from './roles.ts';

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

export const deviceSchema = z.object({
  id: z.uuid({ error: 'device.id must be a UUID' }),
  name: z.string().trim().min(1).max(100).optional(),
});

export const loginRequestSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  device: deviceSchema.optional(),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const refreshRequestSchema = z.object({
  refreshToken: z
    .string({ error: 'refreshToken must be text' })
    .min(1, 'refreshToken is required')
    .max(200, 'refreshToken is too long'),
});
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
