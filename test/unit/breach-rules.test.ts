import { computeObligations, type EngineOptions } from '../../domain/breach/engine';
import { BREACH_RULES } from '../../domain/breach/pack';
import type { IncidentFacts, Obligation, Rule } from '../../domain/breach/types';

/**
 * Every rule of the built-in pack against the engine: facts in, applicability and due instant out. Each expected
 * instant was worked out by hand from the law (days counted on the rule's local calendar, a period ending at the next
 * local midnight or at its `dayEndsAt`), not read back from the engine; the comment on a row shows the arithmetic.
 */

const NOW = '2026-11-20T12:00:00.000Z';
const BERLIN: IncidentFacts['entity'] = { zone: 'Europe/Berlin', calendar: 'weekends' };
const NEW_YORK: IncidentFacts['entity'] = { zone: 'America/New_York', calendar: 'US-federal' };

function facts(overrides: Partial<IncidentFacts>): IncidentFacts {
  return { anchors: {}, submissions: {}, affected: {}, dataCategories: [], encryption: 'none', risk: 'unlikely', flags: [], entity: BERLIN, ...overrides };
}

interface Due {
  /** The expected due instant; null while the clock waits for its anchor or is held. */
  due: string | null;
  /** False for "without undue delay" duties, whose due instant is the organisation's own target. */
  statutory?: boolean;
  clock?: Obligation['clock'];
  /** Exemptions the facts should suggest. */
  suggested?: string[];
}

interface Row {
  name: string;
  /** The obligation: the rule id, or `ruleId@jurisdiction` for a per-jurisdiction rule. */
  id: string;
  /** effectiveFrom of the version that must govern, for a rule with several versions. */
  version?: string;
  facts: IncidentFacts;
  options?: Omit<EngineOptions, 'now'>;
  expect: Due | 'not applicable' | 'not in force';
}

// ---- EU ---------------------------------------------------------------------------------------------------------

// Hour periods run as elapsed time even under Reg. 1182/71 (see `Counting`): the earlier of the two readings.
const AWARE = '2026-06-10T09:15:00Z';
const gdpr = (o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['controller'], affected: { DE: 10 }, risk: 'risk', anchors: { awareness: AWARE }, ...o });
const nis2 = (o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['nis2-entity', 'nis2-significant-incident'], anchors: { awareness: AWARE }, ...o });
const DORA_FLAGS = ['dora-financial-entity', 'dora-major-incident'];

