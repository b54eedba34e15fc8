import { DateTime, IANAZone } from 'luxon';
import { ISO_COUNTRIES, isSubdivisionOf } from '../countries';
import eu from './rules/eu.json';
import international from './rules/international.json';
import us from './rules/us.json';
import {
  ANCHOR_EVENTS,
  DATA_CATEGORIES,
  ENCRYPTION,
  RISK_LEVELS,
  type Adjustment,
  type CalendarId,
  type Clock,
  type Condition,
  type Confidence,
  type Counting,
  type Exemption,
  type RollForward,
  type Rule,
  type RulesPack,
  type Unit,
} from './types';

/**
 * The built-in breach rules pack: the law as data in `rules/*.json`, checked here field by field so that a typo in a
 * flag, a zone or a date fails at load instead of silently making an obligation disappear.
 *
 * Flag vocabulary (`IncidentFacts.flags`; a rule naming any other flag is refused):
 *
 * Roles of the organisation for this incident
 * - `controller`: decides the purposes and means of the processing (GDPR, UK GDPR; also the LGPD controller, the DPDP
 *   data fiduciary and the PIPEDA organisation with the information under its control).
 * - `processor`: processes the data on a controller's behalf.
 * - `eu-established`: the controller or processor is established in the EU (GDPR applies whoever is affected).
 * - `uk-established`: likewise for the United Kingdom.
 * - `hipaa-covered-entity`, `hipaa-business-associate`: the HIPAA roles.
 * - `third-party-agent`: maintains the data for a Florida covered entity (Fla. Stat. 501.171(6)).
 * - `sec-registrant`: files reports with the SEC.
 * - `nis2-entity`: an essential or important entity under the national NIS2 law.
 * - `trust-service-provider`: a NIS2 entity providing trust services whose significant incident affects them (also set
 *   `nis2-entity`).
 * - `dora-financial-entity`: a financial entity within DORA.
 * - `lgpd-small-agent`: a small processing agent entitled to doubled LGPD deadlines (Res. CD/ANPD 2/2022 Art. 14); do
 *   not set it when the incident may compromise data subjects' physical or moral integrity or national security,
 *   because then the ordinary deadlines apply.
 * - `card-merchant`: accepts payment cards, so the card brands' rules bind it through its acquirer.
 *
 * Legal findings the responder records
 * - `nis2-significant-incident`, `dora-major-incident`, `sec-material`, `unsecured-phi`.
 * - `pipeda-real-risk-of-significant-harm`, `au-suspected-breach` (reasonable grounds to suspect),
 *   `au-eligible-data-breach` (reasonable grounds to believe, likely serious harm), `sg-significant-harm`,
 *   `lgpd-relevant-risk` (risk or relevant damage with one of the aggravating factors of Res. CD/ANPD 15/2024 Art. 5).
 *
 * Risk levels for the GDPR and UK GDPR tests: `unlikely` < `risk` < `high`; Art. 33 applies from `risk`, Art. 34 at
 * `high`.
 *
 * Data categories are the `DATA_CATEGORIES` of types.ts. As the rules read them, `financial` is an account number with
 * its access code and `credentials` a user name or e-mail with its password; a US state rule lists the categories its
 * statute's definition of personal information covers, and its encryption condition is the statute's safe harbour.
 */
export const PACK_VERSION = '2026.11.1';

/** The literal members of a union type, listed once; the Record makes the compiler flag any member left out. */
function members<T extends string>(record: Record<T, true>): readonly T[] {
  return Object.keys(record) as T[];
}

const UNITS = members<Unit>({ hours: true, days: true, 'business-days': true, months: true, asap: true });
const COUNTINGS = members<Counting>({ elapsed: true, 'eu-1182-71': true, 'days-after': true, 'business-days-after': true });
const ROLLS = members<RollForward>({ none: true, 'next-working-day-end': true, 'next-working-day-noon': true });
const CALENDARS = members<CalendarId>({ weekends: true, 'US-federal': true, 'BR-national': true, 'GB-EAW': true, entity: true });
const CONFIDENCES = members<Confidence>({ A: true, B: true, C: true });
const OPERATORS = members<'>' | '>=' | '<'>({ '>': true, '>=': true, '<': true });
const ADJUSTMENT_KINDS = members<Adjustment['kind']>({ extension: true, pause: true });

