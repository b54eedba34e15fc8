import { allHandlersFinished, condition, continueAsNew, defineQuery, defineSignal, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ConsentState } from '../domain/consent';
import { isTerminal, nextStep } from '../domain/consent-lifecycle';
import { SA } from '../platform/search-attributes';
import { consentEventToEvidence, consentLifecycleStep, local, sendConsentMessage } from './activities';
import { LOCAL_STEPS_PATCH, publish } from './publish';

// The whole message surface of a consent lifecycle.
/** A consent event was recorded (grant, renewal, confirmation, withdrawal…): a signal, because the API has already
 * written it and answered the caller; the lifecycle only has to react. */
export const consentRecordedSignal = defineSignal<[{ eventId: string }]>('consentRecorded');
/** The purpose's renewal policy changed: recompute this consent's term and reminders. */
export const policyChangedSignal = defineSignal<[{ policyVersion: number }]>('policyChanged');
export const lifecycleQuery = defineQuery<LifecycleView>('lifecycle');

export interface LifecycleInput {
  subjectId: string;
  purposeId: string;
  /** Carried over continue-as-new: the consent as last seen, events not yet handled, steps already done. */
  state?: ConsentState;
  inbox?: Inbox[];
  done?: string[];
}

export interface LifecycleView {
  state?: ConsentState;
  done: string[];
  next?: { kind: string; at: string };
}

type Inbox = { eventId: string } | { policyVersion: number };

/**
 * One durable process per subject × purpose. It records each consent event as evidence and tells subscribed
 * systems, sleeps until the renewal window opens, asks for renewal and reminds as the policy says, and expires the
 * consent if nobody renews it. A withdrawal ends it at once; re-consent later starts a new run. Each renewal
 * continues-as-new, so a consent kept for decades never grows a long history.
 */
export async function consentLifecycleWorkflow(input: LifecycleInput): Promise<LifecycleView> {
  const inbox: Inbox[] = [...(input.inbox ?? [])];
  const done = new Set(input.done ?? []);
  let state: ConsentState | undefined = input.state;

  setHandler(consentRecordedSignal, (message) => void inbox.push(message));
  setHandler(policyChangedSignal, (message) => void inbox.push(message));
  setHandler(lifecycleQuery, () => {
    const step = state && nextStep(state, done);
    return { state, done: [...done], ...(step && { next: { kind: step.kind, at: step.at } }) };
  });
  // Each change of a search attribute is a write to the server's visibility store: change only what differs from
  // what the run was started (or continued) with.
  setSearchAttributes([
    { key: SA.process, value: 'consent' },
    { key: SA.resourceId, value: input.subjectId },
  ]);

  const ids = { subjectId: input.subjectId, purposeId: input.purposeId };
  // The grant this run looks after; a renewal replaces it and the run continues as new.
  let runGrant = state?.grantEventId;
  for (;;) {
    while (inbox.length > 0) {
      const item = inbox.shift()!;
      if ('eventId' in item) {
        state = await announce(item.eventId);
      } else if (state?.status === 'active') {
        const applied = await consentLifecycleStep({ step: 'policy-applied', ...ids, grantEventId: state.grantEventId, policyVersion: item.policyVersion });
        state = applied.eventId ? await announce(applied.eventId) : (applied.state ?? state);
      }
    }
    if (!state) break; // started without an event: nothing to look after
    runGrant ??= state.grantEventId;
    setSearchAttributes([{ key: SA.status, value: state.status }]);
    if (isTerminal(state) && inbox.length === 0) break;
    if (isTerminal(state)) continue;
    // A renewal opened a new term: start it with a fresh history.
    if (state.grantEventId !== runGrant && state.status === 'active') {
      await condition(allHandlersFinished);
      if (inbox.length === 0) return continueAsNew<typeof consentLifecycleWorkflow>({ ...ids, state, done: [] });
      continue;
    }

    const step = nextStep(state, done);
    if (!step) {
      await condition(() => inbox.length > 0);
      continue;
    }
    if (await condition(() => inbox.length > 0, Math.max(1, Date.parse(step.at) - Date.now()))) continue;
    done.add(step.key);
    const grantEventId = state.grantEventId;
    if (step.kind === 'expiry' || step.kind === 'lapse') {
      const ended = await consentLifecycleStep({ step: step.kind === 'expiry' ? 'expired' : 'lapsed', ...ids, grantEventId });
      if (ended.eventId) inbox.push({ eventId: ended.eventId });
      else if (ended.state) state = ended.state;
    } else {
      const kind = step.kind === 'reminder' ? 'reminder' : step.kind;
      await sendConsentMessage({ kind, key: `${workflowInfo().workflowId}:${step.key}`, ...ids, grantEventId, n: step.n });
    }
  }
  await condition(allHandlersFinished);
  // A re-consent that arrived while this run was closing: hand it to a fresh run rather than drop it.
  if (inbox.length > 0) return continueAsNew<typeof consentLifecycleWorkflow>({ ...ids, state, inbox, done: [] });
  return { state, done: [...done] };

  /** Evidence first, then the subscribers: what other systems hear of is always already on record. */
  async function announce(eventId: string): Promise<ConsentState> {
    // Lifecycles that began before this step ran locally replay with the regular activity.
    const toEvidence = patched(LOCAL_STEPS_PATCH) ? local.consentEventToEvidence : consentEventToEvidence;
    const recorded = await toEvidence(eventId);
    await publish({
      step: eventId,
      type: `consent.${recorded.type}`,
      data: { subjectId: ids.subjectId, externalId: recorded.externalId ?? null, purposeId: ids.purposeId, eventId, status: recorded.state.status, expiresAt: recorded.state.schedule.expiresAt },
      occurredAt: recorded.at,
      purposeId: ids.purposeId,
      resource: { type: 'consent-event', id: eventId },
    });
    return recorded.state;
  }
}

function setSearchAttributes(pairs: { key: typeof SA.process; value: string }[]): void {
  const current = workflowInfo().typedSearchAttributes;
  const changed = pairs.filter(({ key, value }) => current.get(key) !== value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}
