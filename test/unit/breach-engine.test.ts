import { computeObligations, type EngineOptions } from '../../domain/breach/engine';
import type { Adjustment, ClockAdjustment, Clock, IncidentFacts, Obligation, Rule, RulesPack } from '../../domain/breach/types';

const NOW = '2026-06-01T00:00:00.000Z';

function facts(over: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    anchors: {},
    submissions: {},
    affected: {},
    dataCategories: [],
    encryption: 'none',
    risk: 'high',
    flags: ['in-scope'],
    entity: { zone: 'UTC', calendar: 'weekends' },
    ...over,
  };
}

const hours = (amount: number, anchor: Clock['anchor'] = 'awareness'): Clock => ({ anchor, amount, unit: 'hours', counting: 'elapsed', roll: 'none' });

function rule(id: string, over: Partial<Rule> = {}): Rule {
  return {
    id,
    regime: 'Test regime',
    recipient: 'Test authority',
    title: `Notice ${id}`,
    clocks: [hours(72)],
    calendar: 'weekends',
    zone: 'UTC',
    appliesWhen: { flag: 'in-scope' },
    exemptions: [],
    adjustments: [],
    citation: `Art. ${id}`,
    source: 'https://example.org/law',
    confidence: 'A',
    wording: `wording of ${id}`,
    effectiveFrom: '2000-01-01',
    ...over,
  };
}

const pack = (...rules: Rule[]): RulesPack => ({ version: 'test-1', rules });

function run(p: RulesPack, f: IncidentFacts, options: Partial<EngineOptions> = {}) {
  return computeObligations(p, f, { now: NOW, ...options });
}

function only(p: RulesPack, f: IncidentFacts, options: Partial<EngineOptions> = {}): Obligation {
  const { obligations } = run(p, f, options);
  expect(obligations).toHaveLength(1);
  return obligations[0];
}

describe('rule versions', () => {
  // Three versions of one rule; effectiveFrom is inclusive and effectiveTo exclusive, so they tile the calendar.
  const versions = pack(
    rule('v', { clocks: [hours(72)], wording: 'version 1', effectiveFrom: '2020-01-01', effectiveTo: '2026-03-01' }),
    rule('v', { clocks: [hours(48)], wording: 'version 2', effectiveFrom: '2026-03-01', effectiveTo: '2027-01-01' }),
    rule('v', { clocks: [hours(24)], wording: 'version 3', effectiveFrom: '2027-01-01' }),
  );

  it.each([
    // [awareness, version, due]
    ['2020-01-01T00:00:00.000Z', 'version 1', '2020-01-04T00:00:00.000Z'],
    ['2026-02-28T23:59:59.999Z', 'version 1', '2026-03-03T23:59:59.999Z'],
    ['2026-03-01T00:00:00.000Z', 'version 2', '2026-03-03T00:00:00.000Z'],
    ['2026-12-31T12:00:00.000Z', 'version 2', '2027-01-02T12:00:00.000Z'],
    ['2027-01-01T00:00:00.000Z', 'version 3', '2027-01-02T00:00:00.000Z'],
    ['2035-06-01T00:00:00.000Z', 'version 3', '2035-06-02T00:00:00.000Z'],
  ])('a clock starting at %s runs under %s', (awareness, wording, due) => {
    const o = only(versions, facts({ anchors: { awareness } }));
    expect(o.explanation[2]).toBe(`The law: ${wording}`);
    expect(o.dueAt).toBe(due);
  });

  it('no version is in force before the first one: the rule is silent', () => {
    const result = run(versions, facts({ anchors: { awareness: '2019-12-31T23:59:59.999Z' } }));
    expect(result).toEqual({ packVersion: 'test-1', obligations: [], notApplicable: [] });
  });

  it('a version that ended with no successor is silent', () => {
    const ended = pack(rule('gone', { effectiveFrom: '2020-01-01', effectiveTo: '2026-01-01' }));
    expect(run(ended, facts({ anchors: { awareness: '2026-01-01T00:00:00.000Z' } })).obligations).toEqual([]);
    expect(run(ended, facts({ anchors: { awareness: '2025-12-31T23:00:00.000Z' } })).obligations).toHaveLength(1);
  });

  it.each([
    ['2026-02-28T12:00:00.000Z', 'version 1'],
    ['2026-03-01T00:00:00.000Z', 'version 2'],
    ['2027-01-01T00:00:00.000Z', 'version 3'],
  ])('before the clock starts, the version in force at now (%s) is used', (now, wording) => {
    const o = only(versions, facts(), { now });
    expect(o.clock).toBe('waiting');
    expect(o.explanation[2]).toBe(`The law: ${wording}`);
  });

  it.each([
    // The effective date is a date in the rule's zone.
    ['Los Angeles: 03:00Z on 1 March is still 28 February', 'America/Los_Angeles', '2026-03-01T03:00:00.000Z', 'version 1'],
    ['Los Angeles: 08:00Z on 1 March is local midnight', 'America/Los_Angeles', '2026-03-01T08:00:00.000Z', 'version 2'],
    ['Berlin: 23:30Z on 28 February is already 1 March', 'Europe/Berlin', '2026-02-28T23:30:00.000Z', 'version 2'],
  ])('%s', (_case, zone, awareness, wording) => {
    const zoned = pack(...versions.rules.map((r) => ({ ...r, zone })));
    expect(only(zoned, facts({ anchors: { awareness } })).explanation[2]).toBe(`The law: ${wording}`);
  });
});

