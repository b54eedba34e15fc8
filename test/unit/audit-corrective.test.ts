import {
  DEFAULT_POLICY,
  addRun,
  applyEvidence,
  applyNotice,
  applyRiskAcceptance,
  applyVerification,
  dueAt,
  isOverdue,
  isTerminal,
  nextNotice,
  openAction,
  refuseEvidence,
  refuseRiskAcceptance,
  refuseRun,
  refuseVerification,
  reminderTimes,
  type CorrectiveAction,
  type CorrectiveActionPolicy,
  type Notice,
} from '../../domain/audit/corrective';
import { SEVERITIES, type Severity } from '../../domain/audit/types';

const OPENED = '2026-03-02T09:00:00.000Z';
const OWNER = 'prn_owner';
const DELEGATE = 'prn_delegate';
const VERIFIER = 'prn_verifier';
const APPROVER = 'prn_ciso';

/** Frozen all the way down: any function that changes its input instead of copying it throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

const policyWith = (over: Partial<CorrectiveActionPolicy> = {}): CorrectiveActionPolicy => ({ ...DEFAULT_POLICY, ...over });
const sameDueIn = (value: string): Record<Severity, string> => ({ critical: value, high: value, medium: value, low: value, info: value });

function open(over: { severity?: Severity; openedAt?: string } = {}, policy = DEFAULT_POLICY): CorrectiveAction {
  return frozen(
    openAction(
      { id: 'ca_1', check: 'data-accuracy', rule: 'phone-invalid', severity: over.severity ?? 'high', owner: OWNER, openedBy: 'prn_auditor', openedAt: over.openedAt ?? OPENED, run: { runId: 'run_1', findingCount: 12 } },
      policy,
    ),
  );
}

const AT = '2026-03-10T12:00:00.000Z';
const submitted = (by = OWNER) => frozen(applyEvidence(open(), { by, note: 'Numbers corrected from the CRM export' }, AT));
const closed = () => frozen(applyVerification(submitted(), { by: VERIFIER, outcome: 'verified', note: 'Sampled 12 records' }, AT));
const accepted = () => frozen(applyRiskAcceptance(open(), { by: OWNER, approver: APPROVER, reason: 'Legacy records, deleted next quarter' }, AT));

describe('opening a corrective action', () => {
  it('starts open, with its first run, no evidence and nothing sent', () => {
    expect(open()).toEqual({
      id: 'ca_1',
      check: 'data-accuracy',
      rule: 'phone-invalid',
      severity: 'high',
      owner: OWNER,
      openedBy: 'prn_auditor',
      openedAt: OPENED,
      dueAt: '2026-04-01T09:00:00.000Z',
      status: 'open',
      runs: [{ runId: 'run_1', findingCount: 12 }],
      evidence: [],
      remindersSent: 0,
      escalationsSent: 0,
    });
    expect(isTerminal(open())).toBe(false);
  });

  it('has the documented default policy', () => {
    expect(DEFAULT_POLICY).toEqual({
      dueIn: { critical: 'P7D', high: 'P30D', medium: 'P60D', low: 'P90D', info: 'P180D' },
      reminderLeads: ['P7D', 'P1D'],
      escalateEvery: 'P7D',
      maxEscalations: 4,
    });
    expect(Object.keys(DEFAULT_POLICY.dueIn).sort()).toEqual([...SEVERITIES].sort());
  });
});

describe('dueAt', () => {
  it.each([
    ['critical', '2026-03-09T09:00:00.000Z'],
    ['high', '2026-04-01T09:00:00.000Z'],
    ['medium', '2026-05-01T09:00:00.000Z'],
    ['low', '2026-05-31T09:00:00.000Z'],
    ['info', '2026-08-29T09:00:00.000Z'],
  ] as Array<[Severity, string]>)('gives a %s finding until %s by default', (severity, due) => {
    expect(dueAt(OPENED, severity, DEFAULT_POLICY)).toBe(due);
  });

  it.each([
    ['a month from 31 January ends on the last day of February', '2026-01-31T10:00:00.000Z', 'P1M', '2026-02-28T10:00:00.000Z'],
    ['a month from 31 January of a leap year ends on 29 February', '2028-01-31T10:00:00.000Z', 'P1M', '2028-02-29T10:00:00.000Z'],
    ['a month from 31 March ends on 30 April', '2026-03-31T10:00:00.000Z', 'P1M', '2026-04-30T10:00:00.000Z'],
    ['a year from 29 February ends on 28 February', '2028-02-29T12:00:00.000Z', 'P1Y', '2029-02-28T12:00:00.000Z'],
    ['four years from 29 February end on 29 February', '2028-02-29T12:00:00.000Z', 'P4Y', '2032-02-29T12:00:00.000Z'],
    ['30 days from 31 January cross February', '2026-01-31T10:00:00.000Z', 'P30D', '2026-03-02T10:00:00.000Z'],
    ['a day across the European spring change is 24 hours', '2026-03-28T12:00:00+01:00', 'P1D', '2026-03-29T11:00:00.000Z'],
    ['a week across the European spring change is 168 hours', '2026-03-25T12:00:00.000Z', 'P7D', '2026-04-01T12:00:00.000Z'],
    ['a day across the US autumn change is 24 hours', '2026-10-31T12:00:00-04:00', 'P1D', '2026-11-01T16:00:00.000Z'],
    ['a month ending after the autumn change keeps the UTC clock time', '2026-10-15T23:30:00.000Z', 'P1M', '2026-11-15T23:30:00.000Z'],
    ['seconds, for tests', OPENED, 'PT10S', '2026-03-02T09:00:10.000Z'],
  ])('%s', (_label, openedAt, dueIn, due) => {
    expect(dueAt(openedAt, 'medium', policyWith({ dueIn: sameDueIn(dueIn) }))).toBe(due);
  });

  it.each([
    ['an unreadable opening', 'yesterday', DEFAULT_POLICY],
    ['a zero duration', OPENED, policyWith({ dueIn: sameDueIn('P0D') })],
    ['an unreadable duration', OPENED, policyWith({ dueIn: sameDueIn('30 days') })],
    ['a duration that runs backwards', OPENED, policyWith({ dueIn: sameDueIn('P1M-29D') })],
  ])('throws a RangeError for %s', (_label, openedAt, policy) => {
    expect(() => dueAt(openedAt, 'medium', policy)).toThrow(RangeError);
  });
});

describe('reminderTimes', () => {
  it('reminds a week and a day before the deadline by default', () => {
    expect(reminderTimes(open(), DEFAULT_POLICY)).toEqual(['2026-03-25T09:00:00.000Z', '2026-03-31T09:00:00.000Z']);
  });

  it.each([
    ['drops a lead as long as the whole period (it would remind at the opening)', 'critical', ['P7D', 'P1D'], ['2026-03-08T09:00:00.000Z']],
    ['drops a lead longer than the whole period', 'high', ['P60D', 'P1D'], ['2026-03-31T09:00:00.000Z']],
    ['keeps a lead a millisecond shorter than the period', 'critical', ['P6DT23H59M59.999S'], ['2026-03-02T09:00:00.001Z']],
    ['removes repeats of the same instant', 'high', ['P1D', 'PT24H', 'P7D', 'P1W'], ['2026-03-25T09:00:00.000Z', '2026-03-31T09:00:00.000Z']],
    ['sorts whatever the order of the leads', 'high', ['PT1H', 'P14D', 'P1D'], ['2026-03-18T09:00:00.000Z', '2026-03-31T09:00:00.000Z', '2026-04-01T08:00:00.000Z']],
    ['sends none without leads', 'high', [], []],
  ] as Array<[string, Severity, string[], string[]]>)('%s', (_label, severity, reminderLeads, times) => {
    const policy = policyWith({ reminderLeads });
    expect(reminderTimes(open({ severity }, policy), policy)).toEqual(times);
  });

  it('counts calendar leads back from the deadline', () => {
    const policy = policyWith({ dueIn: sameDueIn('P2M'), reminderLeads: ['P1M'] });
    // Due 31 March; a month earlier is the last day of February.
    expect(reminderTimes(open({ openedAt: '2026-01-31T10:00:00.000Z' }, policy), policy)).toEqual(['2026-02-28T10:00:00.000Z']);
  });

  it('works with short policies for tests', () => {
    const policy = policyWith({ dueIn: sameDueIn('PT60S'), reminderLeads: ['PT10S', 'PT30S'] });
    expect(reminderTimes(open({}, policy), policy)).toEqual(['2026-03-02T09:00:30.000Z', '2026-03-02T09:00:50.000Z']);
  });

  it('throws a RangeError for an unusable lead', () => {
    expect(() => reminderTimes(open(), policyWith({ reminderLeads: ['P1D', 'a day'] }))).toThrow(/reminderLeads\[1\]/);
  });
});

describe('nextNotice', () => {
  // Due at 09:01:40; reminders at 09:00:50 and 09:01:30; escalations at 09:01:40, 09:02:00 and 09:02:20.
  const POLICY: CorrectiveActionPolicy = { dueIn: sameDueIn('PT100S'), reminderLeads: ['PT50S', 'PT10S'], escalateEvery: 'PT20S', maxEscalations: 3 };
  const t = (time: string) => `2026-03-02T${time}Z`;
  const action = (remindersSent: number, escalationsSent: number) => frozen({ ...open({}, POLICY), remindersSent, escalationsSent });
  const reminder = (index: number, time: string): Notice => ({ kind: 'reminder', index, at: t(time) });
  const escalation = (index: number, time: string): Notice => ({ kind: 'escalation', index, at: t(time) });

  it.each([
    [0, 0, '09:00:00.000', reminder(0, '09:00:50.000')],
    [0, 0, '09:00:49.999', reminder(0, '09:00:50.000')],
    [0, 0, '09:00:50.000', reminder(0, '09:00:50.000')],
    [0, 0, '09:01:29.999', reminder(0, '09:00:50.000')],
    [0, 0, '09:01:30.000', reminder(1, '09:01:30.000')],
    [1, 0, '09:00:00.000', reminder(1, '09:01:30.000')],
    [1, 0, '09:01:39.999', reminder(1, '09:01:30.000')],
    [1, 0, '09:01:40.000', escalation(0, '09:01:40.000')],
    [0, 0, '09:01:40.000', escalation(0, '09:01:40.000')],
    [2, 0, '09:00:00.000', escalation(0, '09:01:40.000')],
    [2, 0, '09:01:59.999', escalation(0, '09:01:40.000')],
    [2, 0, '09:02:00.000', escalation(1, '09:02:00.000')],
    [2, 1, '09:01:40.000', escalation(1, '09:02:00.000')],
    [0, 0, '09:02:19.999', escalation(1, '09:02:00.000')],
    [0, 0, '09:02:20.000', escalation(2, '09:02:20.000')],
    [0, 0, '10:00:00.000', escalation(2, '09:02:20.000')],
    [2, 2, '10:00:00.000', escalation(2, '09:02:20.000')],
    [2, 3, '09:00:00.000', undefined],
    [2, 3, '10:00:00.000', undefined],
  ])('with %d reminders and %d escalations behind it, at %s: %j', (remindersSent, escalationsSent, now, expected) => {
    expect(nextNotice(action(remindersSent, escalationsSent), POLICY, t(now))).toEqual(expected);
  });

  /** What a workflow does: take the next notice, sleep until it is due, send it, record it. */
  function run(state: CorrectiveAction, policy: CorrectiveActionPolicy, start: string): { sent: Notice[]; state: CorrectiveAction } {
    const sent: Notice[] = [];
    let now = start;
    for (let notice = nextNotice(state, policy, now); notice; notice = nextNotice(state, policy, now)) {
      if (Date.parse(notice.at) > Date.parse(now)) now = notice.at;
      sent.push(notice);
      state = applyNotice(state, notice);
    }
    return { sent, state };
  }

  it('sends each reminder and escalation exactly once, in order', () => {
    const { sent, state } = run(action(0, 0), POLICY, t('09:00:00.000'));
    expect(sent).toEqual([reminder(0, '09:00:50.000'), reminder(1, '09:01:30.000'), escalation(0, '09:01:40.000'), escalation(1, '09:02:00.000'), escalation(2, '09:02:20.000')]);
    expect(state).toMatchObject({ remindersSent: 2, escalationsSent: 3 });
  });

  it('starting late, skips stale notices and counts them as sent instead of sending a burst', () => {
    const { sent, state } = run(action(0, 0), POLICY, t('09:02:05.000'));
    expect(sent).toEqual([escalation(1, '09:02:00.000'), escalation(2, '09:02:20.000')]);
    expect(state).toMatchObject({ remindersSent: 0, escalationsSent: 3 });
    expect(run(action(0, 0), POLICY, t('09:01:35.000')).sent).toEqual([reminder(1, '09:01:30.000'), escalation(0, '09:01:40.000'), escalation(1, '09:02:00.000'), escalation(2, '09:02:20.000')]);
  });

  it('escalates from the deadline without reminders when the policy has none, and not at all with no escalations', () => {
    expect(run(action(0, 0), { ...POLICY, reminderLeads: [] }, t('09:00:00.000')).sent.map((n) => n.kind)).toEqual(['escalation', 'escalation', 'escalation']);
    expect(run(action(0, 0), { ...POLICY, maxEscalations: 0 }, t('09:00:00.000')).sent.map((n) => n.kind)).toEqual(['reminder', 'reminder']);
  });

  it('counts escalations from the deadline so month ends do not drift', () => {
    const policy = policyWith({ dueIn: sameDueIn('P1M'), reminderLeads: [], escalateEvery: 'P1M', maxEscalations: 3 });
    const state = frozen(open({ openedAt: '2025-12-31T10:00:00.000Z' }, policy));
    expect(state.dueAt).toBe('2026-01-31T10:00:00.000Z');
    expect(run(state, policy, state.openedAt).sent.map((n) => n.at)).toEqual(['2026-01-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', '2026-03-31T10:00:00.000Z']);
  });

  it('keeps reminding while evidence awaits verification, and stops once the action is resolved', () => {
    const policy = policyWith({ dueIn: sameDueIn('PT100S'), reminderLeads: ['PT50S'] });
    const pending = frozen({ ...open({}, policy), status: 'evidence-submitted' as const });
    expect(nextNotice(pending, policy, OPENED)).toEqual({ kind: 'reminder', index: 0, at: '2026-03-02T09:00:50.000Z' });
    for (const status of ['closed', 'risk-accepted'] as const) expect(nextNotice({ ...pending, status }, policy, '2026-03-02T09:00:50.000Z')).toBeUndefined();
  });

  it('throws a RangeError for an unreadable now or an unusable escalation policy', () => {
    expect(() => nextNotice(open(), DEFAULT_POLICY, 'soon')).toThrow(RangeError);
    expect(() => nextNotice(open(), policyWith({ escalateEvery: 'weekly' }), OPENED)).toThrow(RangeError);
    expect(() => nextNotice(open(), policyWith({ maxEscalations: 1.5 }), OPENED)).toThrow(RangeError);
    expect(() => nextNotice(open(), policyWith({ maxEscalations: -1 }), OPENED)).toThrow(RangeError);
  });
});

