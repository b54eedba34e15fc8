import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTES } from './search-attributes';

/**
 * Runs the two servers of the embedded stack as child processes: the Temporal dev server (SQLite) and FerretDB
 * (SQLite). Used by `npm start` and by the integration-test harness; production points at real clusters instead.
 */

export interface EmbeddedServer {
  name: string;
  address: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface TemporalOptions {
  binary: string;
  port: number;
  /** Persistent SQLite file; omitted = in memory. */
  dbFile?: string;
  uiPort?: number;
  headless?: boolean;
  logFile?: string;
}

export interface FerretOptions {
  binary: string;
  port: number;
  dataDir: string;
  logFile?: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startTemporal(options: TemporalOptions): Promise<EmbeddedServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-format', 'json', '--log-level', 'warn'];
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.headless) args.push('--headless');
  else if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  const address = `127.0.0.1:${options.port}`;
  return launch('temporal', options.binary, args, address, options.logFile, 60_000);
}

export async function startFerret(options: FerretOptions): Promise<EmbeddedServer> {
  fs.mkdirSync(options.dataDir, { recursive: true });
  const args = [
    '--handler=sqlite',
    // Immediate transactions take SQLite's write lock when they begin and wait for it (busy timeout), instead of
    // failing with SQLITE_BUSY when two writers upgrade from reading at once — which concurrent API requests and
    // activities otherwise hit under load. With the write-ahead log, synchronous=normal syncs at checkpoints rather
    // than on every commit: a killed process loses nothing, a power cut may lose the last commits — fine for the
    // embedded stack; production runs MongoDB.
    `--sqlite-url=file:${path.resolve(options.dataDir)}/?_txlock=immediate&_pragma=synchronous(normal)`,
    `--listen-addr=127.0.0.1:${options.port}`,
    '--telemetry=disable',
    '--debug-addr=-',
    `--state-dir=${path.resolve(options.dataDir)}`,
    '--log-level=warn',
  ];
  return launch('ferretdb', options.binary, args, `127.0.0.1:${options.port}`, options.logFile, 30_000);
}

async function launch(name: string, binary: string, args: string[], address: string, logFile: string | undefined, timeoutMs: number): Promise<EmbeddedServer> {
  const output = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  const child = spawn(binary, args, { stdio: ['ignore', output, output], detached: false });
  if (typeof output === 'number') fs.closeSync(output);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const [host, port] = splitAddress(address);
  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(host, port))) {
    if (exited) throw new Error(`${name} exited during start-up${logFile ? `; see ${logFile}` : ''}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not listen on ${address} within ${timeoutMs / 1000}s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    name,
    address,
    process: child,
    stop: () => stopChild(child),
  };
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** SIGTERM, then SIGKILL if the child has not exited after a grace period. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
