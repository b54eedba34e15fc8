import { heartbeat, activityInfo } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { ConsentState } from '../domain/consent';
import { lifecycleWorkflowId } from '../domain/consent-lifecycle';
import { publicUrl } from '../platform/config';
import { LinkSigner } from '../platform/links';
import type { Keyring } from '../platform/keyring';
import { ConsentRecorder } from '../store/consent-recorder';
import { ConsentStore } from '../store/consents';
import { EvidenceStore } from '../store/evidence';
import { PurposeStore } from '../store/purposes';
import { SubjectStore } from '../store/subjects';
import type { ActivityDeps } from './deps';
import type { NotificationActivities } from './notifications';

/** How long links in consent e-mails stay valid. */
const LINK_LIFETIME_SECONDS = 30 * 24 * 3600;

export interface RecordedConsentEvent {
  eventId: string;
  type: string;
  at: string;
  externalId?: string;
  state: ConsentState;
}

export interface ConsentActivityDeps extends ActivityDeps {
  keyring: Keyring;
  /** A Temporal client, created on first use, for activities that signal other workflows. */
  temporal?: () => Promise<Client>;
}

export function consentActivities(deps: ConsentActivityDeps, notify: NotificationActivities) {
  const subjects = new SubjectStore(deps.db, deps.crypto);
  const purposes = new PurposeStore(deps.db);
  const consents = new ConsentStore(deps.db, deps.crypto);
  const evidence = EvidenceStore.shared(deps.db);
  const recorder = new ConsentRecorder(subjects, purposes, consents);
  const links = new LinkSigner(deps.keyring, publicUrl(deps.config));

  return {
    /**
     * Puts a recorded consent event into the evidence trail (once, whatever the retries) and stamps the event with
     * its place in the chain, which makes the consent receipt. Returns the consent's current state.
     */
    async consentEventToEvidence(eventId: string): Promise<RecordedConsentEvent> {
      const event = await consents.event(eventId);
      if (!event) throw new Error(`consent event ${eventId} does not exist`);
      const link = await evidence.append({
        key: `consent-event:${event.id}`,
        at: event.at,
        actor: event.actor,
        action: `consent.${event.type}`,
        resource: { type: 'consent', id: `${event.subjectId}:${event.purposeId}` },
        data: {
          eventId: event.id,
          subjectId: event.subjectId,
          purposeId: event.purposeId,
          cycle: event.cycle,
          consentType: event.consentType,
          lawfulBasis: event.lawfulBasis,
          noticeVersionId: event.noticeVersionId,
          noticeTextHash: event.noticeTextHash,
          method: event.method,
          source: event.source ?? null,
          proof: event.proof ?? null,
          expiresAt: event.expiresAt ? event.expiresAt.toISOString() : null,
        },
      });
      if (!event.evidence) await consents.attachEvidence(event.id, { seq: link.seq, hash: link.hash });
      const [state, subject] = await Promise.all([consents.state(event.subjectId, event.purposeId), subjects.get(event.subjectId)]);
      return { eventId: event.id, type: event.type, at: event.at.toISOString(), externalId: subject?.externalId, state: state! };
    },

    /** The lifecycle's timed steps: expiry, lapse of an unconfirmed request, a new policy. */
    async consentLifecycleStep(req: { step: 'expired' | 'lapsed' | 'policy-applied'; subjectId: string; purposeId: string; grantEventId: string; policyVersion?: number }): Promise<{ eventId?: string; state?: ConsentState; skipped?: string }> {
      const result = await recorder.lifecycleStep(req.step, req, new Date(), req.policyVersion);
      if ('skipped' in result) return { skipped: result.skipped, state: result.state };
      return { eventId: result.event.id, state: result.state };
    },

    /**
     * Sends the subject a confirmation request, renewal request or reminder — only while the consent is still in the
     * state that calls for it, so a withdrawal recorded a moment ago stops every later message.
     */
    async sendConsentMessage(req: { kind: 'confirmation' | 'renewal' | 'reminder'; key: string; subjectId: string; purposeId: string; grantEventId: string; n?: number }): Promise<{ sent: boolean; reason?: string }> {
      const state = await consents.state(req.subjectId, req.purposeId);
      const wanted = req.kind === 'confirmation' ? 'pending-confirmation' : 'active';
      if (!state || state.grantEventId !== req.grantEventId || state.status !== wanted) return { sent: false, reason: `consent is ${state?.status ?? 'absent'} now` };
      // After an outage the overdue steps run in a burst: never ask someone to act on a deadline already past.
      const deadline = req.kind === 'confirmation' ? state.confirmBy : state.schedule.expiresAt;
      if (deadline && Date.parse(deadline) <= Date.now()) return { sent: false, reason: `its deadline ${deadline} has passed` };
      const [subject, purpose] = await Promise.all([subjects.get(req.subjectId), purposes.get(req.purposeId)]);
      if (!subject?.email) return { sent: false, reason: 'the subject has no e-mail address' };
      const notice = await purposes.notice(state.noticeVersionId);
      const exp = Math.floor(Date.now() / 1000) + LINK_LIFETIME_SECONDS;
      const resource = { type: 'consent', id: `${req.subjectId}:${req.purposeId}` };
      const name = purpose?.name ?? req.purposeId;
      if (req.kind === 'confirmation') {
        const confirmBy = state.confirmBy ?? state.grantedAt;
        const confirmLink = links.url('/consent/confirm', { act: 'confirm', sub: req.subjectId, pur: [req.purposeId], ref: req.grantEventId, exp: Math.floor(Date.parse(confirmBy) / 1000) });
        await notify.sendEmail({ key: req.key, to: [subject.email], template: 'consent.confirmation', data: { purposeName: name, noticeText: notice?.text ?? '', confirmLink, confirmBy }, resource });
      } else {
        const preferencesLink = links.url('/preferences', { act: 'preferences', sub: req.subjectId, exp });
        const withdrawLink = links.url('/preferences/withdraw', { act: 'withdraw', sub: req.subjectId, pur: [req.purposeId], exp });
        const expiresAt = state.schedule.expiresAt ?? '';
        if (req.kind === 'renewal') {
          await notify.sendEmail({ key: req.key, to: [subject.email], template: 'consent.renewal', data: { purposeName: name, noticeText: notice?.text ?? '', preferencesLink, withdrawLink, expiresAt }, resource });
        } else {
          await notify.sendEmail({ key: req.key, to: [subject.email], template: 'consent.reminder', data: { purposeName: name, preferencesLink, withdrawLink, expiresAt, reminder: req.n ?? 1 }, resource });
        }
      }
      await evidence.append({
        key: `consent-message:${req.key}`,
        at: new Date(),
        actor: { id: 'system:consent-lifecycle', type: 'system' },
        action: `consent.${req.kind}-sent`,
        resource,
        data: { subjectId: req.subjectId, purposeId: req.purposeId, grantEventId: req.grantEventId, reminder: req.n ?? null },
      });
      return { sent: true };
    },

    /**
     * Tells every open lifecycle of a purpose that its policy changed. Resumable: progress (the last consent id
     * signalled) is heartbeated, so a retry after a crash continues where it stopped.
     */
    async signalPolicyChange(req: { purposeId: string; policyVersion: number }): Promise<{ signalled: number }> {
      if (!deps.temporal) throw new Error('this worker has no Temporal client for signalling');
      const client = await deps.temporal();
      const resumeAfter = (activityInfo().heartbeatDetails as { after?: string } | undefined)?.after;
      let signalled = 0;
      for await (const state of consents.findStates({ purposeId: req.purposeId, after: resumeAfter })) {
        if (state.status !== 'active') continue;
        try {
          await client.workflow.getHandle(lifecycleWorkflowId(state.subjectId, state.purposeId)).signal('policyChanged', { policyVersion: req.policyVersion });
          signalled += 1;
        } catch (err) {
          if ((err as Error).name !== 'WorkflowNotFoundError') throw err;
        }
        heartbeat({ after: `${state.subjectId}:${state.purposeId}` });
      }
      return { signalled };
    },
  };
}
