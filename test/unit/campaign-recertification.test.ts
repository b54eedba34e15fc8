import {
  DECISIONS,
  FLAGS,
  applyDecision,
  applyNotice,
  campaignReport,
  expectedRoles,
  flagsFor,
  nextNotice,
  openReviewItem,
  refuseDecision,
  reviewerFor,
  type DecisionInput,
  type Flag,
  type Notice,
  type RecertPolicy,
  type ReviewItemFacts,
  type ReviewItemState,
  type ReviewStatus,
} from '../../domain/campaign/recertification';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = '2026-03-15T12:00:00.000Z';
const ago = (ms: number, from = NOW) => new Date(Date.parse(from) - ms).toISOString();
const later = (ms: number, from = NOW) => new Date(Date.parse(from) + ms).toISOString();

const ALICE = 'prn_alice';
const MANAGER = 'prn_manager';
const OWNER = 'prn_owner';
const SECOND = 'prn_second';
const ESCALATION = 'prn_ciso';

/** Frozen all the way down: any function that changes its input instead of copying it throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

/** Alice's own principal: an active person, used yesterday, with an ordinary role and a manager. */
const person = (over: Partial<ReviewItemFacts> = {}): ReviewItemFacts =>
  frozen({
    itemId: `c1:${ALICE}`,
    kind: 'principal' as const,
    principalId: ALICE,
    principalKind: 'person' as const,
    entitlements: ['staff'],
    staffStatus: 'active' as const,
    managerPrincipalId: MANAGER,
    lastUsedAt: ago(DAY_MS),
    createdAt: '2025-01-01T00:00:00.000Z',
    ...over,
  });
const system = (over: Partial<ReviewItemFacts> = {}): ReviewItemFacts =>
  person({ itemId: 'c1:prn_crm', principalId: 'prn_crm', principalKind: 'system', entitlements: ['system'], staffStatus: undefined, managerPrincipalId: undefined, ownerId: OWNER, ownerStatus: 'active', ...over });
const external = (over: Partial<ReviewItemFacts> = {}): ReviewItemFacts =>
  person({
    itemId: 'c1:erp:u-17',
    kind: 'external-account',
    principalId: undefined,
    principalKind: undefined,
    system: 'erp',
    accountId: 'u-17',
    entitlements: ['ap-clerk'],
    managerPrincipalId: undefined,
    ownerId: OWNER,
    ownerStatus: 'active',
    ...over,
  });

const OPTIONS = { dormantAfterDays: 30 };
const flagNames = (item: ReviewItemFacts, options: Parameters<typeof flagsFor>[2] = OPTIONS) => flagsFor(item, NOW, options).map((f) => f.flag);
const flagOf = (flag: Flag, item: ReviewItemFacts, options: Parameters<typeof flagsFor>[2] = OPTIONS) => flagsFor(item, NOW, options).find((f) => f.flag === flag);

