import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Field names whose values are secrets (credentials, keys, signatures) or PII. Code should not log them in the first
 * place; redaction is the safety net if it does.
 */
const SENSITIVE_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'apiKey',
  'key',
  'secret',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'signature',
  'email',
  'phone',
  'name',
  'address',
  'to',
  'recipient',
  'ipAddress',
  'userAgent',
];

/**
 * Paths pino replaces with "[redacted]". A wildcard stands for exactly one level, so each field is listed at the top
 * level of a log object (`{ email }`) and one, two and three levels down (`{ user: { email } }`, `{ req: { body:
 * { user: { email } } } }`); array items count as a level (`{ users: [{ email }] }`).
 */
export const REDACTED_PATHS = SENSITIVE_FIELDS.flatMap((field) => {
  const name = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const nested = name.startsWith('[') ? name : `.${name}`;
  const deeper = [`*${nested}`, `*.*${nested}`, `*.*.*${nested}`];
  // A top-level `name` is pino's own field (the logger's name), not a person's.
  return field === 'name' ? deeper : [name, ...deeper];
});

export function createLogger(options: { level: string; name: string }, destination?: DestinationStream): Logger {
  return pino(
    {
      level: options.level,
      name: options.name,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
