import { createHash, randomUUID } from 'node:crypto';
import { DateTime, Duration } from 'luxon';
import { applyChange, ConsentTransitionError, type CaptureMethod, type ConsentChange, type ConsentEventType, type ConsentState } from '../domain/consent';
import { resolvePolicy, scheduleFor, type ConsentSchedule, type ConsentType } from '../domain/consent-policy';
import type { Actor } from '../domain/evidence';
import type { ConsentEvent, ConsentStore } from './consents';
import type { Purpose, PurposeStore } from './purposes';
import type { Subject, SubjectStore } from './subjects';

/**
 * Turns a request to change a consent (grant, double opt-in request or confirmation, withdrawal) or a lifecycle
 * step (expiry, lapse, a new policy) into a consent event with everything needed to prove it later, and records it.
 * Used by the API (people and systems acting) and by activities (the lifecycle acting), so both follow one set of rules.
 */
export class ConsentInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CaptureRequest {
  subjectId: string;
  purposeId: string;
  action: 'grant' | 'request' | 'confirm' | 'withdraw';
  method: CaptureMethod;
  actor: Actor;
  at: Date;
  /** Makes the call idempotent: the same key names the same event. */
  idempotencyKey?: string;
  noticeVersionId?: string;
  consentType?: ConsentType;
  source?: ConsentEvent['source'];
  proof?: ConsentEvent['proof'];
  ipAddress?: string;
  userAgent?: string;
}

/** The id of the event an idempotent capture records: the same subject, purpose, action and key give the same id. */
export function eventIdFor(subjectId: string, purposeId: string, action: CaptureRequest['action'], idempotencyKey: string): string {
  return `cev_${createHash('sha256').update(`${subjectId}\u0000${purposeId}\u0000${action}\u0000${idempotencyKey}`).digest('base64url').slice(0, 24)}`;
}

export interface Recorded {
  event: ConsentEvent;
  state: ConsentState;
  duplicate: boolean;
}

export class ConsentRecorder {
  constructor(
    private readonly subjects: SubjectStore,
    private readonly purposes: PurposeStore,
    private readonly consents: ConsentStore,
  ) {}

  /** `purpose` may be passed when the caller has just read it. */
  async capture(request: CaptureRequest, preloaded: { purpose?: Purpose } = {}): Promise<Recorded> {
    const { subject, purpose } = await this.load(request.subjectId, request.purposeId, preloaded.purpose);
    const current = await this.consents.state(subject.id, purpose.id);
    const eventId = request.idempotencyKey ? eventIdFor(subject.id, purpose.id, request.action, request.idempotencyKey) : `cev_${randomUUID().replace(/-/g, '')}`;
    const at = request.at.toISOString();

    if (request.action === 'withdraw') {
      if (!current) throw new ConsentTransitionError('no consent to withdraw');
      return this.write(request, subject, purpose, current, { type: 'withdrawn', eventId, at }, current.noticeVersionId, current.consentType);
    }
    if (request.action === 'confirm') {
      if (current?.status !== 'pending-confirmation') throw new ConsentTransitionError(`nothing awaits confirmation (consent is ${current?.status ?? 'absent'})`);
      const schedule = this.schedule(purpose, subject, current.consentType, at);
      return this.write(request, subject, purpose, current, { type: 'confirmed', eventId, at, schedule }, current.noticeVersionId, current.consentType);
    }

    if (request.method !== 'import' && request.method !== 'api' && !request.proof) {
      throw new ConsentInputError('proof', 'a consent needs proof of an affirmative act (what the person ticked or clicked)');
    }
    if (request.proof && request.proof.preTicked !== false) throw new ConsentInputError('proof.preTicked', 'a pre-ticked box is not consent');
    const noticeVersionId = request.noticeVersionId ?? purpose.currentNoticeVersionId;
    if (!noticeVersionId) throw new ConsentInputError('noticeVersionId', `purpose ${purpose.id} has no notice yet: publish the text people are shown first`);
    const notice = await this.purposes.notice(noticeVersionId);
    if (!notice || notice.purposeId !== purpose.id) throw new ConsentInputError('noticeVersionId', `${noticeVersionId} is not a notice of purpose ${purpose.id}`);
    const consentType = request.consentType ?? 'express';
    const schedule = this.schedule(purpose, subject, consentType, at);

    // An active consent's address is already confirmed: asking again renews it rather than starting a new opt-in.
    if (request.action === 'request' && current?.status !== 'active') {
      const confirmBy = DateTime.fromISO(at, { zone: 'utc' }).plus(Duration.fromISO(purpose.doubleOptIn.confirmWithin)).toISO() as string;
      return this.write(request, subject, purpose, current, { type: 'requested', eventId, at, consentType, noticeVersionId, method: request.method, schedule, confirmBy }, noticeVersionId, consentType);
    }
    const type: ConsentEventType = current?.status === 'active' ? 'renewed' : 'granted';
    return this.write(request, subject, purpose, current, { type, eventId, at, consentType, noticeVersionId, method: request.method, schedule }, noticeVersionId, consentType);
  }