describe('flagsFor', () => {
  it.each([
    ['a person', person()],
    ['a system principal with an active owner', system()],
    ['an external account with an owner who just joined', external({ ownerStatus: 'joiner' })],
  ])('flags nothing about %s in good order', (_, item) => {
    expect(flagsFor(item, NOW, OPTIONS)).toEqual([]);
  });

  describe('dormant', () => {
    it.each([
      ['used exactly 30 days ago', { lastUsedAt: ago(30 * DAY_MS) }, undefined],
      ['used 30 days and 1 ms ago', { lastUsedAt: ago(30 * DAY_MS + 1) }, 'unused for more than 30 days'],
      ['never used, created exactly 30 days ago', { lastUsedAt: undefined, createdAt: ago(30 * DAY_MS) }, undefined],
      ['never used, created 30 days and 1 ms ago', { lastUsedAt: undefined, createdAt: ago(30 * DAY_MS + 1) }, 'never used, and created more than 30 days ago'],
      ['created long ago but used recently', { lastUsedAt: ago(29 * DAY_MS), createdAt: ago(400 * DAY_MS) }, undefined],
    ])('%s: %s', (_, over, reason) => {
      expect(flagOf('dormant', person(over))).toEqual(reason === undefined ? undefined : { flag: 'dormant', reason });
    });

    it('counts days as 24-hour periods whatever the offset of the instants', () => {
      expect(flagOf('dormant', person({ lastUsedAt: '2026-02-13T14:00:00.000+02:00' }))).toBeUndefined();
      expect(flagOf('dormant', person({ lastUsedAt: '2026-02-13T13:59:59.999+02:00' }))).toBeDefined();
    });

    it.each([0, -1, 1.5, Number.NaN])('throws a RangeError for dormantAfterDays %p', (days) => {
      expect(() => flagsFor(person(), NOW, { dormantAfterDays: days })).toThrow(RangeError);
    });

    it.each([
      ['now', () => flagsFor(person(), 'today', OPTIONS)],
      ['createdAt', () => flagsFor(person({ createdAt: '2025-01-01' }), NOW, OPTIONS)],
      ['lastUsedAt', () => flagsFor(person({ lastUsedAt: 'yesterday' }), NOW, OPTIONS)],
    ])('throws a RangeError for an unreadable %s', (_, run) => {
      expect(run).toThrow(RangeError);
    });
  });

  describe('privileged', () => {
    it.each([
      ['admin, by default', person({ entitlements: ['staff', 'admin'] }), OPTIONS, 'holds privileged entitlements: admin'],
      ['each privileged entitlement once, in the order held', person({ entitlements: ['auditor', 'admin', 'staff', 'auditor'] }), { ...OPTIONS, privileged: ['admin', 'auditor'] }, 'holds privileged entitlements: auditor, admin'],
      ["an external account's entitlement on the same list", external({ entitlements: ['admin'] }), OPTIONS, 'holds privileged entitlements: admin'],
      ['a custom list replacing the default', external({ entitlements: ['admin', 'gl-approver'] }), { ...OPTIONS, privileged: ['gl-approver'] }, 'holds privileged entitlements: gl-approver'],
    ])('%s', (_, item, options, reason) => {
      expect(flagOf('privileged', item, options)).toEqual({ flag: 'privileged', reason });
    });

    it.each([
      ['ordinary roles', person({ entitlements: ['staff', 'auditor'] }), OPTIONS],
      ['no entitlements at all', person({ entitlements: [] }), OPTIONS],
      ['an empty privileged list', person({ entitlements: ['admin'] }), { ...OPTIONS, privileged: [] }],
    ])('not for %s', (_, item, options) => {
      expect(flagOf('privileged', item, options)).toBeUndefined();
    });
  });

  describe('orphaned', () => {
    it.each([
      ['a system principal without owner', system({ ownerId: undefined, ownerStatus: undefined }), 'no owner is recorded'],
      ['an external account without owner', external({ ownerId: undefined, ownerStatus: undefined }), 'no owner is recorded'],
      ['a system principal whose owner left', system({ ownerStatus: 'leaver' }), `owner ${OWNER} has left`],
      ['an external account whose owner left', external({ ownerStatus: 'leaver' }), `owner ${OWNER} has left`],
      ['an owner the directory does not know', system({ ownerStatus: 'unknown' }), `owner ${OWNER} is not found in the staff directory`],
      ['an owner whose status the caller left out', external({ ownerStatus: undefined }), `owner ${OWNER} is not found in the staff directory`],
      ["a person's principal whose named owner left", person({ ownerId: OWNER, ownerStatus: 'leaver' }), `owner ${OWNER} has left`],
    ])('%s', (_, item, reason) => {
      expect(flagOf('orphaned', item)).toEqual({ flag: 'orphaned', reason });
    });

    it.each([
      ['a person without owner', person()],
      ['an active owner', system({ ownerStatus: 'active' })],
      ['an owner who just joined', external({ ownerStatus: 'joiner' })],
      ["a person's principal with an active owner", person({ ownerId: OWNER, ownerStatus: 'active' })],
    ])('not for %s', (_, item) => {
      expect(flagOf('orphaned', item)).toBeUndefined();
    });
  });

  describe('role-mismatch', () => {
    it.each([
      ['lists the extra entitlements once, in the order held', ['staff', 'admin', 'auditor', 'admin'], ['staff'], 'entitlements beyond what the job roles imply: admin, auditor'],
      ['with nothing expected, lists everything held', ['staff'], [], 'entitlements beyond what the job roles imply: staff'],
    ])('%s', (_, entitlements, expectedEntitlements, reason) => {
      expect(flagOf('role-mismatch', person({ entitlements, expectedEntitlements }))).toEqual({ flag: 'role-mismatch', reason });
    });

    it.each([
      ['no mapping is known', ['staff', 'admin'], undefined],
      ['the entitlements match', ['staff', 'auditor'], ['auditor', 'staff']],
      ['fewer entitlements are held than expected', ['staff'], ['staff', 'auditor']],
      ['nothing is held', [], ['staff']],
    ])('not when %s', (_, entitlements, expectedEntitlements) => {
      expect(flagOf('role-mismatch', person({ entitlements, expectedEntitlements }))).toBeUndefined();
    });
  });

  describe('leaver', () => {
    it.each([
      ['leaver', true],
      ['active', false],
      ['joiner', false],
      ['unknown', false],
      [undefined, false],
    ] as const)('staff status %p: %p', (staffStatus, flagged) => {
      expect(flagOf('leaver', person({ staffStatus }))).toEqual(flagged ? { flag: 'leaver', reason: 'the person has left, yet the account still has access' } : undefined);
    });

    it('applies to an external account of a person who left', () => {
      expect(flagNames(external({ staffStatus: 'leaver' }))).toEqual(['leaver']);
    });
  });

  it('reports every flag that applies, in the order of FLAGS', () => {
    const item = person({ lastUsedAt: undefined, entitlements: ['admin'], expectedEntitlements: ['staff'], ownerId: OWNER, ownerStatus: 'leaver', staffStatus: 'leaver' });
    expect(FLAGS).toEqual(['dormant', 'privileged', 'orphaned', 'role-mismatch', 'leaver']);
    expect(flagNames(item)).toEqual([...FLAGS]);
  });
});

