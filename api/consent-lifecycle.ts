import type { FastifyInstance } from 'fastify';
import { lifecycleWorkflowId } from '../domain/consent-lifecycle';
import { ConsentTransitionError } from '../domain/consent';
import { ConsentInputError, ConsentRecorder, type CaptureRequest, type Recorded } from '../store/consent-recorder';
import type { Purpose } from '../store/purposes';
import { consentLifecycleWorkflow, consentRecordedSignal } from '../workflows/consent';
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
  await notifyLifecycle(app, recorded.event.subjectId, recorded.event.purposeId, recorded.event.id);
  return recorded;
}

export async function notifyLifecycle(app: FastifyInstance, subjectId: string, purposeId: string, eventId: string): Promise<void> {
  await app.deps.temporal.workflow.signalWithStart(consentLifecycleWorkflow, {
    workflowId: lifecycleWorkflowId(subjectId, purposeId),
    taskQueue: app.deps.config.taskQueue,
    args: [{ subjectId, purposeId }],
    signal: consentRecordedSignal,
    signalArgs: [{ eventId }],
  });
}
