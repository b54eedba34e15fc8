import type { ConsentSchedule } from '../../domain/consent-policy';
import {
  applyChange,
  CHANNELS,
  ConsentTransitionError,
  LAWFUL_BASES,
  mayContact,
  type Channel,
  type ConsentChange,
  type ConsentEventType,
  type ConsentState,
  type ConsentStatus,
  type LawfulBasis,
} from '../../domain/consent';

const ids = { subjectId: 'sub_alice', purposeId: 'pur_newsletter' };
const GRANTED_AT = '2026-01-10T09:00:00.000Z';
const ENDED_AT = '2026-02-01T12:00:00.000Z';
const CONFIRM_BY = '2026-01-17T09:00:00.000Z';
const AT = '2026-03-01T10:00:00.000Z';

const oldSchedule: ConsentSchedule = { expiresAt: '2027-02-10T09:00:00.000Z', renewalAt: '2027-01-10T09:00:00.000Z', reminderAts: ['2027-01-17T09:00:00.000Z'] };
const newSchedule: ConsentSchedule = { expiresAt: '2027-04-01T10:00:00.000Z', renewalAt: '2027-03-01T10:00:00.000Z', reminderAts: [] };

const EVENT_TYPES: readonly ConsentEventType[] = ['requested', 'confirmed', 'granted', 'renewed', 'withdrawn', 'expired', 'lapsed', 'policy-applied'];
const STATUSES: readonly ConsentStatus[] = ['pending-confirmation', 'active', 'withdrawn', 'expired', 'lapsed'];
type From = ConsentStatus | 'absent';

/** A state as the store would hold it, in cycle 3 unless told. */
function stateIn(status: ConsentStatus, cycle = 3): ConsentState {
  return {
    ...ids,
    status,
    cycle,
    consentType: 'express',
    grantEventId: 'evt_grant_prev',
    grantedAt: GRANTED_AT,
    noticeVersionId: 'ntc_v1',
    method: 'checkbox',
    schedule: oldSchedule,
    ...(status === 'pending-confirmation' && { confirmBy: CONFIRM_BY }),
    ...((status === 'withdrawn' || status === 'expired' || status === 'lapsed') && { endedAt: ENDED_AT }),
    lastEventId: 'evt_prev',
    updatedAt: ENDED_AT,
  };
}

const stateFrom = (from: From): ConsentState | undefined => (from === 'absent' ? undefined : stateIn(from));