describe('reviewerFor', () => {
  it.each([
    ["a person's principal: their manager", person({ ownerId: OWNER, ownerStatus: 'active' }), { reviewer: MANAGER, basis: 'manager' }],
    ["a person's principal without manager: their owner", person({ managerPrincipalId: undefined, ownerId: OWNER, ownerStatus: 'active' }), { reviewer: OWNER, basis: 'owner' }],
    ["a person's principal naming themselves as manager: their owner", person({ managerPrincipalId: ALICE, ownerId: OWNER, ownerStatus: 'active' }), { reviewer: OWNER, basis: 'owner' }],
    ['a system principal: its owner, never a manager', system({ managerPrincipalId: MANAGER }), { reviewer: OWNER, basis: 'owner' }],
    ['a system principal with an owner who just joined', system({ ownerStatus: 'joiner' }), { reviewer: OWNER, basis: 'owner' }],
    ['an external account: its owner, never a manager', external({ managerPrincipalId: MANAGER }), { reviewer: OWNER, basis: 'owner' }],
  ])('%s', (_, item, expected) => {
    expect(reviewerFor(item)).toEqual(expected);
  });

  it.each([
    ['a person without manager or owner', person({ managerPrincipalId: undefined })],
    ['a person naming themselves as manager, without owner', person({ managerPrincipalId: ALICE })],
    ['a person without manager whose owner left', person({ managerPrincipalId: undefined, ownerId: OWNER, ownerStatus: 'leaver' })],
    ['a system principal without owner', system({ ownerId: undefined, ownerStatus: undefined })],
    ['a system principal whose owner left', system({ ownerStatus: 'leaver' })],
    ['a system principal whose owner the directory does not know', system({ ownerStatus: 'unknown' })],
    ['a system principal owned by itself', system({ ownerId: 'prn_crm' })],
    ['an external account without owner', external({ ownerId: undefined, ownerStatus: undefined })],
    ['an external account whose owner status is left out', external({ ownerStatus: undefined })],
  ])('none (the fallback reviewer then) for %s', (_, item) => {
    expect(reviewerFor(item)).toBeUndefined();
  });
});

const OPENED = '2026-03-02T09:00:00.000Z';
const DUE = '2026-03-31T17:00:00.000Z';
const AT = '2026-03-10T12:00:00.000Z';
const POLICY: RecertPolicy = frozen({ dueAt: DUE, reminderLeads: ['P7D', 'P1D'], escalateAfterDue: 'P3D', onNoDecision: 'auto-revoke', finalAfterEscalation: 'P7D' });

const opened = (policy: RecertPolicy = POLICY, openedAt = OPENED) => frozen(openReviewItem({ itemId: `c1:${ALICE}`, reviewer: MANAGER, openedAt }, policy));
const decision = (over: Partial<DecisionInput> = {}): DecisionInput => ({ by: MANAGER, byIsReviewer: true, decision: 'keep', subjectPrincipalId: ALICE, ...over });
const decide = (state: ReviewItemState, over: Partial<DecisionInput> = {}, at = AT) => frozen(applyDecision(state, decision(over), at));
const inStatus = (status: ReviewStatus, outcome?: 'keep' | 'revoke') => frozen({ ...opened(), status, ...(outcome && { outcome }) });

/** Alice reviewing her own access (as the fallback reviewer, say): it now waits for a second reviewer. */
const selfKept = () => decide(opened(), { by: ALICE, reason: 'I still run the monthly export' });

describe('openReviewItem', () => {
  it('starts pending for the reviewer, due when the campaign is, with nothing decided or sent', () => {
    expect(opened()).toEqual({ itemId: `c1:${ALICE}`, reviewer: MANAGER, status: 'pending', openedAt: OPENED, dueAt: DUE, decisions: [], remindersSent: 0, escalationsSent: 0 });
  });

  it.each([
    ['openedAt', POLICY, 'yesterday'],
    ['dueAt', { ...POLICY, dueAt: '2026-03-31' }, OPENED],
    ['a reminder lead', { ...POLICY, reminderLeads: ['P7D', 'a week'] }, OPENED],
    ['a zero reminder lead', { ...POLICY, reminderLeads: ['PT0S'] }, OPENED],
    ['escalateAfterDue', { ...POLICY, escalateAfterDue: '-P1D' }, OPENED],
    ['finalAfterEscalation', { ...POLICY, finalAfterEscalation: 'P0D' }, OPENED],
    ['onNoDecision', { ...POLICY, onNoDecision: 'ignore' as RecertPolicy['onNoDecision'] }, OPENED],
  ])('throws a RangeError for an unusable %s', (_, policy, openedAt) => {
    expect(() => openReviewItem({ itemId: 'c1:x', reviewer: MANAGER, openedAt }, policy)).toThrow(RangeError);
  });
});

