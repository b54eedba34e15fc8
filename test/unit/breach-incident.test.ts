import {
  PHASES,
  applyStep,
  escalates,
  initialState,
  isOpen,
  needsRecompute,
  nextDue,
  reconcile,
  refuseStep,
  type IncidentReport,
  type IncidentState,
  type ObligationStatus,
  type Phase,
  type Step,
  type StepKind,
  type TrackedObligation,
} from '../../domain/breach/incident';
import { DEFAULT_LADDER } from '../../domain/breach/escalation';
import type { Actor } from '../../domain/evidence';
import type { Assessment, ClockAdjustment, Obligation } from '../../domain/breach/types';

const ACTOR: Actor = { id: 'responder-1', type: 'person' };
const NOW = '2026-06-02T12:00:00.000Z';
const DUE = '2026-06-04T10:00:00.000Z';

function report(): IncidentReport {
  return {
    incidentId: 'inc-1',
    title: 'Lost laptop',
    description: 'An unencrypted laptop was stolen.',
    reportedBy: ACTOR,
    reportedAt: '2026-06-01T09:00:00.000Z',
    systems: ['crm'],
    facts: {
      anchors: { awareness: '2026-06-01T10:00:00.000Z' },
      submissions: {},
      affected: {},
      dataCategories: [],
      encryption: 'none',
      risk: 'risk',
      flags: [],
      entity: { zone: 'Europe/Berlin', calendar: 'weekends' },
    },
    contacts: [{ role: 'dpo', email: 'dpo@example.org' }],
    ladder: DEFAULT_LADDER,
    asapTargetHours: 72,
    reviewWithinDays: 30,
  };
}

/** An obligation as the engine returns it. */
function computed(id: string, over: Partial<Obligation> = {}): Obligation {
  return {
    id,
    ruleId: id.split('@')[0],
    regime: 'GDPR',
    recipient: 'Supervisory authority',
    title: `Notice ${id}`,
    clock: 'running',
    startsAt: '2026-06-01T10:00:00.000Z',
    dueAt: DUE,
    statutory: true,
    explanation: [`Notice ${id}: GDPR, Art. 33.`, `Applies because ${id} applies.`],
    citation: 'Art. 33',
    source: 'https://example.org/gdpr',
    confidence: 'A',
    verify: false,
    exemptions: [{ id: 'encrypted', description: 'Data unintelligible', citation: 'Art. 34(3)(a)', suggested: false }],
    adjustments: [
      { id: 'le-hold', kind: 'pause', description: 'Law-enforcement delay', citation: 'Art. 4' },
      { id: 'ext-30d', kind: 'extension', description: 'Extension', citation: 'Art. 5', amount: 30, unit: 'days' },
    ],
    ...over,
  };
}

function tracked(id: string, over: Partial<TrackedObligation> = {}): TrackedObligation {
  const base = computed(id);
  return { ...base, status: 'open', notices: [], escalation: { window: base.dueAt, handled: 0, sent: [] }, ...over };
}

function stateIn(phase: Phase, over: Partial<IncidentState> = {}): IncidentState {
  return { ...initialState(report()), phase, ...over };
}

const notify = (over: Partial<Extract<Step, { kind: 'notify' }>> = {}): Step => ({
  kind: 'notify',
  obligationId: 'gdpr',
  sentAt: '2026-06-02T11:00:00.000Z',
  recipientReference: 'SA-2026-17',
  final: true,
  ...over,
});

const assess = (over: Partial<Extract<Step, { kind: 'assess' }>> = {}): Step => ({
  kind: 'assess',
  anchors: { determination: '2026-06-02T08:00:00.000Z' },
  affected: { DE: 120 },
  dataCategories: ['contact'],
  encryption: 'none',
  risk: 'high',
  flags: ['controller'],
  consequences: 'Phishing risk',
  ...over,
});

const hold = (over: Partial<ClockAdjustment> = {}): ClockAdjustment => ({
  obligationId: 'gdpr',
  adjustmentId: 'le-hold',
  from: '2026-06-02T00:00:00.000Z',
  reason: 'Police request',
  ...over,
});

describe('initialState', () => {
  it('starts in triage with nothing recorded', () => {
    const r = report();
    expect(initialState(r)).toEqual({
      ...r,
      phase: 'triage',
      containment: [],
      revision: 0,
      obligations: [],
      adjustments: [],
      review: { findings: [] },
      correctiveActions: [],
      version: 1,
    });
  });
});

