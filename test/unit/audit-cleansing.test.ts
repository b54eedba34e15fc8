import { proposeFixes, type SubjectRecord } from '../../domain/audit/accuracy';
import {
  applyDecision,
  applyExpiry,
  applyOutcomes,
  outcomeOfChange,
  previewedRun,
  refuseDecision,
  refuseExpiry,
  refuseOutcomes,
  type ChangeOutcome,
  type CleansingDecision,
  type CleansingRun,
  type CleansingStatus,
} from '../../domain/audit/cleansing';
import type { Actor } from '../../domain/evidence';

const requester: Actor = { id: 'prn_requester', type: 'person' };
const officer: Actor = { id: 'prn_officer', type: 'person' };

const preview = (): CleansingRun => previewedRun('cln_1', requester, '2026-03-01T10:00:00.000Z', '2026-03-08T10:00:00.000Z');
const decision = (overrides: Partial<CleansingDecision> = {}): CleansingDecision => ({ by: officer, decision: 'approve', ...overrides });
const inStatus = (status: CleansingStatus): CleansingRun => ({ ...preview(), status });
const outcomes: Record<ChangeOutcome, number> = { apply: 7, 'skip-changed': 2, 'skip-already-fixed': 1 };

describe('previewedRun', () => {
  it('starts previewed, undecided', () => {
    expect(preview()).toEqual({ runId: 'cln_1', status: 'previewed', requestedBy: requester, previewedAt: '2026-03-01T10:00:00.000Z', expiresAt: '2026-03-08T10:00:00.000Z' });
  });

  it.each([
    ['at the preview', '2026-03-01T10:00:00.000Z'],
    ['before the preview', '2026-02-28T10:00:00.000Z'],
    ['never readable', 'next week'],
  ])('refuses an expiry %s', (_, expiresAt) => {
    expect(() => previewedRun('cln_1', requester, '2026-03-01T10:00:00.000Z', expiresAt)).toThrow(RangeError);
  });
});

describe('refuseDecision', () => {
  it('lets another person approve, with or without a reason', () => {
    expect(refuseDecision(preview(), decision())).toBeUndefined();
    expect(refuseDecision(preview(), decision({ reason: 'Sample checked' }))).toBeUndefined();
  });

  it('lets another person reject with a reason', () => {
    expect(refuseDecision(preview(), decision({ decision: 'reject', reason: 'Phone numbers of the UK import look wrong' }))).toBeUndefined();
  });

  it.each([undefined, '', '   ', '\n\t'])('refuses a rejection with the reason %j', (reason) => {
    expect(refuseDecision(preview(), decision({ decision: 'reject', reason }))).toMatch(/reason is required/);
  });

  it.each<CleansingDecision['decision']>(['approve', 'reject'])('enforces four eyes: the requester cannot %s their own run', (d) => {
    expect(refuseDecision(preview(), decision({ by: requester, decision: d, reason: 'mine' }))).toMatch(/four-eyes/);
  });

  it('enforces four eyes by principal id, whatever else the actor says', () => {
    expect(refuseDecision(preview(), decision({ by: { id: requester.id, type: 'person' } }))).toMatch(/four-eyes/);
  });

  it('refuses the system as a decider, even when the requester was a person', () => {
    expect(refuseDecision(preview(), decision({ by: { id: 'system:audit', type: 'system' } }))).toMatch(/person must decide/);
    const systemRun = previewedRun('cln_2', { id: 'system:audit', type: 'system' }, '2026-03-01T10:00:00Z', '2026-03-02T10:00:00Z');
    expect(refuseDecision(systemRun, decision())).toBeUndefined();
  });

  it.each<CleansingStatus>(['approved', 'rejected', 'applied', 'expired'])('refuses any decision on a run already %s', (status) => {
    expect(refuseDecision(inStatus(status), decision())).toBe(`cleansing run is already ${status}`);
    expect(refuseDecision(inStatus(status), decision({ decision: 'reject', reason: 'late' }))).toBe(`cleansing run is already ${status}`);
  });
});

