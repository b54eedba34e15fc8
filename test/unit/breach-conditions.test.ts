import { affectedIn, evaluate } from '../../domain/breach/conditions';
import type { Condition, Encryption, IncidentFacts, RiskLevel } from '../../domain/breach/types';

function facts(over: Partial<IncidentFacts> = {}): IncidentFacts {
  return {
    anchors: {},
    submissions: {},
    affected: {},
    dataCategories: [],
    encryption: 'none',
    risk: 'risk',
    flags: [],
    entity: { zone: 'UTC', calendar: 'weekends' },
    ...over,
  };
}

const EU_27 = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' ');

describe('affectedIn', () => {
  const mixed = facts({
    affected: { DE: 100, FR: 20, NO: 7, IS: 3, LI: 1, GB: 50, CH: 9, 'US-CA': 501, 'US-NY': 40, 'US-TX': 0, CA: 11 },
  });

  it.each([
    // [where, count]
    ['EEA', 100 + 20 + 7 + 3 + 1],
    ['EU', 100 + 20],
    ['US', 501 + 40 + 0],
    ['DE', 100],
    ['NO', 7],
    ['GB', 50],
    ['CH', 9],
    ['US-CA', 501],
    ['CA', 11], // Canada, not California
    ['US-TX', 0],
    ['US-WA', 0],
    ['JP', 0],
  ])('%s covers %i', (where, count) => {
    expect(affectedIn(mixed, where)).toBe(count);
  });

  it.each([
    // [affected, EEA, EU, US]
    [{ NO: 5 }, 5, 0, 0],
    [{ IS: 2, LI: 3 }, 5, 0, 0],
    [{ GB: 5 }, 0, 0, 0],
    [{ CH: 5, GB: 5 }, 0, 0, 0],
    [{ 'US-CA': 1, 'US-NY': 2, 'US-TX': 3 }, 0, 0, 6],
    [{ IE: 4, NO: 1, GB: 9, 'US-MA': 2 }, 5, 4, 2],
    [{}, 0, 0, 0],
  ])('%j: EEA %i, EU %i, US %i', (affected, eea, eu, us) => {
    const f = facts({ affected });
    expect([affectedIn(f, 'EEA'), affectedIn(f, 'EU'), affectedIn(f, 'US')]).toEqual([eea, eu, us]);
  });

  it('every EU member counts for the EU and the EEA; only Iceland, Liechtenstein and Norway are EEA alone', () => {
    const f = facts({ affected: Object.fromEntries([...EU_27, 'IS', 'LI', 'NO', 'GB', 'CH'].map((c) => [c, 1])) });
    expect(affectedIn(f, 'EU')).toBe(27);
    expect(affectedIn(f, 'EEA')).toBe(30);
  });
});

describe('evaluate: affected thresholds are exact', () => {
  it.each([
    // [op, count, holds, because]
    ['>', 500, false, '500 affected in US-CA: not more than 500'],
    ['>', 501, true, '501 affected in US-CA: more than 500'],
    ['>=', 499, false, '499 affected in US-CA: not at least 500'],
    ['>=', 500, true, '500 affected in US-CA: at least 500'],
    ['<', 499, true, '499 affected in US-CA: fewer than 500'],
    ['<', 500, false, '500 affected in US-CA: not fewer than 500'],
  ] as Array<['>' | '>=' | '<', number, boolean, string]>)('%s 500 with %i affected', (op, count, holds, because) => {
    const verdict = evaluate({ affected: { in: 'US-CA', op, value: 500 } }, facts({ affected: { 'US-CA': count } }));
    expect(verdict).toEqual({ holds, because });
  });

  it.each([
    // [where, op, value, holds, because]
    ['EEA', '>=', 1, true, '11 affected in EEA: at least 1'],
    ['EU', '>=', 1, true, '4 affected in EU: at least 1'],
    ['EU', '>', 4, false, '4 affected in EU: not more than 4'],
    ['US', '>', 1000, false, '1000 affected in US: not more than 1000'],
    ['US', '>=', 1000, true, '1000 affected in US: at least 1000'],
    ['GB', '>=', 1, false, '0 affected in GB: not at least 1'],
    ['GB', '<', 1, true, '0 affected in GB: fewer than 1'],
  ] as Array<[string, '>' | '>=' | '<', number, boolean, string]>)('%s %s %i', (where, op, value, holds, because) => {
    const f = facts({ affected: { IE: 4, NO: 7, 'US-CA': 600, 'US-NY': 400 } });
    expect(evaluate({ affected: { in: where, op, value } }, f)).toEqual({ holds, because });
  });
});

