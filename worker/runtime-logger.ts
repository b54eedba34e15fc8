import { DefaultLogger, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from 'pino';

/** Sends the Temporal SDK's own log lines (worker lifecycle, workflow and activity logs) through pino. */
export function temporalLogger(logger: Logger): DefaultLogger {
  const sdk = logger.child({ component: 'temporal' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };
  const minimum = (logger.level.toUpperCase() === 'SILENT' ? 'ERROR' : (logger.level.toUpperCase() as LogLevel)) in levels ? (logger.level.toUpperCase() as LogLevel) : 'INFO';
  return new DefaultLogger(minimum, (entry) => sdk[levels[entry.level]]((entry.meta ?? {}) as LogMetadata, entry.message));
}