describe('clocks', () => {
  const dora = pack(rule('dora', { clocks: [hours(4, 'classification'), hours(24, 'awareness')] }));

  it.each([
    // [case, anchors, startsAt, dueAt]
    [
      'classification clock is earlier',
      { awareness: '2026-06-01T08:00:00.000Z', classification: '2026-06-01T10:00:00.000Z' },
      '2026-06-01T10:00:00.000Z',
      '2026-06-01T14:00:00.000Z',
    ],
    [
      'awareness clock is earlier',
      { awareness: '2026-06-01T08:00:00.000Z', classification: '2026-06-02T06:00:00.000Z' },
      '2026-06-01T08:00:00.000Z',
      '2026-06-02T08:00:00.000Z',
    ],
    ['classification unknown: the later clock runs alone', { awareness: '2026-06-01T08:00:00.000Z' }, '2026-06-01T08:00:00.000Z', '2026-06-02T08:00:00.000Z'],
    ['awareness unknown', { classification: '2026-06-01T10:00:00.000Z' }, '2026-06-01T10:00:00.000Z', '2026-06-01T14:00:00.000Z'],
  ])('several clocks, the earliest wins: %s', (_case, anchors, startsAt, dueAt) => {
    const o = only(dora, facts({ anchors }));
    expect([o.clock, o.startsAt, o.dueAt]).toEqual(['running', startsAt, dueAt]);
  });

  it('explains the race only when several clocks run', () => {
    const both = only(dora, facts({ anchors: { awareness: '2026-06-01T08:00:00.000Z', classification: '2026-06-01T10:00:00.000Z' } }));
    expect(both.explanation).toContain('Several clocks run; the earliest wins: 2026-06-01T14:00:00.000Z.');
    expect(both.explanation).toContain('Clock starts at classification: 2026-06-01T10:00:00.000Z.');
    expect(both.explanation).toContain('Clock starts at awareness: 2026-06-01T08:00:00.000Z.');
    const one = only(dora, facts({ anchors: { awareness: '2026-06-01T08:00:00.000Z' } }));
    expect(one.explanation.some((line) => line.startsWith('Several clocks'))).toBe(false);
  });

  it('waits while no anchor is known', () => {
    const o = only(dora, facts());
    expect([o.clock, o.startsAt, o.dueAt]).toEqual(['waiting', null, null]);
    expect(o.explanation.at(-1)).toBe('Waiting: the clock starts at classification or awareness, not yet recorded.');
  });

  describe('a follow-up report anchored on a submission', () => {
    const followUp = pack(
      rule('final', { clocks: [{ anchor: 'submitted:initial', amount: 1, unit: 'months', counting: 'eu-1182-71', roll: 'none' }] }),
    );

    it('waits until the submission is recorded', () => {
      const o = only(followUp, facts({ anchors: { awareness: '2026-06-01T08:00:00.000Z' }, submissions: { other: '2026-06-02T08:00:00.000Z' } }));
      expect([o.clock, o.dueAt]).toEqual(['waiting', null]);
      expect(o.explanation.at(-1)).toBe('Waiting: the clock starts at submission of initial, not yet recorded.');
    });

    it('runs from the submission once facts.submissions has it', () => {
      const o = only(followUp, facts({ submissions: { initial: '2026-06-10T09:00:00.000Z' } }));
      // 10 June + 1 month = 10 July, ending at midnight UTC.
      expect([o.clock, o.startsAt, o.dueAt]).toEqual(['running', '2026-06-10T09:00:00.000Z', '2026-07-11T00:00:00.000Z']);
      expect(o.explanation).toContain('Clock starts at submission of initial: 2026-06-10T09:00:00.000Z.');
    });
  });

  it('starts a year-end clock at the end of the calendar year, in the rule zone', () => {
    const log = pack(
      rule('log', { zone: 'America/New_York', clocks: [{ anchor: 'year-end:discovery', amount: 60, unit: 'days', counting: 'days-after', roll: 'none' }] }),
    );
    const o = only(log, facts({ anchors: { discovery: '2027-05-05T14:00:00.000Z' } }));
    expect([o.startsAt, o.dueAt]).toEqual(['2028-01-01T05:00:00.000Z', '2028-03-01T05:00:00.000Z']);
    expect(o.explanation).toContain('Clock starts at end of the calendar year of discovery: 2028-01-01T05:00:00.000Z.');
  });

  describe('asap duties', () => {
    const asap = pack(
      rule('asap', { zone: 'Europe/Berlin', clocks: [{ anchor: 'discovery', amount: 0, unit: 'asap', counting: 'elapsed', roll: 'next-working-day-end' }] }),
    );
    const f = facts({ anchors: { discovery: '2026-03-12T09:30:00.000Z' } });

    it.each([
      // [target, due]: elapsed hours, never rolled, even when the target falls on a weekend
      [undefined, '2026-03-15T09:30:00.000Z'],
      [24, '2026-03-13T09:30:00.000Z'],
      [48, '2026-03-14T09:30:00.000Z'],
    ])('target %p hours → %s, not statutory', (asapTargetHours, due) => {
      const o = only(asap, f, asapTargetHours === undefined ? {} : { asapTargetHours });
      expect([o.clock, o.statutory, o.dueAt]).toEqual(['running', false, due]);
      expect(o.explanation).toContain(`The law sets no fixed period; the organisation's own target of ${asapTargetHours ?? 72} hours applies.`);
    });

    it('a rule with a fixed period is statutory', () => {
      expect(only(pack(rule('fixed')), facts({ anchors: { awareness: NOW } })).statutory).toBe(true);
    });
  });
});

