import { z } from 'zod';

/**
 * Every non-2xx JSON answer of the API has this body: one sentence a person can act on, a stable
 * machine code, and for validation failures the message per field.
 */
export const apiErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.record(z.string(), z.array(z.string())).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
