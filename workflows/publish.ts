import { patched, workflowInfo } from '@temporalio/workflow';
import { deliverWebhook, local, webhookTargets } from './activities';

/**
 * Quick database steps became local activities; runs that began before replay them as regular ones. One patch for
 * all of them, since each patch a run meets costs a search-attribute write on the server.
 */
export const LOCAL_STEPS_PATCH = 'local-steps';

export interface Publication {
  /** Names the moment in the process; makes the delivery keys deterministic. */
  step: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: string;
  /** For events about a purpose: endpoints limited to other purposes are skipped. */
  purposeId?: string;
  /** What the event is about, recorded with each delivery (e.g. to measure withdrawal propagation). */
  resource?: { type: string; id: string };
}

/**
 * Tells subscribed systems about a change: one delivery per endpoint, each retried on its own, so a slow or broken
 * receiver delays nobody else.
 */
export async function publish(p: Publication): Promise<void> {
  const eventId = `${workflowInfo().workflowId}:${p.step}`;
  const targets = patched(LOCAL_STEPS_PATCH) ? local.webhookTargets : webhookTargets;
  const endpoints = await targets(p.type, { purposeId: p.purposeId });
  await Promise.all(
    endpoints.map((endpointId) =>
      deliverWebhook({ key: `${eventId}:${endpointId}`, endpointId, event: { id: eventId, type: p.type, occurredAt: p.occurredAt, data: p.data }, resource: p.resource }),
    ),
  );
}