describe('refuseDecision', () => {
  const escalated = () => decide(opened(), { decision: 'escalate', reason: 'Not my team any more' });

  it.each<[string, () => ReviewItemState, Partial<DecisionInput>, string]>([
    ['an unknown decision', opened, { decision: 'approve' as DecisionInput['decision'] }, 'unknown decision "approve"'],
    ['a decided item', () => inStatus('decided', 'keep'), {}, 'review item is already decided'],
    ['an auto-revoked item', () => inStatus('auto-revoked', 'revoke'), {}, 'review item is already auto-revoked'],
    ['an item flagged unreviewed', () => inStatus('flagged-unreviewed'), {}, 'review item is already flagged-unreviewed'],
    ['someone other than the reviewer', opened, { by: 'prn_mallory', byIsReviewer: false }, 'only the assigned reviewer may decide this item'],
    ['someone other than the escalation reviewer', escalated, { byIsReviewer: false }, 'only the escalation reviewer may decide this item once it is escalated'],
    ['someone other than a second reviewer', selfKept, { by: 'prn_mallory', byIsReviewer: false }, 'only a second reviewer may decide this item'],
    ['the second review by whoever reviewed their own access', selfKept, { by: ALICE }, 'four-eyes rule: the second review must be by someone other than the holder of the access'],
    ['the second review by the self-reviewer, the subject left out', selfKept, { by: ALICE, subjectPrincipalId: undefined }, 'four-eyes rule: the second review must be by someone other than the holder of the access'],
    ['the second review by the holder, whatever the first decider', () => decide(opened(), { by: 'prn_alice_admin', subjectPrincipalId: 'prn_alice_admin', reason: 'Needed' }), { by: ALICE, subjectPrincipalId: ALICE }, 'four-eyes rule: the second review must be by someone other than the holder of the access'],
    ['escalating an escalated item', escalated, { by: ESCALATION, decision: 'escalate', reason: 'Higher still' }, 'review item is already escalated'],
    ['revoking without a reason', opened, { decision: 'revoke' }, 'a reason is required to revoke'],
    ['revoking with a blank reason', opened, { decision: 'revoke', reason: '  ' }, 'a reason is required to revoke'],
    ['deferring without a reason', opened, { decision: 'defer', deferUntil: later(DAY_MS, AT) }, 'a reason is required to defer'],
    ['escalating without a reason', opened, { decision: 'escalate', reason: '' }, 'a reason is required to escalate'],
    ['keeping your own access without a reason', opened, { by: ALICE }, 'a reason is required for a decision on your own access'],
    ['revoking your own access without a reason', opened, { by: ALICE, decision: 'revoke', reason: ' ' }, 'a reason is required for a decision on your own access'],
    ['a deferral date on a keep', opened, { deferUntil: later(DAY_MS, AT) }, 'deferUntil only goes with a defer decision'],
    ['a deferral date on a revoke', opened, { decision: 'revoke', reason: 'Left the team', deferUntil: later(DAY_MS, AT) }, 'deferUntil only goes with a defer decision'],
    ['deferring without a date', opened, { decision: 'defer', reason: 'Asking the team lead' }, 'deferUntil is required to defer'],
    ['deferring to an unreadable date', opened, { decision: 'defer', reason: 'Asking', deferUntil: 'next week' }, 'deferUntil "next week" is not an ISO 8601 timestamp'],
    ['deferring to a bare date', opened, { decision: 'defer', reason: 'Asking', deferUntil: '2026-03-20' }, 'deferUntil "2026-03-20" is not an ISO 8601 timestamp'],
    ['deferring to now', opened, { decision: 'defer', reason: 'Asking', deferUntil: AT }, 'deferUntil must be in the future'],
    ['deferring to the past', opened, { decision: 'defer', reason: 'Asking', deferUntil: ago(1, AT) }, 'deferUntil must be in the future'],
    ['deferring past the due date', opened, { decision: 'defer', reason: 'Asking', deferUntil: later(1, DUE) }, `deferUntil must not be after the campaign due date ${DUE}`],
    ['deferring past the due date, with another offset', opened, { decision: 'defer', reason: 'Asking', deferUntil: '2026-03-31T19:00:00.001+02:00' }, `deferUntil must not be after the campaign due date ${DUE}`],
  ])('refuses %s, leaving the state unchanged', (_, state, over, reason) => {
    const before = state();
    const snapshot = structuredClone(before);
    expect(refuseDecision(before, decision(over), AT)).toBe(reason);
    expect(before).toEqual(snapshot);
  });

  it.each([
    ['at the due date', DUE, DUE, `the campaign due date ${DUE} has passed: it is too late to defer`],
    ['after the due date', later(1, DUE), later(DAY_MS, DUE), `the campaign due date ${DUE} has passed: it is too late to defer`],
    ['1 ms before the due date, to the due date', ago(1, DUE), DUE, undefined],
  ])('deferring %s: %p', (_, now, deferUntil, reason) => {
    expect(refuseDecision(opened(), decision({ decision: 'defer', reason: 'Asking', deferUntil }), now)).toBe(reason);
  });

  it.each<[string, () => ReviewItemState, Partial<DecisionInput>, string]>([
    ['keeping without a reason', opened, {}, AT],
    ['keeping after the due date, until the final notice', opened, {}, later(DAY_MS, DUE)],
    ['revoking with a reason', opened, { decision: 'revoke', reason: 'Moved to finance' }, AT],
    ['deferring to 1 ms from now', opened, { decision: 'defer', reason: 'Asking', deferUntil: later(1, AT) }, AT],
    ['deferring to the due date itself', opened, { decision: 'defer', reason: 'Asking', deferUntil: DUE }, AT],
    ['deferring to the due date written with another offset', opened, { decision: 'defer', reason: 'Asking', deferUntil: '2026-03-31T19:00:00.000+02:00' }, AT],
    ['deferring again while deferred', () => decide(opened(), { decision: 'defer', reason: 'Asking', deferUntil: later(DAY_MS, AT) }), { decision: 'defer', reason: 'Still asking', deferUntil: later(2 * DAY_MS, AT) }, AT],
    ['escalating', opened, { decision: 'escalate', reason: 'Not my team' }, AT],
    ['the escalation reviewer deciding', () => decide(opened(), { decision: 'escalate', reason: 'Not my team' }), { by: ESCALATION }, AT],
    ['a decision on your own access, with a reason', opened, { by: ALICE, reason: 'Still needed' }, AT],
    ['a second reviewer keeping without a reason', selfKept, { by: SECOND }, AT],
    ['a second reviewer escalating', selfKept, { by: SECOND, decision: 'escalate', reason: 'Ask the CISO' }, AT],
    ['a decision on an item nobody names a subject for', opened, { subjectPrincipalId: undefined }, AT],
  ])('allows %s', (_, state, over, now) => {
    expect(refuseDecision(state(), decision(over), now)).toBeUndefined();
  });

  it('throws a RangeError for an unreadable now', () => {
    expect(() => refuseDecision(opened(), decision(), 'now')).toThrow(RangeError);
  });
});

