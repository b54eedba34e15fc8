import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { startTestApi, type TestApi } from '../harness/app';
import { eventually, testConfig, within } from '../harness/stack';
import { spawnWorker } from '../harness/worker-process';
import { freePort, startFerret, type EmbeddedServer } from '../../platform/embedded';
import type { Config } from '../../platform/config';
import { connectDatabase } from '../../platform/mongo';

/**
 * Operating the processes: the worker and the API stop cleanly on SIGTERM (what an orchestrator sends), and /ready
 * tells a load balancer the truth when the database goes away, while /health (liveness) does not flap with it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { provisionAll } = require('../../scripts/provision.js') as { provisionAll(): Record<string, string> };

const root = path.resolve(__dirname, '../..');

/** Plain HTTP without keep-alive, so no socket outlives the test. */
function request(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url}`)));
    req.on('error', reject);
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function dropDatabase(config: Pick<Config, 'mongoUri' | 'mongoDb'>): Promise<void> {
  const database = await connectDatabase(config);
  try {
    await database.db.dropDatabase();
  } finally {
    await database.close();
  }
}

describe('worker process', () => {
  it('stops gracefully on SIGTERM: exit code 0 after logging "worker stopped"', async () => {
    const config = testConfig();
    const worker = await spawnWorker(config);
    try {
      worker.child.kill('SIGTERM');
      const { code, signal } = await within(exitOf(worker.child), 30_000, 'worker shutdown after SIGTERM');
      const output = worker.output.join('');
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(output).toMatch(/"msg":"worker stopped"/);
      expect(output).not.toMatch(/Worker failed/);
    } finally {
      await worker.kill('SIGKILL');
      await dropDatabase(config);
    }
  });
});

describe('API process (node dist/api/main.js)', () => {
  const config = testConfig();
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exitOf(child);
    }
    await dropDatabase(config);
  });

  async function startApiProcess(port: number): Promise<{ child: ChildProcess; output: () => string }> {
    const chunks: string[] = [];
    const proc = spawn(process.execPath, [path.join(root, 'dist', 'api', 'main.js')], {
      cwd: root,
      env: { ...process.env, API_PORT: String(port), MONGODB_DATABASE: config.mongoDb, TEMPORAL_TASK_QUEUE: config.taskQueue, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', (c: Buffer) => chunks.push(c.toString()));
    proc.stderr!.on('data', (c: Buffer) => chunks.push(c.toString()));
    const output = () => chunks.join('');
    await eventually(
      async () => {
        if (proc.exitCode !== null) throw new Error(`API exited with ${proc.exitCode} during start-up:\n${output()}`);
        return output().includes('"msg":"API listening"') ? true : undefined;
      },
      60_000,
      'the API to listen',
    );
    return { child: proc, output };
  }

  it('serves /health and /ready, prints a bootstrap key on the first start only, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await startApiProcess(port);
    expect(await request(`${base}/health`)).toEqual({ status: 200, body: JSON.stringify({ status: 'ok' }) });
    expect(await request(`${base}/ready`)).toEqual({ status: 200, body: JSON.stringify({ status: 'ready' }) });
    const keys = [...first.output().matchAll(/Bootstrap admin API key \(shown once, store it now\): (cfk_\S+)/g)].map((m) => m[1]);
    expect(keys).toHaveLength(1);
    const me = await request(`${base}/me`, { authorization: `Bearer ${keys[0]}` });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ roles: ['admin'] });

    first.child.kill('SIGTERM');
    expect(await within(exitOf(first.child), 30_000, 'API shutdown after SIGTERM')).toEqual({ code: 0, signal: null });
    expect(first.output()).toMatch(/"signal":"SIGTERM".*"msg":"shutting down"/);
    await expect(request(`${base}/health`)).rejects.toThrow(/ECONNREFUSED/);

    // Same database again: the admin exists, so no new key; the first one still works.
    const second = await startApiProcess(port);
    expect(second.output()).not.toMatch(/Bootstrap admin API key|cfk_/);
    expect((await request(`${base}/me`, { authorization: `Bearer ${keys[0]}` })).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await within(exitOf(second.child), 30_000, 'API shutdown after SIGTERM')).toEqual({ code: 0, signal: null });
  });
});

describe('readiness when the database goes away', () => {
  let ferret: EmbeddedServer | undefined;
  let api: TestApi | undefined;
  let ferretPort: number;
  let ferretDir: string;
  let binary: string;

  const startOwnFerret = () => startFerret({ binary, port: ferretPort, dataDir: ferretDir, logFile: path.join(ferretDir, 'ferretdb.log') });

  beforeAll(async () => {
    binary = provisionAll().ferretdb;
    ferretPort = await freePort();
    ferretDir = fs.mkdtempSync(path.join(process.env.COMPLYFLOW_TEST_TMP ?? root, 'ferret-ready-'));
    ferret = await startOwnFerret();
    api = await startTestApi({ mongoUri: `mongodb://${ferret.address}/` });
  });

  afterAll(async () => {
    // close() drops the test database, so the FerretDB must be up for it.
    if (api && ferret && (ferret.process.exitCode !== null || ferret.process.signalCode !== null)) ferret = await startOwnFerret();
    await api?.close();
    await ferret?.stop();
    fs.rmSync(ferretDir, { recursive: true, force: true });
  });

  it('answers 503 naming the database while it is down, 200 again once it is back; /health stays 200', async () => {
    const probe = async (url: string) => {
      const res = await api!.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as { status: string; reason?: string } };
    };
    expect(await probe('/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok' } });

    await ferret!.stop();
    const t0 = Date.now();
    const down = await probe('/ready');
    const answeredIn = Date.now() - t0;
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'unavailable', reason: expect.stringMatching(/^database: /) });
    // A readiness probe must answer promptly even when the database does not (the check gives up after 2 s).
    expect(answeredIn).toBeLessThan(5000);
    expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok' } });

    ferret = await startOwnFerret();
    await eventually(async () => ((await probe('/ready')).status === 200 ? true : undefined), 60_000, '/ready to recover');
  });

  it('answers 503 within seconds when the database hangs instead of refusing connections', async () => {
    const probe = async (url: string) => {
      const res = await api!.app.inject({ method: 'GET', url });
      return { status: res.statusCode, body: res.json() as { status: string; reason?: string } };
    };
    expect((await probe('/ready')).status).toBe(200);
    // A frozen server (as behind a network partition): connections stay open, nothing answers.
    ferret!.process.kill('SIGSTOP');
    try {
      const t0 = Date.now();
      const hung = await probe('/ready');
      const answeredIn = Date.now() - t0;
      expect(hung).toEqual({ status: 503, body: { status: 'unavailable', reason: expect.stringMatching(/^database: no answer within \d+ ms/) } });
      expect(answeredIn).toBeLessThan(5000);
      expect(await probe('/health')).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      ferret!.process.kill('SIGCONT');
    }
    await eventually(async () => ((await probe('/ready')).status === 200 ? true : undefined), 60_000, '/ready to recover');
  });
});