describe('per-jurisdiction rules', () => {
  const states = pack(
    rule('st', {
      perJurisdiction: 'US-*',
      appliesWhen: { affected: { in: '$each', op: '>=', value: 500 } },
      exemptions: [{ id: 'small', description: 'few residents', citation: 's. 1', suggestedWhen: { affected: { in: '$each', op: '<', value: 1000 } } }],
    }),
  );
  const f = facts({
    anchors: { discovery: '2026-06-01T00:00:00.000Z', awareness: '2026-06-01T00:00:00.000Z' },
    affected: { 'US-NY': 10, 'US-CA': 600, 'US-TX': 0, 'US-WA': 5000, DE: 7, CA: 3 },
  });

  it('expands into one obligation per affected state, with ids rule@state', () => {
    const { obligations, notApplicable } = run(states, f);
    expect(obligations.map((o) => [o.id, o.ruleId, o.jurisdiction, o.title])).toEqual([
      ['st@US-CA', 'st', 'US-CA', 'Notice st (US-CA)'],
      ['st@US-WA', 'st', 'US-WA', 'Notice st (US-WA)'],
    ]);
    // US-TX has nobody affected and is not considered; CA is Canada, DE is not a state.
    expect(notApplicable).toEqual([{ ruleId: 'st@US-NY', reason: '10 affected in US-NY: not at least 500' }]);
  });

  it('evaluates exemption suggestions for the state being expanded', () => {
    const { obligations } = run(states, f);
    expect(obligations.map((o) => [o.id, o.exemptions[0].suggested])).toEqual([
      ['st@US-CA', true],
      ['st@US-WA', false],
    ]);
  });

  it('says why it applies, with the state count', () => {
    const { obligations } = run(states, f);
    expect(obligations[0].explanation[1]).toBe('Applies because 600 affected in US-CA: at least 500.');
  });

  it('produces nothing when no state is affected', () => {
    expect(run(states, facts({ affected: { DE: 100, 'US-CA': 0 } }))).toEqual({ packVersion: 'test-1', obligations: [], notApplicable: [] });
  });

  it('a pattern without * matches that jurisdiction only', () => {
    const one = pack(rule('ca', { perJurisdiction: 'US-CA', appliesWhen: { affected: { in: '$each', op: '>=', value: 1 } } }));
    expect(run(one, f).obligations.map((o) => o.id)).toEqual(['ca@US-CA']);
  });
});

