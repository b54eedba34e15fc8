import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, publicUrl, settings } from '../../platform/config';

const key = () => randomBytes(32).toString('base64');

/** Runs loadConfig and returns the ConfigError it throws (failing the test if it does not). */
function problemsOf(env: NodeJS.ProcessEnv): { error: ConfigError; problems: string[] } {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return { error: err as ConfigError, problems: (err as ConfigError).problems };
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      logLevel: 'info',
      dataDir: '.data',
      temporalNamespace: 'default',
      taskQueue: 'complyflow',
      temporalPort: 7233,
      mongoDb: 'complyflow',
      mongoPort: 27027,
      apiHost: '127.0.0.1',
      apiPort: 3000,
      trustProxy: 'false',
      bodyLimit: 1048576,
      rateLimit: 600,
      mailFrom: 'ComplyFlow <complyflow@localhost>',
      webhookTimeoutMs: 10000,
      shutdownGraceMs: 10000,
    });
    for (const optional of ['temporalAddress', 'mongoUri', 'publicUrl', 'encryptionKeys', 'activeKeyId', 'blindIndexKey', 'smtpUrl'] as const) {
      expect(config[optional]).toBeUndefined();
    }
  });

  it('declares every setting with an environment variable and a description', () => {
    const names = Object.values(settings).map((s) => s.env);
    expect(new Set(names).size).toBe(names.length);
    for (const setting of Object.values(settings)) expect(setting.description.length).toBeGreaterThan(10);
  });

  it('reads given values and parses numbers', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      MONGODB_URI: 'mongodb://user:pw@db1:27017,db2:27017/?replicaSet=rs0',
      API_PORT: '0',
      PUBLIC_URL: 'https://comply.example.com/',
      SMTP_URL: 'smtps://u:p@mail.example.com:465',
      TRUST_PROXY: 'true',
    });
    expect(config).toMatchObject({
      nodeEnv: 'test',
      logLevel: 'debug',
      temporalAddress: 'temporal.internal:7233',
      mongoUri: 'mongodb://user:pw@db1:27017,db2:27017/?replicaSet=rs0',
      apiPort: 0,
      trustProxy: 'true',
    });
    expect(publicUrl(config)).toBe('https://comply.example.com');
  });

  it('accepts mongodb+srv and IPv6 host:port values', () => {
    const config = loadConfig({ MONGODB_URI: 'mongodb+srv://cluster0.example.net/complyflow', TEMPORAL_ADDRESS: '[::1]:7233' });
    expect(config.mongoUri).toBe('mongodb+srv://cluster0.example.net/complyflow');
    expect(config.temporalAddress).toBe('[::1]:7233');
  });

  it('derives the public URL from host and port when PUBLIC_URL is unset', () => {
    expect(publicUrl(loadConfig({ API_HOST: '0.0.0.0', API_PORT: '8080' }))).toBe('http://0.0.0.0:8080');
  });

  it('treats a variable set to the empty string as unset, so its default applies', () => {
    const config = loadConfig({ LOG_LEVEL: '', API_PORT: '', MONGODB_URI: '' });
    expect(config.logLevel).toBe('info');
    expect(config.apiPort).toBe(3000);
    expect(config.mongoUri).toBeUndefined();
  });

  it.each([
    ['NODE_ENV', 'staging', /NODE_ENV must be one of development, test, production; got "staging"/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL must be one of .*; got "loud"/],
    ['EMBEDDED_TEMPORAL_PORT', '70000', /EMBEDDED_TEMPORAL_PORT must be between 1 and 65535; got "70000"/],
    ['EMBEDDED_TEMPORAL_PORT', '0', /EMBEDDED_TEMPORAL_PORT must be between 1 and 65535/],
    ['API_PORT', 'eighty', /API_PORT must be a whole number; got "eighty"/],
    ['API_PORT', '80.5', /API_PORT must be a whole number/],
    ['API_PORT', '-1', /API_PORT must be between 0 and 65535/],
    ['EMBEDDED_MONGODB_PORT', '1e3', /EMBEDDED_MONGODB_PORT must be a whole number/],
    ['API_BODY_LIMIT_BYTES', '10', /API_BODY_LIMIT_BYTES must be between 1024 and/],
    ['API_RATE_LIMIT_PER_MINUTE', '0', /API_RATE_LIMIT_PER_MINUTE must be between 1 and/],
    ['WEBHOOK_TIMEOUT_MS', '50', /WEBHOOK_TIMEOUT_MS must be between 100 and 120000/],
    ['SHUTDOWN_GRACE_MS', 'soon', /SHUTDOWN_GRACE_MS must be a whole number/],
    ['TEMPORAL_ADDRESS', 'localhost', /TEMPORAL_ADDRESS must be host:port; got "localhost"/],
    ['TEMPORAL_ADDRESS', 'http://localhost:7233', /TEMPORAL_ADDRESS must be host:port/],
    ['MONGODB_URI', 'postgres://localhost/db', /MONGODB_URI must be a mongodb:\/\/ or mongodb\+srv:\/\/ connection string/],
    ['MONGODB_URI', 'mongodb://', /MONGODB_URI must be a mongodb/],
    ['PUBLIC_URL', 'comply.example.com', /PUBLIC_URL must be a URL; got "comply.example.com"/],
    ['PUBLIC_URL', 'ftp://comply.example.com', /PUBLIC_URL must be a http: or https: URL/],
    ['TRUST_PROXY', 'yes', /TRUST_PROXY must be one of true, false; got "yes"/],
    ['SMTP_URL', 'http://mail.example.com', /SMTP_URL must be a smtp: or smtps: URL; got \(value hidden\)/],
    ['COMPLYFLOW_DATA_DIR', '   ', /COMPLYFLOW_DATA_DIR must not be empty/],
    ['TEMPORAL_NAMESPACE', ' ', /TEMPORAL_NAMESPACE must not be empty/],
    ['COMPLYFLOW_BLIND_INDEX_KEY', 'c2hvcnQ=', /COMPLYFLOW_BLIND_INDEX_KEY must be 32 bytes, base64 encoded/],
    ['COMPLYFLOW_BLIND_INDEX_KEY', '!'.repeat(44), /COMPLYFLOW_BLIND_INDEX_KEY must be 32 bytes, base64 encoded/],
  ])('rejects %s=%j with a message naming the variable', (name, value, message) => {
    const { error, problems } = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0].startsWith(name)).toBe(true);
    expect(error.message).toContain(problems[0]);
    expect(error.name).toBe('ConfigError');
  });

  it('reports several problems together, each on its own line', () => {
    const { error, problems } = problemsOf({ LOG_LEVEL: 'loud', API_PORT: 'x', TEMPORAL_ADDRESS: 'nope', NODE_ENV: 'prod' });
    expect(problems).toHaveLength(4);
    for (const name of ['LOG_LEVEL', 'API_PORT', 'TEMPORAL_ADDRESS', 'NODE_ENV']) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
    expect(error.message.split('\n')).toEqual(['Invalid configuration:', ...problems.map((p) => `  - ${p}`)]);
  });

  describe('secrets', () => {
    it('never echoes a secret value', () => {
      const badKey = 'not-a-real-key-but-still-secret';
      const smtp = 'mailto:user:hunter2@mail.example.com';
      const mongo = 'mysql://admin:s3cr3t-pw@db:3306/';
      const { error } = problemsOf({
        COMPLYFLOW_ENCRYPTION_KEYS: `k1:${badKey}`,
        COMPLYFLOW_BLIND_INDEX_KEY: badKey,
        SMTP_URL: smtp,
        MONGODB_URI: mongo,
      });
      expect(error.problems).toHaveLength(4);
      for (const secret of [badKey, 'hunter2', 's3cr3t-pw']) expect(error.message).not.toContain(secret);
      expect(error.message).toContain('(value hidden)');
    });

    it('hides a password in a non-secret URL it echoes', () => {
      const { error } = problemsOf({ PUBLIC_URL: 'ftp://admin:p@ss-w0rd@example.com/x' });
      expect(error.message).not.toContain('p@ss-w0rd');
      expect(error.message).not.toContain('w0rd');
      expect(error.message).toContain('ftp://admin:***@example.com/x');
    });
  });

  describe('keyring', () => {
    it('parses several keys in order and keeps the raw bytes', () => {
      const [a, b] = [randomBytes(32), randomBytes(32)];
      const config = loadConfig({ COMPLYFLOW_ENCRYPTION_KEYS: `k1:${a.toString('base64')}, k-2_b:${b.toString('base64')}` });
      expect([...config.encryptionKeys!.keys()]).toEqual(['k1', 'k-2_b']);
      expect(config.encryptionKeys!.get('k1')!.equals(a)).toBe(true);
      expect(config.encryptionKeys!.get('k-2_b')!.equals(b)).toBe(true);
    });

    it.each([
      ['a missing id', `:${randomBytes(32).toString('base64')}`],
      ['a missing key', 'k1:'],
      ['no separator', 'k1'],
      ['an id with a dot', `k.1:${randomBytes(32).toString('base64')}`],
      ['an id with spaces', `key one:${randomBytes(32).toString('base64')}`],
      ['an id longer than 32 characters', `${'k'.repeat(33)}:${randomBytes(32).toString('base64')}`],
      ['too many colons', `k1:${randomBytes(32).toString('base64')}:extra`],
      ['a trailing comma', `k1:${randomBytes(32).toString('base64')},`],
    ])('rejects %s', (_what, value) => {
      const { problems } = problemsOf({ COMPLYFLOW_ENCRYPTION_KEYS: value });
      expect(problems).toEqual(['COMPLYFLOW_ENCRYPTION_KEYS must be a comma-separated list of keyId:base64key (key ids: letters, digits, _ or -); got (value hidden)']);
    });

    it('rejects a duplicate key id', () => {
      const { problems } = problemsOf({ COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()},k2:${key()},k1:${key()}` });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^COMPLYFLOW_ENCRYPTION_KEYS key id k1 appears twice/);
    });

    it.each([
      ['16 bytes', randomBytes(16).toString('base64')],
      ['33 bytes', randomBytes(33).toString('base64')],
      ['hex instead of base64', randomBytes(32).toString('hex')],
      ['characters outside base64', `${randomBytes(30).toString('base64')}!!`],
    ])('rejects a key of the wrong length or encoding (%s), naming the key id', (_what, material) => {
      const { problems, error } = problemsOf({ COMPLYFLOW_ENCRYPTION_KEYS: `good:${key()},bad:${material}` });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^COMPLYFLOW_ENCRYPTION_KEYS key bad must be 32 bytes, base64 encoded/);
      expect(error.message).not.toContain(material);
    });

    it('defaults to no active key id, and accepts one that names a configured key', () => {
      expect(loadConfig({ COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()}` }).activeKeyId).toBeUndefined();
      expect(loadConfig({ COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()},k2:${key()}`, COMPLYFLOW_ACTIVE_KEY_ID: 'k2' }).activeKeyId).toBe('k2');
    });

    it('requires the active key id to name a configured key', () => {
      const { problems } = problemsOf({ COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()}`, COMPLYFLOW_ACTIVE_KEY_ID: 'k9' });
      expect(problems).toEqual(['COMPLYFLOW_ACTIVE_KEY_ID names key "k9", which COMPLYFLOW_ENCRYPTION_KEYS does not contain']);
    });

    it('refuses an active key id without any keys', () => {
      const { problems } = problemsOf({ COMPLYFLOW_ACTIVE_KEY_ID: 'k1' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^COMPLYFLOW_ACTIVE_KEY_ID is set but COMPLYFLOW_ENCRYPTION_KEYS is not/);
    });

    it('does not pile a second complaint onto an active key id when the keys themselves are invalid', () => {
      const { problems } = problemsOf({ COMPLYFLOW_ENCRYPTION_KEYS: 'k1:short', COMPLYFLOW_ACTIVE_KEY_ID: 'k1' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^COMPLYFLOW_ENCRYPTION_KEYS key k1 must be 32 bytes/);
    });
  });

  describe('production', () => {
    it('requires the encryption keys and the blind-index key', () => {
      const { problems } = problemsOf({ NODE_ENV: 'production' });
      expect(problems).toEqual(['COMPLYFLOW_ENCRYPTION_KEYS is required in production', 'COMPLYFLOW_BLIND_INDEX_KEY is required in production']);
    });

    it('requires the blind-index key even when encryption keys are given', () => {
      const { problems } = problemsOf({ NODE_ENV: 'production', COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()}` });
      expect(problems).toEqual(['COMPLYFLOW_BLIND_INDEX_KEY is required in production']);
    });

    it('starts with both', () => {
      const config = loadConfig({ NODE_ENV: 'production', COMPLYFLOW_ENCRYPTION_KEYS: `k1:${key()}`, COMPLYFLOW_BLIND_INDEX_KEY: key() });
      expect(config.nodeEnv).toBe('production');
      expect(config.blindIndexKey).toHaveLength(32);
    });

    it('reports invalid keys once, not also as missing', () => {
      const { problems } = problemsOf({ NODE_ENV: 'production', COMPLYFLOW_ENCRYPTION_KEYS: 'k1:short', COMPLYFLOW_BLIND_INDEX_KEY: 'short' });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toMatch(/^COMPLYFLOW_ENCRYPTION_KEYS key k1 must be 32 bytes/);
      expect(problems[1]).toMatch(/^COMPLYFLOW_BLIND_INDEX_KEY must be 32 bytes/);
    });
  });
});
