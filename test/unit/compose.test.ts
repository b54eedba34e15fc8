/**
 * Static checks of docker-compose.yml and the Dockerfile (no Docker engine needed): the deployment gives the API and
 * the worker exactly the variables platform/config.ts knows, secrets only come from the host, the services point at
 * each other correctly, and the search attributes Temporal gets are the ones the workflows set.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, settings } from '../../platform/config';
import { SEARCH_ATTRIBUTES } from '../../platform/search-attributes';

const root = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, unknown> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  ports?: (string | number | { target?: number; published?: number | string })[];
  expose?: (string | number)[];
  restart?: string;
  stop_grace_period?: string;
  volumes?: (string | { target?: string })[];
}

const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;
const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');

interface SettingInfo {
  env: string;
  default?: string;
  optional?: boolean;
  secret?: boolean;
}
const allSettings = Object.values(settings) as SettingInfo[];
const settingByEnv = new Map(allSettings.map((s) => [s.env, s]));
/** Variables production refuses to start without (loadConfig checks them beyond the table). */
const KEY_VARIABLES = ['COMPLYFLOW_ENCRYPTION_KEYS', 'COMPLYFLOW_BLIND_INDEX_KEY'];
const APP_SERVICES = ['api', 'worker'] as const;

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

/** The environment as written in the file (before host substitution); `KEY` with no value means "from the host". */
function rawEnvironment(svc: Service): Record<string, string> {
  const env = svc.environment ?? {};
  const entries: [string, unknown][] = Array.isArray(env)
    ? env.map((item) => {
        const eq = item.indexOf('=');
        return eq === -1 ? [item, null] : [item.slice(0, eq), item.slice(eq + 1)];
      })
    : Object.entries(env);
  return Object.fromEntries(entries.map(([key, value]) => [key, value === null || value === undefined ? `\${${key}}` : String(value)]));
}

const SUBSTITUTION = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Compose's variable substitution, against the given host environment. */
function interpolate(value: string, host: Record<string, string | undefined>): string {
  return value.replace(SUBSTITUTION, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare) as string;
    const current = host[name];
    const unset = current === undefined || (op?.startsWith(':') === true && current === '');
    if (op?.endsWith('-')) return unset ? (arg ?? '') : (current as string);
    if (op?.endsWith('?')) {
      if (unset) throw new Error(`compose refuses to start: ${name} is required (${arg})`);
      return current as string;
    }
    return current ?? '';
  });
}

/** Every `${VAR...}` the file reads from the host, with the operator used. */
function hostVariables(value: string): { name: string; op: string; arg: string }[] {
  return [...value.matchAll(SUBSTITUTION)]
    .filter((m) => m[0] !== '$$')
    .map((m) => ({ name: m[1] ?? m[4], op: m[2] ?? '', arg: m[3] ?? '' }));
}

/** Sample values for the variables the file requires from the host (`${VAR:?...}`). */
const sampleHost: Record<string, string> = {
  COMPLYFLOW_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  COMPLYFLOW_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
  TEMPORAL_DB_PASSWORD: randomBytes(24).toString('hex'),
};

function effectiveEnvironment(svc: Service, host: Record<string, string | undefined> = sampleHost): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(svc)).map(([key, value]) => [key, interpolate(value, host)]));
}

function words(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : value.trim().split(/\s+/);
}

function healthcheckText(svc: Service): string {
  return words(svc.healthcheck?.test).join(' ');
}

function dependencies(svc: Service): Record<string, string> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d?.condition ?? 'service_started']));
}

/** Container-side ports a service offers to the compose network. */
function containerPorts(svc: Service): number[] {
  const ports: number[] = [];
  for (const p of svc.expose ?? []) ports.push(Number(String(p).split('/')[0]));
  for (const p of svc.ports ?? []) {
    if (typeof p === 'object') ports.push(Number(p.target));
    else ports.push(Number(String(p).split('/')[0].split(':').pop()));
  }
  return ports;
}

/** `12s`, `1m30s`, `500ms` → milliseconds. */
function durationMs(value: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|us|h|m|s)/g;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let consumed = '';
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * unit[m[2]];
    consumed += m[0];
  }
  if (consumed !== value || consumed === '') throw new Error(`not a duration: ${value}`);
  return total;
}

function setting(env: Record<string, string>, name: string): string | undefined {
  return env[name] ?? settingByEnv.get(name)?.default;
}

/** The instructions of the Dockerfile's last stage, continuation lines joined. */
function finalStage(): string[] {
  const lines = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const lastFrom = lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true);
  return lines.slice(lastFrom);
}

function execForm(instruction: string | undefined): string[] | undefined {
  if (!instruction) return undefined;
  const arg = instruction.replace(/^\w+\s+/, '');
  return arg.startsWith('[') ? (JSON.parse(arg) as string[]) : ['/bin/sh', '-c', arg];
}