  /** The lifecycle's own steps; each is keyed by the grant it ends, so a retried activity changes nothing twice. */
  async lifecycleStep(step: 'expired' | 'lapsed' | 'policy-applied', ids: { subjectId: string; purposeId: string; grantEventId: string }, at: Date, policyVersion?: number): Promise<Recorded | { skipped: string; state?: ConsentState }> {
    const { subject, purpose } = await this.load(ids.subjectId, ids.purposeId);
    const current = await this.consents.state(subject.id, purpose.id);
    const eventId = step === 'policy-applied' ? `${ids.grantEventId}:policy-${policyVersion}` : `${ids.grantEventId}:${step}`;
    const existing = await this.consents.event(eventId);
    if (existing) return { event: existing, state: current!, duplicate: true };
    if (!current || current.grantEventId !== ids.grantEventId) return { skipped: 'a later grant superseded this one', state: current };
    const iso = at.toISOString();
    const actor: Actor = { id: 'system:consent-lifecycle', type: 'system' };
    const base = { subjectId: subject.id, purposeId: purpose.id, action: 'grant' as const, method: current.method, actor, at, idempotencyKey: eventId };
    if (step === 'expired') {
      if (current.status !== 'active') return { skipped: `consent is ${current.status}`, state: current };
      if (!current.schedule.expiresAt || current.schedule.expiresAt > iso) return { skipped: 'not due yet', state: current };
      return this.write(base, subject, purpose, current, { type: 'expired', eventId, at: iso }, current.noticeVersionId, current.consentType);
    }
    if (step === 'lapsed') {
      if (current.status !== 'pending-confirmation') return { skipped: `consent is ${current.status}`, state: current };
      return this.write(base, subject, purpose, current, { type: 'lapsed', eventId, at: iso }, current.noticeVersionId, current.consentType);
    }
    if (current.status !== 'active') return { skipped: `consent is ${current.status}`, state: current };
    // The consent keeps its grant time; its term and reminders follow the new policy.
    const schedule = this.schedule(purpose, subject, current.consentType, current.grantedAt);
    return this.write(base, subject, purpose, current, { type: 'policy-applied', eventId, at: iso, schedule }, current.noticeVersionId, current.consentType);
  }

  private schedule(purpose: Purpose, subject: Subject, type: ConsentType, at: string): ConsentSchedule {
    const policy = resolvePolicy(purpose.policies, { country: subject.country, region: subject.region }, type);
    // With no policy for the place and type, the consent lasts until withdrawn (GDPR sets no fixed term).
    return policy ? scheduleFor(at, policy) : { expiresAt: null, renewalAt: null, reminderAts: [] };
  }

  private async load(subjectId: string, purposeId: string, known?: Purpose): Promise<{ subject: Subject; purpose: Purpose }> {
    const [subject, purpose] = await Promise.all([this.subjects.get(subjectId), known?.id === purposeId ? known : this.purposes.get(purposeId)]);
    if (!subject) throw new ConsentInputError('subjectId', `subject ${subjectId} does not exist`);
    if (!purpose) throw new ConsentInputError('purposeId', `purpose ${purposeId} does not exist`);
    return { subject, purpose };
  }

  private async write(
    request: Pick<CaptureRequest, 'method' | 'actor' | 'at' | 'source' | 'proof' | 'ipAddress' | 'userAgent' | 'idempotencyKey'>,
    subject: Subject,
    purpose: Purpose,
    current: ConsentState | undefined,
    change: ConsentChange,
    noticeVersionId: string,
    consentType: ConsentType,
  ): Promise<Recorded> {
    const notice = await this.purposes.notice(noticeVersionId); // cached: notices never change
    const schedule = change.schedule ?? current?.schedule;
    const { cycle } = applyChange(current, { subjectId: subject.id, purposeId: purpose.id }, change);
    const event: ConsentEvent = {
      id: change.eventId,
      subjectId: subject.id,
      purposeId: purpose.id,
      type: change.type,
      at: request.at,
      cycle,
      consentType,
      lawfulBasis: purpose.lawfulBasis,
      noticeVersionId,
      noticeTextHash: notice?.textHash ?? '',
      method: request.method,
      ...(request.source && { source: request.source }),
      actor: request.actor,
      ...(request.proof && { proof: request.proof }),
      ...(request.ipAddress && { ipAddress: request.ipAddress }),
      ...(request.userAgent && { userAgent: request.userAgent }),
      expiresAt: schedule?.expiresAt ? new Date(schedule.expiresAt) : null,
    };
    // Without an idempotency key the event id was drawn at random just now, so it cannot exist yet.
    return this.consents.record(event, change, { current: current ?? null, newId: request.idempotencyKey === undefined });
  }
}