describe('refuseStep: which steps each phase allows', () => {
  const ALLOWED: Record<StepKind, Phase[]> = {
    triage: ['triage'],
    contain: ['containment', 'assessment', 'notification'],
    assess: ['containment', 'assessment', 'notification'],
    notify: ['assessment', 'notification', 'review'],
    exempt: ['assessment', 'notification', 'review'],
    adjust: ['assessment', 'notification', 'review'],
    lift: ['assessment', 'notification', 'review'],
    review: ['notification'],
    close: ['review'],
  };

  // For every kind, a step that is valid in every other respect, and the state it needs.
  const fixtures: Record<StepKind, { step: Step; state: Partial<IncidentState> }> = {
    triage: { step: { kind: 'triage', severity: 'high', notes: 'Customer data' }, state: {} },
    contain: { step: { kind: 'contain', measures: 'Device wiped remotely' }, state: {} },
    assess: { step: assess({ reason: 'New facts' }), state: { revision: 1 } },
    notify: { step: notify(), state: { obligations: [tracked('gdpr')] } },
    exempt: { step: { kind: 'exempt', obligationId: 'gdpr', exemptionId: 'encrypted', justification: 'AES-256' }, state: { obligations: [tracked('gdpr')] } },
    adjust: {
      step: { kind: 'adjust', obligationId: 'gdpr', adjustmentId: 'ext-30d', from: NOW, reason: 'Granted' },
      state: { obligations: [tracked('gdpr')] },
    },
    lift: { step: { kind: 'lift', obligationId: 'gdpr', adjustmentId: 'le-hold', until: NOW }, state: { obligations: [tracked('gdpr')], adjustments: [hold()] } },
    review: { step: { kind: 'review', findings: ['Encrypt laptops'], correctiveActions: [] }, state: {} },
    close: { step: { kind: 'close', reason: 'All done' }, state: { obligations: [tracked('gdpr', { status: 'notified' })] } },
  };

  const kinds = Object.keys(ALLOWED) as StepKind[];
  const table = kinds.flatMap((kind) => PHASES.map((phase) => [kind, phase, ALLOWED[kind].includes(phase)] as [StepKind, Phase, boolean]));

  it('covers every step kind and every phase', () => {
    expect(PHASES).toEqual(['triage', 'containment', 'assessment', 'notification', 'review', 'closed']);
    expect(table).toHaveLength(9 * 6);
  });

  it.each(table)('%s in %s: allowed %p', (kind, phase, allowed) => {
    const { step, state } = fixtures[kind];
    const refusal = refuseStep(stateIn(phase, state), step, NOW);
    if (allowed) expect(refusal).toBeUndefined();
    else expect(refusal).toBe(`A ${kind} step is not possible while the incident is in ${phase}; it is allowed in: ${ALLOWED[kind].join(', ')}.`);
  });

  it('nothing at all is possible once closed', () => {
    const closed = stateIn('closed', { obligations: [tracked('gdpr', { status: 'notified' })], adjustments: [hold()] });
    expect(kinds.filter((kind) => refuseStep(closed, fixtures[kind].step, NOW) === undefined)).toEqual([]);
  });
});

describe('assess', () => {
  it.each([
    // [revision, reason, refusal]
    [0, undefined, undefined],
    [0, 'first', undefined],
    [1, undefined, 'This revises an earlier assessment: give the reason for the revision.'],
    [1, '', 'This revises an earlier assessment: give the reason for the revision.'],
    [1, 'More residents found', undefined],
    [3, undefined, 'This revises an earlier assessment: give the reason for the revision.'],
  ])('revision %i with reason %p', (revision, reason, refusal) => {
    const step = assess(reason === undefined ? {} : { reason });
    expect(refuseStep(stateIn('notification', { revision }), step, NOW)).toBe(refusal);
  });

  it('moves to notification, bumps the revision, merges anchors and replaces the findings', () => {
    const before = stateIn('containment', { facts: { ...report().facts, submissions: { x: '2026-06-01T12:00:00.000Z' } } });
    const after = applyStep(before, assess(), ACTOR, NOW);
    expect(after.phase).toBe('notification');
    expect(after.revision).toBe(1);
    expect(after.version).toBe(before.version + 1);
    expect(after.consequences).toBe('Phishing risk');
    expect(after.facts).toEqual({
      anchors: { awareness: '2026-06-01T10:00:00.000Z', determination: '2026-06-02T08:00:00.000Z' },
      submissions: { x: '2026-06-01T12:00:00.000Z' },
      affected: { DE: 120 },
      dataCategories: ['contact'],
      encryption: 'none',
      risk: 'high',
      flags: ['controller'],
      entity: { zone: 'Europe/Berlin', calendar: 'weekends' },
    });
    // Review due 30 days after the first assessment.
    expect(after.review).toEqual({ findings: [], dueAt: '2026-07-02T12:00:00.000Z' });
  });

  it('keeps the review due date of the first assessment on revision', () => {
    const first = applyStep(stateIn('containment'), assess(), ACTOR, NOW);
    const second = applyStep(first, assess({ reason: 'More residents', affected: { DE: 500 }, anchors: { awareness: '2026-06-01T09:00:00.000Z' } }), ACTOR, '2026-06-20T00:00:00.000Z');
    expect(second.revision).toBe(2);
    expect(second.review.dueAt).toBe('2026-07-02T12:00:00.000Z');
    expect(second.facts.anchors).toEqual({ awareness: '2026-06-01T09:00:00.000Z', determination: '2026-06-02T08:00:00.000Z' });
    expect(second.facts.affected).toEqual({ DE: 500 });
  });
});

