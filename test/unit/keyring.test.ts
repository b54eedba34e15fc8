import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../platform/config';
import { loadKeyring } from '../../platform/keyring';

let dataDir: string;

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-keyring-'));
});

afterEach(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const key = () => randomBytes(32).toString('base64');
const config = (env: NodeJS.ProcessEnv = {}): Config => loadConfig({ COMPLYFLOW_DATA_DIR: dataDir, ...env });
const secretsFile = () => path.join(dataDir, 'secrets.json');

describe('loadKeyring', () => {
  it('generates development secrets once into the data folder, readable only by the owner', () => {
    expect(fs.existsSync(secretsFile())).toBe(false);
    const keyring = loadKeyring(config());
    expect(fs.existsSync(secretsFile())).toBe(true);
    expect(fs.statSync(secretsFile()).mode & 0o777).toBe(0o600);
    expect(keyring.activeKeyId).toBe('dev1');
    expect([...keyring.keys.keys()]).toEqual(['dev1']);
    expect(keyring.keys.get('dev1')).toHaveLength(32);
    expect(keyring.blindIndexKey).toHaveLength(32);
    expect(keyring.keys.get('dev1')!.equals(keyring.blindIndexKey)).toBe(false);

    const stored = JSON.parse(fs.readFileSync(secretsFile(), 'utf8')) as { encryptionKeys: Record<string, string>; blindIndexKey: string };
    expect(Buffer.from(stored.encryptionKeys.dev1, 'base64').equals(keyring.keys.get('dev1')!)).toBe(true);
    expect(Buffer.from(stored.blindIndexKey, 'base64').equals(keyring.blindIndexKey)).toBe(true);
    // Nothing but the secrets file is left behind.
    expect(fs.readdirSync(dataDir)).toEqual(['secrets.json']);
  });

  it('reuses the generated secrets on the next call instead of generating new ones', () => {
    const first = loadKeyring(config());
    const before = fs.readFileSync(secretsFile(), 'utf8');
    const second = loadKeyring(config());
    expect(fs.readFileSync(secretsFile(), 'utf8')).toBe(before);
    expect(second.activeKeyId).toBe(first.activeKeyId);
    expect(second.keys.get('dev1')!.equals(first.keys.get('dev1')!)).toBe(true);
    expect(second.blindIndexKey.equals(first.blindIndexKey)).toBe(true);
  });

  it('creates a data folder that does not exist yet', () => {
    const nested = path.join(dataDir, 'a', 'b');
    const keyring = loadKeyring(loadConfig({ COMPLYFLOW_DATA_DIR: nested }));
    expect(keyring.keys.size).toBe(1);
    expect(fs.existsSync(path.join(nested, 'secrets.json'))).toBe(true);
  });

  it('uses keys from the environment over generated ones, and writes nothing when all are given', () => {
    const [k1, blind] = [key(), key()];
    const keyring = loadKeyring(config({ COMPLYFLOW_ENCRYPTION_KEYS: `prod1:${k1}`, COMPLYFLOW_BLIND_INDEX_KEY: blind }));
    expect(keyring.activeKeyId).toBe('prod1');
    expect([...keyring.keys.keys()]).toEqual(['prod1']);
    expect(keyring.keys.get('prod1')!.equals(Buffer.from(k1, 'base64'))).toBe(true);
    expect(keyring.blindIndexKey.equals(Buffer.from(blind, 'base64'))).toBe(true);
    expect(fs.existsSync(secretsFile())).toBe(false);
  });

  it('prefers environment keys even when a generated secrets file exists', () => {
    const generated = loadKeyring(config());
    const k1 = key();
    const keyring = loadKeyring(config({ COMPLYFLOW_ENCRYPTION_KEYS: `env1:${k1}` }));
    expect([...keyring.keys.keys()]).toEqual(['env1']);
    expect(keyring.activeKeyId).toBe('env1');
    // The blind-index key was not given, so the generated one fills in.
    expect(keyring.blindIndexKey.equals(generated.blindIndexKey)).toBe(true);

    const blind = key();
    const withBlind = loadKeyring(config({ COMPLYFLOW_BLIND_INDEX_KEY: blind }));
    expect(withBlind.blindIndexKey.equals(Buffer.from(blind, 'base64'))).toBe(true);
    expect(withBlind.keys.get('dev1')!.equals(generated.keys.get('dev1')!)).toBe(true);
  });

  it('uses the configured active key id, else the first key', () => {
    const keys = `a:${key()},b:${key()}`;
    const blind = key();
    expect(loadKeyring(config({ COMPLYFLOW_ENCRYPTION_KEYS: keys, COMPLYFLOW_BLIND_INDEX_KEY: blind })).activeKeyId).toBe('a');
    expect(loadKeyring(config({ COMPLYFLOW_ENCRYPTION_KEYS: keys, COMPLYFLOW_BLIND_INDEX_KEY: blind, COMPLYFLOW_ACTIVE_KEY_ID: 'b' })).activeKeyId).toBe('b');
  });

  it('refuses an active key id that names no configured key, even in a hand-built config', () => {
    const base = config({ COMPLYFLOW_ENCRYPTION_KEYS: `a:${key()}`, COMPLYFLOW_BLIND_INDEX_KEY: key() });
    expect(() => loadKeyring({ ...base, activeKeyId: 'zz' })).toThrow(ConfigError);
    expect(() => loadKeyring({ ...base, activeKeyId: 'zz' })).toThrow(/"zz"/);
  });

  it('never generates throw-away keys in production', () => {
    const base = config();
    expect(() => loadKeyring({ ...base, nodeEnv: 'production' })).toThrow(ConfigError);
    expect(fs.existsSync(secretsFile())).toBe(false);
  });

  it('reads the secrets another process wrote when it loses the race to create them', () => {
    const winner = loadKeyring(config());
    // This process checked just before the other one wrote its file: it generates its own, then must adopt theirs.
    const exists = jest.spyOn(fs, 'existsSync').mockReturnValueOnce(false);
    try {
      const loser = loadKeyring(config());
      expect(loser.keys.get('dev1')!.equals(winner.keys.get('dev1')!)).toBe(true);
      expect(loser.blindIndexKey.equals(winner.blindIndexKey)).toBe(true);
    } finally {
      exists.mockRestore();
    }
    expect(fs.readdirSync(dataDir)).toEqual(['secrets.json']);
  });

  it('explains what to do with an unreadable or malformed secrets file', () => {
    fs.writeFileSync(secretsFile(), '{ not json', { mode: 0o600 });
    expect(() => loadKeyring(config())).toThrow(/secrets\.json are unreadable.*delete the file/);
    fs.writeFileSync(secretsFile(), JSON.stringify({ encryptionKeys: { dev1: 'c2hvcnQ=' }, blindIndexKey: key() }));
    expect(() => loadKeyring(config())).toThrow(/secrets\.json are malformed/);
  });
});
