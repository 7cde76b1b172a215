import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Field names whose values never reach a log, at the top level or one level down. */
const SECRET_FIELDS = ['password', 'passwordHash', 'password_hash', 'accessToken', 'refreshToken', 'jwtSecret', 'databaseUrl'];

/**
 * Structured JSON logs. Secrets never reach them: request bodies are not logged, and the fields
 * above and the credential headers are censored wherever they appear in a logged object.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const paths = [
    ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]),
    'req.headers.authorization',
    'req.headers.cookie',
  ];
  return pino({ level, redact: { paths, censor: '[redacted]' } }, destination);
}
