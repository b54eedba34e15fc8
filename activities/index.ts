import type { ActivityDeps } from './deps';
import { evidenceActivities } from './evidence';
import { notificationActivities } from './notifications';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the process's shared dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...evidenceActivities(deps),
    ...notificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
