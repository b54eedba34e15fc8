import type { Actor } from '../../domain/evidence';
import type { Role } from '../../domain/roles';
import {
  APPROVALS_REQUIRED,
  applyDecision,
  initialReview,
  isDecided,
  refuseDecision,
  type ConditionInput,
  type ReviewDecision,
  type ReviewRequest,
  type ReviewState,
} from '../../domain/vendor/review';
import type { Tier } from '../../domain/vendor/types';

const NOW = '2026-03-01T10:00:00.000Z';
const LATER = '2026-03-01T11:00:00.000Z';
const person = (id: string): Actor => ({ id, type: 'person' });
const REQUESTER = person('prn_requester');
const ALICE = person('prn_alice');
const BOB = person('prn_bob');

const request = (over: Partial<ReviewRequest> = {}): ReviewRequest => ({
  reviewId: 'vrv_1',
  vendorId: 'ven_1',
  tier: 'medium',
  requestedBy: REQUESTER,
  requestedAt: NOW,
  approverRole: 'compliance-officer',
  approverIds: ['prn_named'],
  securityReview: 'not-required',
  unmetRequirements: [],
  ...over,
});

const condition = (over: Partial<ConditionInput> = {}): ConditionInput => ({ description: 'Sign the DPA', owner: 'prn_owner', dueAt: '2026-04-01T00:00:00.000Z', ...over });

const approve = (by: Actor = ALICE, roles: Role[] = ['compliance-officer']): ReviewDecision => ({ decision: 'approve', reason: 'Controls verified', decidedBy: by, deciderRoles: roles });
const approveWith = (conditions: ConditionInput[], by: Actor = ALICE): ReviewDecision => ({
  decision: 'approve-with-conditions',
  reason: 'Acceptable with fixes',
  decidedBy: by,
  deciderRoles: ['compliance-officer'],
  conditions,
});
const reject = (by: Actor = ALICE): ReviewDecision => ({ decision: 'reject', reason: 'No MFA', decidedBy: by, deciderRoles: ['compliance-officer'] });

/** Applies decisions in order, failing the test if any is refused. */
function run(state: ReviewState, ...decisions: ReviewDecision[]): ReviewState {
  return decisions.reduce((s, d) => {
    expect(refuseDecision(s, d, NOW)).toBeUndefined();
    return applyDecision(s, d, LATER);
  }, state);
}

describe('who may decide', () => {
  const review = initialReview(request());

  it('starts pending and undecided', () => {
    expect(review).toEqual(expect.objectContaining({ status: 'pending', decisions: [], conditions: [] }));
    expect(isDecided(review)).toBe(false);
  });

  it.each([
    ['a holder of the approver role', approve(ALICE, ['compliance-officer']), undefined],
    ['a named approver without the role', approve(person('prn_named'), ['staff']), undefined],
    ['the requester, even holding the role', approve(REQUESTER), /four-eyes rule: the requester cannot decide/],
    ['the requester rejecting', reject(REQUESTER), /four-eyes rule: the requester cannot decide/],
    ['someone neither named nor holding the role', approve(BOB, ['auditor']), /not an approver/],
    ['a blank reason', { ...approve(), reason: '  ' }, /reason is required/],
  ] as Array<[string, ReviewDecision, RegExp | undefined]>)('%s', (_label, decision, refusal) => {
    const result = refuseDecision(review, decision, NOW);
    if (refusal) expect(result).toMatch(refusal);
    else expect(result).toBeUndefined();
  });

  it('admits nobody by role when the review names no role', () => {
    const named = initialReview(request({ approverRole: undefined }));
    expect(refuseDecision(named, approve(ALICE), NOW)).toMatch(/not an approver/);
    expect(refuseDecision(named, approve(person('prn_named'), []), NOW)).toBeUndefined();
  });
});