const RULE_FIELDS = members<keyof Rule>({
  id: true, regime: true, recipient: true, title: true, clocks: true, calendar: true, zone: true, perJurisdiction: true,
  appliesWhen: true, exemptions: true, adjustments: true, citation: true, source: true, confidence: true, wording: true,
  effectiveFrom: true, effectiveTo: true,
});
const CLOCK_FIELDS = members<keyof Clock>({ anchor: true, amount: true, unit: true, counting: true, roll: true, dayEndsAt: true });
const EXEMPTION_FIELDS = members<keyof Exemption>({ id: true, description: true, citation: true, suggestedWhen: true });
const ADJUSTMENT_FIELDS = members<keyof Adjustment>({ id: true, kind: true, description: true, citation: true, amount: true, unit: true });

/** The flag vocabulary documented above. */
const FLAGS = [
  'controller', 'processor', 'eu-established', 'uk-established', 'hipaa-covered-entity', 'hipaa-business-associate',
  'third-party-agent', 'sec-registrant', 'nis2-entity', 'trust-service-provider', 'dora-financial-entity',
  'lgpd-small-agent', 'card-merchant', 'nis2-significant-incident', 'dora-major-incident', 'sec-material',
  'pipeda-real-risk-of-significant-harm', 'au-eligible-data-breach', 'au-suspected-breach', 'sg-significant-harm',
  'lgpd-relevant-risk', 'unsecured-phi',
];
const JURISDICTION_GROUPS = ['EEA', 'EU', 'US'];

/** Which countings make sense for each unit: `elapsed` is exact elapsed time, so it only measures hours. */
const COUNTINGS_BY_UNIT: Record<Unit, readonly Counting[]> = {
  hours: ['elapsed', 'eu-1182-71'],
  days: ['eu-1182-71', 'days-after'],
  months: ['eu-1182-71', 'days-after'],
  'business-days': ['business-days-after'],
  asap: ['elapsed'],
};
/** Units whose period ends at the end of a local day, the only ones a `dayEndsAt` can shorten. */
const DAY_UNITS: readonly Unit[] = ['days', 'business-days', 'months'];

/** Lowercase dot-separated segments of letters, digits and hyphens: `gdpr.art33.authority`, `hipaa.164.402.2`. */
const ID_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)+$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE_PATTERN.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

function isJurisdiction(value: string): boolean {
  if (JURISDICTION_GROUPS.includes(value) || ISO_COUNTRIES.has(value)) return true;
  const country = value.slice(0, 2);
  return ISO_COUNTRIES.has(country) && isSubdivisionOf(value, country);
}

function isAnchor(value: string): boolean {
  const event = value.startsWith('year-end:') ? value.slice('year-end:'.length) : value;
  return (ANCHOR_EVENTS as readonly string[]).includes(event);
}

/** Collects one rule's problems, each prefixed with the rule and the path of the field. */
class RuleChecker {
  readonly problems: string[] = [];

  constructor(private readonly label: string) {}

  add(path: string, message: string): void {
    this.problems.push(`${this.label}: ${path === '' ? '' : `${path} `}${message}`);
  }

  unknownFields(value: Fields, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(path === '' ? key : `${path}.${key}`, 'is not a known field');
    }
  }

  text(value: unknown, path: string): void {
    if (typeof value !== 'string' || value.trim() === '') this.add(path, `${show(value)} must be a non-empty string`);
  }

  id(value: unknown, path: string): void {
    if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
      this.add(path, `${show(value)} must be lowercase dotted segments such as gdpr.art33.authority`);
    }
  }

  oneOf(value: unknown, allowed: readonly string[], path: string): void {
    if (typeof value !== 'string' || !allowed.includes(value)) this.add(path, `${show(value)} is not one of ${allowed.join(', ')}`);
  }

  nonEmptyArray(value: unknown, path: string): value is unknown[] {
    if (Array.isArray(value) && value.length > 0) return true;
    this.add(path, `${show(value)} must be a non-empty array`);
    return false;
  }
}

interface PackContext {
  /** Every rule id in the pack, for `submitted:` anchors. */
  ruleIds: ReadonlySet<string>;
}

/** The keys of every member of a union (`keyof` of a union gives only the common ones). */
type UnionKeys<T> = { [K in T extends unknown ? keyof T : never]: true };