describe('triage, contain, review and close transitions', () => {
  it('triage records the severity and moves to containment', () => {
    const after = applyStep(stateIn('triage'), { kind: 'triage', severity: 'critical', notes: 'n' }, ACTOR, NOW);
    expect([after.phase, after.severity, after.version]).toEqual(['containment', 'critical', 2]);
  });

  it.each([
    ['containment', 'assessment'],
    ['assessment', 'assessment'],
    ['notification', 'notification'],
  ] as Array<[Phase, Phase]>)('contain in %s leads to %s and records the measures', (phase, next) => {
    const after = applyStep(stateIn(phase), { kind: 'contain', measures: 'Wiped', containedAt: '2026-06-02T10:00:00.000Z' }, ACTOR, NOW);
    expect(after.phase).toBe(next);
    expect(after.containment).toEqual([{ measures: 'Wiped', containedAt: '2026-06-02T10:00:00.000Z', by: ACTOR, at: NOW }]);
  });

  it('review moves to review and numbers the corrective actions', () => {
    const after = applyStep(
      stateIn('notification', { review: { dueAt: '2026-07-02T12:00:00.000Z', findings: [] } }),
      {
        kind: 'review',
        findings: ['No disk encryption'],
        correctiveActions: [
          { description: 'Encrypt disks', owner: 'it', dueAt: '2026-07-01T00:00:00.000Z' },
          { description: 'Train staff', owner: 'hr', dueAt: '2026-08-01T00:00:00.000Z' },
        ],
      },
      ACTOR,
      NOW,
    );
    expect(after.phase).toBe('review');
    expect(after.review).toEqual({ dueAt: '2026-07-02T12:00:00.000Z', completedAt: NOW, findings: ['No disk encryption'] });
    expect(after.correctiveActions).toEqual([
      { id: 'ca-1', description: 'Encrypt disks', owner: 'it', dueAt: '2026-07-01T00:00:00.000Z' },
      { id: 'ca-2', description: 'Train staff', owner: 'hr', dueAt: '2026-08-01T00:00:00.000Z' },
    ]);
  });

  it('close is refused while obligations are open, naming them', () => {
    const state = stateIn('review', {
      obligations: [
        tracked('gdpr'),
        tracked('hipaa', { status: 'notified' }),
        tracked('st@US-CA', { status: 'partially-notified' }),
        tracked('nis2', { status: 'exempt' }),
        tracked('sec', { status: 'withdrawn' }),
      ],
    });
    expect(refuseStep(state, { kind: 'close', reason: 'done' }, NOW)).toBe(
      'Obligations are still open: gdpr, st@US-CA. Notify them, or record an exemption with its justification.',
    );
  });

  it.each([
    [[] as ObligationStatus[]],
    [['notified'] as ObligationStatus[]],
    [['notified', 'exempt', 'withdrawn'] as ObligationStatus[]],
  ])('close is accepted when every obligation is done (%j)', (statuses) => {
    const state = stateIn('review', { obligations: statuses.map((status, i) => tracked(`o${i}`, { status })) });
    expect(refuseStep(state, { kind: 'close', reason: 'done' }, NOW)).toBeUndefined();
    const after = applyStep(state, { kind: 'close', reason: 'done' }, ACTOR, NOW);
    expect([after.phase, after.closed]).toEqual(['closed', { at: NOW, by: ACTOR, reason: 'done' }]);
  });

  it('close after all obligations were notified or exempted through steps', () => {
    let state = stateIn('notification', { obligations: [tracked('gdpr'), tracked('nis2')] });
    const steps: Step[] = [
      notify(),
      { kind: 'exempt', obligationId: 'nis2', exemptionId: 'encrypted', justification: 'AES-256 at rest' },
      { kind: 'review', findings: [], correctiveActions: [] },
    ];
    for (const step of steps) {
      expect(refuseStep(state, step, NOW)).toBeUndefined();
      state = applyStep(state, step, ACTOR, NOW);
    }
    expect(refuseStep(state, { kind: 'close', reason: 'done' }, NOW)).toBeUndefined();
  });
});