describe('applyNotice', () => {
  it('counts the notice and the skipped ones before it as sent, and never counts back', () => {
    const state = open();
    expect(applyNotice(state, { kind: 'reminder', index: 1, at: OPENED })).toMatchObject({ remindersSent: 2, escalationsSent: 0 });
    expect(applyNotice(state, { kind: 'escalation', index: 0, at: OPENED })).toMatchObject({ remindersSent: 0, escalationsSent: 1 });
    const later = frozen({ ...state, escalationsSent: 3 });
    expect(applyNotice(later, { kind: 'escalation', index: 0, at: OPENED }).escalationsSent).toBe(3);
  });
});

describe('isOverdue', () => {
  it.each([
    ['before the deadline', '2026-03-31T09:00:00.000Z', false],
    ['at the deadline itself', '2026-04-01T09:00:00.000Z', false],
    ['a millisecond after', '2026-04-01T09:00:00.001Z', true],
    ['long after', '2027-01-01T00:00:00.000Z', true],
    ['the same instant in another offset', '2026-04-01T11:00:00.000+02:00', false],
  ])('is %s: %s', (_label, now, overdue) => {
    expect(isOverdue(open(), now)).toBe(overdue);
    expect(isOverdue(submitted(), now)).toBe(overdue);
  });

  it('is never overdue once resolved', () => {
    expect(isOverdue(closed(), '2027-01-01T00:00:00.000Z')).toBe(false);
    expect(isOverdue(accepted(), '2027-01-01T00:00:00.000Z')).toBe(false);
  });
});

