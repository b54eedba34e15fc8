import { BREACH_RULES, PACK_VERSION, packProblems } from '../../domain/breach/pack';
import type { Rule, RulesPack } from '../../domain/breach/types';

/** Sets a field to a value its type forbids: the broken packs below are what a careless edit of the JSON produces. */
function set(target: object, key: string, value: unknown): void {
  (target as Record<string, unknown>)[key] = value;
}

function authority(): Rule {
  return {
    id: 'gdpr.authority',
    regime: 'EU GDPR',
    recipient: 'Supervisory authority',
    title: 'Notify the supervisory authority',
    clocks: [{ anchor: 'awareness', amount: 72, unit: 'hours', counting: 'eu-1182-71', roll: 'none' }],
    calendar: 'weekends',
    zone: 'entity',
    appliesWhen: {
      all: [{ flag: 'controller' }, { any: [{ affected: { in: 'EEA', op: '>', value: 0 } }, { flag: 'eu-established' }] }, { risk: { atLeast: 'risk' } }],
    },
    exemptions: [],
    adjustments: [],
    citation: 'Regulation (EU) 2016/679 Art. 33(1)',
    source: 'https://eur-lex.europa.eu/eli/reg/2016/679/oj',
    confidence: 'A',
    wording: 'Within 72 hours of becoming aware.',
    effectiveFrom: '2018-05-25',
  };
}

function finalReport(): Rule {
  return {
    ...authority(),
    id: 'nis2.final',
    clocks: [{ anchor: 'submitted:gdpr.authority', amount: 1, unit: 'months', counting: 'eu-1182-71', roll: 'next-working-day-end' }],
    calendar: 'entity',
    appliesWhen: { flag: 'nis2-entity' },
  };
}

function media(): Rule {
  return {
    ...authority(),
    id: 'hipaa.media',
    clocks: [{ anchor: 'discovery', amount: 60, unit: 'days', counting: 'days-after', roll: 'none' }],
    perJurisdiction: 'US-*',
    appliesWhen: { affected: { in: '$each', op: '>', value: 500 } },
    exemptions: [{ id: 'hipaa.164.402.2', description: 'Low probability of compromise.', citation: '45 CFR 164.402', suggestedWhen: { not: { risk: { atLeast: 'risk' } } } }],
    adjustments: [{ id: 'hipaa.164.412', kind: 'pause', description: 'Law enforcement delay.', citation: '45 CFR 164.412' }],
  };
}

function sound(): RulesPack {
  return { version: 'test', rules: [authority(), finalReport(), media()] };
}

// The vocabularies that problem messages enumerate.
const ANCHORS = 'occurrence, suspicion, discovery, awareness, determination, classification, assessment, year-end:<event> or submitted:<rule id>';
const FLAGS = [
  'controller, processor, eu-established, uk-established, hipaa-covered-entity, hipaa-business-associate',
  'third-party-agent, sec-registrant, nis2-entity, trust-service-provider, dora-financial-entity, lgpd-small-agent',
  'card-merchant, nis2-significant-incident, dora-major-incident, sec-material, pipeda-real-risk-of-significant-harm',
  'au-eligible-data-breach, au-suspected-breach, sg-significant-harm, lgpd-relevant-risk, unsecured-phi',
].join(', ');
const CATEGORIES = 'contact, identification, government-id, financial, cardholder-data, credentials, health, biometric, genetic, children, location, special-category, other';
const CONDITIONS = 'all, any, not, affected, risk, dataCategories, encryption, flag';