describe('docker-compose.yml', () => {
  it('has the services of the deployment', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'mongodb', 'api', 'worker']) {
      expect(services).toHaveProperty([name]);
    }
  });

  it('pins every image to a tag (never latest) or builds it', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.image === undefined) {
        expect({ name, build: svc.build }).toEqual({ name, build: expect.anything() });
        continue;
      }
      expect(hostVariables(svc.image)).toEqual([]);
      const [ref] = svc.image.split('@');
      const lastSlash = ref.lastIndexOf('/');
      const colon = ref.indexOf(':', lastSlash + 1);
      const tag = colon === -1 ? '' : ref.slice(colon + 1);
      expect({ name, tag }).toEqual({ name, tag: expect.stringMatching(/^[\w][\w.-]*$/) });
      expect({ name, tag }).not.toEqual({ name, tag: 'latest' });
    }
    expect(service('postgresql').image).toMatch(/^postgres:16(\.|$|-)/);
    expect(service('mongodb').image).toMatch(/^mongo:7(\.|$|-)/);
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:1\.29\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    for (const name of APP_SERVICES) expect(service(name).build).toBe('.');
  });

  it('wires Temporal to PostgreSQL, with the password from the host', () => {
    const temporal = service('temporal');
    const env = rawEnvironment(temporal);
    expect(env.DB).toBe('postgres12');
    expect(services).toHaveProperty([env.POSTGRES_SEEDS]);
    expect(service(env.POSTGRES_SEEDS).image).toMatch(/^postgres:/);
    expect(env.DB_PORT).toBe('5432');
    expect(dependencies(temporal)).toMatchObject({ [env.POSTGRES_SEEDS]: 'service_healthy' });
    const pg = rawEnvironment(service(env.POSTGRES_SEEDS));
    expect(env.POSTGRES_USER).toBe(pg.POSTGRES_USER);
    // Same host variable on both sides, required, never a literal password.
    for (const value of [env.POSTGRES_PWD, pg.POSTGRES_PASSWORD]) {
      expect(value).toMatch(/^\$\{[A-Z_]+:\?[^}]*\}$/);
    }
    expect(hostVariables(env.POSTGRES_PWD)[0].name).toBe(hostVariables(pg.POSTGRES_PASSWORD)[0].name);
    expect(service('postgresql').volumes?.length).toBeGreaterThan(0);
  });

  it('gives the API and the worker only variables the app knows', () => {
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(rawEnvironment(service(name))).filter((key) => !settingByEnv.has(key));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
    }
  });

  it('gives the API and the worker every required variable, and the keys production requires', () => {
    const required = allSettings.filter((s) => !s.optional && s.default === undefined).map((s) => s.env);
    for (const name of APP_SERVICES) {
      const env = rawEnvironment(service(name));
      const missing = [...required, ...KEY_VARIABLES].filter((key) => env[key] === undefined);
      expect({ service: name, missing }).toEqual({ service: name, missing: [] });
      expect(env.NODE_ENV).toBe('production');
    }
    expect(rawEnvironment(service('api')).API_HOST).toBe('0.0.0.0');
  });

  it('takes secrets from the host environment, never from the file', () => {
    const secretVars = new Set([...allSettings.filter((s) => s.secret).map((s) => s.env), ...KEY_VARIABLES]);
    /** A URL-valued secret (MONGODB_URI, SMTP_URL) may be written out as long as it carries no credentials. */
    const withoutPassword = (value: string) => !/\/\/[^/\s]*@/.test(value);
    for (const name of APP_SERVICES) {
      const env = rawEnvironment(service(name));
      for (const key of secretVars) {
        const value = env[key];
        if (value === undefined) continue;
        const used = hostVariables(value);
        if (used.length === 0) {
          // A literal: only a credential-free URL, never key material.
          expect({ service: name, key, literal: value }).toEqual({ service: name, key, literal: expect.stringMatching(/^[a-z][a-z0-9+.-]*:\/\//) });
          expect({ service: name, key, withoutPassword: withoutPassword(value) }).toEqual({ service: name, key, withoutPassword: true });
          continue;
        }
        // Otherwise exactly one substitution of the variable of the same name, whose default gives nothing away.
        expect({ service: name, key, value }).toEqual({ service: name, key, value: expect.stringMatching(/^\$\{[A-Z_]+(:?[-?][^}]*)?\}$/) });
        expect({ service: name, key, host: used[0].name }).toEqual({ service: name, key, host: key });
        if (used[0].op.endsWith('-')) {
          expect({ service: name, key, withoutPassword: withoutPassword(used[0].arg) }).toEqual({ service: name, key, withoutPassword: true });
        }
      }
      for (const key of KEY_VARIABLES) {
        // Keys: required from the host, with no default at all.
        expect({ service: name, key, value: env[key] }).toEqual({ service: name, key, value: expect.stringMatching(new RegExp(`^\\$\\{${key}:\\?[^}]*\\}$`)) });
        // Without the host variable, compose refuses to start rather than running without the key.
        expect(() => interpolate(env[key], {})).toThrow(/required/);
      }
    }
  });

  it('requires from the host only variables this test can give sample values for', () => {
    const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const required = new Set(hostVariables(text).filter((v) => v.op.endsWith('?')).map((v) => v.name));
    expect([...required].sort()).toEqual(Object.keys(sampleHost).sort());
  });

  it('points TEMPORAL_ADDRESS at the temporal service and its frontend port', () => {
    const temporalPorts = containerPorts(service('temporal'));
    for (const name of [...APP_SERVICES, 'temporal-ui', 'temporal-setup']) {
      const address = rawEnvironment(service(name)).TEMPORAL_ADDRESS;
      const [host, port] = address.split(':');
      expect({ service: name, host }).toEqual({ service: name, host: 'temporal' });
      expect(temporalPorts).toContain(Number(port));
    }
    expect(healthcheckText(service('temporal'))).toContain(rawEnvironment(service('api')).TEMPORAL_ADDRESS);
    expect(rawEnvironment(service('worker')).TEMPORAL_NAMESPACE).toBe(rawEnvironment(service('api')).TEMPORAL_NAMESPACE);
    expect(rawEnvironment(service('worker')).TEMPORAL_TASK_QUEUE).toBe(rawEnvironment(service('api')).TEMPORAL_TASK_QUEUE);
  });

  it('runs MongoDB as a replica set and points MONGODB_URI at it', () => {
    const mongodb = service('mongodb');
    const command = words(mongodb.command);
    expect(command).toContain('--replSet');
    const replSet = command[command.indexOf('--replSet') + 1];
    const health = healthcheckText(mongodb);
    expect(health).toContain('rs.initiate');
    expect(health).toContain(`_id: '${replSet}'`);
    expect(health).toContain("host: 'mongodb:27017'");
    expect(mongodb.volumes?.length).toBeGreaterThan(0);
    for (const name of APP_SERVICES) {
      const uri = new URL(rawEnvironment(service(name)).MONGODB_URI);
      expect(uri.protocol).toBe('mongodb:');
      expect(uri.hostname).toBe('mongodb');
      expect(uri.port).toBe('27017');
      expect(uri.searchParams.get('replicaSet')).toBe(replSet);
    }
  });

  it('starts the API and the worker after Temporal, its search attributes and MongoDB are ready', () => {
    for (const name of APP_SERVICES) {
      expect(dependencies(service(name))).toMatchObject({
        temporal: 'service_healthy',
        'temporal-setup': 'service_completed_successfully',
        mongodb: 'service_healthy',
      });
    }
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependencies(svc))) {
        expect({ service: name, dep, exists: dep in services }).toEqual({ service: name, dep, exists: true });
        if (condition === 'service_healthy') {
          expect({ service: name, dep, healthcheck: healthcheckText(service(dep)) !== '' }).toEqual({ service: name, dep, healthcheck: true });
        }
      }
      const oneShot = Object.values(services).some((other) => dependencies(other)[name] === 'service_completed_successfully');
      if (!oneShot) expect({ service: name, restart: svc.restart }).toEqual({ service: name, restart: expect.stringMatching(/^(always|unless-stopped|on-failure)/) });
    }
  });

  it('registers exactly the search attributes the workflows set, in the app\'s namespace', () => {
    const setup = service('temporal-setup');
    expect(setup.image).toMatch(/^temporalio\/admin-tools:/);
    // The admin tools match the server release.
    const serverVersion = (service('temporal').image as string).split(':')[1];
    expect((setup.image as string).split(':')[1].startsWith(serverVersion)).toBe(true);
    expect(dependencies(setup)).toMatchObject({ temporal: 'service_healthy' });

    const env = rawEnvironment(setup);
    const registered = Object.fromEntries(
      env.SEARCH_ATTRIBUTES.trim()
        .split(/\s+/)
        .map((pair) => pair.split('=') as [string, string]),
    );
    expect(registered).toEqual(SEARCH_ATTRIBUTES);
    expect(env.TEMPORAL_NAMESPACE).toBe(rawEnvironment(service('api')).TEMPORAL_NAMESPACE);

    const script = [...words(setup.entrypoint), ...words(setup.command)].join(' ');
    expect(script).toContain('temporal operator search-attribute create');
    expect(script).toContain('$${SEARCH_ATTRIBUTES}');
    expect(script).toContain('$${TEMPORAL_NAMESPACE}');
    // The image's own test attributes would only use up SQL visibility slots.
    expect(rawEnvironment(service('temporal')).SKIP_ADD_CUSTOM_SEARCH_ATTRIBUTES).toBe('true');
  });

  it.each(APP_SERVICES)('gives %s an environment loadConfig accepts', (name) => {
    const env = effectiveEnvironment(service(name));
    const config = loadConfig(env);
    expect(config.nodeEnv).toBe('production');
    expect(config.temporalAddress).toBe('temporal:7233');
    expect(config.encryptionKeys?.size).toBe(1);
    expect(config.blindIndexKey?.length).toBe(32);
  });

  it.each(APP_SERVICES)('passes the optional host variables through to %s', (name) => {
    const host = {
      ...sampleHost,
      SMTP_URL: 'smtp://user:pass@mail.example:587',
      MAIL_FROM: 'Compliance <compliance@example.com>',
      PUBLIC_URL: 'https://complyflow.example.com',
      COMPLYFLOW_ACTIVE_KEY_ID: 'k1',
    };
    const config = loadConfig(effectiveEnvironment(service(name), host));
    expect(config).toMatchObject({
      smtpUrl: host.SMTP_URL,
      mailFrom: host.MAIL_FROM,
      publicUrl: host.PUBLIC_URL,
      activeKeyId: 'k1',
    });
  });

  it('publishes the API port and checks /health on it', () => {
    const api = service('api');
    const env = rawEnvironment(api);
    const port = Number(setting(env, 'API_PORT'));
    expect(containerPorts(api)).toContain(port);
    const health = healthcheckText(api);
    expect(health).toContain(`http://127.0.0.1:${port}/health`);
    expect(health).toMatch(/^CMD node -e /);
    expect(containerPorts(service('temporal-ui'))).toContain(8080);
  });

  it.each(APP_SERVICES)('lets %s finish its shutdown grace period before Docker kills it', (name) => {
    const svc = service(name);
    const grace = Number(setting(rawEnvironment(svc), 'SHUTDOWN_GRACE_MS'));
    expect(svc.stop_grace_period).toBeDefined();
    expect(durationMs(svc.stop_grace_period as string)).toBeGreaterThan(grace);
  });

  it('runs the compiled entry points the build produces', () => {
    const cmd = execForm(finalStage().find((l) => /^CMD\s/i.test(l)));
    const commandOf = (name: string): string[] => (service(name).command ? words(service(name).command) : (cmd as string[]));
    expect(commandOf('api')).toEqual(['node', 'dist/api/main.js']);
    expect(commandOf('worker')).toEqual(['node', 'dist/worker/main.js']);
    expect(service('api').entrypoint).toBeUndefined();
    expect(service('worker').entrypoint).toBeUndefined();

    // dist/<dir>/main.js is where tsconfig.build.json compiles <dir>/main.ts.
    const base = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string; rootDir: string } };
    const build = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
    expect(base.compilerOptions.outDir).toBe('dist');
    expect(base.compilerOptions.rootDir).toBe('.');
    expect(build.include).toEqual(expect.arrayContaining(['api', 'worker', 'workflows']));
  });
});