describe('applyDecision', () => {
  it.each([
    ['keep', {}, { by: MANAGER, decision: 'keep', at: AT }],
    ['revoke', { decision: 'revoke' as const, reason: '  Moved to finance ' }, { by: MANAGER, decision: 'revoke', reason: 'Moved to finance', at: AT }],
  ])('%s takes effect at once, with the decision recorded', (outcome, over, record) => {
    expect(decide(opened(), over)).toEqual({ ...opened(), status: 'decided', outcome, decisions: [record] });
  });

  it('defer keeps the item pending until the date, and a later deferral replaces it', () => {
    const once = decide(opened(), { decision: 'defer', reason: 'Asking', deferUntil: '2026-03-20T09:00:00.000Z' });
    expect(once).toEqual({ ...opened(), deferredUntil: '2026-03-20T09:00:00.000Z', decisions: [{ by: MANAGER, decision: 'defer', reason: 'Asking', at: AT, deferUntil: '2026-03-20T09:00:00.000Z' }] });
    const twice = decide(once, { decision: 'defer', reason: 'Still asking', deferUntil: '2026-03-25T09:00:00.000Z' }, '2026-03-19T09:00:00.000Z');
    expect(twice).toMatchObject({ status: 'pending', deferredUntil: '2026-03-25T09:00:00.000Z' });
    expect(twice.decisions.map((d) => d.deferUntil)).toEqual(['2026-03-20T09:00:00.000Z', '2026-03-25T09:00:00.000Z']);
  });

  it.each([
    ['keep', {}, 'decided'],
    ['escalate', { decision: 'escalate' as const, reason: 'Not my team' }, 'escalated'],
  ])('%s ends a deferral', (_, over, status) => {
    const deferred = decide(opened(), { decision: 'defer', reason: 'Asking', deferUntil: '2026-03-20T09:00:00.000Z' });
    const next = decide(deferred, over, '2026-03-12T09:00:00.000Z');
    expect(next.status).toBe(status);
    expect(next).not.toHaveProperty('deferredUntil');
  });

  it('escalate hands the item to the escalation reviewer, whose decision then takes effect', () => {
    const escalated = decide(opened(), { decision: 'escalate', reason: 'Not my team' });
    expect(escalated).toMatchObject({ status: 'escalated', reviewer: MANAGER });
    expect(escalated).not.toHaveProperty('outcome');
    expect(decide(escalated, { by: ESCALATION, decision: 'revoke', reason: 'No longer needed' })).toMatchObject({ status: 'decided', outcome: 'revoke' });
  });
});

describe('reviewing your own access', () => {
  it('records the decision but leaves it without effect until a second reviewer decides', () => {
    expect(selfKept()).toEqual({ ...opened(), status: 'awaiting-second-review', decisions: [{ by: ALICE, decision: 'keep', reason: 'I still run the monthly export', at: AT, selfReview: true }] });
  });

  it('needs a second review for a revocation too', () => {
    expect(decide(opened(), { by: ALICE, decision: 'revoke', reason: 'I no longer need it' })).toMatchObject({ status: 'awaiting-second-review' });
  });

  // The second reviewer decides: their keep or revoke is the outcome, whether it confirms the first decision or not.
  it.each([
    ['confirms a keep', 'keep', 'keep', 'keep'],
    ['overrides a keep', 'keep', 'revoke', 'revoke'],
    ['confirms a revoke', 'revoke', 'revoke', 'revoke'],
    ['overrides a revoke', 'revoke', 'keep', 'keep'],
  ] as const)('a second reviewer %s', (_, first, second, outcome) => {
    const waiting = decide(opened(), { by: ALICE, decision: first, reason: 'My own view' });
    const done = decide(waiting, { by: SECOND, decision: second, reason: 'Checked with the team' }, '2026-03-11T12:00:00.000Z');
    expect(done).toMatchObject({ status: 'decided', outcome });
    expect(done.decisions.map((d) => [d.by, d.decision, d.selfReview])).toEqual([
      [ALICE, first, true],
      [SECOND, second, undefined],
    ]);
  });

  it('a second reviewer may defer, keeping the item waiting for their decision', () => {
    const deferred = decide(selfKept(), { by: SECOND, decision: 'defer', reason: 'Asking', deferUntil: '2026-03-20T09:00:00.000Z' });
    expect(deferred).toMatchObject({ status: 'awaiting-second-review', deferredUntil: '2026-03-20T09:00:00.000Z' });
    expect(refuseDecision(deferred, decision({ by: ALICE, reason: 'Again' }), '2026-03-21T09:00:00.000Z')).toBe('four-eyes rule: the second review must be by someone other than the holder of the access');
    expect(decide(deferred, { by: SECOND }, '2026-03-21T09:00:00.000Z')).toMatchObject({ status: 'decided', outcome: 'keep' });
  });

  it('escalating or deferring your own access needs no second review: neither takes effect on the access', () => {
    expect(decide(opened(), { by: ALICE, decision: 'escalate', reason: 'Someone else should decide' })).toMatchObject({ status: 'escalated', decisions: [{ selfReview: true }] });
    expect(decide(opened(), { by: ALICE, decision: 'defer', reason: 'Back next week', deferUntil: '2026-03-20T09:00:00.000Z' })).toMatchObject({ status: 'pending', decisions: [{ selfReview: true }] });
  });

  it('applies to an escalation reviewer whose own access it is', () => {
    const escalated = decide(opened(), { decision: 'escalate', reason: 'Not my team' });
    expect(decide(escalated, { by: ALICE, reason: 'Still needed' })).toMatchObject({ status: 'awaiting-second-review' });
  });
});