describe('evidence', () => {
  it('moves the action to evidence-submitted, with the note trimmed and the links kept', () => {
    const next = applyEvidence(open(), { by: DELEGATE, note: '  Fixed at source ', links: [' https://tickets.example/CF-1 '] }, AT);
    expect(next.status).toBe('evidence-submitted');
    expect(next.evidence).toEqual([{ by: DELEGATE, at: AT, note: 'Fixed at source', links: ['https://tickets.example/CF-1'] }]);
  });

  it('takes more evidence while verification is pending', () => {
    const input = { by: DELEGATE, note: 'Attachment forgotten earlier' };
    expect(refuseEvidence(submitted(), input)).toBeUndefined();
    const next = applyEvidence(submitted(), input, '2026-03-11T08:00:00.000Z');
    expect(next.status).toBe('evidence-submitted');
    expect(next.evidence.map((e) => e.by)).toEqual([OWNER, DELEGATE]);
    expect(next.evidence[1]).not.toHaveProperty('links');
  });

  it('admits the owner and anyone else: who may act for the owner is the caller’s to check', () => {
    for (const by of [OWNER, DELEGATE]) expect(refuseEvidence(open(), { by, note: 'Done' })).toBeUndefined();
  });
});

describe('verification', () => {
  it('closes the action when verified by someone independent', () => {
    expect(refuseVerification(submitted(), { by: VERIFIER, outcome: 'verified', note: '' })).toBeUndefined();
    const next = applyVerification(submitted(), { by: VERIFIER, outcome: 'verified', note: ' Sampled 12 records ' }, AT);
    expect(next.status).toBe('closed');
    expect(next.verification).toEqual({ by: VERIFIER, at: AT, outcome: 'verified', note: 'Sampled 12 records' });
    expect(isTerminal(next)).toBe(true);
  });

  it('reopens the action on rejection, keeps the rejection, and accepts new evidence and a later verification', () => {
    const rejected = frozen(applyVerification(submitted(), { by: VERIFIER, outcome: 'rejected', note: 'Three numbers still invalid' }, AT));
    expect(rejected.status).toBe('open');
    expect(rejected.verification).toEqual({ by: VERIFIER, at: AT, outcome: 'rejected', note: 'Three numbers still invalid' });
    expect(refuseVerification(rejected, { by: VERIFIER, outcome: 'verified', note: 'ok' })).toBe('there is no evidence to verify');
    const again = frozen(applyEvidence(rejected, { by: DELEGATE, note: 'Fixed the remaining three' }, '2026-03-12T08:00:00.000Z'));
    expect(refuseVerification(again, { by: VERIFIER, outcome: 'verified', note: 'ok' })).toBeUndefined();
    expect(applyVerification(again, { by: VERIFIER, outcome: 'verified', note: 'ok' }, '2026-03-13T08:00:00.000Z').status).toBe('closed');
  });

  it('refuses a delegate who submitted evidence and the owner, and admits a third person', () => {
    const byDelegate = submitted(DELEGATE);
    expect(refuseVerification(byDelegate, { by: DELEGATE, outcome: 'verified', note: '' })).toMatch(/four-eyes.*submitted evidence/);
    expect(refuseVerification(byDelegate, { by: OWNER, outcome: 'verified', note: '' })).toMatch(/four-eyes.*owner/);
    expect(refuseVerification(byDelegate, { by: VERIFIER, outcome: 'verified', note: '' })).toBeUndefined();
  });

  it('refuses anyone who submitted evidence for the action, not only the latest submitter', () => {
    const twice = frozen(applyEvidence(submitted(DELEGATE), { by: 'prn_other', note: 'More' }, AT));
    expect(refuseVerification(twice, { by: DELEGATE, outcome: 'verified', note: '' })).toMatch(/submitted evidence/);
    expect(refuseVerification(twice, { by: 'prn_other', outcome: 'verified', note: '' })).toMatch(/submitted evidence/);
  });

  it('requires a reason to reject, not to verify', () => {
    expect(refuseVerification(submitted(), { by: VERIFIER, outcome: 'rejected', note: '   ' })).toBe('a reason is required to reject the evidence');
    expect(refuseVerification(submitted(), { by: VERIFIER, outcome: 'rejected', note: 'No sample attached' })).toBeUndefined();
  });
});

