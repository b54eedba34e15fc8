import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/**
 * Activity stubs shared by all workflows. Evidence writes are quick database calls; notifications talk to outside
 * systems and retry with backoff for longer. Every call carries an idempotency key derived from the workflow id and
 * the step, so a retry or a replay after a worker crash can never record or send twice.
 */
export const { recordEvidence } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

export const { sendEmail, webhookTargets, deliverWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});