describe('applicability and exemptions', () => {
  it('lists rules that do not apply with their reason', () => {
    const p = pack(
      rule('hipaa', { appliesWhen: { flag: 'hipaa-covered-entity' } }),
      rule('gdpr', { appliesWhen: { all: [{ affected: { in: 'EEA', op: '>', value: 0 } }, { risk: { atLeast: 'risk' } }] } }),
      rule('other'),
    );
    const result = run(p, facts({ anchors: { awareness: NOW }, affected: { GB: 10 } }));
    expect(result.obligations.map((o) => o.id)).toEqual(['other']);
    expect(result.notApplicable).toEqual([
      { ruleId: 'hipaa', reason: 'hipaa-covered-entity not recorded' },
      { ruleId: 'gdpr', reason: '0 affected in EEA: not more than 0' },
    ]);
  });

  it('flags each exemption as suggested when its condition holds', () => {
    const p = pack(
      rule('ex', {
        exemptions: [
          { id: 'encrypted', description: 'd', citation: 'c', suggestedWhen: { encryption: { anyOf: ['full'] } } },
          { id: 'low-risk', description: 'd', citation: 'c', suggestedWhen: { not: { risk: { atLeast: 'risk' } } } },
          { id: 'manual', description: 'd', citation: 'c' },
        ],
      }),
    );
    const suggested = (f: IncidentFacts) => only(p, f).exemptions.map((e) => [e.id, e.suggested]);
    expect(suggested(facts({ encryption: 'full', risk: 'high' }))).toEqual([
      ['encrypted', true],
      ['low-risk', false],
      ['manual', false],
    ]);
    expect(suggested(facts({ encryption: 'partial', risk: 'unlikely' }))).toEqual([
      ['encrypted', false],
      ['low-risk', true],
      ['manual', false],
    ]);
    expect(only(p, facts()).exemptions[0]).toEqual({
      id: 'encrypted',
      description: 'd',
      citation: 'c',
      suggestedWhen: { encryption: { anyOf: ['full'] } },
      suggested: false,
    });
  });

  it.each([
    ['A', false],
    ['B', false],
    ['C', true],
  ] as Array<[Rule['confidence'], boolean]>)('confidence %s: verify %p', (confidence, verify) => {
    const o = only(pack(rule('r', { confidence })), facts());
    expect([o.confidence, o.verify]).toEqual([confidence, verify]);
    expect(o.explanation[0]).toBe(`Notice r: Test regime, Art. r${verify ? ' (verify: the source for this rule is weak or conflicting)' : ''}.`);
  });
});

