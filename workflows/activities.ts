import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Activity stubs shared by all workflows. Evidence writes are quick database calls; notifications talk to outside
 * systems and retry with backoff for longer. Every call carries an idempotency key derived from the workflow id and
 * the step, so a retry or a replay after a worker crash can never record or send twice.
 */
export const { recordEvidence, consentEventToEvidence, consentLifecycleStep, assessObligations, saveIncident, openVendorReview, expireQuestionnaire, scoreSubmission, setVendorStatus, completeRemediationItem, monitoringFacts, offboardingFacts } = proxyActivities<Activities>({
  // Long enough for an append queued behind thousands of others (a campaign enrolling everyone at once) to finish
  // rather than time out and be appended again.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export const { sendEmail, webhookTargets, deliverWebhook, sendConsentMessage, sendQuestionnaire, escalateToOwner, requestCertificateRenewal } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

/** Long scans heartbeat their progress; a worker that dies mid-scan is noticed within the heartbeat timeout. */
export const { signalPolicyChange } = proxyActivities<Activities>({
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Quick, idempotent database steps run inside the workflow task that needs them (local activities). A regular
 * activity costs two trips through the server's task queues and another workflow task; on a busy server that costs
 * far more than the step itself. Only for steps that talk to nothing outside the database and finish in
 * milliseconds: a retry re-runs them whole, and their result is recorded with the workflow task.
 */
export const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