/** A complete change of `type`: everything a grant-like event needs, so a refusal is about the state, not the input. */
function changeOf(type: ConsentEventType, overrides: Partial<ConsentChange> = {}): ConsentChange {
  return {
    type,
    eventId: `evt_${type}`,
    at: AT,
    consentType: 'implied-purchase',
    noticeVersionId: 'ntc_v2',
    method: 'form',
    schedule: newSchedule,
    ...(type === 'requested' && { confirmBy: '2026-03-08T10:00:00.000Z' }),
    ...overrides,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('applyChange: the transition table', () => {
  // [status after, cycle after] for an allowed transition from a state in cycle 3; null: refused.
  type Outcome = [ConsentStatus, number] | null;
  const TABLE: Record<From, Record<ConsentEventType, Outcome>> = {
    absent: {
      requested: ['pending-confirmation', 1],
      confirmed: null,
      granted: ['active', 1],
      renewed: null,
      withdrawn: null,
      expired: null,
      lapsed: null,
      'policy-applied': null,
    },
    'pending-confirmation': {
      requested: ['pending-confirmation', 3],
      confirmed: ['active', 3],
      granted: ['active', 3],
      renewed: null,
      withdrawn: ['withdrawn', 3],
      expired: null,
      lapsed: ['lapsed', 3],
      'policy-applied': null,
    },
    active: {
      requested: null,
      confirmed: null,
      granted: ['active', 3],
      renewed: ['active', 3],
      withdrawn: ['withdrawn', 3],
      expired: ['expired', 3],
      lapsed: null,
      'policy-applied': ['active', 3],
    },
    withdrawn: {
      requested: ['pending-confirmation', 4],
      confirmed: null,
      granted: ['active', 4],
      renewed: null,
      withdrawn: null,
      expired: null,
      lapsed: null,
      'policy-applied': null,
    },
    expired: {
      requested: ['pending-confirmation', 4],
      confirmed: null,
      granted: ['active', 4],
      renewed: null,
      withdrawn: null,
      expired: null,
      lapsed: null,
      'policy-applied': null,
    },
    lapsed: {
      requested: ['pending-confirmation', 4],
      confirmed: null,
      granted: ['active', 4],
      renewed: null,
      withdrawn: null,
      expired: null,
      lapsed: null,
      'policy-applied': null,
    },
  };
  const rows = (Object.keys(TABLE) as From[]).flatMap((from) => EVENT_TYPES.map((type) => [from, type, TABLE[from][type]] as const));

  it('covers every status (and no state) × every event type', () => {
    expect(rows).toHaveLength((STATUSES.length + 1) * EVENT_TYPES.length);
  });

  it.each(rows.filter(([, , outcome]) => outcome !== null))('%s + %s → %j', (from, type, outcome) => {
    const next = applyChange(deepFreeze(stateFrom(from)), ids, changeOf(type));
    expect([next.status, next.cycle]).toEqual(outcome);
    expect(next.lastEventId).toBe(`evt_${type}`);
    expect(next.updatedAt).toBe(AT);
    expect(next.subjectId).toBe(ids.subjectId);
    expect(next.purposeId).toBe(ids.purposeId);
  });

  it.each(rows.filter(([, , outcome]) => outcome === null))('%s + %s is refused', (from, type) => {
    expect(() => applyChange(deepFreeze(stateFrom(from)), ids, changeOf(type))).toThrow(ConsentTransitionError);
  });

  it.each<[From, ConsentEventType, string]>([
    ['absent', 'confirmed', 'nothing awaits confirmation (consent is absent)'],
    ['withdrawn', 'confirmed', 'nothing awaits confirmation (consent is withdrawn)'],
    ['absent', 'renewed', 'only an active consent can be renewed (it is absent)'],
    ['expired', 'renewed', 'only an active consent can be renewed (it is expired)'],
    ['lapsed', 'withdrawn', 'no consent to withdraw (it is lapsed)'],
    ['withdrawn', 'withdrawn', 'no consent to withdraw (it is withdrawn)'],
    ['pending-confirmation', 'expired', 'only an active consent expires (it is pending-confirmation)'],
    ['active', 'requested', 'consent is already active; renew it instead'],
    ['active', 'lapsed', 'only an unconfirmed request lapses'],
    ['pending-confirmation', 'policy-applied', 'a policy applies to an active consent'],
  ])('explains why %s + %s is refused', (from, type, message) => {
    expect(() => applyChange(stateFrom(from), ids, changeOf(type))).toThrow(message);
  });
});

describe('applyChange: what each transition records', () => {
  describe('events that start or restart validity need their notice, method, type and schedule', () => {
    const needy: [From, ConsentEventType][] = [
      ['absent', 'requested'],
      ['absent', 'granted'],
      ['pending-confirmation', 'granted'],
      ['active', 'granted'],
      ['active', 'renewed'],
      ['withdrawn', 'requested'],
      ['expired', 'granted'],
    ];
    const missing = ['noticeVersionId', 'method', 'schedule', 'consentType'] as const;
    it.each(needy.flatMap(([from, type]) => missing.map((field) => [from, type, field] as const)))('%s + %s without %s is refused', (from, type, field) => {
      const change = changeOf(type);
      delete change[field];
      expect(() => applyChange(stateFrom(from), ids, change)).toThrow(new ConsentTransitionError(`a ${type} event needs its notice, method, type and schedule`));
    });
  });

  it('a grant records the event, the notice, the method, the type and the schedule', () => {
    expect(applyChange(undefined, ids, changeOf('granted'))).toEqual({
      ...ids,
      status: 'active',
      cycle: 1,
      consentType: 'implied-purchase',
      grantEventId: 'evt_granted',
      grantedAt: AT,
      noticeVersionId: 'ntc_v2',
      method: 'form',
      schedule: newSchedule,
      lastEventId: 'evt_granted',
      updatedAt: AT,
    });
  });

  it('a request records its confirmation deadline', () => {
    const next = applyChange(undefined, ids, changeOf('requested'));
    expect(next).toMatchObject({ status: 'pending-confirmation', cycle: 1, confirmBy: '2026-03-08T10:00:00.000Z', grantEventId: 'evt_requested', schedule: newSchedule });
  });

  it('a new request while one is pending replaces its deadline and keeps the cycle', () => {
    const next = applyChange(stateIn('pending-confirmation', 2), ids, changeOf('requested', { confirmBy: '2026-03-15T10:00:00.000Z' }));
    expect(next).toMatchObject({ status: 'pending-confirmation', cycle: 2, confirmBy: '2026-03-15T10:00:00.000Z', grantEventId: 'evt_requested' });
  });

  it.each<ConsentEventType>(['granted', 'renewed'])('an active consent has no confirmation deadline, even if a %s event carries one', (type) => {
    expect(applyChange(stateIn('active'), ids, changeOf(type, { confirmBy: '2026-03-08T10:00:00.000Z' }))).not.toHaveProperty('confirmBy');
  });

  describe('confirmation (double opt-in)', () => {
    const pending = stateIn('pending-confirmation', 5);

    it('activates the request in the same cycle and clears the deadline', () => {
      const next = applyChange(deepFreeze(pending), ids, changeOf('confirmed'));
      expect(next).toEqual({
        ...ids,
        status: 'active',
        cycle: 5,
        consentType: 'express',
        grantEventId: 'evt_confirmed',
        grantedAt: AT,
        noticeVersionId: 'ntc_v1',
        method: 'checkbox',
        schedule: newSchedule,
        lastEventId: 'evt_confirmed',
        updatedAt: AT,
      });
      expect(next).not.toHaveProperty('confirmBy');
    });

    it('keeps the requested schedule when the confirmation brings none', () => {
      const { schedule: _none, ...bare } = changeOf('confirmed');
      expect(applyChange(pending, ids, bare).schedule).toEqual(oldSchedule);
    });

    it('keeps what the person was told at request time, whatever the confirmation carries', () => {
      const next = applyChange(pending, ids, changeOf('confirmed', { noticeVersionId: 'ntc_other', method: 'api', consentType: 'implied-inquiry' }));
      expect(next).toMatchObject({ noticeVersionId: 'ntc_v1', method: 'checkbox', consentType: 'express' });
    });
  });

  it.each<[ConsentStatus, ConsentEventType, ConsentStatus]>([
    ['active', 'withdrawn', 'withdrawn'],
    ['pending-confirmation', 'withdrawn', 'withdrawn'],
    ['active', 'expired', 'expired'],
    ['pending-confirmation', 'lapsed', 'lapsed'],
  ])('%s + %s ends the consent at the event time and keeps its record', (from, type, status) => {
    const before = stateIn(from);
    const next = applyChange(deepFreeze(before), ids, changeOf(type));
    expect(next).toEqual({ ...before, status, endedAt: AT, lastEventId: `evt_${type}`, updatedAt: AT });
  });

  it.each<ConsentStatus>(['withdrawn', 'expired', 'lapsed'])('a new grant after %s starts afresh: no end date, the new notice', (from) => {
    const next = applyChange(stateIn(from), ids, changeOf('granted'));
    expect(next).not.toHaveProperty('endedAt');
    expect(next).not.toHaveProperty('confirmBy');
    expect(next).toMatchObject({ status: 'active', cycle: 4, grantEventId: 'evt_granted', grantedAt: AT, noticeVersionId: 'ntc_v2', method: 'form', consentType: 'implied-purchase' });
  });

  it.each<ConsentEventType>(['renewed', 'granted'])('%s on an active consent restarts validity in the same cycle', (type) => {
    const next = applyChange(stateIn('active', 7), ids, changeOf(type));
    expect(next).toMatchObject({ status: 'active', cycle: 7, grantEventId: `evt_${type}`, grantedAt: AT, schedule: newSchedule, noticeVersionId: 'ntc_v2' });
  });

  it('policy-applied replaces the schedule and nothing else', () => {
    const before = stateIn('active');
    const next = applyChange(deepFreeze(before), ids, { type: 'policy-applied', eventId: 'evt_policy', at: AT, schedule: newSchedule });
    expect(next).toEqual({ ...before, schedule: newSchedule, lastEventId: 'evt_policy', updatedAt: AT });
  });

  it('policy-applied without a schedule is refused', () => {
    expect(() => applyChange(stateIn('active'), ids, { type: 'policy-applied', eventId: 'evt_policy', at: AT })).toThrow(ConsentTransitionError);
  });

  it('a refused change leaves the state untouched', () => {
    const before = stateIn('withdrawn');
    const copy = structuredClone(before);
    expect(() => applyChange(before, ids, changeOf('renewed'))).toThrow(ConsentTransitionError);
    expect(before).toEqual(copy);
  });
});

describe('applyChange: cycle numbering over a consent’s life', () => {
  const run = (steps: ConsentEventType[]): [ConsentStatus, number][] => {
    let state: ConsentState | undefined;
    return steps.map((type, n) => {
      state = applyChange(state, ids, changeOf(type, { eventId: `evt_${n}`, at: `2026-03-${String(n + 1).padStart(2, '0')}T10:00:00.000Z` }));
      return [state.status, state.cycle];
    });
  };

  it.each<[string, ConsentEventType[], [ConsentStatus, number][]]>([
    ['a first grant is cycle 1', ['granted'], [['active', 1]]],
    ['renewals keep the cycle', ['granted', 'renewed', 'renewed', 'granted'], [['active', 1], ['active', 1], ['active', 1], ['active', 1]]],
    ['double opt-in: request and confirmation share cycle 1', ['requested', 'confirmed'], [['pending-confirmation', 1], ['active', 1]]],
    ['double opt-in: a resent request stays in cycle 1', ['requested', 'requested', 'confirmed'], [['pending-confirmation', 1], ['pending-confirmation', 1], ['active', 1]]],
    ['a grant instead of the confirmation stays in the cycle', ['requested', 'granted'], [['pending-confirmation', 1], ['active', 1]]],
    ['re-grant after withdrawal: cycle 2', ['granted', 'withdrawn', 'granted'], [['active', 1], ['withdrawn', 1], ['active', 2]]],
    ['re-grant after expiry: cycle 2', ['granted', 'expired', 'granted'], [['active', 1], ['expired', 1], ['active', 2]]],
    ['re-request after lapse: cycle 2', ['requested', 'lapsed', 'requested', 'confirmed'], [['pending-confirmation', 1], ['lapsed', 1], ['pending-confirmation', 2], ['active', 2]]],
    ['re-grant after a withdrawn request: cycle 2', ['requested', 'withdrawn', 'granted'], [['pending-confirmation', 1], ['withdrawn', 1], ['active', 2]]],
    [
      'a long life',
      ['requested', 'confirmed', 'policy-applied', 'renewed', 'expired', 'requested', 'lapsed', 'granted', 'withdrawn', 'requested', 'confirmed'],
      [
        ['pending-confirmation', 1],
        ['active', 1],
        ['active', 1],
        ['active', 1],
        ['expired', 1],
        ['pending-confirmation', 2],
        ['lapsed', 2],
        ['active', 3],
        ['withdrawn', 3],
        ['pending-confirmation', 4],
        ['active', 4],
      ],
    ],
  ])('%s', (_what, steps, expected) => {
    expect(run(steps)).toEqual(expected);
  });
});

describe('mayContact', () => {
  const purpose = (lawfulBasis: LawfulBasis = 'consent', channels: readonly Channel[] = ['email', 'sms']) => ({ id: 'pur_newsletter', lawfulBasis, channels });
  const active = (expiresAt: string | null): ConsentState => ({ ...stateIn('active'), schedule: { expiresAt, renewalAt: null, reminderAts: [] } });
  const NOW = '2026-06-01T12:00:00.000Z';

  it.each(CHANNELS.filter((c) => c !== 'email'))('refuses the %s channel when the purpose covers only email, whatever the consent', (channel) => {
    for (const basis of LAWFUL_BASES) {
      expect(mayContact(purpose(basis, ['email']), active(null), channel, NOW)).toEqual({ allowed: false, reason: `purpose pur_newsletter does not cover the ${channel} channel` });
    }
  });

  it.each(CHANNELS)('allows the %s channel when the purpose covers it and consent is active', (channel) => {
    expect(mayContact(purpose('consent', CHANNELS), active(null), channel, NOW).allowed).toBe(true);
  });

  describe('another lawful basis than consent', () => {
    const others = LAWFUL_BASES.filter((b) => b !== 'consent');
    const noObjection: From[] = ['absent', 'pending-confirmation', 'active', 'expired', 'lapsed'];

    it('covers the five other bases', () => {
      expect([...others].sort()).toEqual(['contract', 'legal-obligation', 'legitimate-interests', 'public-task', 'vital-interests']);
    });

    it.each(others.flatMap((basis) => noObjection.map((from) => [basis, from] as const)))('%s, consent %s: allowed', (basis, from) => {
      expect(mayContact(purpose(basis), stateFrom(from), 'email', NOW)).toEqual({ allowed: true, reason: `lawful basis is ${basis}; no objection recorded` });
    });

    it.each(others)('%s, but the person objected: refused, with the date', (basis) => {
      expect(mayContact(purpose(basis), stateIn('withdrawn'), 'email', NOW)).toEqual({ allowed: false, reason: `the person objected on ${ENDED_AT}` });
    });
  });

  describe('consent as the lawful basis', () => {
    it.each<[From, string]>([
      ['absent', 'no consent recorded'],
      ['pending-confirmation', 'consent awaits confirmation (double opt-in)'],
      ['withdrawn', `consent withdrawn on ${ENDED_AT}`],
      ['expired', `consent expired on ${ENDED_AT}`],
      ['lapsed', `consent request was never confirmed (lapsed on ${ENDED_AT})`],
    ])('refuses when consent is %s: %s', (from, reason) => {
      expect(mayContact(purpose(), stateFrom(from), 'email', NOW)).toEqual({ allowed: false, reason });
    });

    it('allows an active consent without expiry, even decades later', () => {
      expect(mayContact(purpose(), active(null), 'email', '2099-12-31T23:59:59.999Z')).toEqual({ allowed: true, reason: `consent given on ${GRANTED_AT}, valid until withdrawn` });
    });

    const EXPIRES = '2027-02-10T09:00:00.000Z';
    it.each<[string, string, boolean]>([
      ['long before expiry', NOW, true],
      ['a millisecond before expiry', '2027-02-10T08:59:59.999Z', true],
      ['at the instant of expiry', EXPIRES, false],
      ['a millisecond after expiry', '2027-02-10T09:00:00.001Z', false],
      ['long after expiry', '2030-01-01T00:00:00.000Z', false],
      ['a second before expiry, written without milliseconds', '2027-02-10T08:59:59Z', true],
      ['at expiry, written without milliseconds', '2027-02-10T09:00:00Z', false],
      ['a second before expiry, written in Paris time', '2027-02-10T09:59:59+01:00', true],
      ['at expiry, written in Paris time', '2027-02-10T10:00:00+01:00', false],
      ['after expiry, written in New York time (earlier on the clock, later in time)', '2027-02-10T04:00:01-05:00', false],
    ])('an active consent expiring %s: %s → allowed %s', (_when, now, allowed) => {
      const answer = mayContact(purpose(), active(EXPIRES), 'email', now);
      expect(answer).toEqual(
        allowed
          ? { allowed: true, reason: `consent given on ${GRANTED_AT}, valid until ${EXPIRES}` }
          : { allowed: false, reason: `consent expired on ${EXPIRES}` },
      );
    });

    it('compares instants: half a second of validity left is still validity', () => {
      // As strings, "…T10:00:00Z" sorts after "…T10:00:00.500Z"; as instants it is half a second earlier.
      expect(mayContact(purpose(), active('2027-02-10T10:00:00.500Z'), 'email', '2027-02-10T10:00:00Z').allowed).toBe(true);
    });

    it.each(['', 'now', '2027-13-01T00:00:00Z'])('fails closed on an unreadable clock (%j) when the consent has an expiry', (now) => {
      expect(mayContact(purpose(), active(EXPIRES), 'email', now).allowed).toBe(false);
    });
  });
});