describe('notify', () => {
  const open = stateIn('notification', { obligations: [tracked('gdpr'), tracked('nis2')] });

  it.each([
    ['with obligations', open, 'No obligation nope on this incident; it has: gdpr, nis2.'],
    ['without any', stateIn('notification'), 'No obligation nope on this incident.'],
  ])('refuses an unknown obligation (%s)', (_case, state, refusal) => {
    expect(refuseStep(state, notify({ obligationId: 'nope' }), NOW)).toBe(refusal);
  });

  it.each([['notified'], ['exempt'], ['withdrawn']] as Array<[ObligationStatus]>)('refuses an obligation that is %s', (status) => {
    const state = stateIn('notification', { obligations: [tracked('gdpr', { status })] });
    expect(refuseStep(state, notify(), NOW)).toBe(`Obligation gdpr is ${status}; nothing more can be notified for it.`);
  });

  it('accepts a further notice for a partially-notified obligation', () => {
    const state = stateIn('notification', { obligations: [tracked('gdpr', { status: 'partially-notified' })] });
    expect(refuseStep(state, notify(), NOW)).toBeUndefined();
  });

  const lateRefusal = `The notice was sent after the deadline (${DUE}); the law requires the reasons for the delay: give delayReason.`;

  it.each([
    // [case, sentAt, delayReason, refusal, late]
    ['well before the deadline', '2026-06-02T11:00:00.000Z', undefined, undefined, false],
    ['exactly at the deadline', DUE, undefined, undefined, false],
    ['1 ms late without a reason', '2026-06-04T10:00:00.001Z', undefined, lateRefusal, undefined],
    ['a day late without a reason', '2026-06-05T10:00:00.000Z', undefined, lateRefusal, undefined],
    ['late with a reason', '2026-06-05T10:00:00.000Z', 'Forensics took longer', undefined, true],
    ['5 minutes ahead of now is tolerated', '2026-06-06T00:05:00.000Z', 'Clock skew', undefined, true],
    ['more than 5 minutes ahead of now', '2026-06-06T00:05:00.001Z', 'Clock skew', 'sentAt lies in the future.', undefined],
  ])('%s', (_case, sentAt, delayReason, refusal, late) => {
    const now = '2026-06-06T00:00:00.000Z';
    const step = notify({ sentAt, ...(delayReason ? { delayReason } : {}) });
    expect(refuseStep(open, step, now)).toBe(refusal);
    if (refusal === undefined) {
      const after = applyStep(open, step, ACTOR, now);
      const notice = after.obligations[0].notices[0];
      expect(notice.late).toBe(late);
      expect(notice.delayReason).toBe(delayReason);
    }
  });

  it('refuses a future sentAt even before the deadline', () => {
    expect(refuseStep(open, notify({ sentAt: '2026-06-02T12:05:00.001Z' }), NOW)).toBe('sentAt lies in the future.');
    expect(refuseStep(open, notify({ sentAt: '2026-06-02T12:05:00.000Z' }), NOW)).toBeUndefined();
  });

  it('a waiting obligation has no deadline to be late for', () => {
    const state = stateIn('notification', { obligations: [tracked('gdpr', { clock: 'waiting', startsAt: null, dueAt: null })] });
    const step = notify({ sentAt: '2026-06-02T11:00:00.000Z' });
    expect(refuseStep(state, step, NOW)).toBeUndefined();
    expect(applyStep(state, step, ACTOR, NOW).obligations[0].notices[0].late).toBe(false);
  });

  it('records the notice and the first submission; final: false leaves it partially notified', () => {
    const first = applyStep(open, notify({ final: false, proof: { name: 'receipt.pdf', sha256: 'ab'.repeat(32) } }), ACTOR, NOW);
    const gdpr = first.obligations[0];
    expect(gdpr.status).toBe('partially-notified');
    expect(isOpen(gdpr)).toBe(true);
    expect(escalates(gdpr)).toBe(false);
    expect(gdpr.notices).toEqual([
      {
        sentAt: '2026-06-02T11:00:00.000Z',
        recipientReference: 'SA-2026-17',
        proof: { name: 'receipt.pdf', sha256: 'ab'.repeat(32) },
        final: false,
        late: false,
        recordedBy: ACTOR,
      },
    ]);
    expect(first.facts.submissions).toEqual({ gdpr: '2026-06-02T11:00:00.000Z' });
    expect(first.obligations[1]).toEqual(open.obligations[1]);
    expect(first.version).toBe(open.version + 1);

    const second = applyStep(first, notify({ sentAt: '2026-06-02T11:30:00.000Z', recipientReference: 'SA-2026-17b' }), ACTOR, NOW);
    expect(second.obligations[0].status).toBe('notified');
    expect(second.obligations[0].notices.map((n) => [n.sentAt, n.final])).toEqual([
      ['2026-06-02T11:00:00.000Z', false],
      ['2026-06-02T11:30:00.000Z', true],
    ]);
    // The submission that starts follow-up clocks stays the first one.
    expect(second.facts.submissions).toEqual({ gdpr: '2026-06-02T11:00:00.000Z' });
  });
});