function checkCondition(check: RuleChecker, value: unknown, path: string, perJurisdiction: boolean): void {
  const keys = isRecord(value) ? Object.keys(value) : [];
  if (!isRecord(value) || keys.length !== 1) {
    check.add(path, `${show(value)} must be an object with exactly one of all, any, not, affected, risk, dataCategories, encryption, flag`);
    return;
  }
  const [kind] = keys;
  const body = value[kind];
  const at = `${path}.${kind}`;
  switch (kind as keyof UnionKeys<Condition>) {
    case 'all':
    case 'any':
      if (check.nonEmptyArray(body, at)) body.forEach((item, i) => checkCondition(check, item, `${at}[${i}]`, perJurisdiction));
      return;
    case 'not':
      checkCondition(check, body, at, perJurisdiction);
      return;
    case 'affected': {
      if (!isRecord(body)) {
        check.add(at, `${show(body)} must be an object with in, op and value`);
        return;
      }
      check.unknownFields(body, ['in', 'op', 'value'], at);
      const where = body.in;
      if (where === '$each') {
        if (!perJurisdiction) check.add(`${at}.in`, '"$each" needs the rule to set perJurisdiction');
      } else if (typeof where !== 'string' || !isJurisdiction(where)) {
        check.add(`${at}.in`, `${show(where)} is not $each, a group (${JURISDICTION_GROUPS.join(', ')}), an ISO country or an ISO subdivision such as US-CA`);
      }
      check.oneOf(body.op, OPERATORS, `${at}.op`);
      if (!Number.isInteger(body.value) || (body.value as number) < 0) check.add(`${at}.value`, `${show(body.value)} must be a whole number of people, 0 or more`);
      return;
    }
    case 'risk':
      if (!isRecord(body)) check.add(at, `${show(body)} must be an object with atLeast`);
      else {
        check.unknownFields(body, ['atLeast'], at);
        check.oneOf(body.atLeast, RISK_LEVELS, `${at}.atLeast`);
      }
      return;
    case 'dataCategories':
    case 'encryption': {
      const allowed: readonly string[] = kind === 'encryption' ? ENCRYPTION : DATA_CATEGORIES;
      if (!isRecord(body)) {
        check.add(at, `${show(body)} must be an object with anyOf`);
        return;
      }
      check.unknownFields(body, ['anyOf'], at);
      if (check.nonEmptyArray(body.anyOf, `${at}.anyOf`)) body.anyOf.forEach((item, i) => check.oneOf(item, allowed, `${at}.anyOf[${i}]`));
      return;
    }
    case 'flag':
      check.oneOf(body, FLAGS, at);
      return;
    default:
      check.add(path, `has ${JSON.stringify(kind)}, which is not one of all, any, not, affected, risk, dataCategories, encryption, flag`);
  }
}

function checkClock(check: RuleChecker, clock: unknown, path: string, ruleId: unknown, context: PackContext): void {
  if (!isRecord(clock)) {
    check.add(path, `${show(clock)} must be an object`);
    return;
  }
  check.unknownFields(clock, CLOCK_FIELDS, path);
  const { anchor, amount, unit, counting, roll, dayEndsAt } = clock;
  if (typeof anchor === 'string' && anchor.startsWith('submitted:')) {
    const target = anchor.slice('submitted:'.length);
    if (target === ruleId) check.add(`${path}.anchor`, `${show(anchor)} names the rule itself`);
    else if (!context.ruleIds.has(target)) check.add(`${path}.anchor`, `${show(anchor)} names no rule in the pack`);
  } else if (typeof anchor !== 'string' || !isAnchor(anchor)) {
    check.add(`${path}.anchor`, `${show(anchor)} is not one of ${ANCHOR_EVENTS.join(', ')}, year-end:<event> or submitted:<rule id>`);
  }
  check.oneOf(unit, UNITS, `${path}.unit`);
  check.oneOf(counting, COUNTINGS, `${path}.counting`);
  check.oneOf(roll, ROLLS, `${path}.roll`);
  if (!Number.isInteger(amount) || (amount as number) < 0) {
    check.add(`${path}.amount`, `${show(amount)} must be a whole number, 0 or more`);
  }
  if (!UNITS.includes(unit as Unit)) return;
  const knownUnit = unit as Unit;
  if (COUNTINGS.includes(counting as Counting) && !COUNTINGS_BY_UNIT[knownUnit].includes(counting as Counting)) {
    check.add(`${path}.counting`, `${show(counting)} cannot count ${knownUnit}; use ${COUNTINGS_BY_UNIT[knownUnit].join(' or ')}`);
  }
  if (knownUnit === 'asap') {
    // "Without undue delay" has no legal period: the engine puts the organisation's own target in its place.
    if (amount !== 0) check.add(`${path}.amount`, `${show(amount)} must be 0 for unit asap`);
    if (roll !== 'none') check.add(`${path}.roll`, `${show(roll)} must be none for unit asap`);
  } else if (amount === 0 && !(knownUnit === 'hours' && counting === 'elapsed')) {
    // Zero elapsed hours is meaningful ("no later than when consumers are told"); zero days of any counting is not.
    check.add(`${path}.amount`, `0 is only meaningful as 0 elapsed hours (due at the anchor itself)`);
  }
  if (dayEndsAt !== undefined) {
    if (typeof dayEndsAt !== 'string' || !TIME_PATTERN.test(dayEndsAt)) check.add(`${path}.dayEndsAt`, `${show(dayEndsAt)} must be a local time HH:MM`);
    else if (!DAY_UNITS.includes(knownUnit)) check.add(`${path}.dayEndsAt`, `only applies to periods of ${DAY_UNITS.join(', ')}, not ${knownUnit}`);
  }
}