describe('the built-in pack', () => {
  it('has no structural problems', () => {
    expect(packProblems(BREACH_RULES)).toEqual([]);
  });

  it('carries the pack version', () => {
    expect(BREACH_RULES.version).toBe(PACK_VERSION);
  });

  it('covers every obligation of the reference table except the registers', () => {
    const ids = [...new Set(BREACH_RULES.rules.map((rule) => rule.id))].sort();
    expect(ids).toEqual(
      [
        'gdpr.art33.authority', 'gdpr.art33.processor', 'gdpr.art34.data-subjects', 'uk-gdpr.art33.ico',
        'nis2.art23.early-warning', 'nis2.art23.notification', 'nis2.art23.trust-service-notification', 'nis2.art23.final-report',
        'dora.art19.initial', 'dora.art19.intermediate', 'dora.art19.final',
        'hipaa.individuals', 'hipaa.media', 'hipaa.hhs', 'hipaa.hhs-annual-log', 'hipaa.business-associate',
        'sec.8k-item-1-05',
        'us-ca.residents', 'us-ca.attorney-general', 'us-ny.residents', 'us-tx.individuals', 'us-tx.attorney-general',
        'us-fl.individuals', 'us-fl.department', 'us-fl.third-party-agent', 'us-co.residents', 'us-co.attorney-general',
        'us-wa.residents', 'us-wa.attorney-general', 'us-vt.residents', 'us-vt.attorney-general',
        'ca-pipeda.commissioner', 'ca-pipeda.individuals', 'au-ndb.assessment', 'au-ndb.commissioner', 'au-ndb.individuals',
        'br-lgpd.anpd', 'br-lgpd.data-subjects', 'br-lgpd.anpd-small-agent', 'br-lgpd.data-subjects-small-agent', 'br-lgpd.supplementary',
        'sg-pdpa.assessment', 'sg-pdpa.commission', 'in-dpdp.board-intimation', 'in-dpdp.board-report', 'in-dpdp.data-principals',
        'visa.notification', 'visa.incident-report', 'mastercard.adc-report',
      ].sort(),
    );
  });

  it.each([
    ['us-ca.residents', [['2003-07-01', '2026-01-01'], ['2026-01-01', undefined]]],
    ['us-ca.attorney-general', [['2012-01-01', '2026-01-01'], ['2026-01-01', undefined]]],
    ['us-ny.residents', [['2019-10-23', '2024-12-21'], ['2024-12-21', '2025-03-21'], ['2025-03-21', undefined]]],
    ['us-tx.attorney-general', [['2020-01-01', '2023-09-01'], ['2023-09-01', undefined]]],
  ])('keeps the successive versions of %s back to back', (id, windows) => {
    const versions = BREACH_RULES.rules.filter((rule) => rule.id === id).map((rule) => [rule.effectiveFrom, rule.effectiveTo]);
    expect(versions).toEqual(windows);
  });
});

