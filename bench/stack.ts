/**
 * What every benchmark needs: the embedded Temporal server and FerretDB in a scratch folder, a worker in its own
 * process (so its memory can be measured apart from the bench's), the API in-process and a Temporal client.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../platform/config';
import { freePort, startFerret, startTemporal } from '../platform/embedded';
import { loadKeyring } from '../platform/keyring';
import { createLogger } from '../platform/logger';
import { connectClient } from '../platform/temporal';
import { startApi } from '../api/server';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { provisionAll } = require('../../scripts/provision.js') as { provisionAll(): Record<string, string> };

export interface BenchStack {
  config: Config;
  api: Awaited<ReturnType<typeof startApi>>;
  client: Client;
  worker: ChildProcess;
  /** The worker's peak resident memory so far, in MiB. */
  workerPeakRssMiB(): number | undefined;
  /** The same for the scan worker, when the stack has one. */
  scanWorkerPeakRssMiB(): number | undefined;
  /** The processes, by what they run: for CPU accounting. */
  processes: Record<string, number | undefined>;
  stop(): Promise<void>;
}

/**
 * `scanWorker` runs the long audit scans in a worker process of their own (COMPLYFLOW_WORKER_ROLE=scans), as a
 * deployment sized for them would, so their memory is measured apart from the workflows'.
 */
export async function startBenchStack(extraEnv: Record<string, string> = {}, options: { scanWorker?: boolean } = {}): Promise<BenchStack> {
  const binaries = provisionAll();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'complyflow-bench-'));
  const [temporalPort, ferretPort] = [await freePort(), await freePort()];
  const temporal = await startTemporal({ binary: binaries.temporal, port: temporalPort, headless: true, logFile: path.join(tmp, 'temporal.log') });
  const ferret = await startFerret({ binary: binaries.ferretdb, port: ferretPort, dataDir: path.join(tmp, 'ferretdb'), logFile: path.join(tmp, 'ferretdb.log') });
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    TEMPORAL_ADDRESS: temporal.address,
    MONGODB_URI: `mongodb://${ferret.address}/`,
    MONGODB_DATABASE: 'bench',
    COMPLYFLOW_DATA_DIR: tmp,
    COMPLYFLOW_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    COMPLYFLOW_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
    API_PORT: '0',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    ...extraEnv,
  };
  const config = loadConfig(env);
  const keyring = loadKeyring(config);
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const worker = await spawnWorker(env, options.scanWorker ? 'processes' : 'all');
  const scanWorker = options.scanWorker ? await spawnWorker(env, 'scans') : undefined;
  const api = await startApi({ config, keyring, logger });
  const client = await connectClient(config, keyring);
  return {
    config,
    api,
    client,
    worker,
    workerPeakRssMiB: () => peakRssMiB(worker),
    processes: { 'Temporal server': temporal.process.pid, FerretDB: ferret.process.pid, worker: worker.pid, 'API and load generator': process.pid },
    scanWorkerPeakRssMiB: () => (scanWorker ? peakRssMiB(scanWorker) : undefined),
    async stop() {
      await client.connection.close();
      await api.close();
      for (const w of [worker, scanWorker]) {
        if (!w) continue;
        w.kill('SIGTERM');
        await new Promise((r) => w.once('exit', r));
      }
      await ferret.stop();
      await temporal.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

async function spawnWorker(env: NodeJS.ProcessEnv, role: 'all' | 'processes' | 'scans'): Promise<ChildProcess> {
  // The worker logs at info only to announce that it polls; its other output is not needed.
  const worker = spawn(process.execPath, [path.resolve(__dirname, '../worker/main.js')], { env: { ...env, LOG_LEVEL: 'info', COMPLYFLOW_WORKER_ROLE: role }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (chunk: Buffer) => (chunk.toString().includes('worker polling') ? resolve() : undefined));
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
  // Warnings and errors from the worker (failed activity attempts, say) explain slow figures; show them.
  worker.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(40|50|60)/.test(line)) process.stderr.write(`worker: ${briefly(line)}\n`);
  });
  return worker;
}

/** CPU seconds (user + system) each of the stack's processes has used so far. */
export type CpuSample = Record<string, number>;

export function cpuSeconds(stack: Pick<BenchStack, 'processes'>): CpuSample {
  const ticksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on
  const sample: CpuSample = {};
  for (const [name, pid] of Object.entries(stack.processes)) {
    if (pid === undefined) continue;
    // Fields after the command name: utime and stime are the 12th and 13th.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    sample[name] = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  }
  return sample;
}

/** A worker log line cut to what explains it: the message, the activity and the error (task tokens are long noise). */
function briefly(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; activityType?: string; workflowType?: string; attempt?: number; error?: { message?: string }; err?: { message?: string } };
    return [entry.msg, entry.activityType ?? entry.workflowType, entry.attempt && `attempt ${entry.attempt}`, (entry.error ?? entry.err)?.message].filter(Boolean).join(' · ').slice(0, 400);
  } catch {
    return line.slice(0, 400); // a line split across chunks
  }
}

function peakRssMiB(child: ChildProcess): number | undefined {
  const rss = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return rss ? Number(rss[1]) / 1024 : undefined;
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Runs `work` over the items with bounded concurrency; returns the elapsed seconds. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>, label?: string): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        await work(items[next++]);
        done += 1;
        if (label && done % 1000 === 0) process.stderr.write(`  ${label}: ${done}/${items.length}\n`);
      }
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
    process.exit(1);
  });
}

/** Milliseconds since the epoch of a protobuf timestamp from a workflow history. */
export function tsMillis(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}