describe('adjustments', () => {
  const allowed: Adjustment[] = [
    { id: 'ext-30d', kind: 'extension', description: 'd', citation: 'ext law', amount: 30, unit: 'days' },
    { id: 'ext-2bd', kind: 'extension', description: 'd', citation: 'ext law', amount: 2, unit: 'business-days' },
    { id: 'ext-12h', kind: 'extension', description: 'd', citation: 'ext law', amount: 12, unit: 'hours' },
    { id: 'le-hold', kind: 'pause', description: 'd', citation: 'hold law' },
  ];
  // 72 h from Monday 2026-06-01 10:00Z: due Thursday 2026-06-04 10:00Z.
  const p = pack(rule('adj', { adjustments: allowed }));
  const f = facts({ anchors: { awareness: '2026-06-01T10:00:00.000Z' } });
  const rec = (adjustmentId: string, from: string, until?: string, obligationId = 'adj'): ClockAdjustment => ({
    obligationId,
    adjustmentId,
    from,
    ...(until ? { until } : {}),
    reason: 'requested by the police',
  });

  it.each([
    ['none', [], 'running', '2026-06-04T10:00:00.000Z'],
    ['30-day extension', [rec('ext-30d', '2026-06-02T00:00:00.000Z')], 'running', '2026-07-04T10:00:00.000Z'],
    ['2-business-day extension (Thu → Fri, Mon)', [rec('ext-2bd', '2026-06-02T00:00:00.000Z')], 'running', '2026-06-08T10:00:00.000Z'],
    ['12-hour extension', [rec('ext-12h', '2026-06-02T00:00:00.000Z')], 'running', '2026-06-04T22:00:00.000Z'],
    ['closed pause of 3.5 days', [rec('le-hold', '2026-06-02T00:00:00.000Z', '2026-06-05T12:00:00.000Z')], 'running', '2026-06-07T22:00:00.000Z'],
    ['pause ending before it started shifts nothing', [rec('le-hold', '2026-06-05T00:00:00.000Z', '2026-06-04T00:00:00.000Z')], 'running', '2026-06-04T10:00:00.000Z'],
    ['open pause', [rec('le-hold', '2026-06-02T00:00:00.000Z')], 'paused', null],
    [
      'extension then closed pause, in order',
      [rec('ext-30d', '2026-06-02T00:00:00.000Z'), rec('le-hold', '2026-06-02T00:00:00.000Z', '2026-06-05T12:00:00.000Z')],
      'running',
      '2026-07-07T22:00:00.000Z',
    ],
    ['an adjustment the rule does not allow is ignored', [rec('bogus', '2026-06-02T00:00:00.000Z')], 'running', '2026-06-04T10:00:00.000Z'],
    ['an adjustment of another obligation is ignored', [rec('ext-30d', '2026-06-02T00:00:00.000Z', undefined, 'other')], 'running', '2026-06-04T10:00:00.000Z'],
  ] as Array<[string, ClockAdjustment[], Obligation['clock'], string | null]>)('%s', (_case, adjustments, clock, dueAt) => {
    const o = only(p, f, { adjustments });
    expect([o.clock, o.dueAt, o.startsAt]).toEqual([clock, dueAt, '2026-06-01T10:00:00.000Z']);
  });

  it('explains each adjustment and leaves the explanation alone for ignored ones', () => {
    const plain = only(p, f).explanation;
    expect(only(p, f, { adjustments: [rec('bogus', '2026-06-02T00:00:00.000Z')] }).explanation).toEqual(plain);
    expect(only(p, f, { adjustments: [rec('ext-30d', '2026-06-02T00:00:00.000Z')] }).explanation).toEqual([
      ...plain,
      'Extended by 30 days (ext law) from 2026-06-02T00:00:00.000Z: requested by the police. New due: 2026-07-04T10:00:00.000Z.',
    ]);
    expect(only(p, f, { adjustments: [rec('le-hold', '2026-06-02T00:00:00.000Z', '2026-06-05T12:00:00.000Z')] }).explanation.at(-1)).toBe(
      'Clock held from 2026-06-02T00:00:00.000Z to 2026-06-05T12:00:00.000Z (hold law): requested by the police. New due: 2026-06-07T22:00:00.000Z.',
    );
    expect(only(p, f, { adjustments: [rec('le-hold', '2026-06-02T00:00:00.000Z')] }).explanation.at(-1)).toBe(
      'Clock held since 2026-06-02T00:00:00.000Z (hold law): requested by the police. It runs again when the hold is lifted.',
    );
  });

  it('leaves a waiting obligation waiting', () => {
    const o = only(p, facts(), { adjustments: [rec('ext-30d', '2026-06-02T00:00:00.000Z')] });
    expect([o.clock, o.dueAt]).toEqual(['waiting', null]);
  });

  it('carries the allowed adjustments on the obligation', () => {
    expect(only(p, f).adjustments).toEqual(allowed);
  });
});

