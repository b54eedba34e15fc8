/**
 * Configuration comes only from the environment. Every variable is declared once here — name, default, meaning and
 * parser — so start-up validation, the README table and the docker-compose test all read the same list.
 */

import { IANAZone } from 'luxon';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Parser<T> = (raw: string) => T;

interface Setting<T> {
  env: string;
  description: string;
  /** A default as the user would type it, or undefined when the variable is required or optional. */
  default?: string;
  /** Optional settings may stay unset (the value is then undefined). */
  optional?: boolean;
  /** Secret settings are never echoed in error messages or logs. */
  secret?: boolean;
  parse: Parser<T>;
}

const integer =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error('must be a whole number');
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max}`);
    return value;
  };

const text: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};

const oneOf =
  <T extends string>(...values: T[]): Parser<T> =>
  (raw) => {
    if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

const timeZone: Parser<string> = (raw) => {
  if (!IANAZone.isValidZone(raw)) throw new Error('must be an IANA time zone such as Europe/Brussels');
  return raw;
};

const url =
  (...protocols: string[]): Parser<string> =>
  (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error('must be a URL');
    }
    if (!protocols.includes(parsed.protocol)) throw new Error(`must be a ${protocols.join(' or ')} URL`);
    return raw;
  };

/**
 * A MongoDB connection string. Not checked with `new URL`: a replica-set string lists several hosts
 * (`mongodb://a:27017,b:27017/?replicaSet=rs0`), which the WHATWG URL parser rejects.
 */
