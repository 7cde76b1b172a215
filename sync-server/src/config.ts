import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * Server configuration, read from the environment once at start-up. Every bad value is reported
 * together, each with the variable's name, so an operator fixes them in one go.
 */
const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'].includes(v), {
    message: 'must be one of true/false, on/off, yes/no, 1/0',
  })
  .transform((v) => ['1', 'true', 'on', 'yes'].includes(v));

const postgresUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        return ['postgres:', 'postgresql:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://user:pass@host:5432/db' },
  );

const httpUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL' },
  );

/**
 * TRUST_PROXY: which reverse proxies may tell us the client's address in X-Forwarded-For. Unset:
 * none (the connection's own address counts). A number: that many proxies in front. Otherwise a
 * comma-separated list of addresses, CIDR ranges or the names loopback, linklocal, uniquelocal.
 * `true` (believe anyone) is refused: any client could then pick its own address.
 */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): number | string[] => {
    if (/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 10) return Number(value);
    const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((entry) => {
      if (PROXY_NAMES.includes(entry)) return false;
      const [address, bits, extra] = entry.split('/');
      const family = net.isIP(address ?? '');
      if (!family || extra !== undefined) return true;
      return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
    });
    if (entries.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be the number of proxies in front (1-10), or a comma-separated list of their addresses or CIDR ranges, or ${PROXY_NAMES.join(', ')}${bad.length ? ` (not understood: ${bad.join(', ')})` : ''}`,
      });
      return z.NEVER;
    }
    return entries;
  });

const envSchema = z.object({
  PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number from 0 to 65535 (0 picks a free port)')
    .transform(Number)
    .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535 (0 picks a free port)')
    .default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: postgresUrl.optional(),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 48`)')
    .optional(),
  DEMO: booleanFlag.optional(),
  ELECTRIC_URL: httpUrl.optional(),
  ELECTRIC_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SHAPE_LIVE_TIMEOUT_MS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .refine((n) => n >= 100 && n <= 40_000, 'must be between 100 and 40000 (clients give up after 45 s)')
    .default(20_000),
  FEED_RETENTION_DAYS: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number of days')
    .transform(Number)
    .refine((n) => n >= 1, 'must be at least 1')
    .default(14),
  TRUST_PROXY: trustProxy.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CLIENT_DIST: z.string().trim().min(1).optional(),
});

export interface Config {
  port: number;
  host: string;
  /** Absent: run the embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Absent: generated once and kept in `dataDir` (see secrets.ts). */
  jwtSecret: string | undefined;
  demo: boolean;
  /** With it, /v1/shape authorises and forwards to this Electric instead of serving shapes itself. */
  electricUrl: string | undefined;
  /**
   * Electric's shared secret: sent upstream in proxy mode; and a request to our own /v1/shape
   * carrying it is trusted like Electric trusts it (no caller scope: the proxy already applied it).
   */
  electricSecret: string | undefined;
  /** How long a live shape request waits for a change before answering up-to-date. */
  shapeLiveTimeoutMs: number;
  /** Changes older than this are compacted from the shape feed; clients further behind re-sync. */
  feedRetentionDays: number;
  /** Express's `trust proxy`: false unless TRUST_PROXY names the reverse proxies in front. */
  trustProxy: false | number | string[];
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  clientDist: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const repoRoot = path.resolve(import.meta.dirname, '../..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, as in most deployment tools.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    jwtSecret: e.JWT_SECRET,
    // Demo data belongs with the self-contained embedded set-up, never silently in production.
    demo: e.DEMO ?? e.DATABASE_URL === undefined,
    electricUrl: e.ELECTRIC_URL,
    electricSecret: e.ELECTRIC_SECRET,
    shapeLiveTimeoutMs: e.SHAPE_LIVE_TIMEOUT_MS,
    feedRetentionDays: e.FEED_RETENTION_DAYS,
    trustProxy: e.TRUST_PROXY ?? false,
    logLevel: e.LOG_LEVEL,
    clientDist: path.resolve(e.CLIENT_DIST ?? path.join(repoRoot, 'client/dist')),
  };
}
