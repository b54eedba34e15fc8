import { accessReviewActivities } from './access-review';
import { auditActivities } from './audit';
import { cleansingActivities } from './cleansing';
import { consentActivities, type ConsentActivityDeps } from './consent';
import { evidenceActivities } from './evidence';
import { incidentActivities } from './incident';
import { notificationActivities } from './notifications';
import { trainingActivities } from './training';
import { vendorActivities } from './vendor';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, built from the process's shared dependencies (one mailer, one database). */
export function createActivities(deps: ConsentActivityDeps) {
  const notifications = notificationActivities(deps);
  return {
    ...evidenceActivities(deps),
    ...notifications,
    ...consentActivities(deps, notifications),
    ...incidentActivities(deps),
    ...vendorActivities(deps, notifications),
    ...auditActivities(deps, notifications),
    ...cleansingActivities(deps),
    ...accessReviewActivities(deps, notifications),
    ...trainingActivities(deps, notifications),
  };
}

export type Activities = ReturnType<typeof createActivities>;
