import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../platform/embedded';
import { within } from '../harness/stack';

/**
 * The `npm start` acceptance test: `node scripts/start.js` (what `npm start` runs) on a fresh data folder, with none
 * of the servers or secrets the global setup put in the environment, so it must run its own embedded Temporal and
 * FerretDB and generate development secrets. Ctrl-C must stop the whole process tree; a second start must find the
 * data of the first.
 */
const root = path.resolve(__dirname, '../..');

/** What the global setup exported for the other tests; the stack under test must not see any of it. */
const INHERITED = ['TEMPORAL_ADDRESS', 'MONGODB_URI', 'COMPLYFLOW_ENCRYPTION_KEYS', 'COMPLYFLOW_BLIND_INDEX_KEY', 'COMPLYFLOW_WORKFLOW_BUNDLE', 'MONGODB_DATABASE', 'TEMPORAL_TASK_QUEUE'];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...extra };
  for (const name of INHERITED) delete env[name];
  return env;
}

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(env: NodeJS.ProcessEnv): Started {
  const out: string[] = [];
  const err: string[] = [];
  // Its own process group, as a shell gives a foreground job, so a test can send Ctrl-C to the whole group.
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout!.on('data', (c: Buffer) => out.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => err.push(c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out.join(''), stderr: () => err.join(''), exited };
}

function describeOutput(s: Started): string {
  return `\n--- stdout ---\n${s.stdout().slice(-6000)}\n--- stderr ---\n${s.stderr().slice(-4000)}`;
}

/** Resolves with the first match of `pattern` in stdout; fails if the process exits first or time runs out. */
async function waitForStdout(s: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void s.exited.then(() => (exited = true));
  for (;;) {
    const match = s.stdout().match(pattern);
    if (match) return match;
    if (exited) throw new Error(`start.js exited (code ${s.child.exitCode}) before printing ${pattern}${describeOutput(s)}`);
    if (Date.now() > deadline) throw new Error(`start.js did not print ${pattern} within ${timeoutMs} ms${describeOutput(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Plain HTTP without keep-alive, so no socket outlives the test. */
function request(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

async function waitReady(s: Started, api: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) throw new Error(`start.js exited before /ready answered 200${describeOutput(s)}`);
    try {
      const res = await request(`${api}/ready`);
      if (res.status === 200) return;
      last = `${res.status} ${res.body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`/ready not 200 within ${timeoutMs} ms (last: ${last})${describeOutput(s)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port whose +1000 (the embedded Temporal Web UI) is free too. */
async function freeTemporalPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port + 1000 <= 65535 && (await canBind(port + 1000))) return port;
  }
  throw new Error('no free port pair for Temporal and its UI');
}

/** Direct children of `pid` as { pid, command }. */
function childrenOf(pid: number): { pid: number; command: string }[] {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  } catch {
    return []; // ps exits 1 when nothing matches
  }
  return out
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [p, ...command] = line.split(/\s+/);
      return { pid: Number(p), command: command.join(' ') };
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (node scripts/start.js)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-start-'));
  let ports: { temporal: number; mongo: number; api: number };
  let env: NodeJS.ProcessEnv;
  /** Everything started here, with the embedded servers seen under it, for clean-up if a test fails half-way. */
  const started: { run: Started; servers: number[] }[] = [];
  let bootstrapKey: string | undefined;

  beforeAll(async () => {
    const temporal = await freeTemporalPort();
    const [mongo, api] = [await freePort(), await freePort()];
    ports = { temporal, mongo, api };
    env = childEnv({ COMPLYFLOW_DATA_DIR: dataDir, EMBEDDED_TEMPORAL_PORT: String(temporal), EMBEDDED_MONGODB_PORT: String(mongo), API_PORT: String(api) });
  });

  afterAll(async () => {
    for (const { run, servers } of started) {
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGINT');
        await Promise.race([run.exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      }
      for (const pid of servers) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts the stack and waits until it serves; returns the run, the API URL and its embedded server processes. */
  async function startStack(): Promise<{ run: Started; api: string; servers: { pid: number; command: string }[] }> {
    const run = start(env);
    const entry = { run, servers: [] as number[] };
    started.push(entry);
    const [, api] = await waitForStdout(run, /^ {2}API: +(http:\/\/\S+)$/m, 180_000);
    expect(api).toBe(`http://127.0.0.1:${ports.api}`);
    await waitForStdout(run, /Press Ctrl-C to stop\./, 10_000);
    await waitReady(run, api, 120_000);
    const servers = childrenOf(run.child.pid!).filter((c) => /temporal|ferretdb/.test(c.command));
    entry.servers = servers.map((s) => s.pid);
    return { run, api, servers };
  }

  /**
   * SIGINT to the stack's process alone (`kill -INT`), or to its whole process group as Ctrl-C in a terminal does
   * (the servers then get it too). Either way it must exit 0 within 30 s with its servers gone and its ports free.
   */
  async function stopWithCtrlC(run: Started, servers: { pid: number }[], api: string, target: 'process' | 'group'): Promise<void> {
    process.kill(target === 'group' ? -run.child.pid! : run.child.pid!, 'SIGINT');
    const { code, signal } = await within(run.exited, 30_000, 'stopping after SIGINT');
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    for (const server of servers) expect({ pid: server.pid, alive: alive(server.pid) }).toEqual({ pid: server.pid, alive: false });
    for (const port of [ports.temporal, ports.temporal + 1000, ports.mongo]) expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
    expect(await listening(Number(new URL(api).port))).toBe(false);
  }

  it('refuses an invalid setting before provisioning or starting anything', async () => {
    // An empty tools cache and no Go on PATH: if provisioning ran before validation it would fail with
    // "Go ... is required" (or spend minutes building) instead of naming the bad setting.
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-tools-'));
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-badenv-'));
    const pathWithoutGo = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => dir && !fs.existsSync(path.join(dir, 'go')))
      .join(path.delimiter);
    try {
      const run = start({ ...env, API_PORT: 'notaport', COMPLYFLOW_DATA_DIR: folder, COMPLYFLOW_TOOLS_CACHE: cache, PATH: pathWithoutGo });
      const { code } = await within(run.exited, 60_000, 'start.js with API_PORT=notaport');
      expect(code).toBe(78);
      expect(run.stderr()).toMatch(/API_PORT must be a whole number; got "notaport"/);
      expect(run.stderr()).not.toMatch(/Go 1\.22|building/);
      expect(run.stdout()).not.toMatch(/ComplyFlow is running/);
      // Nothing was provisioned and no server started: no binaries, no server data, ports still free.
      expect(fs.readdirSync(cache)).toEqual([]);
      expect(fs.existsSync(path.join(folder, 'temporal.db'))).toBe(false);
      expect(fs.existsSync(path.join(folder, 'ferretdb'))).toBe(false);
      expect(await listening(ports.temporal)).toBe(false);
      expect(await listening(ports.mongo)).toBe(false);
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('first start: runs embedded servers, prints URLs and a bootstrap key once, Ctrl-C stops everything', async () => {
    const { run, api, servers } = await startStack();
    const out = run.stdout();
    expect(out).toContain(`  API docs:    ${api}/docs`);
    expect(out).toContain(`  Temporal UI: http://127.0.0.1:${ports.temporal + 1000}`);
    const keys = [...out.matchAll(/Bootstrap admin API key \(shown once, store it now\): (cfk_\S+)/g)].map((m) => m[1]);
    expect(keys).toHaveLength(1);
    bootstrapKey = keys[0];
    // The key must never reach the logs, which share stdout here: it appears exactly once, in the banner.
    expect(out.split(bootstrapKey).length - 1).toBe(1);

    // Its own servers, not the test harness's: two child processes on the configured ports, data in the data folder.
    expect(servers.map((s) => s.command).sort()).toEqual(['ferretdb', 'temporal']);
    expect(await listening(ports.temporal)).toBe(true);
    expect(await listening(ports.temporal + 1000)).toBe(true);
    expect(await listening(ports.mongo)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'temporal.db'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'ferretdb'))).toBe(true);
    // Development secrets were generated into the data folder, private to the user.
    const secrets = fs.statSync(path.join(dataDir, 'secrets.json'));
    expect(secrets.mode & 0o077).toBe(0);

    const me = await request(`${api}/me`, { authorization: `Bearer ${bootstrapKey}` });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ id: 'prn_bootstrap-admin', roles: ['admin'], status: 'active' });
    expect((await request(`${api}/me`)).status).toBe(401);

    const docs = await request(`${api}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.type).toMatch(/^text\/html/);
    expect(docs.body).toMatch(/<html/i);

    const health = await request(`${api}/health`);
    expect({ status: health.status, body: JSON.parse(health.body) }).toEqual({ status: 200, body: { status: 'ok' } });

    await stopWithCtrlC(run, servers, api, 'process');
    expect(run.stdout()).toMatch(/"msg":"shutting down"/);
  });

  it('second start with the same data folder: no new key, the first key works, the evidence persisted', async () => {
    expect(bootstrapKey).toMatch(/^cfk_/); // set by the first start
    const { run, api, servers } = await startStack();
    expect(run.stdout()).not.toMatch(/Bootstrap admin API key|cfk_/);
    expect(servers.map((s) => s.command).sort()).toEqual(['ferretdb', 'temporal']);

    const auth = { authorization: `Bearer ${bootstrapKey}` };
    const me = await request(`${api}/me`, auth);
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ id: 'prn_bootstrap-admin', roles: ['admin'] });

    const verify = await request(`${api}/evidence/verify`, auth);
    expect(verify.status).toBe(200);
    const verdict = JSON.parse(verify.body) as { ok: boolean; checked: number };
    expect(verdict.ok).toBe(true);
    expect(verdict.checked).toBeGreaterThanOrEqual(1);

    const created = await request(`${api}/evidence?action=principal.created`, auth);
    expect(created.status).toBe(200);
    const items = (JSON.parse(created.body) as { items: { action: string; resource: { id: string }; actor: { id: string } }[] }).items;
    expect(items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'principal.created', resource: expect.objectContaining({ id: 'prn_bootstrap-admin' }), actor: expect.objectContaining({ id: 'system:bootstrap' }) })]));

    await stopWithCtrlC(run, servers, api, 'group');
  });

  it('a start that fails after the embedded servers are up stops them before exiting', async () => {
    // The API port is taken, which is only discovered after Temporal and FerretDB have started.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-failing-'));
    const serversOf = () => processesMentioning(folder);
    try {
      const run = start({ ...env, API_PORT: String(taken), COMPLYFLOW_DATA_DIR: folder });
      const { code } = await within(run.exited, 180_000, 'start.js with the API port taken');
      expect(code).toBe(1);
      expect(run.stderr()).toMatch(/\[start\] failed: .*EADDRINUSE/);
      expect(fs.existsSync(path.join(folder, 'temporal.db'))).toBe(true); // the servers did start
      expect(serversOf()).toEqual([]);
      for (const port of [ports.temporal, ports.temporal + 1000, ports.mongo]) expect({ port, listening: await listening(port) }).toEqual({ port, listening: false });
    } finally {
      for (const pid of serversOf()) process.kill(pid, 'SIGKILL');
      await new Promise((resolve) => blocker.close(resolve));
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

/** Processes whose command line mentions `text` (the embedded servers name their data folder in their arguments). */
function processesMentioning(text: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}