describe('approvals needed by tier', () => {
  it('is data: two for critical, one for the others', () => {
    expect(APPROVALS_REQUIRED).toEqual({ low: 1, medium: 1, high: 1, critical: 2 });
  });

  it.each(['low', 'medium', 'high'] as Tier[])('a %s vendor is approved by one approver', (tier) => {
    const done = run(initialReview(request({ tier })), approve());
    expect(done.status).toBe('approved');
    expect(done.decidedAt).toBe(LATER);
    expect(isDecided(done)).toBe(true);
    expect(refuseDecision(done, approve(BOB), NOW)).toBe('the review is already approved');
  });

  describe('critical', () => {
    const review = initialReview(request({ tier: 'critical' }));

    it('records the first approval and waits for a second', () => {
      const first = run(review, approve(ALICE));
      expect(first.status).toBe('partially-approved');
      expect(first.decidedAt).toBeUndefined();
      expect(isDecided(first)).toBe(false);
      expect(first.decisions).toEqual([{ decision: 'approve', reason: 'Controls verified', decidedBy: ALICE, decidedAt: LATER, conditionIds: [] }]);
    });

    it('refuses the same approver twice', () => {
      const first = run(review, approve(ALICE));
      expect(refuseDecision(first, approve(ALICE), NOW)).toBe('four-eyes rule: you have already approved; a critical vendor needs 2 different approvers');
    });

    it('refuses the requester as second approver', () => {
      const first = run(review, approve(ALICE));
      expect(refuseDecision(first, approve(REQUESTER), NOW)).toMatch(/requester cannot decide/);
    });

    it('is approved by a second, different approver', () => {
      const done = run(review, approve(ALICE), approve(BOB));
      expect(done.status).toBe('approved');
      expect(done.decisions.map((d) => d.decidedBy.id)).toEqual(['prn_alice', 'prn_bob']);
    });

    it.each([
      ['the first approver, before any approval', [reject(ALICE)]],
      ['the second approver, after the first approval', [approve(ALICE), reject(BOB)]],
      ['the first approver changing their mind', [approve(ALICE), reject(ALICE)]],
    ] as Array<[string, ReviewDecision[]]>)('ends rejected by %s', (_label, decisions) => {
      const done = run(review, ...decisions);
      expect(done.status).toBe('rejected');
      expect(done.decidedAt).toBe(LATER);
      expect(refuseDecision(done, approve(person('prn_named'), []), NOW)).toBe('the review is already rejected');
    });

    it.each([
      ['first with conditions, second plain', [approveWith([condition()], ALICE), approve(BOB)], 1],
      ['first plain, second with conditions', [approve(ALICE), approveWith([condition()], BOB)], 1],
      ['both with conditions, which add up', [approveWith([condition()], ALICE), approveWith([condition({ description: 'Fix MFA' })], BOB)], 2],
    ] as Array<[string, ReviewDecision[], number]>)('ends approved with conditions: %s', (_label, decisions, n) => {
      const done = run(review, ...decisions);
      expect(done.status).toBe('approved-with-conditions');
      expect(done.conditions.map((c) => c.id)).toEqual(['vrv_1-c1', 'vrv_1-c2'].slice(0, n));
    });
  });
});

describe('approval with conditions', () => {
  const review = initialReview(request({ tier: 'high' }));

  it('records the conditions as remediation items owned and due as given', () => {
    const done = run(review, approveWith([condition({ description: '  Sign the DPA ', covers: ['dpa', 'dpa'] }), condition({ description: 'Enable MFA', owner: 'prn_it' })]));
    expect(done.status).toBe('approved-with-conditions');
    expect(done.conditions).toEqual([
      { id: 'vrv_1-c1', description: 'Sign the DPA', owner: 'prn_owner', dueAt: '2026-04-01T00:00:00.000Z', covers: ['dpa'] },
      { id: 'vrv_1-c2', description: 'Enable MFA', owner: 'prn_it', dueAt: '2026-04-01T00:00:00.000Z', covers: [] },
    ]);
    expect(done.decisions[0].conditionIds).toEqual(['vrv_1-c1', 'vrv_1-c2']);
  });

  it.each([
    ['no conditions', [], /at least one condition/],
    ['a blank description', [condition({ description: ' ' })], /condition 1: a description is required/],
    ['no owner', [condition(), condition({ owner: '' })], /condition 2: an owner is required/],
    ['an unreadable due date', [condition({ dueAt: 'next month' })], /condition 1: dueAt must be an ISO 8601 timestamp/],
    ['a bare date', [condition({ dueAt: '2026-04-01' })], /condition 1: dueAt must be an ISO 8601 timestamp/],
    ['a due date now', [condition({ dueAt: NOW })], /condition 1: dueAt must be in the future/],
    ['a due date in the past', [condition({ dueAt: '2026-02-01T00:00:00.000Z' })], /condition 1: dueAt must be in the future/],
    ['an unknown requirement covered', [condition({ covers: ['insurance' as never] })], /unknown requirements \(insurance\)/],
  ] as Array<[string, ConditionInput[], RegExp]>)('refuses %s', (_label, conditions, refusal) => {
    expect(refuseDecision(review, approveWith(conditions), NOW)).toMatch(refusal);
  });

  it('accepts a due date one millisecond ahead', () => {
    expect(refuseDecision(review, approveWith([condition({ dueAt: '2026-03-01T10:00:00.001Z' })]), NOW)).toBeUndefined();
  });
});

