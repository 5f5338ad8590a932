import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values never reach a log line, at any depth we know of. */
const SECRET_KEYS = [
  'password',
  'appSecret',
  'app_secret',
  'appsecret',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'authorization',
  'cookie',
  'sign',
  'kdsvcsessionid',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key}"]`]);

/**
 * Structured JSON logs (English) on stderr; level from LOG_LEVEL (default info, silent under jest). `to` replaces
 * stderr and the level (tests that read what a service logs).
 */
export function createLogger(name: string, bindings: Record<string, unknown> = {}, to?: { destination: DestinationStream; level: string }): Logger {
  const defaultLevel = process.env.JEST_WORKER_ID ? 'silent' : 'info';
  return pino(
    {
      name,
      level: to?.level ?? process.env.LOG_LEVEL ?? defaultLevel,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: name, ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    to?.destination ?? pino.destination(2),
  );
}
