/**
 * The vocabulary of breach response: rules as they are written in the rules pack, the facts of an incident, and the
 * obligations the deadline engine derives from both. Pure types; no behaviour.
 */

/** Moments an incident can record; each rule's clock starts at one of them. */
export const ANCHOR_EVENTS = [
  'occurrence', // the breach happened
  'suspicion', // reasonable grounds to suspect (AU NDB assessment)
  'discovery', // known, or would have been known with reasonable diligence (HIPAA, US states)
  'awareness', // reasonable certainty that a breach occurred (GDPR, NIS2, DORA)
  'determination', // determined to be a breach / material (SEC, several US states, PIPEDA)
  'classification', // classified as major (DORA)
  'assessment', // assessed as notifiable (Singapore)
] as const;
export type AnchorEvent = (typeof ANCHOR_EVENTS)[number];

/**
 * Where a clock starts: an incident moment, the end of the calendar year containing one (HIPAA's annual log), or the
 * moment another obligation was submitted (phased reports: NIS2 final report, DORA intermediate and final reports).
 */
export type Anchor = AnchorEvent | `year-end:${AnchorEvent}` | `submitted:${string}`;

export type Unit = 'hours' | 'days' | 'business-days' | 'months' | 'asap';

/**
 * How a period is counted.
 * - `elapsed`: exactly `amount` units of elapsed time from the anchor instant (hours only).
 * - `eu-1182-71`: Council Regulation 1182/71 — the day in which the event happens is not counted; a period of days or
 *   months ends at the end of its last day; a month ends on the same date, or the month's last day if there is no
 *   such date. Periods in hours run as elapsed time: the regulation would also skip the hour of the event, but the
 *   regulators state these clocks as hours from awareness, so the earlier instant is the deadline (the explanation
 *   shows both).
 * - `days-after`: the day of the event is not counted and the period ends at the end of the last day (the usual
 *   statutory reading in the US and elsewhere).
 * - `business-days-after`: business days strictly after the anchor's local date; an anchor on a weekend or holiday
 *   therefore counts from, and includes, the next business day (SEC Form 8-K General Instruction B.1).
 */
export type Counting = 'elapsed' | 'eu-1182-71' | 'days-after' | 'business-days-after';

/**
 * What happens when a period ends on a day that is not a working day in the rule's calendar.
 * - `none`: the deadline stands.
 * - `next-working-day-end`: it moves to the end of the next working day (Reg. 1182/71 Art. 3(4), periods not in hours).
 * - `next-working-day-noon`: it moves to 12:00 on the next working day (DORA, Del. Reg. 2025/301 Art. 5).
 */
export type RollForward = 'none' | 'next-working-day-end' | 'next-working-day-noon';

/** Holiday calendars known to the engine; `entity` means the incident's own working calendar. */
export type CalendarId = 'weekends' | 'US-federal' | 'BR-national' | 'GB-EAW' | 'entity';

export interface Clock {
  anchor: Anchor;
  amount: number;
  unit: Unit;
  counting: Counting;
  roll: RollForward;
  /** Local time at which the last day ends, when not midnight (EDGAR dates filings after 17:30 ET the next day). */
  dayEndsAt?: string;
}