describe('evaluate: $each', () => {
  const f = facts({ affected: { 'US-CA': 501, 'US-NY': 40 } });
  const each: Condition = { affected: { in: '$each', op: '>', value: 500 } };

  it.each([
    ['US-CA', true, '501 affected in US-CA: more than 500'],
    ['US-NY', false, '40 affected in US-NY: not more than 500'],
    ['US-TX', false, '0 affected in US-TX: not more than 500'],
  ])('counts the jurisdiction being expanded for (%s)', (jurisdiction, holds, because) => {
    expect(evaluate(each, f, jurisdiction)).toEqual({ holds, because });
  });

  it('reaches nested conditions', () => {
    const nested: Condition = { all: [{ flag: 'x' }, { not: { any: [each] } }] };
    expect(evaluate(nested, facts({ ...f, flags: ['x'] }), 'US-NY')).toEqual({ holds: true, because: 'x recorded; 40 affected in US-NY: not more than 500' });
    expect(evaluate(nested, facts({ ...f, flags: ['x'] }), 'US-CA')).toEqual({ holds: false, because: 'excluded because 501 affected in US-CA: more than 500' });
  });

  it.each([
    ['directly', each],
    ['inside all', { all: [each] }],
    ['inside any', { any: [{ flag: 'x' }, each] }],
    ['inside not', { not: each }],
  ] as Array<[string, Condition]>)('throws when used without a jurisdiction (%s)', (_case, condition) => {
    expect(() => evaluate(condition, f)).toThrow('"$each" used outside a per-jurisdiction rule');
  });
});

describe('evaluate: risk, data categories, encryption, flags', () => {
  it.each([
    // [facts.risk, atLeast, holds]
    ['unlikely', 'unlikely', true],
    ['unlikely', 'risk', false],
    ['unlikely', 'high', false],
    ['risk', 'unlikely', true],
    ['risk', 'risk', true],
    ['risk', 'high', false],
    ['high', 'unlikely', true],
    ['high', 'risk', true],
    ['high', 'high', true],
  ] as Array<[RiskLevel, RiskLevel, boolean]>)('risk %s, at least %s: %p', (risk, atLeast, holds) => {
    expect(evaluate({ risk: { atLeast } }, facts({ risk }))).toEqual({
      holds,
      because: `risk assessed as "${risk}" (${holds ? 'at least' : 'below'} "${atLeast}")`,
    });
  });

  it.each([
    // [recorded categories, holds, because]
    [['health', 'contact'], true, 'data categories include health'],
    [['financial', 'health'], true, 'data categories include health, financial'],
    [['contact'], false, 'no data category among health, financial'],
    [[], false, 'no data category among health, financial'],
  ])('data categories %j', (dataCategories, holds, because) => {
    expect(evaluate({ dataCategories: { anyOf: ['health', 'financial'] } }, facts({ dataCategories }))).toEqual({ holds, because });
  });

  it.each([
    // [encryption, holds, because] against anyOf none/partial
    ['none', true, 'data not encrypted'],
    ['partial', true, 'data partly encrypted'],
    ['full', false, 'data fully encrypted'],
  ] as Array<[Encryption, boolean, string]>)('encryption %s', (encryption, holds, because) => {
    expect(evaluate({ encryption: { anyOf: ['none', 'partial'] } }, facts({ encryption }))).toEqual({ holds, because });
  });

  it.each([
    [['sec-registrant'], true, 'sec-registrant recorded'],
    [['sec-registrant', 'other'], true, 'sec-registrant recorded'],
    [['hipaa-covered-entity'], false, 'sec-registrant not recorded'],
    [[], false, 'sec-registrant not recorded'],
  ])('flag with %j recorded', (flags, holds, because) => {
    expect(evaluate({ flag: 'sec-registrant' }, facts({ flags }))).toEqual({ holds, because });
  });
});

describe('evaluate: all, any, not', () => {
  const f = facts({ flags: ['a', 'b'], encryption: 'partial', risk: 'high', affected: { DE: 3 } });
  const a: Condition = { flag: 'a' };
  const b: Condition = { flag: 'b' };
  const c: Condition = { flag: 'c' };
  const d: Condition = { flag: 'd' };

  it.each([
    // [case, condition, holds, because]
    ['all hold: every reason, joined', { all: [a, b] }, true, 'a recorded; b recorded'],
    ['all: the first failure is the reason', { all: [a, c, d] }, false, 'c not recorded'],
    ['all of nothing holds', { all: [] }, true, ''],
    ['any: the first success is the reason', { any: [c, b, a] }, true, 'b recorded'],
    ['any fails: every reason, joined with nor', { any: [c, d] }, false, 'c not recorded; nor d not recorded'],
    ['any of nothing fails', { any: [] }, false, ''],
    ['not of a holding condition excludes', { not: a }, false, 'excluded because a recorded'],
    ['not of a failing condition holds', { not: c }, true, 'c not recorded'],
    ['not not', { not: { not: a } }, true, 'excluded because a recorded'],
    [
      'nested: all[any, not, affected] all hold',
      { all: [{ any: [c, a] }, { not: { encryption: { anyOf: ['full'] } } }, { affected: { in: 'EEA', op: '>', value: 0 } }] },
      true,
      'a recorded; data partly encrypted; 3 affected in EEA: more than 0',
    ],
    [
      'nested: the failing branch is named',
      { all: [{ any: [c, a] }, { not: { risk: { atLeast: 'risk' } } }, { affected: { in: 'EEA', op: '>', value: 0 } }] },
      false,
      'excluded because risk assessed as "high" (at least "risk")',
    ],
    [
      'nested any of alls',
      { any: [{ all: [a, c] }, { all: [b, { dataCategories: { anyOf: ['health'] } }] }] },
      false,
      'c not recorded; nor no data category among health',
    ],
  ] as Array<[string, Condition, boolean, string]>)('%s', (_case, condition, holds, because) => {
    expect(evaluate(condition, f)).toEqual({ holds, because });
  });
});