describe('risk acceptance', () => {
  it.each([
    ['an open action', open],
    ['an action awaiting verification', () => submitted()],
  ])('accepts the risk of %s, proposed by the owner and approved by someone else', (_label, state) => {
    const input = { by: OWNER, approver: APPROVER, reason: '  Legacy records, deleted next quarter ' };
    expect(refuseRiskAcceptance(state(), input)).toBeUndefined();
    const next = applyRiskAcceptance(state(), input, AT);
    expect(next.status).toBe('risk-accepted');
    expect(next.riskAcceptance).toEqual({ by: OWNER, at: AT, reason: 'Legacy records, deleted next quarter', approver: APPROVER });
    expect(isTerminal(next)).toBe(true);
  });

  it('takes a reason of exactly ten characters once trimmed', () => {
    expect(refuseRiskAcceptance(open(), { by: APPROVER, approver: APPROVER, reason: '  0123456789  ' })).toBeUndefined();
  });
});

describe('runs', () => {
  it('adds a new run and ignores one already recorded', () => {
    const state = open();
    const next = addRun(state, { runId: 'run_2', findingCount: 3 });
    expect(next.runs).toEqual([
      { runId: 'run_1', findingCount: 12 },
      { runId: 'run_2', findingCount: 3 },
    ]);
    expect(addRun(next, { runId: 'run_2', findingCount: 3 })).toBe(next);
    expect(refuseRun(next, { runId: 'run_2', findingCount: 3 })).toBeUndefined();
  });

  it('takes runs while evidence awaits verification', () => {
    expect(refuseRun(submitted(), { runId: 'run_2', findingCount: 1 })).toBeUndefined();
    expect(addRun(submitted(), { runId: 'run_2', findingCount: 1 }).runs).toHaveLength(2);
  });
});