function checkExemption(check: RuleChecker, exemption: unknown, path: string, perJurisdiction: boolean): void {
  if (!isRecord(exemption)) {
    check.add(path, `${show(exemption)} must be an object`);
    return;
  }
  check.unknownFields(exemption, EXEMPTION_FIELDS, path);
  check.id(exemption.id, `${path}.id`);
  check.text(exemption.description, `${path}.description`);
  check.text(exemption.citation, `${path}.citation`);
  if (exemption.suggestedWhen !== undefined) checkCondition(check, exemption.suggestedWhen, `${path}.suggestedWhen`, perJurisdiction);
}

function checkAdjustment(check: RuleChecker, adjustment: unknown, path: string): void {
  if (!isRecord(adjustment)) {
    check.add(path, `${show(adjustment)} must be an object`);
    return;
  }
  check.unknownFields(adjustment, ADJUSTMENT_FIELDS, path);
  check.id(adjustment.id, `${path}.id`);
  check.oneOf(adjustment.kind, ADJUSTMENT_KINDS, `${path}.kind`);
  check.text(adjustment.description, `${path}.description`);
  check.text(adjustment.citation, `${path}.citation`);
  if (adjustment.kind === 'extension') {
    // An extension adds a fixed time; one the authority sizes case by case is recorded as a pause instead.
    if (!Number.isInteger(adjustment.amount) || (adjustment.amount as number) <= 0) check.add(`${path}.amount`, `${show(adjustment.amount)} must be a whole number above 0 for an extension`);
    check.oneOf(adjustment.unit, UNITS.filter((u) => u !== 'asap'), `${path}.unit`);
  } else if (adjustment.kind === 'pause') {
    if (adjustment.amount !== undefined || adjustment.unit !== undefined) check.add(path, 'is a pause, which holds the clock between recorded instants: it takes no amount or unit');
  }
}

function checkUniqueIds(check: RuleChecker, items: unknown[], path: string): void {
  const seen = new Set<unknown>();
  items.forEach((item, i) => {
    if (!isRecord(item) || typeof item.id !== 'string') return;
    if (seen.has(item.id)) check.add(`${path}[${i}].id`, `${show(item.id)} is used twice`);
    seen.add(item.id);
  });
}