const EU_ROWS: Row[] = [
  // Wednesday 09:15Z + 72 h = Saturday 09:15Z; hour periods never roll.
  { name: 'GDPR Art. 33: 72 h from awareness, standing on a Saturday', id: 'gdpr.art33.authority', facts: gdpr(), expect: { due: '2026-06-13T09:15:00.000Z' } },
  // 10:30 CET on Saturday 27 March 2027; 72 elapsed hours later is 11:30 CEST on Tuesday, not 10:30.
  {
    name: 'GDPR Art. 33: 72 elapsed hours across the EU spring-forward',
    id: 'gdpr.art33.authority',
    facts: gdpr({ anchors: { awareness: '2027-03-27T09:30:00Z' } }),
    expect: { due: '2027-03-30T09:30:00.000Z' },
  },
  // 10:10 CEST on Saturday 24 October 2026; 72 elapsed hours later is 09:10 CET on Tuesday, not 10:10.
  {
    name: 'GDPR Art. 33: 72 elapsed hours across the EU fall-back',
    id: 'gdpr.art33.authority',
    facts: gdpr({ anchors: { awareness: '2026-10-24T08:10:00Z' } }),
    expect: { due: '2026-10-27T08:10:00.000Z' },
  },
  { name: 'GDPR Art. 33: Norway is in the EEA', id: 'gdpr.art33.authority', facts: gdpr({ affected: { NO: 1 } }), expect: { due: '2026-06-13T09:15:00.000Z' } },
  {
    name: 'GDPR Art. 33: an EU establishment without EEA residents affected',
    id: 'gdpr.art33.authority',
    facts: gdpr({ flags: ['controller', 'eu-established'], affected: { 'US-NY': 40 } }),
    expect: { due: '2026-06-13T09:15:00.000Z' },
  },
  {
    name: 'GDPR Art. 33: no EEA resident and no EU establishment',
    id: 'gdpr.art33.authority',
    facts: gdpr({ affected: { DE: 0, 'US-NY': 40 } }),
    expect: 'not applicable',
  },
  { name: 'GDPR Art. 33: unlikely to result in a risk', id: 'gdpr.art33.authority', facts: gdpr({ risk: 'unlikely' }), expect: 'not applicable' },
  { name: 'GDPR Art. 33: waiting for awareness', id: 'gdpr.art33.authority', facts: gdpr({ anchors: { occurrence: AWARE } }), expect: { due: null, clock: 'waiting' } },
  {
    name: 'GDPR Art. 33: not in force before 25 May 2018',
    id: 'gdpr.art33.authority',
    facts: gdpr({ anchors: { awareness: '2018-05-20T10:00:00Z' } }),
    expect: 'not in force',
  },
  {
    name: 'GDPR Art. 33(2): processor, any risk, organisation target of 72 h',
    id: 'gdpr.art33.processor',
    facts: gdpr({ flags: ['processor'], affected: { FR: 3 }, risk: 'unlikely' }),
    expect: { due: '2026-06-13T09:15:00.000Z', statutory: false },
  },
  {
    name: 'GDPR Art. 33(2): processor with a 24 h target',
    id: 'gdpr.art33.processor',
    facts: gdpr({ flags: ['processor'] }),
    options: { asapTargetHours: 24 },
    expect: { due: '2026-06-11T09:15:00.000Z', statutory: false },
  },
  { name: 'GDPR Art. 33(2): a controller is not the processor', id: 'gdpr.art33.processor', facts: gdpr(), expect: 'not applicable' },
  {
    name: 'GDPR Art. 34: high risk, encryption suggests Art. 34(3)(a)',
    id: 'gdpr.art34.data-subjects',
    facts: gdpr({ risk: 'high', encryption: 'full', affected: { DE: 1000 } }),
    expect: { due: '2026-06-13T09:15:00.000Z', statutory: false, suggested: ['gdpr.art34.3.a'] },
  },
  {
    name: 'GDPR Art. 34: high risk, unencrypted, nothing suggested',
    id: 'gdpr.art34.data-subjects',
    facts: gdpr({ risk: 'high' }),
    expect: { due: '2026-06-13T09:15:00.000Z', statutory: false, suggested: [] },
  },
  { name: 'GDPR Art. 34: a risk that is not high', id: 'gdpr.art34.data-subjects', facts: gdpr({ risk: 'risk' }), expect: 'not applicable' },
  { name: 'UK GDPR: 72 elapsed hours', id: 'uk-gdpr.art33.ico', facts: gdpr({ affected: { GB: 50 } }), expect: { due: '2026-06-13T09:15:00.000Z' } },
  {
    name: 'UK GDPR: a UK establishment without UK residents affected',
    id: 'uk-gdpr.art33.ico',
    facts: gdpr({ flags: ['controller', 'uk-established'], affected: { FR: 1 } }),
    expect: { due: '2026-06-13T09:15:00.000Z' },
  },
  { name: 'UK GDPR: no UK resident', id: 'uk-gdpr.art33.ico', facts: gdpr(), expect: 'not applicable' },
  {
    name: 'UK GDPR: before the end of the transition period',
    id: 'uk-gdpr.art33.ico',
    facts: gdpr({ affected: { GB: 50 }, anchors: { awareness: '2020-06-01T10:00:00Z' } }),
    expect: 'not in force',
  },
  { name: 'NIS2 early warning: 24 h from awareness', id: 'nis2.art23.early-warning', facts: nis2(), expect: { due: '2026-06-11T09:15:00.000Z' } },
  // 22:30Z on 17 October 2024 is already 00:30 on 18 October in Berlin, the day NIS2 applies.
  {
    name: 'NIS2 early warning: in force from the entity’s local 18 October 2024',
    id: 'nis2.art23.early-warning',
    facts: nis2({ anchors: { awareness: '2024-10-17T22:30:00Z' } }),
    expect: { due: '2024-10-18T22:30:00.000Z' },
  },
  {
    name: 'NIS2 early warning: not in force on the local 17 October 2024',
    id: 'nis2.art23.early-warning',
    facts: nis2({ anchors: { awareness: '2024-10-17T21:30:00Z' } }),
    expect: 'not in force',
  },
  { name: 'NIS2 early warning: not a significant incident', id: 'nis2.art23.early-warning', facts: nis2({ flags: ['nis2-entity'] }), expect: 'not applicable' },
  { name: 'NIS2 notification: 72 h', id: 'nis2.art23.notification', facts: nis2(), expect: { due: '2026-06-13T09:15:00.000Z' } },
  {
    name: 'NIS2 notification: a trust service provider has its own 24 h rule',
    id: 'nis2.art23.notification',
    facts: nis2({ flags: ['nis2-entity', 'nis2-significant-incident', 'trust-service-provider'] }),
    expect: 'not applicable',
  },
  {
    name: 'NIS2 trust service provider: 24 h',
    id: 'nis2.art23.trust-service-notification',
    facts: nis2({ flags: ['nis2-entity', 'nis2-significant-incident', 'trust-service-provider'] }),
    expect: { due: '2026-06-11T09:15:00.000Z' },
  },
  { name: 'NIS2 trust service provider: other NIS2 entities', id: 'nis2.art23.trust-service-notification', facts: nis2(), expect: 'not applicable' },
  // Friday 12 June + 1 month = Sunday 12 July → Monday 13 July, ends at midnight CEST.
  {
    name: 'NIS2 final report: one month, rolled past a Sunday',
    id: 'nis2.art23.final-report',
    facts: nis2({ submissions: { 'nis2.art23.notification': '2026-06-12T08:00:00Z' } }),
    expect: { due: '2026-07-13T22:00:00.000Z' },
  },
  // 31 January 2026 + 1 month = 28 February (no 31st), a Saturday → end of Monday 2 March.
  {
    name: 'NIS2 final report: 31 January → 28 February, a Saturday → Monday 2 March',
    id: 'nis2.art23.final-report',
    facts: nis2({ submissions: { 'nis2.art23.notification': '2026-01-31T10:00:00Z' } }),
    expect: { due: '2026-03-02T23:00:00.000Z' },
  },
  {
    name: 'NIS2 final report: 31 January 2027 → 28 February, a Sunday → Monday 1 March',
    id: 'nis2.art23.final-report',
    facts: nis2({ submissions: { 'nis2.art23.notification': '2027-01-31T10:00:00Z' } }),
    expect: { due: '2027-03-01T23:00:00.000Z' },
  },
  {
    name: 'NIS2 final report: 31 January 2028 → 29 February in a leap year, a Tuesday',
    id: 'nis2.art23.final-report',
    facts: nis2({ submissions: { 'nis2.art23.notification': '2028-01-31T10:00:00Z' } }),
    expect: { due: '2028-02-29T23:00:00.000Z' },
  },
  {
    name: 'NIS2 final report: runs from a trust service provider’s 24 h notification too',
    id: 'nis2.art23.final-report',
    facts: nis2({ flags: ['nis2-entity', 'nis2-significant-incident', 'trust-service-provider'], submissions: { 'nis2.art23.trust-service-notification': '2026-06-12T08:00:00Z' } }),
    expect: { due: '2026-07-13T22:00:00.000Z' },
  },
  { name: 'NIS2 final report: waits for the notification', id: 'nis2.art23.final-report', facts: nis2(), expect: { due: null, clock: 'waiting' } },
  // 4 h from the 13:05Z classification = 17:05Z; 24 h from the 06:40Z awareness = 06:40Z next day. Earliest wins.
  {
    name: 'DORA initial: 4 h from classification wins over 24 h from awareness',
    id: 'dora.art19.initial',
    facts: facts({ flags: DORA_FLAGS, anchors: { awareness: '2026-06-10T06:40:00Z', classification: '2026-06-10T13:05:00Z' } }),
    expect: { due: '2026-06-10T17:05:00.000Z' },
  },
  {
    name: 'DORA initial: a late classification leaves the 24 h from awareness the earlier',
    id: 'dora.art19.initial',
    facts: facts({ flags: DORA_FLAGS, anchors: { awareness: '2026-06-10T06:40:00Z', classification: '2026-06-11T05:30:00Z' } }),
    expect: { due: '2026-06-11T06:40:00.000Z' },
  },
  {
    name: 'DORA initial: classification not yet recorded, 24 h from awareness',
    id: 'dora.art19.initial',
    facts: facts({ flags: DORA_FLAGS, anchors: { awareness: '2026-06-10T06:40:00Z' } }),
    expect: { due: '2026-06-11T06:40:00.000Z' },
  },
  // Both clocks end on Saturday 13 June (14:20 and 22:10 CEST) → noon CEST on Monday 15 June.
  {
    name: 'DORA initial: a Saturday deadline moves to noon on Monday',
    id: 'dora.art19.initial',
    facts: facts({ flags: DORA_FLAGS, anchors: { awareness: '2026-06-12T20:10:00Z', classification: '2026-06-13T08:20:00Z' } }),
    expect: { due: '2026-06-15T10:00:00.000Z' },
  },
  {
    name: 'DORA initial: not a major incident',
    id: 'dora.art19.initial',
    facts: facts({ flags: ['dora-financial-entity'], anchors: { awareness: AWARE } }),
    expect: 'not applicable',
  },
  {
    name: 'DORA initial: not in force before 17 January 2025',
    id: 'dora.art19.initial',
    facts: facts({ flags: DORA_FLAGS, anchors: { classification: '2025-01-10T10:00:00Z', awareness: '2025-01-10T09:00:00Z' } }),
    expect: 'not in force',
  },
  // Monday 09:30Z + 72 h = Thursday 09:30Z, a working day.
  {
    name: 'DORA intermediate: 72 h from the initial notification',
    id: 'dora.art19.intermediate',
    facts: facts({ flags: DORA_FLAGS, submissions: { 'dora.art19.initial': '2026-06-08T09:30:00Z' } }),
    expect: { due: '2026-06-11T09:30:00.000Z' },
  },
  // Wednesday 17:45Z + 72 h = Saturday 17:45Z → noon CEST on Monday 15 June.
  {
    name: 'DORA intermediate: ending on a Saturday → noon on Monday',
    id: 'dora.art19.intermediate',
    facts: facts({ flags: DORA_FLAGS, submissions: { 'dora.art19.initial': '2026-06-10T17:45:00Z' } }),
    expect: { due: '2026-06-15T10:00:00.000Z' },
  },
  {
    name: 'DORA intermediate: waits for the initial notification',
    id: 'dora.art19.intermediate',
    facts: facts({ flags: DORA_FLAGS, anchors: { awareness: AWARE } }),
    expect: { due: null, clock: 'waiting' },
  },
  // 31 January 2026 + 1 month = Saturday 28 February → noon CET on Monday 2 March.
  {
    name: 'DORA final: 31 January → 28 February, a Saturday → noon on Monday 2 March',
    id: 'dora.art19.final',
    facts: facts({ flags: DORA_FLAGS, submissions: { 'dora.art19.intermediate': '2026-01-31T10:00:00Z' } }),
    expect: { due: '2026-03-02T11:00:00.000Z' },
  },
  {
    name: 'DORA final: 31 January 2028 → 29 February, a working day, ends at midnight',
    id: 'dora.art19.final',
    facts: facts({ flags: DORA_FLAGS, submissions: { 'dora.art19.intermediate': '2028-01-31T10:00:00Z' } }),
    expect: { due: '2028-02-29T23:00:00.000Z' },
  },
];

