import type { ConsentSchedule, ConsentType } from './consent-policy';

/**
 * A subject's consent to one purpose, as a state machine over consent events. Every event is kept (the consent
 * record); the state is what the latest events add up to, and what "may we contact this person?" is answered from.
 */
export type ConsentStatus = 'pending-confirmation' | 'active' | 'withdrawn' | 'expired' | 'lapsed';
export type ConsentEventType = 'requested' | 'confirmed' | 'granted' | 'renewed' | 'withdrawn' | 'expired' | 'lapsed' | 'policy-applied';
export type CaptureMethod = 'form' | 'checkbox' | 'preference-centre' | 'api' | 'import';
export type LawfulBasis = 'consent' | 'contract' | 'legal-obligation' | 'vital-interests' | 'public-task' | 'legitimate-interests';
export type Channel = 'email' | 'sms' | 'phone' | 'post' | 'push' | 'profiling' | 'third-party-sharing' | 'cookies';

export const CHANNELS: readonly Channel[] = ['email', 'sms', 'phone', 'post', 'push', 'profiling', 'third-party-sharing', 'cookies'];
export const LAWFUL_BASES: readonly LawfulBasis[] = ['consent', 'contract', 'legal-obligation', 'vital-interests', 'public-task', 'legitimate-interests'];

export interface ConsentState {
  subjectId: string;
  purposeId: string;
  status: ConsentStatus;
  /** Counts grants: a re-consent after withdrawal or expiry starts cycle n+1. */
  cycle: number;
  consentType: ConsentType;
  /** The event that started the current cycle's validity (the grant or the last renewal). */
  grantEventId: string;
  grantedAt: string;
  noticeVersionId: string;
  method: CaptureMethod;
  schedule: ConsentSchedule;
  /** Double opt-in: when an unconfirmed request lapses. */
  confirmBy?: string;
  endedAt?: string;
  lastEventId: string;
  updatedAt: string;
}

export interface ConsentChange {
  type: Exclude<ConsentEventType, 'policy-applied'> | 'policy-applied';
  eventId: string;
  at: string;
  consentType?: ConsentType;
  noticeVersionId?: string;
  method?: CaptureMethod;
  schedule?: ConsentSchedule;
  confirmBy?: string;
}

export class ConsentTransitionError extends Error {}

