import { workflowInfo } from '@temporalio/workflow';
import { deliverWebhook, webhookTargets } from './activities';

/**
 * Tells subscribed systems about a change: one delivery per endpoint, each retried on its own, so a slow or broken
 * receiver delays nobody else. `step` names the moment in the process and makes the delivery keys deterministic.
 */
export async function publish(step: string, type: string, data: Record<string, unknown>, occurredAt: string): Promise<void> {
  const eventId = `${workflowInfo().workflowId}:${step}`;
  const endpoints = await webhookTargets(type);
  await Promise.all(
    endpoints.map((endpointId) =>
      deliverWebhook({ key: `${eventId}:${endpointId}`, endpointId, event: { id: eventId, type, occurredAt, data } }),
    ),
  );
}