// ---- United States ----------------------------------------------------------------------------------------------

const hipaa = (o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['hipaa-covered-entity', 'unsecured-phi'], risk: 'risk', entity: NEW_YORK, anchors: { discovery: '2026-03-10T15:00:00Z' }, affected: { 'US-NY': 20 }, ...o });
// 10 March + 60 days = 9 May (21 + 30 + 9); the day ends at midnight EDT, 04:00Z.
const HIPAA_DUE = '2026-05-10T04:00:00.000Z';
const sec = (determination: string): IncidentFacts => facts({ flags: ['sec-registrant', 'sec-material'], anchors: { determination } });
const resident = (state: string, count: number, categories: string[], anchors: IncidentFacts['anchors'], o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ affected: { [state]: count }, dataCategories: categories, anchors, ...o });

const US_ROWS: Row[] = [
  { name: 'HIPAA individuals: 60 calendar days from discovery', id: 'hipaa.individuals', facts: hipaa(), expect: { due: HIPAA_DUE, suggested: [] } },
  // 2 October + 60 days = 1 December, which ends at midnight EST (05:00Z), after the 1 November fall-back.
  {
    name: 'HIPAA individuals: a day period across the US fall-back',
    id: 'hipaa.individuals',
    facts: hipaa({ anchors: { discovery: '2026-10-02T14:00:00Z' } }),
    expect: { due: '2026-12-02T05:00:00.000Z' },
  },
  {
    name: 'HIPAA individuals: low risk suggests the risk-assessment exemption',
    id: 'hipaa.individuals',
    facts: hipaa({ risk: 'unlikely' }),
    expect: { due: HIPAA_DUE, suggested: ['hipaa.164.402.2'] },
  },
  {
    name: 'HIPAA individuals: a 14-day law-enforcement hold moves the deadline 14 days',
    id: 'hipaa.individuals',
    facts: hipaa(),
    options: { adjustments: [{ obligationId: 'hipaa.individuals', adjustmentId: 'hipaa.164.412', from: '2026-03-20T00:00:00Z', until: '2026-04-03T00:00:00Z', reason: 'FBI letter' }] },
    expect: { due: '2026-05-24T04:00:00.000Z' },
  },
  {
    name: 'HIPAA individuals: an open law-enforcement hold pauses the clock',
    id: 'hipaa.individuals',
    facts: hipaa(),
    options: { adjustments: [{ obligationId: 'hipaa.individuals', adjustmentId: 'hipaa.164.412', from: '2026-03-20T00:00:00Z', reason: 'FBI letter' }] },
    expect: { due: null, clock: 'paused' },
  },
  { name: 'HIPAA individuals: secured PHI', id: 'hipaa.individuals', facts: hipaa({ flags: ['hipaa-covered-entity'] }), expect: 'not applicable' },
  {
    name: 'HIPAA media: 501 residents of California is more than 500',
    id: 'hipaa.media@US-CA',
    facts: hipaa({ affected: { 'US-CA': 501, 'US-NY': 500 } }),
    expect: { due: HIPAA_DUE },
  },
  {
    name: 'HIPAA media: 500 residents of New York is not more than 500',
    id: 'hipaa.media@US-NY',
    facts: hipaa({ affected: { 'US-CA': 501, 'US-NY': 500 } }),
    expect: 'not applicable',
  },
  {
    name: 'HIPAA HHS: 500 individuals across states is 500 or more',
    id: 'hipaa.hhs',
    facts: hipaa({ affected: { 'US-CA': 300, 'US-NY': 200 } }),
    expect: { due: HIPAA_DUE },
  },
  { name: 'HIPAA HHS: 499 individuals', id: 'hipaa.hhs', facts: hipaa({ affected: { 'US-CA': 300, 'US-NY': 199 } }), expect: 'not applicable' },
  // End of 2026 + 60 days = 1 March 2027 (31 + 28 + 1), ending at midnight EST.
  {
    name: 'HIPAA annual log: 499 individuals, a 2026 discovery → end of 1 March 2027',
    id: 'hipaa.hhs-annual-log',
    facts: hipaa({ affected: { 'US-CA': 300, 'US-NY': 199 } }),
    expect: { due: '2027-03-02T05:00:00.000Z' },
  },
  // End of 2027 + 60 days = 29 February 2028 (31 + 29).
  {
    name: 'HIPAA annual log: a 2027 discovery → end of 29 February 2028',
    id: 'hipaa.hhs-annual-log',
    facts: hipaa({ anchors: { discovery: '2027-06-01T14:00:00Z' } }),
    expect: { due: '2028-03-01T05:00:00.000Z' },
  },
  // 23:30 EST on 31 December 2026 is 2027 in UTC but still 2026 for the covered entity.
  {
    name: 'HIPAA annual log: the year of discovery is the entity’s local year',
    id: 'hipaa.hhs-annual-log',
    facts: hipaa({ anchors: { discovery: '2027-01-01T04:30:00Z' } }),
    expect: { due: '2027-03-02T05:00:00.000Z' },
  },
  {
    name: 'HIPAA annual log: 500 individuals go to HHS at once instead',
    id: 'hipaa.hhs-annual-log',
    facts: hipaa({ affected: { 'US-CA': 300, 'US-NY': 200 } }),
    expect: 'not applicable',
  },
  {
    name: 'HIPAA business associate: 60 days from its discovery',
    id: 'hipaa.business-associate',
    facts: hipaa({ flags: ['hipaa-business-associate', 'unsecured-phi'] }),
    expect: { due: HIPAA_DUE },
  },
  { name: 'HIPAA business associate: a covered entity is not one', id: 'hipaa.business-associate', facts: hipaa(), expect: 'not applicable' },
  // Friday 20 November → Mon 23, Tue 24, Wed 25, (Thanksgiving 26), Fri 27 at 17:30 EST.
  {
    name: 'SEC 8-K: determined on the Friday before Thanksgiving',
    id: 'sec.8k-item-1-05',
    facts: sec('2026-11-20T15:00:00Z'),
    expect: { due: '2026-11-27T22:30:00.000Z' },
  },
  // Saturday 13 June counts from Monday 15: 15, 16, 17, 18 → Thursday at 17:30 EDT.
  {
    name: 'SEC 8-K: determined on a Saturday counts from Monday',
    id: 'sec.8k-item-1-05',
    facts: sec('2026-06-13T14:00:00Z'),
    expect: { due: '2026-06-18T21:30:00.000Z' },
  },
  // Monday 15 June → 16, 17, 18, (Juneteenth 19), Monday 22.
  { name: 'SEC 8-K: Juneteenth is skipped', id: 'sec.8k-item-1-05', facts: sec('2026-06-15T14:00:00Z'), expect: { due: '2026-06-22T21:30:00.000Z' } },
  // Tuesday 16 June at 18:00 EDT is still the 16th: 17, 18, (19), 22, 23.
  {
    name: 'SEC 8-K: determined after 17:30 still counts from that day',
    id: 'sec.8k-item-1-05',
    facts: sec('2026-06-16T22:00:00Z'),
    expect: { due: '2026-06-23T21:30:00.000Z' },
  },
  {
    name: 'SEC 8-K: 23:30 EDT is the Eastern date, though UTC says the next day',
    id: 'sec.8k-item-1-05',
    facts: sec('2026-06-17T03:30:00Z'),
    expect: { due: '2026-06-23T21:30:00.000Z' },
  },
  // Wednesday 23 December → 24, (Christmas 25), 28, 29, 30.
  { name: 'SEC 8-K: Christmas is skipped', id: 'sec.8k-item-1-05', facts: sec('2026-12-23T15:00:00Z'), expect: { due: '2026-12-30T22:30:00.000Z' } },
  {
    name: 'SEC 8-K: the Attorney General’s national-security delay adds 30 days',
    id: 'sec.8k-item-1-05',
    facts: sec('2026-06-16T22:00:00Z'),
    options: { adjustments: [{ obligationId: 'sec.8k-item-1-05', adjustmentId: 'sec.item105.c', from: '2026-06-20T15:00:00Z', reason: 'AG notice' }] },
    expect: { due: '2026-07-23T21:30:00.000Z' },
  },
  {
    name: 'SEC 8-K: not determined material',
    id: 'sec.8k-item-1-05',
    facts: facts({ flags: ['sec-registrant'], anchors: { determination: '2026-06-15T14:00:00Z' } }),
    expect: 'not applicable',
  },
  { name: 'SEC 8-K: not in force before 18 December 2023', id: 'sec.8k-item-1-05', facts: sec('2023-12-01T15:00:00Z'), expect: 'not in force' },
  {
    name: 'California before SB 446: without unreasonable delay',
    id: 'us-ca.residents',
    version: '2003-07-01',
    facts: resident('US-CA', 1, ['government-id'], { discovery: '2025-11-03T18:00:00Z' }),
    expect: { due: '2025-11-06T18:00:00.000Z', statutory: false },
  },
  {
    name: 'California before SB 446: 21:00 PST on 31 December 2025',
    id: 'us-ca.residents',
    version: '2003-07-01',
    facts: resident('US-CA', 1, ['credentials'], { discovery: '2026-01-01T05:00:00Z' }),
    expect: { due: '2026-01-04T05:00:00.000Z', statutory: false },
  },
  // 00:30 PST on 1 January 2026: SB 446 applies; + 30 days = 31 January, ending at midnight PST (08:00Z).
  {
    name: 'California SB 446: from 00:30 PST on 1 January 2026',
    id: 'us-ca.residents',
    version: '2026-01-01',
    facts: resident('US-CA', 1, ['credentials'], { discovery: '2026-01-01T08:30:00Z' }),
    expect: { due: '2026-02-01T08:00:00.000Z' },
  },
  // 20 January + 30 days = 19 February; midnight Los Angeles time is 08:00Z in winter.
  {
    name: 'California SB 446: 30 days, ending at midnight PST',
    id: 'us-ca.residents',
    version: '2026-01-01',
    facts: resident('US-CA', 1, ['health'], { discovery: '2026-01-20T18:00:00Z' }),
    expect: { due: '2026-02-20T08:00:00.000Z' },
  },
  // 1 June + 30 days = 1 July; midnight Los Angeles time is 07:00Z in summer.
  {
    name: 'California SB 446: 30 days, ending at midnight PDT',
    id: 'us-ca.residents',
    version: '2026-01-01',
    facts: resident('US-CA', 1, ['genetic'], { discovery: '2026-06-01T17:00:00Z' }),
    expect: { due: '2026-07-02T07:00:00.000Z' },
  },
  {
    name: 'California: encrypted data is not a breach of personal information',
    id: 'us-ca.residents',
    facts: resident('US-CA', 1, ['health'], { discovery: '2026-06-01T17:00:00Z' }, { encryption: 'full' }),
    expect: 'not applicable',
  },
  {
    name: 'California: contact details alone are not personal information',
    id: 'us-ca.residents',
    facts: resident('US-CA', 1, ['contact', 'identification'], { discovery: '2026-06-01T17:00:00Z' }),
    expect: 'not applicable',
  },
  {
    name: 'California: 0 residents affected',
    id: 'us-ca.residents',
    facts: resident('US-CA', 0, ['health'], { discovery: '2026-06-01T17:00:00Z' }),
    expect: 'not applicable',
  },
  // Residents notified 10 February; + 15 days = 25 February, ending at midnight PST.
  {
    name: 'California AG: 501 residents, 15 days after the residents’ notice',
    id: 'us-ca.attorney-general',
    version: '2026-01-01',
    facts: resident('US-CA', 501, ['health'], {}, { submissions: { 'us-ca.residents': '2026-02-10T20:00:00Z' } }),
    expect: { due: '2026-02-26T08:00:00.000Z' },
  },
  {
    name: 'California AG: 500 residents is not more than 500',
    id: 'us-ca.attorney-general',
    facts: resident('US-CA', 500, ['health'], {}, { submissions: { 'us-ca.residents': '2026-02-10T20:00:00Z' } }),
    expect: 'not applicable',
  },
  {
    name: 'California AG: waits for the residents’ notice',
    id: 'us-ca.attorney-general',
    version: '2026-01-01',
    facts: resident('US-CA', 501, ['health'], { discovery: '2026-06-01T17:00:00Z' }),
    expect: { due: null, clock: 'waiting' },
  },
  {
    name: 'California AG before SB 446: no period, organisation target',
    id: 'us-ca.attorney-general',
    version: '2012-01-01',
    facts: resident('US-CA', 501, ['health'], {}, { submissions: { 'us-ca.residents': '2025-12-15T20:00:00Z' } }),
    expect: { due: '2025-12-18T20:00:00.000Z', statutory: false },
  },
  {
    name: 'New York before December 2024: without unreasonable delay',
    id: 'us-ny.residents',
    version: '2019-10-23',
    facts: resident('US-NY', 3, ['credentials'], { discovery: '2024-06-03T14:00:00Z' }),
    expect: { due: '2024-06-06T14:00:00.000Z', statutory: false },
  },
  // 00:00 EST on 21 December 2024, the day the 30-day limit took effect; + 30 = 20 January.
  {
    name: 'New York 30 days: from 21 December 2024',
    id: 'us-ny.residents',
    version: '2024-12-21',
    facts: resident('US-NY', 3, ['biometric'], { discovery: '2024-12-21T05:00:00Z' }),
    expect: { due: '2025-01-21T05:00:00.000Z' },
  },
  {
    name: 'New York 30 days: 10 January 2025 → 9 February',
    id: 'us-ny.residents',
    version: '2024-12-21',
    facts: resident('US-NY', 3, ['government-id'], { discovery: '2025-01-10T15:00:00Z' }),
    expect: { due: '2025-02-10T05:00:00.000Z' },
  },
  {
    name: 'New York: health data before 21 March 2025 is not private information',
    id: 'us-ny.residents',
    facts: resident('US-NY', 3, ['health'], { discovery: '2025-02-01T15:00:00Z' }),
    expect: 'not applicable',
  },
  {
    name: 'New York: health data from 21 March 2025 is',
    id: 'us-ny.residents',
    version: '2025-03-21',
    facts: resident('US-NY', 3, ['health'], { discovery: '2026-04-01T14:00:00Z' }),
    expect: { due: '2026-05-02T04:00:00.000Z' },
  },
  {
    name: 'New York: a HIPAA covered entity is pointed to the HIPAA-notice exemption',
    id: 'us-ny.residents',
    version: '2025-03-21',
    facts: resident('US-NY', 3, ['health'], { discovery: '2026-04-01T14:00:00Z' }, { flags: ['hipaa-covered-entity'] }),
    expect: { due: '2026-05-02T04:00:00.000Z', suggested: ['us-ny.899-aa.2.b'] },
  },
  // 2 February + 60 days = 3 April (26 + 31 + 3), ending at midnight CDT.
  {
    name: 'Texas individuals: 60 days from determination',
    id: 'us-tx.individuals',
    facts: resident('US-TX', 1, ['financial'], { determination: '2026-02-02T16:00:00Z' }),
    expect: { due: '2026-04-04T05:00:00.000Z' },
  },
  {
    name: 'Texas individuals: log-in credentials are not sensitive personal information',
    id: 'us-tx.individuals',
    facts: resident('US-TX', 1, ['credentials'], { determination: '2026-02-02T16:00:00Z' }),
    expect: 'not applicable',
  },
  // 2 February + 30 days = 4 March, ending at midnight CST.
  {
    name: 'Texas AG: 250 Texans is at least 250',
    id: 'us-tx.attorney-general',
    version: '2023-09-01',
    facts: resident('US-TX', 250, ['government-id'], { determination: '2026-02-02T16:00:00Z' }),
    expect: { due: '2026-03-05T06:00:00.000Z' },
  },
  {
    name: 'Texas AG: 249 Texans',
    id: 'us-tx.attorney-general',
    facts: resident('US-TX', 249, ['government-id'], { determination: '2026-02-02T16:00:00Z' }),
    expect: 'not applicable',
  },
  // 15 August 2023 + 60 days = 14 October (16 + 30 + 14).
  {
    name: 'Texas AG before SB 768: 60 days',
    id: 'us-tx.attorney-general',
    version: '2020-01-01',
    facts: resident('US-TX', 250, ['health'], { determination: '2023-08-15T15:00:00Z' }),
    expect: { due: '2023-10-15T05:00:00.000Z' },
  },
  // 5 May + 30 days = 4 June, ending at midnight EDT.
  {
    name: 'Florida individuals: 30 days from determination',
    id: 'us-fl.individuals',
    facts: resident('US-FL', 10, ['health'], { determination: '2026-05-05T14:00:00Z' }),
    expect: { due: '2026-06-05T04:00:00.000Z' },
  },
  {
    name: 'Florida individuals: 15 more days for good cause given in writing',
    id: 'us-fl.individuals',
    facts: resident('US-FL', 10, ['health'], { determination: '2026-05-05T14:00:00Z' }),
    options: { adjustments: [{ obligationId: 'us-fl.individuals', adjustmentId: 'us-fl.501.171.3.a', from: '2026-05-20T14:00:00Z', reason: 'forensics pending' }] },
    expect: { due: '2026-06-20T04:00:00.000Z' },
  },
  {
    name: 'Florida individuals: a third-party agent tells the covered entity instead',
    id: 'us-fl.individuals',
    facts: resident('US-FL', 10, ['health'], { determination: '2026-05-05T14:00:00Z' }, { flags: ['third-party-agent'] }),
    expect: 'not applicable',
  },
  {
    name: 'Florida department: 500 Floridians is 500 or more',
    id: 'us-fl.department',
    facts: resident('US-FL', 500, ['credentials'], { determination: '2026-05-05T14:00:00Z' }),
    expect: { due: '2026-06-05T04:00:00.000Z' },
  },
  {
    name: 'Florida department: 499 Floridians',
    id: 'us-fl.department',
    facts: resident('US-FL', 499, ['credentials'], { determination: '2026-05-05T14:00:00Z' }),
    expect: 'not applicable',
  },
  // 5 May + 10 days = 15 May.
  {
    name: 'Florida third-party agent: 10 days',
    id: 'us-fl.third-party-agent',
    facts: resident('US-FL', 5, ['credentials'], { determination: '2026-05-05T14:00:00Z' }, { flags: ['third-party-agent'] }),
    expect: { due: '2026-05-16T04:00:00.000Z' },
  },
  // 20 October (MDT) + 30 days = 19 November, whose midnight is MST (07:00Z) after the 1 November fall-back.
  {
    name: 'Colorado residents: 30 days across the US fall-back',
    id: 'us-co.residents',
    facts: resident('US-CO', 1, ['biometric'], { determination: '2026-10-20T16:00:00Z' }),
    expect: { due: '2026-11-20T07:00:00.000Z', suggested: ['us-co.6-1-716.2.a'] },
  },
  {
    name: 'Colorado residents: determined on the fall-back day itself',
    id: 'us-co.residents',
    facts: resident('US-CO', 1, ['biometric'], { determination: '2026-11-01T16:00:00Z' }, { risk: 'risk' }),
    expect: { due: '2026-12-02T07:00:00.000Z', suggested: [] },
  },
  {
    name: 'Colorado AG: 500 residents is 500 or more',
    id: 'us-co.attorney-general',
    facts: resident('US-CO', 500, ['financial'], { determination: '2026-10-20T16:00:00Z' }),
    expect: { due: '2026-11-20T07:00:00.000Z' },
  },
  {
    name: 'Colorado AG: 499 residents',
    id: 'us-co.attorney-general',
    facts: resident('US-CO', 499, ['financial'], { determination: '2026-10-20T16:00:00Z' }),
    expect: 'not applicable',
  },
  // 10 December + 30 days = 9 January 2027, ending at midnight PST.
  {
    name: 'Washington residents: 30 days from discovery',
    id: 'us-wa.residents',
    facts: resident('US-WA', 1, ['health'], { discovery: '2026-12-10T18:00:00Z' }),
    expect: { due: '2027-01-10T08:00:00.000Z' },
  },
  {
    name: 'Washington AG: 501 residents is more than 500',
    id: 'us-wa.attorney-general',
    facts: resident('US-WA', 501, ['health'], { discovery: '2026-12-10T18:00:00Z' }),
    expect: { due: '2027-01-10T08:00:00.000Z' },
  },
  {
    name: 'Washington AG: 500 residents',
    id: 'us-wa.attorney-general',
    facts: resident('US-WA', 500, ['health'], { discovery: '2026-12-10T18:00:00Z' }),
    expect: 'not applicable',
  },
  // 2 March + 45 days = 16 April (29 + 16), ending at midnight EDT.
  {
    name: 'Vermont consumers: 45 days from discovery',
    id: 'us-vt.residents',
    facts: resident('US-VT', 1, ['genetic'], { discovery: '2026-03-02T15:00:00Z' }),
    expect: { due: '2026-04-17T04:00:00.000Z' },
  },
  // Friday 20 November + 14 federal business days, skipping Thanksgiving: Friday 11 December.
  {
    name: 'Vermont AG: 14 business days, skipping Thanksgiving',
    id: 'us-vt.attorney-general',
    facts: resident('US-VT', 1, ['credentials'], { discovery: '2026-11-20T15:00:00Z' }),
    expect: { due: '2026-12-12T05:00:00.000Z' },
  },
  {
    name: 'Vermont AG: due when consumers are notified, if that comes first',
    id: 'us-vt.attorney-general',
    facts: resident('US-VT', 1, ['credentials'], { discovery: '2026-11-20T15:00:00Z' }, { submissions: { 'us-vt.residents': '2026-11-30T16:00:00Z' } }),
    expect: { due: '2026-11-30T16:00:00.000Z' },
  },
];

