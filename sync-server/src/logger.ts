import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets never reach them: request bodies are not logged, and these paths
 * are censored wherever they appear in a logged object.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'password',
        '*.password',
        'passwordHash',
        '*.passwordHash',
        'password_hash',
        '*.password_hash',
        'accessToken',
        '*.accessToken',
        'refreshToken',
        '*.refreshToken',
        'jwtSecret',
        '*.jwtSecret',
        'req.headers.authorization',
        'req.headers.cookie',
        'databaseUrl',
        '*.databaseUrl',
      ],
      censor: '[redacted]',
    },
  });
}