export const RISK_LEVELS = ['unlikely', 'risk', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const ENCRYPTION = ['none', 'partial', 'full'] as const;
export type Encryption = (typeof ENCRYPTION)[number];

/** The data categories incidents record; statutes' definitions of personal information are written in these terms. */
export const DATA_CATEGORIES = [
  'contact',
  'identification',
  'government-id',
  'financial',
  'cardholder-data',
  'credentials',
  'health',
  'biometric',
  'genetic',
  'children',
  'location',
  'special-category',
  'other',
] as const;

/**
 * Applicability, as data. Jurisdictions are ISO 3166-1 alpha-2 countries (`DE`, `GB`, `CA`), US states as `US-CA`,
 * or groups: `EEA`, `EU`, `US` (any state). `$each` is the jurisdiction a per-jurisdiction rule is being expanded for.
 * Threshold semantics are exact: `>` 500 is "more than 500"; `>=` 500 is "500 or more".
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { affected: { in: string; op: '>' | '>=' | '<' ; value: number } }
  | { risk: { atLeast: RiskLevel } }
  | { dataCategories: { anyOf: string[] } }
  | { encryption: { anyOf: Encryption[] } }
  | { flag: string };

export type Confidence = 'A' | 'B' | 'C';

export interface Exemption {
  id: string;
  description: string;
  citation: string;
  /** When the facts suggest the exemption may apply; applying it is always a recorded human decision. */
  suggestedWhen?: Condition;
}

/** A delay or extension a rule allows (law-enforcement delay, SEC national-security delay). */
export interface Adjustment {
  id: string;
  kind: 'extension' | 'pause';
  description: string;
  citation: string;
  /** For extensions: how much time is added. Pauses hold the clock between two recorded instants. */
  amount?: number;
  unit?: Exclude<Unit, 'asap'>;
}

export interface Rule {
  id: string;
  regime: string;
  recipient: string;
  title: string;
  /** One clock, or several of which the earliest wins (DORA's initial notice). */
  clocks: Clock[];
  calendar: CalendarId;
  /** IANA zone for day boundaries, or `entity` for the incident's own zone. */
  zone: string;
  /** Expand into one obligation per affected jurisdiction matching this pattern (`US-*`: one per US state). */
  perJurisdiction?: string;
  appliesWhen: Condition;
  exemptions: Exemption[];
  adjustments: Adjustment[];
  citation: string;
  source: string;
  confidence: Confidence;
  /** What the law actually says about timing, for the explanation ("without undue delay and not later than 72 h"). */
  wording: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

export interface RulesPack {
  version: string;
  rules: Rule[];
}

export interface IncidentFacts {
  /** ISO instants of the moments known so far. */
  anchors: Partial<Record<AnchorEvent, string>>;
  /** Obligation id → ISO instant it was submitted; anchors for follow-up reports. */
  submissions: Record<string, string>;
  /** Jurisdiction → number of affected people resident there. */
  affected: Record<string, number>;
  dataCategories: string[];
  encryption: Encryption;
  risk: RiskLevel;
  /** Sector and finding flags, e.g. `hipaa-covered-entity`, `sec-registrant`, `dora-major-incident`. */
  flags: string[];
  /** The organisation's own zone and working calendar, used by rules whose zone or calendar is `entity`. */
  entity: { zone: string; calendar: Exclude<CalendarId, 'entity'> };
}

/** A recorded change to an obligation's clock. A pause without `until` holds the clock until it is lifted. */
export interface ClockAdjustment {
  obligationId: string;
  adjustmentId: string;
  from: string;
  until?: string;
  reason: string;
}

export interface Obligation {
  /** The rule id, or `ruleId@jurisdiction` for per-jurisdiction rules. Stable across recomputations. */
  id: string;
  ruleId: string;
  regime: string;
  recipient: string;
  title: string;
  jurisdiction?: string;
  /** `waiting` until the anchor is known; `paused` while a pause holds the clock. */
  clock: 'running' | 'waiting' | 'paused';
  startsAt: string | null;
  dueAt: string | null;
  /** False when the law sets no fixed period ("without undue delay") and `dueAt` is the organisation's own target. */
  statutory: boolean;
  explanation: string[];
  citation: string;
  source: string;
  confidence: Confidence;
  /** Confidence C: show users "verify". */
  verify: boolean;
  exemptions: Array<Exemption & { suggested: boolean }>;
  adjustments: Adjustment[];
}

export interface NotApplicable {
  ruleId: string;
  reason: string;
}

export interface Assessment {
  packVersion: string;
  obligations: Obligation[];
  notApplicable: NotApplicable[];
}