describe('nextNotice', () => {
  // Opened 09:00:00, due 09:01:40; reminders at 09:00:50 and 09:01:30; escalation at 09:02:00; final at 09:02:30.
  const SHORT: RecertPolicy = frozen({ dueAt: '2026-03-02T09:01:40.000Z', reminderLeads: ['PT50S', 'PT10S'], escalateAfterDue: 'PT20S', onNoDecision: 'auto-revoke', finalAfterEscalation: 'PT30S' });
  const t = (time: string) => `2026-03-02T${time}Z`;
  const item = (over: Partial<ReviewItemState> = {}, policy = SHORT) => frozen({ ...opened(policy), ...over });
  const reminder = (index: number, time: string): Notice => ({ kind: 'reminder', index, at: t(time) });
  const escalation = (time = '09:02:00.000'): Notice => ({ kind: 'escalation', index: 0, at: t(time) });
  const final = (onNoDecision: RecertPolicy['onNoDecision'] = 'auto-revoke'): Notice => ({ kind: 'final', index: 0, at: t('09:02:30.000'), onNoDecision });

  it.each([
    [0, 0, '09:00:00.000', reminder(0, '09:00:50.000')],
    [0, 0, '09:00:50.000', reminder(0, '09:00:50.000')],
    [0, 0, '09:01:29.999', reminder(0, '09:00:50.000')],
    [0, 0, '09:01:30.000', reminder(1, '09:01:30.000')],
    [1, 0, '09:00:00.000', reminder(1, '09:01:30.000')],
    [1, 0, '09:01:39.999', reminder(1, '09:01:30.000')],
    [1, 0, '09:01:40.000', escalation()],
    [0, 0, '09:01:40.000', escalation()],
    [2, 0, '09:00:00.000', escalation()],
    [2, 0, '09:02:29.999', escalation()],
    [2, 0, '09:02:30.000', final()],
    [0, 0, '09:02:30.000', final()],
    [2, 1, '09:00:00.000', final()],
    [2, 1, '10:00:00.000', final()],
  ])('with %d reminders and %d escalations behind it, at %s: %j', (remindersSent, escalationsSent, now, expected) => {
    expect(nextNotice(item({ remindersSent, escalationsSent }), SHORT, t(now))).toEqual(expected);
  });

  it.each(['escalated', 'awaiting-second-review'] as const)('keeps going while the item is %s', (status) => {
    expect(nextNotice(item({ status }), SHORT, t('09:00:00.000'))).toEqual(reminder(0, '09:00:50.000'));
  });

  it.each(['decided', 'auto-revoked', 'flagged-unreviewed'] as const)('sends nothing once the item is %s', (status) => {
    expect(nextNotice(item({ status }), SHORT, t('09:00:00.000'))).toBeUndefined();
    expect(nextNotice(item({ status }), SHORT, t('10:00:00.000'))).toBeUndefined();
  });

  it('carries what the final notice does', () => {
    expect(nextNotice(item(), { ...SHORT, onNoDecision: 'flag' }, t('09:02:30.000'))).toEqual(final('flag'));
  });

  it.each([
    ['after the first reminder', '09:00:55.000', [reminder(0, '09:01:30.000')]],
    ['exactly at the first reminder', '09:00:50.000', [reminder(0, '09:01:30.000')]],
    ['1 ms before the first reminder', '09:00:49.999', [reminder(0, '09:00:50.000'), reminder(1, '09:01:30.000')]],
  ])('drops the reminders at or before an item opened %s', (_, openedAt, reminders) => {
    const state = frozen(openReviewItem({ itemId: 'c1:x', reviewer: MANAGER, openedAt: t(openedAt) }, SHORT));
    expect(run(state, SHORT, state.openedAt).sent).toEqual([...reminders, escalation(), final()]);
  });

  it('sends each lead once, in time order, however the policy lists them', () => {
    const policy = { ...SHORT, reminderLeads: ['PT10S', 'PT50S', 'PT10S'] };
    expect(run(item({}, policy), policy, t('09:00:00.000')).sent).toEqual([reminder(0, '09:00:50.000'), reminder(1, '09:01:30.000'), escalation(), final()]);
  });

  it.each([
    ['1 ms after the first reminder', '09:00:50.001', '09:00:00.000', reminder(1, '09:01:30.000')],
    ['exactly to the second reminder', '09:01:30.000', '09:00:00.000', reminder(1, '09:01:30.000')],
    ['1 ms past the second reminder', '09:01:30.001', '09:00:00.000', escalation()],
    ['to the due date', '09:01:40.000', '09:00:00.000', escalation()],
    ['to a date already over', '09:00:30.000', '09:00:40.000', reminder(0, '09:00:50.000')],
  ])('holds back the reminders of a deferral %s', (_, deferredUntil, now, expected) => {
    expect(nextNotice(item({ deferredUntil: t(deferredUntil) }), SHORT, t(now))).toEqual(expected);
  });

  it('adds calendar months in UTC, each period counted from the instant before it', () => {
    const policy: RecertPolicy = { dueAt: '2026-01-31T10:00:00.000Z', reminderLeads: ['P1M'], escalateAfterDue: 'P1M', onNoDecision: 'flag', finalAfterEscalation: 'P1M' };
    const state = frozen(openReviewItem({ itemId: 'c1:x', reviewer: MANAGER, openedAt: '2025-11-01T00:00:00.000Z' }, policy));
    expect(run(state, policy, state.openedAt).sent.map((n) => n.at)).toEqual(['2025-12-31T10:00:00.000Z', '2026-02-28T10:00:00.000Z', '2026-03-28T10:00:00.000Z']);
  });

  it('counts from the due date the item opened with', () => {
    const state = item();
    expect(nextNotice(state, { ...SHORT, dueAt: '2026-04-01T00:00:00.000Z' }, t('09:00:00.000'))).toEqual(reminder(0, '09:00:50.000'));
  });

  it('throws a RangeError for an unreadable now or an unusable policy, even for a finished item', () => {
    expect(() => nextNotice(item(), SHORT, 'soon')).toThrow(RangeError);
    expect(() => nextNotice(item({ status: 'decided' }), { ...SHORT, escalateAfterDue: 'three days' }, t('09:00:00.000'))).toThrow(RangeError);
    expect(() => nextNotice(item({ deferredUntil: 'Friday' }), SHORT, t('09:00:00.000'))).toThrow(RangeError);
  });

  describe('over a whole campaign', () => {
    it('sends each notice exactly once, in order, and auto-revokes an item nobody decided', () => {
      const { sent, state } = run(item(), SHORT, t('09:00:00.000'));
      expect(sent).toEqual([reminder(0, '09:00:50.000'), reminder(1, '09:01:30.000'), escalation(), final()]);
      expect(state).toMatchObject({ status: 'auto-revoked', outcome: 'revoke', remindersSent: 2, escalationsSent: 1 });
    });

    it('flags instead, with no outcome, when the policy says so', () => {
      const policy = { ...SHORT, onNoDecision: 'flag' as const };
      const { sent, state } = run(item({}, policy), policy, t('09:00:00.000'));
      expect(sent.map((n) => n.kind)).toEqual(['reminder', 'reminder', 'escalation', 'final']);
      expect(state.status).toBe('flagged-unreviewed');
      expect(state).not.toHaveProperty('outcome');
    });

    it.each([
      ['after the due date', '09:01:45.000', [escalation(), final()]],
      ['after the escalation', '09:02:10.000', [escalation(), final()]],
      ['at the final notice', '09:02:30.000', [final()]],
      ['long after', '12:00:00.000', [final()]],
    ])('starting or resuming %s, skips the stale notices instead of sending a burst', (_, start, expected) => {
      expect(run(item(), SHORT, t(start)).sent).toEqual(expected);
    });

    it('sends nothing more after a decision takes effect', () => {
      const decided = decide(item(), {}, t('09:01:00.000'));
      expect(run(decided, SHORT, t('09:01:00.000')).sent).toEqual([]);
    });

    it('auto-revokes a self-review that never got its second review', () => {
      const waiting = decide(item(), { by: ALICE, reason: 'Still needed' }, t('09:00:10.000'));
      expect(run(waiting, SHORT, t('09:00:10.000')).state).toMatchObject({ status: 'auto-revoked', outcome: 'revoke' });
    });
  });
});

