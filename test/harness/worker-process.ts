import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../platform/config';

/**
 * Runs the real worker entry point (`dist/worker/main.js`) as its own OS process, so a test can SIGKILL it
 * mid-process exactly as a crash would, and start a fresh one.
 */
export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function spawnWorker(config: Config, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  const output: string[] = [];
  const child = spawn(process.execPath, [path.resolve(__dirname, '../../dist/worker/main.js')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.temporalAddress,
      MONGODB_URI: config.mongoUri,
      MONGODB_DATABASE: config.mongoDb,
      TEMPORAL_TASK_QUEUE: config.taskQueue,
      LOG_LEVEL: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => output.push(c.toString()));
  child.stderr?.on('data', (c: Buffer) => output.push(c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start polling within 60 s:\n${output.join('')}`)), 60_000);
    const check = () => {
      if (output.join('').includes('worker polling')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} during start-up:\n${output.join('')}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    child,
    output,
    kill: (signal) =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
