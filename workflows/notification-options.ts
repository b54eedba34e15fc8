import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Recommended options for the notification activities (activities/notifications.ts). Imports nothing but types,
 * so workflow code can use it inside the sandbox.
 *
 * The start-to-close timeout bounds one attempt; the webhook activity shortens its own HTTP timeout to fit inside
 * it, and SMTP timeouts are 10–30 s. Retries back off 1 s, 2 s, 4 s … up to one minute, ten attempts in all (about
 * four minutes of waiting); permanent failures are thrown as non-retryable and are not retried at all. Every call is
 * idempotent through its key, so a longer policy is always safe for a process that can wait longer.
 */
export const NOTIFICATION_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 10,
  },
};