/** What a workflow does: take the next notice, sleep until it is due, send it, record it. */
function run(state: ReviewItemState, policy: RecertPolicy, start: string): { sent: Notice[]; state: ReviewItemState } {
  const sent: Notice[] = [];
  let now = start;
  for (let notice = nextNotice(state, policy, now); notice; notice = nextNotice(state, policy, now)) {
    if (Date.parse(notice.at) > Date.parse(now)) now = notice.at;
    sent.push(notice);
    state = frozen(applyNotice(state, notice));
  }
  return { sent, state };
}

describe('applyNotice', () => {
  const FINAL = (onNoDecision: RecertPolicy['onNoDecision']): Notice => ({ kind: 'final', index: 0, at: AT, onNoDecision });

  it('counts the notice and the skipped ones before it as sent, and never counts back', () => {
    expect(applyNotice(opened(), { kind: 'reminder', index: 1, at: AT })).toMatchObject({ remindersSent: 2, escalationsSent: 0 });
    expect(applyNotice(frozen({ ...opened(), remindersSent: 2 }), { kind: 'reminder', index: 0, at: AT }).remindersSent).toBe(2);
    expect(applyNotice(frozen({ ...opened(), escalationsSent: 1 }), { kind: 'escalation', index: 0, at: AT }).escalationsSent).toBe(1);
  });

  it.each([
    ['pending', 'escalated'],
    ['escalated', 'escalated'],
    ['awaiting-second-review', 'awaiting-second-review'],
  ] as const)('an escalation moves an item %s to %s', (status, expected) => {
    expect(applyNotice(inStatus(status), { kind: 'escalation', index: 0, at: AT })).toMatchObject({ status: expected, escalationsSent: 1 });
  });

  it.each(['pending', 'escalated', 'awaiting-second-review'] as const)('the final notice auto-revokes or flags an item %s', (status) => {
    expect(applyNotice(inStatus(status), FINAL('auto-revoke'))).toMatchObject({ status: 'auto-revoked', outcome: 'revoke' });
    const flagged = applyNotice(inStatus(status), FINAL('flag'));
    expect(flagged.status).toBe('flagged-unreviewed');
    expect(flagged).not.toHaveProperty('outcome');
  });

  it.each<[string, ReviewItemState]>([
    ['kept', inStatus('decided', 'keep')],
    ['revoked', inStatus('decided', 'revoke')],
    ['auto-revoked', inStatus('auto-revoked', 'revoke')],
    ['flagged', inStatus('flagged-unreviewed')],
  ])('changes nothing on an item already %s, when a notice raced the decision', (_, state) => {
    for (const notice of [{ kind: 'reminder', index: 0, at: AT }, { kind: 'escalation', index: 0, at: AT }, FINAL('auto-revoke'), FINAL('flag')] as Notice[]) {
      expect(applyNotice(state, notice)).toBe(state);
    }
  });
});