describe('exempt', () => {
  it.each([
    ['an exemption the obligation lacks', tracked('gdpr'), 'nope', 'Exemption nope does not exist for gdpr; it allows: encrypted.'],
    ['any exemption when the law allows none', tracked('gdpr', { exemptions: [] }), 'encrypted', 'Exemption encrypted does not exist for gdpr; the law allows none.'],
    ['a notified obligation', tracked('gdpr', { status: 'notified' }), 'encrypted', 'Obligation gdpr is notified; it cannot be exempted.'],
    ['a withdrawn obligation', tracked('gdpr', { status: 'withdrawn' }), 'encrypted', 'Obligation gdpr is withdrawn; it cannot be exempted.'],
  ])('refuses %s', (_case, obligation, exemptionId, refusal) => {
    const state = stateIn('notification', { obligations: [obligation] });
    expect(refuseStep(state, { kind: 'exempt', obligationId: 'gdpr', exemptionId, justification: 'j' }, NOW)).toBe(refusal);
  });

  it('refuses an unknown obligation', () => {
    const state = stateIn('notification', { obligations: [tracked('gdpr')] });
    expect(refuseStep(state, { kind: 'exempt', obligationId: 'x', exemptionId: 'encrypted', justification: 'j' }, NOW)).toBe('No obligation x on this incident; it has: gdpr.');
  });

  it('records an exemption the obligation has, with its justification', () => {
    const state = stateIn('notification', { obligations: [tracked('gdpr'), tracked('nis2')] });
    const step: Step = { kind: 'exempt', obligationId: 'gdpr', exemptionId: 'encrypted', justification: 'AES-256, key not compromised' };
    expect(refuseStep(state, step, NOW)).toBeUndefined();
    const after = applyStep(state, step, ACTOR, NOW);
    expect(after.obligations[0]).toEqual({
      ...state.obligations[0],
      status: 'exempt',
      statusReason: 'encrypted: AES-256, key not compromised',
      exemption: { exemptionId: 'encrypted', justification: 'AES-256, key not compromised', by: ACTOR, at: NOW },
    });
    expect(isOpen(after.obligations[0])).toBe(false);
    expect(after.obligations[1]).toEqual(state.obligations[1]);
  });
});