const mongoUrl: Parser<string> = (raw) => {
  if (!/^mongodb(\+srv)?:\/\/[^/?#\s]+(\/[^\s]*)?$/.test(raw)) throw new Error('must be a mongodb:// or mongodb+srv:// connection string');
  return raw;
};

const hostPort: Parser<string> = (raw) => {
  if (!/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/.test(raw)) throw new Error('must be host:port');
  return raw;
};

const KEY32_HINT = 'must be 32 bytes, base64 encoded (e.g. `openssl rand -base64 32`)';

/** A 32-byte key, base64 encoded. Node's decoder skips characters outside the alphabet, so check the text first. */
const key32: Parser<Buffer> = (raw) => {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) throw new Error(KEY32_HINT);
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(KEY32_HINT);
  return key;
};

/** `id:base64key,id:base64key` — several keys so that old ciphertexts stay readable after rotation. */
const keyring: Parser<Map<string, Buffer>> = (raw) => {
  const keys = new Map<string, Buffer>();
  for (const entry of raw.split(',')) {
    const [id, material, ...rest] = entry.trim().split(':');
    if (!id || !material || rest.length > 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new Error('must be a comma-separated list of keyId:base64key (key ids: letters, digits, _ or -)');
    }
    if (keys.has(id)) throw new Error(`key id ${id} appears twice`);
    try {
      keys.set(id, key32(material));
    } catch (err) {
      throw new Error(`key ${id} ${(err as Error).message}`);
    }
  }
  return keys;
};

export const settings = {
  nodeEnv: { env: 'NODE_ENV', default: 'development', description: 'development, test or production; production refuses missing secrets.', parse: oneOf('development', 'test', 'production') },
  logLevel: { env: 'LOG_LEVEL', default: 'info', description: 'pino log level.', parse: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent') },
  dataDir: { env: 'COMPLYFLOW_DATA_DIR', default: '.data', description: 'Folder for the embedded servers\' data and generated development secrets (git-ignored).', parse: text },
  temporalAddress: { env: 'TEMPORAL_ADDRESS', optional: true, description: 'Temporal frontend host:port. Unset: `npm start` runs an embedded Temporal dev server.', parse: hostPort },
  temporalNamespace: { env: 'TEMPORAL_NAMESPACE', default: 'default', description: 'Temporal namespace.', parse: text },
  taskQueue: { env: 'TEMPORAL_TASK_QUEUE', default: 'complyflow', description: 'Task queue the worker polls and the API starts workflows on.', parse: text },
  temporalPort: { env: 'EMBEDDED_TEMPORAL_PORT', default: '7233', description: 'Port of the embedded Temporal server (its Web UI listens on port + 1000).', parse: integer(1, 65535) },
  mongoUri: { env: 'MONGODB_URI', optional: true, secret: true, description: 'MongoDB connection string. Unset: `npm start` runs an embedded FerretDB on SQLite.', parse: mongoUrl },
  mongoDb: { env: 'MONGODB_DATABASE', default: 'complyflow', description: 'Database name.', parse: text },
  mongoPort: { env: 'EMBEDDED_MONGODB_PORT', default: '27027', description: 'Port of the embedded FerretDB.', parse: integer(1, 65535) },
  apiHost: { env: 'API_HOST', default: '127.0.0.1', description: 'Address the API listens on (0.0.0.0 in containers).', parse: text },
  apiPort: { env: 'API_PORT', default: '3000', description: 'Port the API listens on.', parse: integer(0, 65535) },
  publicUrl: { env: 'PUBLIC_URL', optional: true, description: 'Base URL people reach the API at, used in links sent by e-mail. Default: http://API_HOST:API_PORT.', parse: url('http:', 'https:') },
  trustProxy: { env: 'TRUST_PROXY', default: 'false', description: 'true when behind a reverse proxy, so client addresses come from X-Forwarded-For.', parse: oneOf('true', 'false') },
  bodyLimit: { env: 'API_BODY_LIMIT_BYTES', default: '1048576', description: 'Largest request body accepted.', parse: integer(1024, 100 * 1024 * 1024) },
  rateLimit: { env: 'API_RATE_LIMIT_PER_MINUTE', default: '600', description: 'Requests per minute per principal (per address when unauthenticated).', parse: integer(1, 1_000_000) },
  encryptionKeys: { env: 'COMPLYFLOW_ENCRYPTION_KEYS', optional: true, secret: true, description: 'AES-256 keys for PII fields and workflow payloads: `keyId:base64key,...`. Unset outside production: generated once into the data folder.', parse: keyring },
  activeKeyId: { env: 'COMPLYFLOW_ACTIVE_KEY_ID', optional: true, description: 'Which key id encrypts new data (default: the first key). Older keys still decrypt.', parse: text },
  blindIndexKey: { env: 'COMPLYFLOW_BLIND_INDEX_KEY', optional: true, secret: true, description: 'HMAC key (32 bytes, base64) for exact-match lookups on encrypted fields. Unset outside production: generated into the data folder.', parse: key32 },
  smtpUrl: { env: 'SMTP_URL', optional: true, secret: true, description: 'SMTP server, e.g. smtp://user:pass@host:587. Unset: e-mails are written as .eml files to the data folder\'s outbox.', parse: url('smtp:', 'smtps:') },
  mailFrom: { env: 'MAIL_FROM', default: 'ComplyFlow <complyflow@localhost>', description: 'Sender of e-mails.', parse: text },
  webhookTimeoutMs: { env: 'WEBHOOK_TIMEOUT_MS', default: '10000', description: 'Timeout of one webhook delivery attempt.', parse: integer(100, 120_000) },
  workflowBundle: { env: 'COMPLYFLOW_WORKFLOW_BUNDLE', optional: true, description: 'Path of a pre-built workflow bundle; unset: the worker bundles the workflow code at start-up.', parse: text },
  workerRole: {
    env: 'COMPLYFLOW_WORKER_ROLE',
    default: 'all',
    description: 'What a worker process polls for: all; processes (workflows and short activities); scans (the long audit scans, on the task queue + "-scans"), so scans can run, and be sized, apart.',
    parse: oneOf('all', 'processes', 'scans'),
  },
  maxCachedWorkflows: { env: 'WORKER_MAX_CACHED_WORKFLOWS', default: '1000', description: 'Workflows a worker keeps in memory between tasks; others are replayed from history when they wake. Bounds worker memory with many sleeping processes.', parse: integer(0, 1_000_000) },
  orgTimeZone: { env: 'ORG_TIME_ZONE', default: 'UTC', description: 'The organisation\'s IANA time zone: day boundaries of legal clocks that follow the entity (GDPR, HIPAA, DORA working days).', parse: timeZone },
  orgWorkingCalendar: { env: 'ORG_WORKING_CALENDAR', default: 'weekends', description: 'The organisation\'s holiday calendar for working days: weekends, US-federal, BR-national or GB-EAW.', parse: oneOf('weekends', 'US-federal', 'BR-national', 'GB-EAW') },
  shutdownGraceMs: { env: 'SHUTDOWN_GRACE_MS', default: '10000', description: 'How long SIGTERM waits for in-flight requests and activities.', parse: integer(0, 600_000) },
} satisfies Record<string, Setting<unknown>>;

type Settings = typeof settings;
type ValueOf<S> = S extends Setting<infer T> ? (S extends { optional: true } ? T | undefined : T) : never;
export type Config = { [K in keyof Settings]: ValueOf<Settings[K]> };

/** Parses the environment, collecting every problem so a user fixes them all in one go. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  const invalid = new Set<string>();
  for (const [name, setting] of Object.entries(settings) as [string, Setting<unknown>][]) {
    // A variable set to the empty string (`LOG_LEVEL=` in an env file) counts as unset, so the default applies.
    const given = env[setting.env];
    const raw = given === undefined || given === '' ? setting.default : given;
    if (raw === undefined || raw === '') {
      if (!setting.optional) problems.push(`${setting.env} is required: ${setting.description}`);
      continue;
    }
    try {
      config[name] = setting.parse(raw);
    } catch (err) {
      invalid.add(setting.env);
      const shown = setting.secret ? '(value hidden)' : JSON.stringify(hideUrlPassword(raw));
      problems.push(`${setting.env} ${(err as Error).message}; got ${shown}`);
    }
  }
  const result = config as Config;
  if (result.activeKeyId && !result.encryptionKeys && !invalid.has(settings.encryptionKeys.env)) {
    problems.push('COMPLYFLOW_ACTIVE_KEY_ID is set but COMPLYFLOW_ENCRYPTION_KEYS is not: name the keys too');
  }
  if (result.encryptionKeys && result.activeKeyId && !result.encryptionKeys.has(result.activeKeyId)) {
    problems.push(`COMPLYFLOW_ACTIVE_KEY_ID names key ${JSON.stringify(result.activeKeyId)}, which COMPLYFLOW_ENCRYPTION_KEYS does not contain`);
  }
  if (result.nodeEnv === 'production') {
    if (!result.encryptionKeys && !invalid.has(settings.encryptionKeys.env)) problems.push('COMPLYFLOW_ENCRYPTION_KEYS is required in production');
    if (!result.blindIndexKey && !invalid.has(settings.blindIndexKey.env)) problems.push('COMPLYFLOW_BLIND_INDEX_KEY is required in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return result;
}

/** `scheme://user:secret@host` → `scheme://user:***@host`, for echoing a value that may carry a password. */
function hideUrlPassword(raw: string): string {
  return raw.replace(/(\/\/[^/@:\s]*:)[^/\s]*@/g, '$1***@');
}

/** The public URL links in e-mails point at. */
export function publicUrl(config: Config): string {
  return (config.publicUrl ?? `http://${config.apiHost}:${config.apiPort}`).replace(/\/$/, '');
}