// ---- Elsewhere --------------------------------------------------------------------------------------------------

const pipeda = (o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['controller', 'pipeda-real-risk-of-significant-harm'], affected: { CA: 20 }, anchors: { determination: '2026-05-05T13:00:00Z' }, ...o });
const lgpd = (flags: string[], anchors: IncidentFacts['anchors'], o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['controller', 'lgpd-relevant-risk', ...flags], affected: { BR: 100 }, anchors, ...o });
const dpdp = (o: Partial<IncidentFacts> = {}): IncidentFacts =>
  facts({ flags: ['controller'], affected: { IN: 10 }, anchors: { awareness: '2027-06-01T04:30:00Z' }, ...o });
const cards = (anchors: IncidentFacts['anchors']): IncidentFacts =>
  facts({ flags: ['card-merchant'], dataCategories: ['cardholder-data'], entity: NEW_YORK, anchors });

const INTERNATIONAL_ROWS: Row[] = [
  { name: 'PIPEDA Commissioner: as soon as feasible', id: 'ca-pipeda.commissioner', facts: pipeda(), expect: { due: '2026-05-08T13:00:00.000Z', statutory: false } },
  { name: 'PIPEDA Commissioner: no real risk of significant harm', id: 'ca-pipeda.commissioner', facts: pipeda({ flags: ['controller'] }), expect: 'not applicable' },
  { name: 'PIPEDA: CA is Canada, not California', id: 'ca-pipeda.commissioner', facts: pipeda({ affected: { 'US-CA': 20 } }), expect: 'not applicable' },
  { name: 'PIPEDA individuals: as soon as feasible', id: 'ca-pipeda.individuals', facts: pipeda(), expect: { due: '2026-05-08T13:00:00.000Z', statutory: false } },
  // 23:00Z on 31 March is 10:00 on 1 April in Sydney; + 30 days = 1 May, ending at midnight AEST (UTC+10 after 5 April).
  {
    name: 'Australia assessment: 30 days from the Sydney date of suspicion',
    id: 'au-ndb.assessment',
    facts: facts({ flags: ['au-suspected-breach'], affected: { AU: 3 }, anchors: { suspicion: '2026-03-31T23:00:00Z' } }),
    expect: { due: '2026-05-01T14:00:00.000Z' },
  },
  {
    name: 'Australia assessment: nothing suspected',
    id: 'au-ndb.assessment',
    facts: facts({ affected: { AU: 3 }, anchors: { suspicion: '2026-03-31T23:00:00Z' } }),
    expect: 'not applicable',
  },
  {
    name: 'Australia Commissioner: as soon as practicable',
    id: 'au-ndb.commissioner',
    facts: facts({ flags: ['au-eligible-data-breach'], affected: { AU: 3 }, anchors: { determination: '2026-04-02T00:00:00Z' } }),
    expect: { due: '2026-04-05T00:00:00.000Z', statutory: false },
  },
  {
    name: 'Australia individuals: after the statement',
    id: 'au-ndb.individuals',
    facts: facts({ flags: ['au-eligible-data-breach'], affected: { AU: 3 }, submissions: { 'au-ndb.commissioner': '2026-04-03T02:00:00Z' } }),
    expect: { due: '2026-04-06T02:00:00.000Z', statutory: false },
  },
  {
    name: 'Australia individuals: waits for the statement',
    id: 'au-ndb.individuals',
    facts: facts({ flags: ['au-eligible-data-breach'], affected: { AU: 3 }, anchors: { determination: '2026-04-02T00:00:00Z' } }),
    expect: { due: null, clock: 'waiting', statutory: false },
  },
  // Friday 17 April → Mon 20, (Tiradentes Tue 21), Wed 22, Thu 23; ends at midnight BRT (03:00Z).
  {
    name: 'Brazil ANPD: 3 business days, skipping Tiradentes',
    id: 'br-lgpd.anpd',
    facts: lgpd([], { awareness: '2026-04-17T13:00:00Z' }),
    expect: { due: '2026-04-24T03:00:00.000Z' },
  },
  // Wednesday 1 April → Thu 2, (Good Friday 3), Mon 6, Tue 7.
  {
    name: 'Brazil ANPD: 3 business days, skipping Good Friday',
    id: 'br-lgpd.anpd',
    facts: lgpd([], { awareness: '2026-04-01T13:00:00Z' }),
    expect: { due: '2026-04-08T03:00:00.000Z' },
  },
  // Wednesday 18 November → Thu 19, (Consciência Negra Fri 20), Mon 23, Tue 24.
  {
    name: 'Brazil ANPD: 3 business days, skipping Consciência Negra',
    id: 'br-lgpd.anpd',
    facts: lgpd([], { awareness: '2026-11-18T13:00:00Z' }),
    expect: { due: '2026-11-25T03:00:00.000Z' },
  },
  {
    name: 'Brazil ANPD: no relevant risk',
    id: 'br-lgpd.anpd',
    facts: facts({ flags: ['controller'], affected: { BR: 100 }, anchors: { awareness: '2026-04-17T13:00:00Z' } }),
    expect: 'not applicable',
  },
  {
    name: 'Brazil ANPD: a small agent has its own, doubled rule',
    id: 'br-lgpd.anpd',
    facts: lgpd(['lgpd-small-agent'], { awareness: '2026-04-17T13:00:00Z' }),
    expect: 'not applicable',
  },
  {
    name: 'Brazil data subjects: 3 business days',
    id: 'br-lgpd.data-subjects',
    facts: lgpd([], { awareness: '2026-04-17T13:00:00Z' }),
    expect: { due: '2026-04-24T03:00:00.000Z' },
  },
  // Friday 17 April → 20, 22, 23, 24, 27, 28.
  {
    name: 'Brazil ANPD, small agent: 6 business days',
    id: 'br-lgpd.anpd-small-agent',
    facts: lgpd(['lgpd-small-agent'], { awareness: '2026-04-17T13:00:00Z' }),
    expect: { due: '2026-04-29T03:00:00.000Z' },
  },
  {
    name: 'Brazil data subjects, small agent: 6 business days',
    id: 'br-lgpd.data-subjects-small-agent',
    facts: lgpd(['lgpd-small-agent'], { awareness: '2026-04-17T13:00:00Z' }),
    expect: { due: '2026-04-29T03:00:00.000Z' },
  },
  // Thursday 23 April → 20 business days skipping Dia do Trabalho (Friday 1 May): Friday 22 May.
  {
    name: 'Brazil supplementary: 20 business days, skipping 1 May',
    id: 'br-lgpd.supplementary',
    facts: lgpd([], {}, { submissions: { 'br-lgpd.anpd': '2026-04-23T18:00:00Z' } }),
    expect: { due: '2026-05-23T03:00:00.000Z' },
  },
  {
    name: 'Brazil supplementary: runs from a small agent’s communication too',
    id: 'br-lgpd.supplementary',
    facts: lgpd(['lgpd-small-agent'], {}, { submissions: { 'br-lgpd.anpd-small-agent': '2026-04-23T18:00:00Z' } }),
    expect: { due: '2026-05-23T03:00:00.000Z' },
  },
  {
    name: 'Singapore assessment: reasonable and expeditious',
    id: 'sg-pdpa.assessment',
    facts: facts({ affected: { SG: 5 }, anchors: { suspicion: '2026-05-04T02:00:00Z' } }),
    expect: { due: '2026-05-07T02:00:00.000Z', statutory: false },
  },
  // 15:30Z on 6 May is 23:30 in Singapore; + 3 calendar days = 9 May, ending at midnight SGT (16:00Z).
  {
    name: 'Singapore PDPC: 500 individuals, 3 days after the assessment',
    id: 'sg-pdpa.commission',
    facts: facts({ affected: { SG: 500 }, anchors: { assessment: '2026-05-06T15:30:00Z' } }),
    expect: { due: '2026-05-09T16:00:00.000Z' },
  },
  {
    name: 'Singapore PDPC: 499 individuals and no significant harm',
    id: 'sg-pdpa.commission',
    facts: facts({ affected: { SG: 499 }, anchors: { assessment: '2026-05-06T15:30:00Z' } }),
    expect: 'not applicable',
  },
  {
    name: 'Singapore PDPC: significant harm to 10 individuals',
    id: 'sg-pdpa.commission',
    facts: facts({ flags: ['sg-significant-harm'], affected: { SG: 10 }, anchors: { assessment: '2026-05-06T15:30:00Z' } }),
    expect: { due: '2026-05-09T16:00:00.000Z' },
  },
  {
    name: 'India Board intimation: without delay (24 h target)',
    id: 'in-dpdp.board-intimation',
    facts: dpdp(),
    options: { asapTargetHours: 24 },
    expect: { due: '2027-06-02T04:30:00.000Z', statutory: false },
  },
  { name: 'India Board report: 72 elapsed hours', id: 'in-dpdp.board-report', facts: dpdp(), expect: { due: '2027-06-04T04:30:00.000Z' } },
  {
    name: 'India Board report: a 7-day extension granted by the Board',
    id: 'in-dpdp.board-report',
    facts: dpdp(),
    options: { adjustments: [{ obligationId: 'in-dpdp.board-report', adjustmentId: 'in-dpdp.r7.2.b', from: '2027-06-02T00:00:00Z', until: '2027-06-09T00:00:00Z', reason: 'Board order' }] },
    expect: { due: '2027-06-11T04:30:00.000Z' },
  },
  {
    name: 'India Board report: rule 7 not yet in force in 2026',
    id: 'in-dpdp.board-report',
    facts: dpdp({ anchors: { awareness: '2026-06-01T04:30:00Z' } }),
    expect: 'not in force',
  },
  {
    name: 'India data principals: without delay (24 h target)',
    id: 'in-dpdp.data-principals',
    facts: dpdp(),
    options: { asapTargetHours: 24 },
    expect: { due: '2027-06-02T04:30:00.000Z', statutory: false },
  },
  { name: 'India data principals: no Indian principal affected', id: 'in-dpdp.data-principals', facts: dpdp({ affected: { SG: 10 } }), expect: 'not applicable' },
  // Suspected Thursday 2 July + 3 calendar days = Sunday 5 July (calendar days do not roll).
  {
    name: 'Visa notification: 3 calendar days from suspicion',
    id: 'visa.notification',
    facts: cards({ suspicion: '2026-07-02T14:00:00Z', awareness: '2026-07-03T14:00:00Z' }),
    expect: { due: '2026-07-06T04:00:00.000Z' },
  },
  {
    name: 'Visa notification: from confirmation when no suspicion was recorded',
    id: 'visa.notification',
    facts: cards({ awareness: '2026-07-03T14:00:00Z' }),
    expect: { due: '2026-07-07T04:00:00.000Z' },
  },
  {
    name: 'Visa notification: no card data',
    id: 'visa.notification',
    facts: facts({ flags: ['card-merchant'], dataCategories: ['contact'], anchors: { suspicion: '2026-07-02T14:00:00Z' } }),
    expect: 'not applicable',
  },
  // Thursday 2 July → (Independence Day observed Friday 3), Mon 6, Tue 7, Wed 8.
  {
    name: 'Visa incident report: 3 business days, skipping the observed Independence Day',
    id: 'visa.incident-report',
    facts: cards({ suspicion: '2026-07-02T14:00:00Z' }),
    expect: { due: '2026-07-09T04:00:00.000Z' },
  },
  {
    name: 'Mastercard: 24 h from suspicion',
    id: 'mastercard.adc-report',
    facts: cards({ suspicion: '2026-07-02T14:00:00Z', awareness: '2026-07-03T14:00:00Z' }),
    expect: { due: '2026-07-03T14:00:00.000Z' },
  },
  {
    name: 'Mastercard: 24 h from awareness when no suspicion was recorded',
    id: 'mastercard.adc-report',
    facts: cards({ awareness: '2026-07-03T14:00:00Z' }),
    expect: { due: '2026-07-04T14:00:00.000Z' },
  },
];