describe('adjust and lift', () => {
  const base = stateIn('notification', { obligations: [tracked('gdpr'), tracked('plain', { adjustments: [] })] });
  const adjust = (over: Partial<Extract<Step, { kind: 'adjust' }>> = {}): Step => ({
    kind: 'adjust',
    obligationId: 'gdpr',
    adjustmentId: 'le-hold',
    from: '2026-06-02T00:00:00.000Z',
    reason: 'Police request',
    ...over,
  });

  it.each([
    ['an unknown obligation', base, adjust({ obligationId: 'x' }), 'No obligation x on this incident; it has: gdpr, plain.'],
    ['an unknown adjustment', base, adjust({ adjustmentId: 'nope' }), 'Adjustment nope does not exist for gdpr; it allows: le-hold, ext-30d.'],
    ['any adjustment when the law allows none', base, adjust({ obligationId: 'plain' }), 'Adjustment le-hold does not exist for plain; the law allows no delay or extension.'],
    ['a duplicate open hold', { ...base, adjustments: [hold()] }, adjust(), 'le-hold is already recorded for gdpr.'],
    ['a duplicate after the hold was lifted', { ...base, adjustments: [hold({ until: '2026-06-03T00:00:00.000Z' })] }, adjust(), 'le-hold is already recorded for gdpr.'],
    ['a duplicate extension', { ...base, adjustments: [hold({ adjustmentId: 'ext-30d' })] }, adjust({ adjustmentId: 'ext-30d' }), 'ext-30d is already recorded for gdpr.'],
    ['an extension with until', base, adjust({ adjustmentId: 'ext-30d', until: '2026-06-05T00:00:00.000Z' }), 'An extension has a fixed length; do not give until.'],
    ['a pause ending when it starts', base, adjust({ until: '2026-06-02T00:00:00.000Z' }), 'until must be after from.'],
    ['a pause ending before it starts', base, adjust({ until: '2026-06-01T00:00:00.000Z' }), 'until must be after from.'],
    ['an obligation already notified', stateIn('notification', { obligations: [tracked('gdpr', { status: 'notified' })] }), adjust(), 'Obligation gdpr is notified; its clock cannot be adjusted.'],
  ] as Array<[string, IncidentState, Step, string]>)('refuses %s', (_case, state, step, refusal) => {
    expect(refuseStep(state, step, NOW)).toBe(refusal);
  });

  it.each([
    ['an open pause', adjust()],
    ['a closed pause', adjust({ until: '2026-06-03T00:00:00.000Z' })],
    ['an extension', adjust({ adjustmentId: 'ext-30d' })],
    ['the same adjustment on another obligation', adjust()],
  ])('accepts and records %s', (_case, step) => {
    const state = { ...base, adjustments: [hold({ obligationId: 'other' })] };
    expect(refuseStep(state, step, NOW)).toBeUndefined();
    const after = applyStep(state, step, ACTOR, NOW);
    const s = step as Extract<Step, { kind: 'adjust' }>;
    expect(after.adjustments).toEqual([
      hold({ obligationId: 'other' }),
      { obligationId: s.obligationId, adjustmentId: s.adjustmentId, from: s.from, until: s.until, reason: s.reason },
    ]);
    expect(needsRecompute(step)).toBe(true);
  });

  it.each([
    ['no hold at all', [], 'le-hold', 'No open hold le-hold on gdpr.'],
    ['a hold already lifted', [hold({ until: '2026-06-03T00:00:00.000Z' })], 'le-hold', 'No open hold le-hold on gdpr.'],
    ['a hold on another obligation', [hold({ obligationId: 'other' })], 'le-hold', 'No open hold le-hold on gdpr.'],
    ['an extension, which is not a hold', [hold({ adjustmentId: 'ext-30d' })], 'ext-30d', 'No open hold ext-30d on gdpr.'],
  ] as Array<[string, ClockAdjustment[], string, string]>)('lift refuses %s', (_case, adjustments, adjustmentId, refusal) => {
    const step: Step = { kind: 'lift', obligationId: 'gdpr', adjustmentId, until: NOW };
    expect(refuseStep({ ...base, adjustments }, step, NOW)).toBe(refusal);
  });

  it.each([
    ['at the start', '2026-06-02T00:00:00.000Z'],
    ['before the start', '2026-06-01T23:59:59.999Z'],
  ])('lift refuses an end %s of the hold', (_case, until) => {
    const state = { ...base, adjustments: [hold()] };
    expect(refuseStep(state, { kind: 'lift', obligationId: 'gdpr', adjustmentId: 'le-hold', until }, NOW)).toBe('The hold cannot end before it started.');
  });

  it('lift closes the open hold only', () => {
    const lifted = hold({ obligationId: 'nis2', until: '2026-06-02T06:00:00.000Z' });
    const state = { ...base, adjustments: [lifted, hold()] };
    const step: Step = { kind: 'lift', obligationId: 'gdpr', adjustmentId: 'le-hold', until: NOW };
    expect(refuseStep(state, step, NOW)).toBeUndefined();
    expect(applyStep(state, step, ACTOR, NOW).adjustments).toEqual([lifted, hold({ until: NOW })]);
  });
});

describe('needsRecompute', () => {
  it.each([
    ['triage', false],
    ['contain', false],
    ['assess', true],
    ['notify', true],
    ['exempt', false],
    ['adjust', true],
    ['lift', true],
    ['review', false],
    ['close', false],
  ] as Array<[StepKind, boolean]>)('%s: %p', (kind, expected) => {
    expect(needsRecompute({ kind } as Step)).toBe(expected);
  });
});

describe('escalates and isOpen', () => {
  it.each([
    // [status, clock, dueAt, open, escalates]
    ['open', 'running', DUE, true, true],
    ['open', 'waiting', null, true, false],
    ['open', 'paused', null, true, false],
    ['partially-notified', 'running', DUE, true, false],
    ['notified', 'running', DUE, false, false],
    ['exempt', 'running', DUE, false, false],
    ['withdrawn', 'running', DUE, false, false],
  ] as Array<[ObligationStatus, Obligation['clock'], string | null, boolean, boolean]>)('%s, %s, due %p', (status, clock, dueAt, open, escalating) => {
    const o = tracked('gdpr', { status, clock, dueAt });
    expect([isOpen(o), escalates(o)]).toEqual([open, escalating]);
  });
});

