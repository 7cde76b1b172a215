import type pg from 'pg';
import type { Role } from '@cimco/contract';

/** Who runs a command, and the transaction it runs in. */
export interface CommandContext {
  tx: pg.PoolClient;
  mutationId: string;
  userId: string;
  siteId: string;
  role: Role;
  deviceId: string;
  clientTime: string;
}

/** What a handler did: the row it touched, before and after (for the audit log), and any notes. */
export interface CommandEffect {
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** `conflict`: applied, but it overwrote a concurrent edit or raised a discrepancy (see `conflicts`). */
  status?: 'applied' | 'conflict';
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}