const ROWS: Row[] = [...EU_ROWS, ...US_ROWS, ...INTERNATIONAL_ROWS];

/** The rule version a row is about. */
function versionOf(row: Row): Rule {
  const ruleId = row.id.split('@')[0];
  const versions = BREACH_RULES.rules.filter((rule) => rule.id === ruleId);
  const version = row.version === undefined && versions.length === 1 ? versions[0] : versions.find((rule) => rule.effectiveFrom === row.version);
  if (!version) throw new Error(`row "${row.name}": name the version of ${ruleId} (${versions.map((v) => v.effectiveFrom).join(', ')})`);
  return version;
}

describe('breach rules against the engine', () => {
  it.each(ROWS)('$name', (row) => {
    const { obligations, notApplicable } = computeObligations(BREACH_RULES, row.facts, { now: NOW, ...row.options });
    const obligation = obligations.find((o) => o.id === row.id);
    const excluded = notApplicable.some((n) => n.ruleId === row.id);
    if (row.expect === 'not applicable') {
      expect({ obligation, excluded }).toEqual({ obligation: undefined, excluded: true });
      return;
    }
    if (row.expect === 'not in force') {
      expect({ obligation, excluded }).toEqual({ obligation: undefined, excluded: false });
      return;
    }
    const { due, statutory = true, clock = due === null ? 'waiting' : 'running', suggested } = row.expect;
    expect(obligation).toBeDefined();
    expect({ dueAt: obligation?.dueAt, statutory: obligation?.statutory, clock: obligation?.clock, citation: obligation?.citation }).toEqual({
      dueAt: due,
      statutory,
      clock,
      citation: versionOf(row).citation,
    });
    if (suggested) expect(obligation?.exemptions.filter((e) => e.suggested).map((e) => e.id)).toEqual(suggested);
  });

  it('has a row computing a due instant for every rule version in the pack', () => {
    const covered = new Set(ROWS.filter((row) => typeof row.expect === 'object' && row.expect.due !== null).map(versionOf));
    const missing = BREACH_RULES.rules.filter((rule) => !covered.has(rule)).map((rule) => `${rule.id} from ${rule.effectiveFrom}`);
    expect(missing).toEqual([]);
  });
});