describe('reconcile', () => {
  const assessment = (obligations: Obligation[], notApplicable: Assessment['notApplicable'] = []): Assessment => ({ packVersion: 'pack-2', obligations, notApplicable });

  it('adds new obligations as open, with a fresh escalation ladder', () => {
    const state = stateIn('notification', { revision: 1 });
    const { state: next, changes } = reconcile(state, assessment([computed('gdpr'), computed('waiting', { clock: 'waiting', startsAt: null, dueAt: null })]));
    expect(changes).toEqual([
      { obligationId: 'gdpr', change: 'appeared', detail: 'Applies because gdpr applies.' },
      { obligationId: 'waiting', change: 'appeared', detail: 'Applies because waiting applies.' },
    ]);
    expect(next.obligations).toEqual([
      { ...computed('gdpr'), status: 'open', notices: [], escalation: { window: DUE, handled: 0, sent: [] } },
      { ...computed('waiting', { clock: 'waiting', startsAt: null, dueAt: null }), status: 'open', notices: [], escalation: { window: null, handled: 0, sent: [] } },
    ]);
    expect([next.packVersion, next.version]).toEqual(['pack-2', state.version + 1]);
  });

  it('changes nothing, and keeps the version, when the result is the same', () => {
    const state = stateIn('notification', { obligations: [tracked('gdpr', { escalation: { window: DUE, handled: 2, sent: [{ label: '50%', at: 'x' }] } })] });
    const { state: next, changes } = reconcile(state, assessment([computed('gdpr', { explanation: ['updated wording'] })]));
    expect(changes).toEqual([]);
    expect(next.version).toBe(state.version);
    expect(next.obligations[0].escalation).toEqual({ window: DUE, handled: 2, sent: [{ label: '50%', at: 'x' }] });
    expect(next.obligations[0].explanation).toEqual(['updated wording']);
    expect(next.packVersion).toBe('pack-2');
  });

  it.each([
    // [case, status before, reason from notApplicable, detail]
    ['an open obligation', 'open', 'risk assessed as "unlikely" (below "risk")', 'risk assessed as "unlikely" (below "risk")'],
    ['a partially-notified obligation', 'partially-notified', '0 affected in EEA: not more than 0', '0 affected in EEA: not more than 0'],
    ['an obligation whose rule left the pack', 'open', undefined, 'the rule is no longer in force for this incident'],
  ] as Array<[string, ObligationStatus, string | undefined, string]>)('withdraws %s that stops applying, with the reason', (_case, status, reason, detail) => {
    const notice = { sentAt: '2026-06-02T11:00:00.000Z', recipientReference: 'r', final: false, late: false, recordedBy: ACTOR };
    const before = tracked('gdpr', { status, notices: status === 'open' ? [] : [notice] });
    const state = stateIn('notification', { revision: 2, obligations: [before] });
    const { state: next, changes } = reconcile(state, assessment([], reason ? [{ ruleId: 'gdpr', reason }] : []));
    expect(changes).toEqual([{ obligationId: 'gdpr', change: 'withdrawn', detail }]);
    expect(next.obligations).toEqual([{ ...before, status: 'withdrawn', statusReason: `No longer applicable after revision 2: ${detail}` }]);
    expect(next.version).toBe(state.version + 1);
  });

  it('matches per-jurisdiction ids against notApplicable', () => {
    const state = stateIn('notification', { revision: 1, obligations: [tracked('st@US-CA'), tracked('st@US-NY')] });
    const { changes } = reconcile(state, assessment([computed('st@US-NY')], [{ ruleId: 'st@US-CA', reason: '400 affected in US-CA: not more than 500' }]));
    expect(changes).toEqual([{ obligationId: 'st@US-CA', change: 'withdrawn', detail: '400 affected in US-CA: not more than 500' }]);
  });

  it('leaves a withdrawn obligation alone while it still does not apply', () => {
    const before = tracked('gdpr', { status: 'withdrawn', statusReason: 'No longer applicable after revision 1: x' });
    const state = stateIn('notification', { revision: 2, obligations: [before] });
    const { state: next, changes } = reconcile(state, assessment([], [{ ruleId: 'gdpr', reason: 'y' }]));
    expect(changes).toEqual([]);
    expect(next.obligations).toEqual([before]);
    expect(next.version).toBe(state.version);
  });

  it('reinstates a withdrawn obligation that applies again, as open with a fresh ladder', () => {
    const before = tracked('gdpr', {
      status: 'withdrawn',
      statusReason: 'No longer applicable after revision 1: x',
      escalation: { window: DUE, handled: 3, sent: [{ label: '50%', at: 'a' }] },
    });
    const fresh = computed('gdpr', { dueAt: '2026-06-05T10:00:00.000Z' });
    const { state: next, changes } = reconcile(stateIn('notification', { revision: 2, obligations: [before] }), assessment([fresh]));
    expect(changes).toEqual([{ obligationId: 'gdpr', change: 'reinstated', detail: 'Applies because gdpr applies.' }]);
    expect(next.obligations[0]).toEqual({
      ...fresh,
      status: 'open',
      statusReason: undefined,
      notices: [],
      escalation: { window: '2026-06-05T10:00:00.000Z', handled: 0, sent: [] },
    });
  });

  it.each([
    // [case, before, after, detail]
    ['moved later', DUE, '2026-07-04T10:00:00.000Z', `${DUE} → 2026-07-04T10:00:00.000Z`],
    ['started', null, DUE, `not started → ${DUE}`],
    ['put on hold', DUE, null, `${DUE} → on hold`],
  ])('a due instant that %s resets escalation progress', (_case, dueBefore, dueAfter, detail) => {
    const before = tracked('gdpr', { dueAt: dueBefore, escalation: { window: dueBefore, handled: 2, sent: [{ label: '50%', at: 'a' }, { label: '75%', at: 'b' }] } });
    const { state: next, changes } = reconcile(stateIn('notification', { obligations: [before] }), assessment([computed('gdpr', { dueAt: dueAfter })]));
    expect(changes).toEqual([{ obligationId: 'gdpr', change: 'due-moved', detail }]);
    expect(next.obligations[0].dueAt).toBe(dueAfter);
    expect(next.obligations[0].escalation).toEqual({ window: dueAfter, handled: 0, sent: [] });
    expect(next.obligations[0].status).toBe('open');
  });

  it.each([['notified'], ['exempt']] as Array<[ObligationStatus]>)('a %s obligation that stops applying keeps its status and is reported', (status) => {
    const notice = { sentAt: '2026-06-02T11:00:00.000Z', recipientReference: 'r', final: true, late: false, recordedBy: ACTOR };
    const before = tracked('gdpr', { status, notices: status === 'notified' ? [notice] : [] });
    const state = stateIn('notification', { revision: 2, obligations: [before] });
    const { state: next, changes } = reconcile(state, assessment([], [{ ruleId: 'gdpr', reason: '0 affected in EEA: not more than 0' }]));
    expect(changes).toEqual([{ obligationId: 'gdpr', change: 'no-longer-applicable', detail: '0 affected in EEA: not more than 0' }]);
    expect(next.obligations).toEqual([before]);
  });

  it('a notified obligation keeps its status and notices when recomputed', () => {
    const notice = { sentAt: '2026-06-02T11:00:00.000Z', recipientReference: 'r', final: true, late: false, recordedBy: ACTOR };
    const before = tracked('gdpr', { status: 'notified', notices: [notice] });
    const { state: next } = reconcile(stateIn('notification', { obligations: [before] }), assessment([computed('gdpr')]));
    expect(next.obligations[0]).toEqual(before);
  });

  it('keeps tracked obligations first, in their order, and appends new ones', () => {
    const state = stateIn('notification', { revision: 1, obligations: [tracked('b'), tracked('a')] });
    const { state: next, changes } = reconcile(state, assessment([computed('c'), computed('a'), computed('b')]));
    expect(next.obligations.map((o) => o.id)).toEqual(['b', 'a', 'c']);
    expect(changes.map((c) => [c.obligationId, c.change])).toEqual([['c', 'appeared']]);
  });
});