describe('entity zone and calendar', () => {
  // One business day after Wednesday 2026-11-25, ending at local midnight.
  const p = pack(
    rule('ent', { zone: 'entity', calendar: 'entity', clocks: [{ anchor: 'awareness', amount: 1, unit: 'business-days', counting: 'business-days-after', roll: 'none' }] }),
  );

  it.each([
    // [zone, calendar, due]
    ['America/Los_Angeles', 'US-federal', '2026-11-28T08:00:00.000Z'], // Thanksgiving skipped: end of Friday 27, PST
    ['America/Los_Angeles', 'weekends', '2026-11-27T08:00:00.000Z'], // end of Thursday 26, PST
    ['Europe/Berlin', 'weekends', '2026-11-26T23:00:00.000Z'], // end of Thursday 26, CET
  ] as Array<[string, IncidentFacts['entity']['calendar'], string]>)('%s with %s', (zone, calendar, due) => {
    const o = only(p, facts({ anchors: { awareness: '2026-11-25T18:00:00.000Z' }, entity: { zone, calendar } }));
    expect(o.dueAt).toBe(due);
  });
});

describe('ordering and determinism', () => {
  const p = pack(
    rule('w1', { clocks: [hours(1, 'determination')] }),
    rule('late', { clocks: [hours(72)] }),
    rule('soon', { clocks: [hours(4)] }),
    rule('w2', { clocks: [hours(1, 'determination')] }),
    rule('paused', { clocks: [hours(2)], adjustments: [{ id: 'hold', kind: 'pause', description: 'd', citation: 'c' }] }),
    rule('mid', { clocks: [hours(24)] }),
    rule('out', { appliesWhen: { flag: 'never' } }),
  );
  const f = facts({ anchors: { awareness: '2026-06-01T10:00:00.000Z' } });
  const options: Partial<EngineOptions> = { adjustments: [{ obligationId: 'paused', adjustmentId: 'hold', from: '2026-06-01T11:00:00.000Z', reason: 'r' }] };

  it('puts the soonest first and those without a due instant last, in rule order', () => {
    expect(run(p, f, options).obligations.map((o) => [o.id, o.dueAt])).toEqual([
      ['soon', '2026-06-01T14:00:00.000Z'],
      ['mid', '2026-06-02T10:00:00.000Z'],
      ['late', '2026-06-04T10:00:00.000Z'],
      ['w1', null],
      ['w2', null],
      ['paused', null],
    ]);
  });

  it('gives the same output for the same input, without touching the input', () => {
    const before = JSON.stringify([p, f, options]);
    const first = run(p, f, options);
    const second = run(p, f, options);
    expect(second).toEqual(first);
    expect(JSON.stringify([p, f, options])).toBe(before);
    expect(first.packVersion).toBe('test-1');
  });
});
