import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type Config } from './config';

/** The keys that protect PII: AES-256 keys by id (one active for new data) and the blind-index HMAC key. */
export interface Keyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
  blindIndexKey: Buffer;
}

interface StoredSecrets {
  encryptionKeys: Record<string, string>;
  blindIndexKey: string;
}

/**
 * Keys come from configuration. Outside production, missing keys are generated once into the data folder
 * (mode 0600) so that `npm start` works on a fresh clone and the next start can still read yesterday's data.
 */
export function loadKeyring(config: Config): Keyring {
  let keys: ReadonlyMap<string, Buffer>;
  let blindIndexKey: Buffer;
  if (config.encryptionKeys && config.blindIndexKey) {
    keys = config.encryptionKeys;
    blindIndexKey = config.blindIndexKey;
  } else {
    if (config.nodeEnv === 'production') {
      // loadConfig already refuses this; a hand-built config must not quietly get throw-away keys either.
      throw new ConfigError(['COMPLYFLOW_ENCRYPTION_KEYS and COMPLYFLOW_BLIND_INDEX_KEY are required in production']);
    }
    const stored = developmentSecrets(config.dataDir);
    keys = config.encryptionKeys ?? new Map(Object.entries(stored.encryptionKeys).map(([id, k]) => [id, Buffer.from(k, 'base64')]));
    blindIndexKey = config.blindIndexKey ?? Buffer.from(stored.blindIndexKey, 'base64');
  }
  const activeKeyId = config.activeKeyId ?? [...keys.keys()][0];
  if (activeKeyId === undefined || !keys.has(activeKeyId)) {
    throw new ConfigError([`COMPLYFLOW_ACTIVE_KEY_ID names key ${JSON.stringify(activeKeyId)}, which is not among the configured encryption keys`]);
  }
  return { keys, activeKeyId, blindIndexKey };
}

function developmentSecrets(dataDir: string): StoredSecrets {
  const file = path.resolve(dataDir, 'secrets.json');
  if (fs.existsSync(file)) return readSecrets(file);
  const secrets: StoredSecrets = {
    encryptionKeys: { dev1: randomBytes(32).toString('base64') },
    blindIndexKey: randomBytes(32).toString('base64'),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written in full to a private temporary file first, then linked into place: linking fails if another process (the
  // worker beside the API) won the race, and nobody can ever read a half-written file.
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(temporary, file);
    return secrets;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readSecrets(file);
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

function readSecrets(file: string): StoredSecrets {
  let parsed: Partial<StoredSecrets>;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StoredSecrets>;
  } catch (err) {
    throw new Error(`development secrets in ${file} are unreadable (${(err as Error).message}); delete the file to generate new ones (data encrypted with them is then lost)`);
  }
  const keys = Object.entries(parsed.encryptionKeys ?? {});
  const valid = (k: unknown) => typeof k === 'string' && Buffer.from(k, 'base64').length === 32;
  if (keys.length === 0 || !keys.every(([, k]) => valid(k)) || !valid(parsed.blindIndexKey)) {
    throw new Error(`development secrets in ${file} are malformed; delete the file to generate new ones (data encrypted with them is then lost)`);
  }
  return parsed as StoredSecrets;
}