describe('packProblems', () => {
  it('finds nothing wrong with a sound pack, including versions that follow each other', () => {
    const pack = sound();
    const earlier = { ...authority(), effectiveTo: '2026-01-01' };
    const later = { ...authority(), effectiveFrom: '2026-01-01', clocks: [{ anchor: 'awareness' as const, amount: 48, unit: 'hours' as const, counting: 'elapsed' as const, roll: 'none' as const }] };
    pack.rules.splice(0, 1, earlier, later);
    expect(packProblems(pack)).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ['not an object', 'rules', ['pack: "rules" must be an object with version and rules']],
    ['rules that are not a list', { version: 'x', rules: {} }, ['pack: rules {} must be an array']],
    ['a missing version', { rules: [] }, ['pack: version missing must be a non-empty string']],
    ['an unknown top-level field', { version: 'x', rules: [], rule: [] }, ['pack: rule is not a known field']],
    ['a rule that is not an object', { version: 'x', rules: [42] }, ['rules[0]: 42 must be an object']],
  ])('reports a pack that is %s', (_why, raw, expected) => {
    expect(packProblems(raw)).toEqual(expected);
  });

  it.each<[string, (pack: RulesPack) => void, string[]]>([
    [
      'an unknown unit',
      (p) => set(p.rules[0].clocks[0], 'unit', 'weeks'),
      ['rule gdpr.authority: clocks[0].unit "weeks" is not one of hours, days, business-days, months, asap'],
    ],
    [
      'an unknown counting',
      (p) => set(p.rules[0].clocks[0], 'counting', 'calendar'),
      ['rule gdpr.authority: clocks[0].counting "calendar" is not one of elapsed, eu-1182-71, days-after, business-days-after'],
    ],
    [
      'an unknown roll',
      (p) => set(p.rules[0].clocks[0], 'roll', 'previous-working-day'),
      ['rule gdpr.authority: clocks[0].roll "previous-working-day" is not one of none, next-working-day-end, next-working-day-noon'],
    ],
    [
      'a counting that cannot count the unit',
      (p) => set(p.rules[2].clocks[0], 'counting', 'elapsed'),
      ['rule hipaa.media: clocks[0].counting "elapsed" cannot count days; use eu-1182-71 or days-after'],
    ],
    [
      'business days counted as calendar days',
      (p) => set(p.rules[2].clocks[0], 'unit', 'business-days'),
      ['rule hipaa.media: clocks[0].counting "days-after" cannot count business-days; use business-days-after'],
    ],
    ['a negative amount', (p) => set(p.rules[0].clocks[0], 'amount', -72), ['rule gdpr.authority: clocks[0].amount -72 must be a whole number, 0 or more']],
    ['a fractional amount', (p) => set(p.rules[0].clocks[0], 'amount', 1.5), ['rule gdpr.authority: clocks[0].amount 1.5 must be a whole number, 0 or more']],
    [
      'a zero-day period',
      (p) => set(p.rules[2].clocks[0], 'amount', 0),
      ['rule hipaa.media: clocks[0].amount 0 is only meaningful as 0 elapsed hours (due at the anchor itself)'],
    ],
    [
      'an asap clock with an amount',
      (p) => (p.rules[0].clocks[0] = { anchor: 'awareness', amount: 72, unit: 'asap', counting: 'elapsed', roll: 'none' }),
      ['rule gdpr.authority: clocks[0].amount 72 must be 0 for unit asap'],
    ],
    [
      'an asap clock that rolls',
      (p) => (p.rules[0].clocks[0] = { anchor: 'awareness', amount: 0, unit: 'asap', counting: 'elapsed', roll: 'next-working-day-end' }),
      ['rule gdpr.authority: clocks[0].roll "next-working-day-end" must be none for unit asap'],
    ],
    [
      'an asap clock counted the EU way',
      (p) => (p.rules[0].clocks[0] = { anchor: 'awareness', amount: 0, unit: 'asap', counting: 'eu-1182-71', roll: 'none' }),
      ['rule gdpr.authority: clocks[0].counting "eu-1182-71" cannot count asap; use elapsed'],
    ],
    [
      'an unknown anchor',
      (p) => set(p.rules[0].clocks[0], 'anchor', 'breach'),
      [`rule gdpr.authority: clocks[0].anchor "breach" is not one of ${ANCHORS}`],
    ],
    [
      'a year-end anchor on an unknown event',
      (p) => set(p.rules[2].clocks[0], 'anchor', 'year-end:incident'),
      [`rule hipaa.media: clocks[0].anchor "year-end:incident" is not one of ${ANCHORS}`],
    ],
    [
      'a submission anchor naming no rule',
      (p) => set(p.rules[1].clocks[0], 'anchor', 'submitted:nis2.notification'),
      ['rule nis2.final: clocks[0].anchor "submitted:nis2.notification" names no rule in the pack'],
    ],
    [
      'a submission anchor naming its own rule',
      (p) => set(p.rules[1].clocks[0], 'anchor', 'submitted:nis2.final'),
      ['rule nis2.final: clocks[0].anchor "submitted:nis2.final" names the rule itself'],
    ],
    [
      'a malformed day end',
      (p) => set(p.rules[2].clocks[0], 'dayEndsAt', '5:30pm'),
      ['rule hipaa.media: clocks[0].dayEndsAt "5:30pm" must be a local time HH:MM'],
    ],
    [
      'an impossible day end',
      (p) => set(p.rules[2].clocks[0], 'dayEndsAt', '24:00'),
      ['rule hipaa.media: clocks[0].dayEndsAt "24:00" must be a local time HH:MM'],
    ],
    [
      'a day end on an hour period',
      (p) => set(p.rules[0].clocks[0], 'dayEndsAt', '17:30'),
      ['rule gdpr.authority: clocks[0].dayEndsAt only applies to periods of days, business-days, months, not hours'],
    ],
    ['an unknown clock field', (p) => set(p.rules[0].clocks[0], 'hours', 72), ['rule gdpr.authority: clocks[0].hours is not a known field']],
    ['no clocks', (p) => (p.rules[0].clocks = []), ['rule gdpr.authority: clocks [] must be a non-empty array']],
    [
      'an unknown calendar',
      (p) => set(p.rules[1], 'calendar', 'FR-national'),
      ['rule nis2.final: calendar "FR-national" is not one of weekends, US-federal, BR-national, GB-EAW, entity'],
    ],
    ['an unknown confidence', (p) => set(p.rules[0], 'confidence', 'D'), ['rule gdpr.authority: confidence "D" is not one of A, B, C']],
    [
      'a zone that is not IANA',
      (p) => (p.rules[0].zone = 'Europe/Atlantis'),
      ['rule gdpr.authority: zone "Europe/Atlantis" is neither entity nor a valid IANA zone'],
    ],
    ['a zone abbreviation', (p) => (p.rules[0].zone = 'EST5EDT-ish'), ['rule gdpr.authority: zone "EST5EDT-ish" is neither entity nor a valid IANA zone']],
    ['a date without padding', (p) => (p.rules[0].effectiveFrom = '2018-5-25'), ['rule gdpr.authority: effectiveFrom "2018-5-25" must be a date YYYY-MM-DD']],
    [
      'a date that does not exist',
      (p) => (p.rules[0].effectiveFrom = '2018-02-30'),
      ['rule gdpr.authority: effectiveFrom "2018-02-30" must be a date YYYY-MM-DD'],
    ],
    [
      'an end before the start',
      (p) => (p.rules[0].effectiveTo = '2018-05-25'),
      ['rule gdpr.authority: effectiveTo "2018-05-25" must come after effectiveFrom 2018-05-25'],
    ],
    [
      'a malformed id',
      (p) => (p.rules[0].id = 'GDPR Authority'),
      [
        'rule GDPR Authority: id "GDPR Authority" must be lowercase dotted segments such as gdpr.art33.authority',
        'rule nis2.final: clocks[0].anchor "submitted:gdpr.authority" names no rule in the pack',
      ],
    ],
    ['a missing id', (p) => set(p.rules[2], 'id', undefined), ['rules[2]: id missing must be lowercase dotted segments such as gdpr.art33.authority']],
    ['a blank title', (p) => (p.rules[0].title = ' '), ['rule gdpr.authority: title " " must be a non-empty string']],
    ['a missing wording', (p) => set(p.rules[0], 'wording', undefined), ['rule gdpr.authority: wording missing must be a non-empty string']],
    [
      'a source that is not https',
      (p) => (p.rules[0].source = 'http://eur-lex.europa.eu/eli/reg/2016/679/oj'),
      ['rule gdpr.authority: source "http://eur-lex.europa.eu/eli/reg/2016/679/oj" must be an https URL'],
    ],
    ['a misspelt rule field', (p) => set(p.rules[0], 'effectiveFrm', '2018-05-25'), ['rule gdpr.authority: effectiveFrm is not a known field']],
    [
      'a per-jurisdiction pattern that is not a subdivision pattern',
      (p) => (p.rules[2].perJurisdiction = 'US'),
      ['rule hipaa.media: perJurisdiction "US" must be a country\'s subdivisions, such as US-*'],
    ],
    [
      '$each outside a per-jurisdiction rule',
      (p) => delete p.rules[2].perJurisdiction,
      ['rule hipaa.media: appliesWhen.affected.in "$each" needs the rule to set perJurisdiction'],
    ],
    [
      'an unknown comparison',
      (p) => set(p.rules[2].appliesWhen, 'affected', { in: '$each', op: '=>', value: 500 }),
      ['rule hipaa.media: appliesWhen.affected.op "=>" is not one of >, >=, <'],
    ],
    [
      'a fractional head count',
      (p) => set(p.rules[2].appliesWhen, 'affected', { in: '$each', op: '>', value: 499.5 }),
      ['rule hipaa.media: appliesWhen.affected.value 499.5 must be a whole number of people, 0 or more'],
    ],
    [
      'a jurisdiction code that is not ISO',
      (p) => (p.rules[0].appliesWhen = { affected: { in: 'UK', op: '>', value: 0 } }),
      ['rule gdpr.authority: appliesWhen.affected.in "UK" is not $each, a group (EEA, EU, US), an ISO country or an ISO subdivision such as US-CA'],
    ],
    [
      'a state without its country',
      (p) => (p.rules[0].appliesWhen = { affected: { in: 'CA-', op: '>', value: 0 } }),
      ['rule gdpr.authority: appliesWhen.affected.in "CA-" is not $each, a group (EEA, EU, US), an ISO country or an ISO subdivision such as US-CA'],
    ],
    [
      'a misspelt flag deep in a condition',
      (p) => set((p.rules[0].appliesWhen as { all: object[] }).all[1], 'any', [{ flag: 'eu-establised' }]),
      [`rule gdpr.authority: appliesWhen.all[1].any[0].flag "eu-establised" is not one of ${FLAGS}`],
    ],
    [
      'an unknown risk level',
      (p) => set((p.rules[0].appliesWhen as { all: object[] }).all[2], 'risk', { atLeast: 'medium' }),
      ['rule gdpr.authority: appliesWhen.all[2].risk.atLeast "medium" is not one of unlikely, risk, high'],
    ],
    [
      'an unknown data category',
      (p) => (p.rules[0].appliesWhen = { dataCategories: { anyOf: ['health', 'ssn'] } }),
      [`rule gdpr.authority: appliesWhen.dataCategories.anyOf[1] "ssn" is not one of ${CATEGORIES}`],
    ],
    [
      'an empty list of encryption levels',
      (p) => (p.rules[0].appliesWhen = { encryption: { anyOf: [] } }),
      ['rule gdpr.authority: appliesWhen.encryption.anyOf [] must be a non-empty array'],
    ],
    ['an empty conjunction', (p) => (p.rules[0].appliesWhen = { all: [] }), ['rule gdpr.authority: appliesWhen.all [] must be a non-empty array']],
    [
      'a condition with two operators',
      (p) => set(p.rules[0], 'appliesWhen', { flag: 'controller', risk: { atLeast: 'risk' } }),
      [`rule gdpr.authority: appliesWhen {"flag":"controller","risk":{"atLeast":"risk"}} must be an object with exactly one of ${CONDITIONS}`],
    ],
    [
      'an unknown condition',
      (p) => set(p.rules[0], 'appliesWhen', { not: { country: 'DE' } }),
      [`rule gdpr.authority: appliesWhen.not has "country", which is not one of ${CONDITIONS}`],
    ],
    [
      'a missing condition',
      (p) => set(p.rules[0], 'appliesWhen', undefined),
      [`rule gdpr.authority: appliesWhen missing must be an object with exactly one of ${CONDITIONS}`],
    ],
    [
      'a broken exemption suggestion',
      (p) => set(p.rules[2].exemptions[0], 'suggestedWhen', { encryption: { anyOf: ['strong'] } }),
      ['rule hipaa.media: exemptions[0].suggestedWhen.encryption.anyOf[0] "strong" is not one of none, partial, full'],
    ],
    [
      'an exemption without a citation',
      (p) => set(p.rules[2].exemptions[0], 'citation', ''),
      ['rule hipaa.media: exemptions[0].citation "" must be a non-empty string'],
    ],
    [
      'an exemption listed twice',
      (p) => p.rules[2].exemptions.push({ ...p.rules[2].exemptions[0] }),
      ['rule hipaa.media: exemptions[1].id "hipaa.164.402.2" is used twice'],
    ],
    [
      'an extension without its length',
      (p) => (p.rules[2].adjustments = [{ id: 'sec.item105.c', kind: 'extension', description: 'National security.', citation: 'Item 1.05(c)' }]),
      [
        'rule hipaa.media: adjustments[0].amount missing must be a whole number above 0 for an extension',
        'rule hipaa.media: adjustments[0].unit missing is not one of hours, days, business-days, months',
      ],
    ],
    [
      'a pause with a length',
      (p) => set(p.rules[2].adjustments[0], 'amount', 30),
      ['rule hipaa.media: adjustments[0] is a pause, which holds the clock between recorded instants: it takes no amount or unit'],
    ],
    [
      'an unknown adjustment kind',
      (p) => set(p.rules[2].adjustments[0], 'kind', 'waiver'),
      ['rule hipaa.media: adjustments[0].kind "waiver" is not one of extension, pause'],
    ],
    ['exemptions that are not a list', (p) => set(p.rules[0], 'exemptions', null), ['rule gdpr.authority: exemptions null must be an array']],
    [
      'two versions of a rule in force on the same day',
      (p) => p.rules.push({ ...authority(), effectiveFrom: '2025-01-01' }),
      ['rule gdpr.authority: effective windows 2018-05-25 to open end and 2025-01-01 to open end overlap; versions of one rule must follow each other'],
    ],
    [
      'a version that starts before the previous one ends',
      (p) => {
        p.rules[0].effectiveTo = '2026-01-02';
        p.rules.push({ ...authority(), effectiveFrom: '2026-01-01' });
      },
      ['rule gdpr.authority: effective windows 2018-05-25 to 2026-01-02 and 2026-01-01 to open end overlap; versions of one rule must follow each other'],
    ],
    [
      'a duplicated rule',
      (p) => p.rules.push(authority()),
      ['rule gdpr.authority: effective windows 2018-05-25 to open end and 2018-05-25 to open end overlap; versions of one rule must follow each other'],
    ],
  ])('reports %s', (_why, breakIt, expected) => {
    const pack = sound();
    breakIt(pack);
    expect(packProblems(pack)).toEqual(expected);
  });

  it('lists every problem of a pack, not only the first', () => {
    const pack = sound();
    set(pack.rules[0].clocks[0], 'unit', 'weeks');
    pack.rules[1].zone = 'Mars/Olympus';
    expect(packProblems(pack)).toEqual([
      'rule gdpr.authority: clocks[0].unit "weeks" is not one of hours, days, business-days, months, asap',
      'rule nis2.final: zone "Mars/Olympus" is neither entity nor a valid IANA zone',
    ]);
  });
});