/** The state after `change`; throws when the change makes no sense in the current state. */
export function applyChange(state: ConsentState | undefined, ids: { subjectId: string; purposeId: string }, change: ConsentChange): ConsentState {
  const base = { lastEventId: change.eventId, updatedAt: change.at };
  const fresh = (status: ConsentStatus, cycle: number): ConsentState => {
    if (!change.noticeVersionId || !change.method || !change.schedule || !change.consentType) throw new ConsentTransitionError(`a ${change.type} event needs its notice, method, type and schedule`);
    return {
      ...ids,
      status,
      cycle,
      consentType: change.consentType,
      grantEventId: change.eventId,
      grantedAt: change.at,
      noticeVersionId: change.noticeVersionId,
      method: change.method,
      schedule: change.schedule,
      // Only an unconfirmed request has a confirmation deadline.
      ...(status === 'pending-confirmation' && change.confirmBy && { confirmBy: change.confirmBy }),
      ...base,
    };
  };
  const open = state?.status === 'active' || state?.status === 'pending-confirmation';
  switch (change.type) {
    case 'requested':
      if (state?.status === 'active') throw new ConsentTransitionError('consent is already active; renew it instead');
      // A new request while one awaits confirmation replaces it: no grant happened, so the cycle stays.
      if (state?.status === 'pending-confirmation') return fresh('pending-confirmation', state.cycle);
      return fresh('pending-confirmation', (state?.cycle ?? 0) + 1);
    case 'granted':
      // A grant while active is a renewal of the same cycle; otherwise it opens a new cycle.
      if (state?.status === 'active') return { ...fresh('active', state.cycle), grantedAt: change.at };
      if (state?.status === 'pending-confirmation') return fresh('active', state.cycle);
      return fresh('active', (state?.cycle ?? 0) + 1);
    case 'renewed':
      if (state?.status !== 'active') throw new ConsentTransitionError(`only an active consent can be renewed (it is ${state?.status ?? 'absent'})`);
      return fresh('active', state.cycle);
    case 'confirmed': {
      if (state?.status !== 'pending-confirmation') throw new ConsentTransitionError(`nothing awaits confirmation (consent is ${state?.status ?? 'absent'})`);
      // Drop the deadline rather than set it to undefined (which a store would keep as null).
      const { confirmBy: _confirmed, ...rest } = state;
      return { ...rest, status: 'active', grantEventId: change.eventId, grantedAt: change.at, schedule: change.schedule ?? state.schedule, ...base };
    }
    case 'withdrawn':
      if (!open) throw new ConsentTransitionError(`no consent to withdraw (it is ${state?.status ?? 'absent'})`);
      return { ...state!, status: 'withdrawn', endedAt: change.at, ...base };
    case 'expired':
      if (state?.status !== 'active') throw new ConsentTransitionError(`only an active consent expires (it is ${state?.status ?? 'absent'})`);
      return { ...state, status: 'expired', endedAt: change.at, ...base };
    case 'lapsed':
      if (state?.status !== 'pending-confirmation') throw new ConsentTransitionError('only an unconfirmed request lapses');
      return { ...state, status: 'lapsed', endedAt: change.at, ...base };
    case 'policy-applied':
      if (state?.status !== 'active' || !change.schedule) throw new ConsentTransitionError('a policy applies to an active consent');
      return { ...state, schedule: change.schedule, ...base };
  }
}

export interface ContactAnswer {
  allowed: boolean;
  reason: string;
}

/**
 * "May we contact this person for this purpose on this channel now?" — asked before every send, so it is a pure
 * function of the stored state. An active consent past its expiry is already refused, even if the lifecycle has not
 * yet recorded the expiry.
 */
export function mayContact(
  purpose: { id: string; lawfulBasis: LawfulBasis; channels: readonly Channel[] },
  state: ConsentState | undefined,
  channel: Channel,
  now: string,
): ContactAnswer {
  if (!purpose.channels.includes(channel)) return { allowed: false, reason: `purpose ${purpose.id} does not cover the ${channel} channel` };
  if (purpose.lawfulBasis !== 'consent') {
    // Another lawful basis does not need consent, but an objection (recorded as a withdrawal) must be honoured.
    if (state?.status === 'withdrawn') return { allowed: false, reason: `the person objected on ${state.endedAt}` };
    return { allowed: true, reason: `lawful basis is ${purpose.lawfulBasis}; no objection recorded` };
  }
  if (!state) return { allowed: false, reason: 'no consent recorded' };
  switch (state.status) {
    case 'pending-confirmation':
      return { allowed: false, reason: 'consent awaits confirmation (double opt-in)' };
    case 'withdrawn':
      return { allowed: false, reason: `consent withdrawn on ${state.endedAt}` };
    case 'expired':
      return { allowed: false, reason: `consent expired on ${state.endedAt}` };
    case 'lapsed':
      return { allowed: false, reason: `consent request was never confirmed (lapsed on ${state.endedAt})` };
    case 'active':
      // Compare instants, not strings: `2026-02-28T10:00:00Z` sorts after `2026-02-28T10:00:00.500Z` and an offset
      // (`+01:00`) breaks string order entirely. Unreadable times fail closed.
      if (state.schedule.expiresAt && !(Date.parse(now) < Date.parse(state.schedule.expiresAt))) return { allowed: false, reason: `consent expired on ${state.schedule.expiresAt}` };
      return { allowed: true, reason: state.schedule.expiresAt ? `consent given on ${state.grantedAt}, valid until ${state.schedule.expiresAt}` : `consent given on ${state.grantedAt}, valid until withdrawn` };
  }
}