describe('applyDecision', () => {
  it('approves, keeping who decided, when and why', () => {
    const state = applyDecision(preview(), decision({ reason: '  Sample checked ' }), '2026-03-02T09:00:00.000Z');
    expect(state).toEqual({ ...preview(), status: 'approved', decision: { decision: 'approve', by: officer, reason: 'Sample checked', decidedAt: '2026-03-02T09:00:00.000Z' } });
  });

  it('records an approval without a reason as having none', () => {
    expect(applyDecision(preview(), decision({ reason: '  ' }), '2026-03-02T09:00:00.000Z').decision).toEqual({ decision: 'approve', by: officer, decidedAt: '2026-03-02T09:00:00.000Z' });
    expect(applyDecision(preview(), decision(), '2026-03-02T09:00:00.000Z').decision).not.toHaveProperty('reason');
  });

  it('rejects, with the reason', () => {
    const state = applyDecision(preview(), decision({ decision: 'reject', reason: 'Wrong country' }), '2026-03-02T09:00:00.000Z');
    expect(state.status).toBe('rejected');
    expect(state.decision).toEqual({ decision: 'reject', by: officer, reason: 'Wrong country', decidedAt: '2026-03-02T09:00:00.000Z' });
  });

  it('leaves the state it was given alone, and allows no second decision', () => {
    const before = preview();
    const after = applyDecision(before, decision(), '2026-03-02T09:00:00.000Z');
    expect(before).toEqual(preview());
    expect(refuseDecision(after, decision({ by: { id: 'prn_other', type: 'person' } }))).toBe('cleansing run is already approved');
  });
});

describe('expiry', () => {
  it.each<[string, string | undefined]>([
    ['2026-03-08T09:59:59.999Z', 'the preview is valid until 2026-03-08T10:00:00.000Z'],
    ['2026-03-08T10:00:00.000Z', undefined],
    ['2026-03-09T00:00:00.000Z', undefined],
  ])('at %s: %s', (at, refusal) => {
    expect(refuseExpiry(preview(), at)).toBe(refusal);
  });

  it.each<CleansingStatus>(['approved', 'rejected', 'applied', 'expired'])('does not expire a run already %s', (status) => {
    expect(refuseExpiry(inStatus(status), '2026-04-01T00:00:00.000Z')).toBe(`cleansing run is already ${status}`);
  });

  it('expires the preview, after which nobody can decide', () => {
    const state = applyExpiry(preview(), '2026-03-08T10:00:00.000Z');
    expect(state).toEqual({ ...preview(), status: 'expired', expiredAt: '2026-03-08T10:00:00.000Z' });
    expect(refuseDecision(state, decision())).toBe('cleansing run is already expired');
    expect(refuseOutcomes(state)).toMatch(/expired, not approved/);
  });
});

describe('outcomes', () => {
  it('are recorded for an approved run only', () => {
    expect(refuseOutcomes(inStatus('approved'))).toBeUndefined();
    for (const status of ['previewed', 'rejected', 'applied', 'expired'] as const) {
      expect(refuseOutcomes(inStatus(status))).toBe(`cleansing run is ${status}, not approved`);
    }
  });

  it('complete the run', () => {
    const approved = applyDecision(preview(), decision(), '2026-03-02T09:00:00.000Z');
    const applied = applyOutcomes(approved, outcomes, '2026-03-02T09:05:00.000Z');
    expect(applied).toEqual({ ...approved, status: 'applied', outcomes, appliedAt: '2026-03-02T09:05:00.000Z' });
    expect(applied.outcomes).not.toBe(outcomes);
    expect(refuseOutcomes(applied)).toBe('cleansing run is applied, not approved');
    expect(refuseDecision(applied, decision())).toBe('cleansing run is already applied');
  });
});

describe('outcomeOfChange', () => {
  const change = { before: ' Anna@Example.com', after: 'anna@example.com' };

  it.each<[string | undefined, ChangeOutcome]>([
    [' Anna@Example.com', 'apply'],
    ['anna@example.com', 'skip-already-fixed'],
    ['Anna@Example.com', 'skip-changed'],
    [' anna@example.com', 'skip-changed'],
    ['bob@example.com', 'skip-changed'],
    ['', 'skip-changed'],
    [undefined, 'skip-changed'],
  ])('with the field now %j: %s', (current, outcome) => {
    expect(outcomeOfChange(change, current)).toBe(outcome);
  });

  it('writes nothing when the preview changed nothing', () => {
    expect(outcomeOfChange({ before: 'DE', after: 'DE' }, 'DE')).toBe('skip-already-fixed');
  });

  it('decides each field of a previewed record by what it holds now', () => {
    const previewed: SubjectRecord = { id: 'sub_1', email: 'Anna@Example.com', phone: '030 1234567', country: 'de', updatedAt: '2026-01-01T00:00:00Z' };
    // Since the preview: the subject gave a new address, someone fixed the phone by hand, the country is untouched.
    const current: SubjectRecord = { ...previewed, email: 'anna.m@example.org', phone: '+49301234567' };
    const decided = proposeFixes(previewed).map((p) => [p.field, outcomeOfChange(p, current[p.field])]);
    expect(decided).toEqual([
      ['email', 'skip-changed'],
      ['phone', 'skip-already-fixed'],
      ['country', 'apply'],
    ]);
  });
});
