import { applyDecision, initialState, nextReminderAt, refuseDecision, type ApprovalRequest, type DecisionInput } from '../../domain/approval';

const request: ApprovalRequest = {
  approvalId: 'apr_test0001',
  title: 'Onboard vendor',
  resource: { type: 'vendor', id: 'ven_1' },
  requestedBy: { id: 'prn_requester', type: 'person' },
  approverRole: 'compliance-officer',
  approverIds: ['prn_named'],
  notify: [],
  remindEverySeconds: 3600,
  maxReminders: 3,
  expiresInSeconds: 4 * 3600 + 1800,
  requestHash: 'h',
  requestedAt: '2026-03-01T10:00:00.000Z',
};

const decision = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
  decision: 'approve',
  reason: 'Controls verified',
  decidedBy: { id: 'prn_officer', type: 'person' },
  deciderRoles: ['compliance-officer'],
  ...overrides,
});

describe('approval rules', () => {
  const state = initialState(request);

  it('starts pending with the expiry computed from the request time', () => {
    expect(state.status).toBe('pending');
    expect(state.expiresAt).toBe('2026-03-01T14:30:00.000Z');
    expect(state.approverIds).toEqual(['prn_named']);
  });

  it('admits a holder of the approver role and a named approver', () => {
    expect(refuseDecision(state, decision())).toBeUndefined();
    expect(refuseDecision(state, decision({ decidedBy: { id: 'prn_named', type: 'person' }, deciderRoles: ['staff'] }))).toBeUndefined();
  });

  it('enforces four eyes even when the requester holds the approver role', () => {
    expect(refuseDecision(state, decision({ decidedBy: request.requestedBy }))).toMatch(/four-eyes/);
  });

  it('refuses someone who is neither named nor holds the role', () => {
    expect(refuseDecision(state, decision({ decidedBy: { id: 'prn_other', type: 'person' }, deciderRoles: ['auditor'] }))).toMatch(/not an approver/);
  });

  it('requires a reason that is not blank', () => {
    expect(refuseDecision(state, decision({ reason: '   ' }))).toMatch(/reason/);
  });

  it('refuses a second decision', () => {
    const decided = applyDecision(state, decision(), '2026-03-01T11:00:00.000Z');
    expect(decided.status).toBe('approved');
    expect(decided.decision?.decidedAt).toBe('2026-03-01T11:00:00.000Z');
    expect(refuseDecision(decided, decision({ decision: 'reject' }))).toMatch(/already approved/);
  });

  it('records a rejection with the trimmed reason', () => {
    const decided = applyDecision(state, decision({ decision: 'reject', reason: '  Missing DPA ' }), '2026-03-01T11:00:00.000Z');
    expect(decided.status).toBe('rejected');
    expect(decided.decision?.reason).toBe('Missing DPA');
  });

  it('schedules reminders at fixed spacing from the request, never at or after expiry', () => {
    expect(nextReminderAt(request, state)).toBe('2026-03-01T11:00:00.000Z');
    expect(nextReminderAt(request, { ...state, remindersSent: 2 })).toBe('2026-03-01T13:00:00.000Z');
    expect(nextReminderAt(request, { ...state, remindersSent: 3 })).toBeUndefined();
    const shortExpiry = initialState({ ...request, expiresInSeconds: 3600 });
    expect(nextReminderAt(request, shortExpiry)).toBeUndefined();
  });

  it('sends no reminders when none are configured or the approval is decided', () => {
    expect(nextReminderAt({ ...request, maxReminders: 0 }, state)).toBeUndefined();
    expect(nextReminderAt(request, applyDecision(state, decision(), '2026-03-01T10:30:00.000Z'))).toBeUndefined();
  });
});