function checkRule(rule: unknown, index: number, context: PackContext): string[] {
  const label = isRecord(rule) && typeof rule.id === 'string' && rule.id !== '' ? `rule ${rule.id}` : `rules[${index}]`;
  const check = new RuleChecker(label);
  if (!isRecord(rule)) {
    check.add('', `${show(rule)} must be an object`);
    return check.problems;
  }
  check.unknownFields(rule, RULE_FIELDS, '');
  check.id(rule.id, 'id');
  for (const field of ['regime', 'recipient', 'title', 'citation', 'wording'] as const) check.text(rule[field], field);
  if (typeof rule.source !== 'string' || !/^https:\/\/[^\s/]+\.[^\s]+$/.test(rule.source)) check.add('source', `${show(rule.source)} must be an https URL`);
  check.oneOf(rule.confidence, CONFIDENCES, 'confidence');
  check.oneOf(rule.calendar, CALENDARS, 'calendar');
  if (rule.zone !== 'entity' && (typeof rule.zone !== 'string' || !IANAZone.isValidZone(rule.zone))) {
    check.add('zone', `${show(rule.zone)} is neither entity nor a valid IANA zone`);
  }
  const perJurisdiction = rule.perJurisdiction !== undefined;
  if (perJurisdiction) {
    const pattern = rule.perJurisdiction;
    if (typeof pattern !== 'string' || !/^[A-Z]{2}-\*$/.test(pattern) || !ISO_COUNTRIES.has(pattern.slice(0, 2))) {
      check.add('perJurisdiction', `${show(pattern)} must be a country's subdivisions, such as US-*`);
    }
  }
  if (!isDate(rule.effectiveFrom)) check.add('effectiveFrom', `${show(rule.effectiveFrom)} must be a date YYYY-MM-DD`);
  if (rule.effectiveTo !== undefined) {
    if (!isDate(rule.effectiveTo)) check.add('effectiveTo', `${show(rule.effectiveTo)} must be a date YYYY-MM-DD`);
    else if (isDate(rule.effectiveFrom) && rule.effectiveTo <= rule.effectiveFrom) check.add('effectiveTo', `${show(rule.effectiveTo)} must come after effectiveFrom ${rule.effectiveFrom}`);
  }
  if (check.nonEmptyArray(rule.clocks, 'clocks')) rule.clocks.forEach((clock, i) => checkClock(check, clock, `clocks[${i}]`, rule.id, context));
  checkCondition(check, rule.appliesWhen, 'appliesWhen', perJurisdiction);
  if (!Array.isArray(rule.exemptions)) check.add('exemptions', `${show(rule.exemptions)} must be an array`);
  else {
    rule.exemptions.forEach((exemption, i) => checkExemption(check, exemption, `exemptions[${i}]`, perJurisdiction));
    checkUniqueIds(check, rule.exemptions, 'exemptions');
  }
  if (!Array.isArray(rule.adjustments)) check.add('adjustments', `${show(rule.adjustments)} must be an array`);
  else {
    rule.adjustments.forEach((adjustment, i) => checkAdjustment(check, adjustment, `adjustments[${i}]`));
    checkUniqueIds(check, rule.adjustments, 'adjustments');
  }
  return check.problems;
}

/**
 * Rules sharing an id are successive versions of one obligation (California before and after SB 446): the engine
 * picks the version in force on the anchor's date, so two versions in force on the same day would make that choice
 * arbitrary. Windows are [effectiveFrom, effectiveTo), open-ended without effectiveTo.
 */
function overlappingVersions(rules: unknown[]): string[] {
  const windows = new Map<string, { from: string; to?: string }[]>();
  for (const rule of rules) {
    if (!isRecord(rule) || typeof rule.id !== 'string' || !isDate(rule.effectiveFrom)) continue;
    const to = isDate(rule.effectiveTo) ? rule.effectiveTo : undefined;
    windows.set(rule.id, [...(windows.get(rule.id) ?? []), { from: rule.effectiveFrom, to }]);
  }
  const problems: string[] = [];
  const describe = (w: { from: string; to?: string }): string => `${w.from} to ${w.to ?? 'open end'}`;
  for (const [id, versions] of windows) {
    versions.forEach((a, i) => {
      for (const b of versions.slice(i + 1)) {
        if (a.from < (b.to ?? '9999-12-31') && b.from < (a.to ?? '9999-12-31')) {
          problems.push(`rule ${id}: effective windows ${describe(a)} and ${describe(b)} overlap; versions of one rule must follow each other`);
        }
      }
    });
  }
  return problems;
}

/** Structural problems of a pack: [] when sound. */
export function packProblems(raw: unknown): string[] {
  if (!isRecord(raw)) return [`pack: ${show(raw)} must be an object with version and rules`];
  const problems: string[] = [];
  for (const key of Object.keys(raw)) if (key !== 'version' && key !== 'rules') problems.push(`pack: ${key} is not a known field`);
  if (typeof raw.version !== 'string' || raw.version.trim() === '') problems.push(`pack: version ${show(raw.version)} must be a non-empty string`);
  if (!Array.isArray(raw.rules)) return [...problems, `pack: rules ${show(raw.rules)} must be an array`];
  const rules: unknown[] = raw.rules;
  const ruleIds = new Set(rules.flatMap((rule) => (isRecord(rule) && typeof rule.id === 'string' ? [rule.id] : [])));
  rules.forEach((rule, i) => problems.push(...checkRule(rule, i, { ruleIds })));
  problems.push(...overlappingVersions(rules));
  return problems;
}

function loadBuiltIn(): RulesPack {
  const rules: unknown[] = [...eu.rules, ...us.rules, ...international.rules];
  const pack: unknown = { version: PACK_VERSION, rules };
  const problems = packProblems(pack);
  if (problems.length > 0) throw new Error(`Breach rules pack ${PACK_VERSION} is unsound:\n${problems.join('\n')}`);
  return pack as RulesPack;
}

/** The built-in pack, validated at load (throws with all problems listed if unsound). */
export const BREACH_RULES: RulesPack = loadBuiltIn();