describe('nextDue', () => {
  it.each([
    ['no obligations', [], undefined],
    [
      'the earliest open one',
      [tracked('a', { dueAt: '2026-06-05T00:00:00.000Z' }), tracked('b', { dueAt: '2026-06-03T00:00:00.000Z' }), tracked('c', { dueAt: '2026-06-04T00:00:00.000Z' })],
      '2026-06-03T00:00:00.000Z',
    ],
    [
      'partially-notified ones count',
      [tracked('a', { dueAt: '2026-06-05T00:00:00.000Z' }), tracked('b', { status: 'partially-notified', dueAt: '2026-06-03T00:00:00.000Z' })],
      '2026-06-03T00:00:00.000Z',
    ],
    [
      'notified, exempt and withdrawn ones do not',
      [
        tracked('a', { status: 'notified', dueAt: '2026-06-02T00:00:00.000Z' }),
        tracked('b', { status: 'exempt', dueAt: '2026-06-02T01:00:00.000Z' }),
        tracked('c', { status: 'withdrawn', dueAt: '2026-06-02T02:00:00.000Z' }),
        tracked('d', { dueAt: '2026-06-09T00:00:00.000Z' }),
      ],
      '2026-06-09T00:00:00.000Z',
    ],
    ['waiting and paused ones have no due instant', [tracked('a', { clock: 'waiting', dueAt: null }), tracked('b', { clock: 'paused', dueAt: null })], undefined],
    ['nothing open', [tracked('a', { status: 'notified' })], undefined],
  ] as Array<[string, TrackedObligation[], string | undefined]>)('%s', (_case, obligations, expected) => {
    expect(nextDue(stateIn('notification', { obligations }))).toBe(expected);
  });
});
