/**
 * The long audit scans have a task queue of their own, so a deployment can run them in processes of their own and
 * size those for streaming (see COMPLYFLOW_WORKER_ROLE). Importable from workflow code (no I/O).
 */
export function scanTaskQueue(taskQueue: string): string {
  return `${taskQueue}-scans`;
}
