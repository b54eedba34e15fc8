import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { lifecycleWorkflowId } from '../domain/consent-lifecycle';
import { ConsentTransitionError } from '../domain/consent';
import { ConsentInputError, ConsentRecorder, type CaptureRequest, type Recorded } from '../store/consent-recorder';
import type { Purpose } from '../store/purposes';
import { consentLifecycleWorkflow, consentRecordedSignal } from '../workflows/consent';
import { SA } from '../platform/search-attributes';
import { problems } from './problem';

/**
 * Records a consent change and hands it to the subject × purpose lifecycle (starting one if none runs). The record is
 * written before the workflow hears of it, so "may we contact?" changes the moment the call returns — a withdrawal
 * stops contact immediately, whatever the lifecycle is doing.
 */
export async function captureConsent(app: FastifyInstance, request: CaptureRequest, preloaded: { purpose?: Purpose } = {}): Promise<Recorded> {
  const recorder = new ConsentRecorder(app.deps.stores.subjects, app.deps.stores.purposes, app.deps.stores.consents);
  let recorded: Recorded;
  try {
    recorded = await recorder.capture(request, preloaded);
  } catch (err) {
    if (err instanceof ConsentInputError) throw problems.invalid([{ field: `body.${err.field}`, message: err.message }]);
    if (err instanceof ConsentTransitionError) throw problems.conflict(err.message);
    throw err;
  }
  await notifyLifecycle(app, recorded.event.subjectId, recorded.event.purposeId, recorded.event.id, recorded.state.status);
  return recorded;
}

/** `status` is the consent's status after the event: the lifecycle's search attributes start with it. */
export async function notifyLifecycle(app: FastifyInstance, subjectId: string, purposeId: string, eventId: string, status: string): Promise<void> {
  await handToLifecycle(app.deps.temporal, app.deps.config.taskQueue, { subjectId, purposeId, eventId, status });
}

/**
 * Tells the subject × purpose lifecycle of a recorded event, starting the lifecycle if none runs. What the API does
 * after recording; the consent benchmark's baseline does exactly this through the Temporal client alone.
 */
export async function handToLifecycle(temporal: Client, taskQueue: string, recorded: { subjectId: string; purposeId: string; eventId: string; status: string }): Promise<void> {
  const { subjectId, purposeId, eventId, status } = recorded;
  await temporal.workflow.signalWithStart(consentLifecycleWorkflow, {
    workflowId: lifecycleWorkflowId(subjectId, purposeId),
    taskQueue,
    args: [{ subjectId, purposeId }],
    signal: consentRecordedSignal,
    signalArgs: [{ eventId }],
    // Set at start, so the lifecycle need not write them itself (each write costs the server a visibility update).
    typedSearchAttributes: [
      { key: SA.process, value: 'consent' },
      { key: SA.resourceId, value: subjectId },
      { key: SA.status, value: status },
    ],
  });
}