describe('Dockerfile', () => {
  const stage = finalStage();

  it('builds on node:20-bookworm-slim in every stage', () => {
    const froms = dockerfile.split(/\r?\n/).filter((l) => /^FROM\s/i.test(l.trim()));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM\s+node:20-bookworm-slim(\s|$)/i);
    expect(dockerfile).toMatch(/^RUN\s+npm ci\b(?!.*--omit=dev)/m);
    expect(dockerfile).toMatch(/^RUN\s+.*npm run build\b/m);
  });

  it('runs production dependencies and all of dist/ (workflows included) as the node user', () => {
    expect(stage.some((l) => /^RUN\s+npm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(stage.some((l) => /^ENV\s+NODE_ENV[= ]production$/.test(l))).toBe(true);
    // The whole compiled tree: the worker bundles dist/workflows at start.
    expect(stage.some((l) => /^COPY\s+--from=\S+\s+(\S*\/)?dist\/?\s+(\.\/)?dist\/?$/.test(l))).toBe(true);
    const users = stage.filter((l) => /^USER\s/.test(l));
    expect(users.at(-1)).toBe('USER node');
    expect(execForm(stage.find((l) => /^CMD\s/.test(l)))).toEqual(['node', 'dist/api/main.js']);
  });

  it('keeps local state out of the build context', () => {
    const ignored = fs
      .readFileSync(path.join(root, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim().replace(/^\/|\/$/g, ''));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.tools', '.data', '.git', 'coverage']));
  });
});