describe('open security review and unmet requirements', () => {
  it.each([
    // [label, request, decision, refusal]
    ['approve while the security review is open', { securityReview: 'open' }, approve(), /security review is still open/],
    ['approve with conditions while it is open', { securityReview: 'open' }, approveWith([condition()]), /security review is still open/],
    ['reject while it is open', { securityReview: 'open' }, reject(), undefined],
    ['approve once it is closed', { securityReview: 'closed' }, approve(), undefined],
    ['approve with the DPA unmet', { unmetRequirements: ['dpa'] }, approve(), /requirements unmet: dpa/],
    ['approve with both unmet', { unmetRequirements: ['dpa', 'transfer-mechanism'] }, approve(), /requirements unmet: dpa, transfer-mechanism/],
    ['conditions that cover nothing', { unmetRequirements: ['dpa'] }, approveWith([condition()]), /requirements unmet: dpa/],
    ['conditions covering only the DPA', { unmetRequirements: ['dpa', 'transfer-mechanism'] }, approveWith([condition({ covers: ['dpa'] })]), /requirements unmet: transfer-mechanism/],
    ['conditions covering the DPA', { unmetRequirements: ['dpa'] }, approveWith([condition({ covers: ['dpa'] })]), undefined],
    [
      'conditions covering both, one each',
      { unmetRequirements: ['dpa', 'transfer-mechanism'] },
      approveWith([condition({ covers: ['dpa'] }), condition({ description: 'Sign SCCs', covers: ['transfer-mechanism'] })]),
      undefined,
    ],
    ['conditions covering a requirement already met', {}, approveWith([condition({ covers: ['dpa'] })]), undefined],
    ['reject with requirements unmet', { unmetRequirements: ['dpa', 'transfer-mechanism'] }, reject(), undefined],
  ] as Array<[string, Partial<ReviewRequest>, ReviewDecision, RegExp | undefined]>)('%s', (_label, over, decision, refusal) => {
    const result = refuseDecision(initialReview(request(over)), decision, NOW);
    if (refusal) expect(result).toMatch(refusal);
    else expect(result).toBeUndefined();
  });

  it('lets a critical second approval rely on the first approval’s covering conditions', () => {
    const review = initialReview(request({ tier: 'critical', unmetRequirements: ['dpa'] }));
    const first = run(review, approveWith([condition({ covers: ['dpa'] })], ALICE));
    expect(refuseDecision(first, approve(BOB), NOW)).toBeUndefined();
    expect(applyDecision(first, approve(BOB), LATER).status).toBe('approved-with-conditions');
  });

  it('reads the facts at each decision: a security review reopened between two approvals blocks the second', () => {
    const first = run(initialReview(request({ tier: 'critical' })), approve(ALICE));
    expect(refuseDecision({ ...first, securityReview: 'open' }, approve(BOB), NOW)).toMatch(/security review is still open/);
    expect(refuseDecision({ ...first, unmetRequirements: ['transfer-mechanism'] }, approve(BOB), NOW)).toMatch(/requirements unmet: transfer-mechanism/);
  });
});

describe('applyDecision', () => {
  it('records a rejection with the trimmed reason', () => {
    const done = applyDecision(initialReview(request()), { ...reject(), reason: '  Missing DPA ' }, LATER);
    expect(done).toEqual(
      expect.objectContaining({
        status: 'rejected',
        decidedAt: LATER,
        decisions: [{ decision: 'reject', reason: 'Missing DPA', decidedBy: ALICE, decidedAt: LATER, conditionIds: [] }],
      }),
    );
  });

  it('does not change the state it is given', () => {
    const review = initialReview(request({ tier: 'critical' }));
    const copy = JSON.parse(JSON.stringify(review));
    applyDecision(review, approveWith([condition()]), LATER);
    expect(review).toEqual(copy);
  });
});
