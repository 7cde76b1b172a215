import { z } from 'zod';
import { newPasswordSchema } from './auth.ts';
import { withValidText } from './text.ts';

/**
 * The admin API (`/api/admin/*`, for `mayDo(role, 'admin.manage')` only): what is not a synced
 * table or a command. Tablets (devices) stay on the server, so the admin's tablet asks for them.
 */
export const adminDeviceSchema = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** Who last signed in on it. */
  userId: z.uuid().nullable(),
  userDisplayName: z.string().nullable(),
  username: z.string().nullable(),
  registeredAt: z.string(),
  lastSeenAt: z.string(),
  revokedAt: z.string().nullable(),
  revokedByName: z.string().nullable(),
});
export type AdminDevice = z.infer<typeof adminDeviceSchema>;

/** GET /api/admin/devices: the yard's tablets, most recently seen first. */
export const adminDevicesResponseSchema = z.object({ devices: z.array(adminDeviceSchema) });

/** POST /api/admin/users/<id>/password: the new password an admin sets for someone. */
export const setPasswordRequestSchema = withValidText(z.object({ password: newPasswordSchema }));
export type SetPasswordRequest = z.infer<typeof setPasswordRequestSchema>;