describe('campaignReport', () => {
  const kept = () => decide(opened());
  const revoked = () => decide(opened(), { decision: 'revoke', reason: 'Moved team' });
  const selfConfirmed = () => decide(selfKept(), { by: SECOND });

  it('counts an empty campaign as all zeros', () => {
    expect(campaignReport([])).toEqual({
      items: 0,
      decided: 0,
      kept: 0,
      revoked: 0,
      autoRevoked: 0,
      flaggedUnreviewed: 0,
      pending: 0,
      byFlag: { dormant: 0, privileged: 0, orphaned: 0, 'role-mismatch': 0, leaver: 0 },
      selfReviews: 0,
    });
  });

  it('counts items by status, outcome, flag and self-review, from any iterable', () => {
    const items: { state: ReviewItemState; flags: Flag[] }[] = [
      { state: kept(), flags: ['privileged'] },
      { state: selfConfirmed(), flags: ['privileged', 'role-mismatch'] },
      { state: revoked(), flags: ['dormant', 'leaver'] },
      { state: inStatus('auto-revoked', 'revoke'), flags: ['dormant', 'dormant'] },
      { state: inStatus('flagged-unreviewed'), flags: ['orphaned'] },
      { state: opened(), flags: [] },
      { state: inStatus('escalated'), flags: [] },
      { state: selfKept(), flags: ['privileged'] },
    ];
    function* each() {
      yield* items;
    }
    expect(campaignReport(each())).toEqual({
      items: 8,
      decided: 3,
      kept: 2,
      revoked: 1,
      autoRevoked: 1,
      flaggedUnreviewed: 1,
      pending: 3,
      byFlag: { dormant: 2, privileged: 3, orphaned: 1, 'role-mismatch': 1, leaver: 1 },
      selfReviews: 2,
    });
  });
});

describe('a campaign end to end', () => {
  it('flags, assigns, decides and reports', () => {
    const facts = [person({ entitlements: ['admin'] }), system({ ownerStatus: 'leaver', lastUsedAt: undefined }), external()];
    const FALLBACK = 'prn_campaign_owner';
    const states = facts.map((f) => openReviewItem({ itemId: f.itemId, reviewer: reviewerFor(f)?.reviewer ?? FALLBACK, openedAt: OPENED }, POLICY));
    expect(states.map((s) => s.reviewer)).toEqual([MANAGER, FALLBACK, OWNER]);
    const decided = [
      applyDecision(states[0], decision(), AT),
      applyDecision(states[1], decision({ by: FALLBACK, decision: 'revoke', reason: 'Owner gone, never used', subjectPrincipalId: 'prn_crm' }), AT),
      states[2],
    ];
    const report = campaignReport(decided.map((state, i) => ({ state, flags: flagsFor(facts[i], NOW, OPTIONS).map((f) => f.flag) })));
    expect(report).toMatchObject({ items: 3, decided: 2, kept: 1, revoked: 1, pending: 1, byFlag: { dormant: 1, privileged: 1, orphaned: 1, 'role-mismatch': 0, leaver: 0 } });
    expect(DECISIONS).toEqual(['keep', 'revoke', 'defer', 'escalate']);
  });
});

describe('expectedRoles', () => {
  const mapping = { 'account-executive': ['staff'], 'it-admin': ['admin', 'staff'], auditor: ['auditor'] };
  it.each([
    [['account-executive'], ['staff']],
    [['account-executive', 'it-admin'], ['admin', 'staff']],
    [['auditor', 'unmapped'], ['auditor']],
    [['unmapped'], undefined],
    [[], undefined],
  ] as [string[], string[] | undefined][])('job roles %j → %j', (jobRoles, expected) => {
    expect(expectedRoles(jobRoles, mapping)).toEqual(expected);
  });

  it('judges nothing without a mapping', () => {
    expect(expectedRoles(['account-executive'], undefined)).toBeUndefined();
  });

  it('feeds role-mismatch: roles beyond the job roles are flagged', () => {
    const facts = { itemId: 'r:p', kind: 'principal' as const, principalId: 'p', entitlements: ['staff', 'admin'], principalKind: 'person' as const, staffStatus: 'active' as const, createdAt: '2026-01-01T00:00:00Z', lastUsedAt: '2026-11-01T00:00:00Z', expectedEntitlements: expectedRoles(['account-executive'], mapping) };
    expect(flagsFor(facts, '2026-11-02T00:00:00Z', { dormantAfterDays: 90 }).map((f) => f.flag)).toContain('role-mismatch');
  });
});