describe('every invalid step is refused with a reason and changes nothing', () => {
  const evidence = { by: DELEGATE, note: 'Done' };
  const verify = { by: VERIFIER, outcome: 'verified' as const, note: 'ok' };
  const risk = { by: OWNER, approver: APPROVER, reason: 'Legacy records, deleted next quarter' };
  const run = { runId: 'run_2', findingCount: 1 };

  it.each([
    ['evidence on a closed action', closed, (s: CorrectiveAction) => refuseEvidence(s, evidence), 'corrective action is already closed'],
    ['evidence on a risk-accepted action', accepted, (s: CorrectiveAction) => refuseEvidence(s, evidence), 'corrective action is already risk-accepted'],
    ['evidence without a note', open, (s: CorrectiveAction) => refuseEvidence(s, { by: OWNER, note: ' \n ' }), 'a note describing the evidence is required'],
    ['evidence with a blank link', open, (s: CorrectiveAction) => refuseEvidence(s, { ...evidence, links: ['https://x.example', ' '] }), 'links must not be blank'],
    ['verification of an open action', open, (s: CorrectiveAction) => refuseVerification(s, verify), 'there is no evidence to verify'],
    ['verification of a closed action', closed, (s: CorrectiveAction) => refuseVerification(s, verify), 'corrective action is already closed'],
    ['verification of a risk-accepted action', accepted, (s: CorrectiveAction) => refuseVerification(s, verify), 'corrective action is already risk-accepted'],
    ['verification by the owner', () => submitted(DELEGATE), (s: CorrectiveAction) => refuseVerification(s, { ...verify, by: OWNER }), 'four-eyes rule: the owner cannot verify their own corrective action'],
    ['rejection by the owner', () => submitted(DELEGATE), (s: CorrectiveAction) => refuseVerification(s, { by: OWNER, outcome: 'rejected', note: 'no' }), 'four-eyes rule: the owner cannot verify their own corrective action'],
    ['verification by the submitter', () => submitted(DELEGATE), (s: CorrectiveAction) => refuseVerification(s, { ...verify, by: DELEGATE }), 'four-eyes rule: whoever submitted evidence cannot verify it'],
    ['rejection without a reason', () => submitted(), (s: CorrectiveAction) => refuseVerification(s, { by: VERIFIER, outcome: 'rejected', note: '' }), 'a reason is required to reject the evidence'],
    ['risk acceptance approved by the owner', open, (s: CorrectiveAction) => refuseRiskAcceptance(s, { ...risk, approver: OWNER }), 'four-eyes rule: the owner cannot accept the risk of their own corrective action'],
    ['risk acceptance recorded and approved by the owner', open, (s: CorrectiveAction) => refuseRiskAcceptance(s, { ...risk, by: OWNER, approver: OWNER }), 'four-eyes rule: the owner cannot accept the risk of their own corrective action'],
    ['risk acceptance with a short reason', open, (s: CorrectiveAction) => refuseRiskAcceptance(s, { ...risk, reason: '  123456789  ' }), 'a reason of at least 10 characters is required'],
    ['risk acceptance without a reason', open, (s: CorrectiveAction) => refuseRiskAcceptance(s, { ...risk, reason: '' }), 'a reason of at least 10 characters is required'],
    ['risk acceptance of a closed action', closed, (s: CorrectiveAction) => refuseRiskAcceptance(s, risk), 'corrective action is already closed'],
    ['risk acceptance twice', accepted, (s: CorrectiveAction) => refuseRiskAcceptance(s, risk), 'corrective action is already risk-accepted'],
    ['a run for a closed action', closed, (s: CorrectiveAction) => refuseRun(s, run), 'corrective action is already closed: open a new one for these findings'],
    ['a run for a risk-accepted action', accepted, (s: CorrectiveAction) => refuseRun(s, run), 'corrective action is already risk-accepted: open a new one for these findings'],
    ['a run without findings', open, (s: CorrectiveAction) => refuseRun(s, { ...run, findingCount: 0 }), 'findingCount must be a whole number of at least 1'],
    ['a run with a fraction of a finding', open, (s: CorrectiveAction) => refuseRun(s, { ...run, findingCount: 1.5 }), 'findingCount must be a whole number of at least 1'],
    ['a run with negative findings', open, (s: CorrectiveAction) => refuseRun(s, { ...run, findingCount: -2 }), 'findingCount must be a whole number of at least 1'],
    ['a recorded run with another count', open, (s: CorrectiveAction) => refuseRun(s, { runId: 'run_1', findingCount: 13 }), 'run run_1 is already recorded with 12 findings'],
  ] as Array<[string, () => CorrectiveAction, (s: CorrectiveAction) => string | undefined, string]>)('%s', (_label, make, attempt, reason) => {
    const state = make();
    const before = structuredClone(state);
    expect(attempt(state)).toBe(reason);
    expect(state).toEqual(before);
  });

  it('never changes the state it is given when a step is applied', () => {
    // Every state is frozen: an apply* that wrote to its input would throw here.
    expect(() => {
      applyEvidence(open(), evidence, AT);
      applyVerification(submitted(), verify, AT);
      applyVerification(submitted(), { ...verify, outcome: 'rejected' }, AT);
      applyRiskAcceptance(submitted(), risk, AT);
      addRun(open(), run);
      applyNotice(open(), { kind: 'reminder', index: 0, at: OPENED });
    }).not.toThrow();
  });
});
