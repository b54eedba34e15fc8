/**
 * The deadline engine: incident facts + rules pack → every notification obligation, each with its due instant and an
 * explanation (rule, anchor, arithmetic, roll-forwards, adjustments, citation) that a responder or auditor can check.
 *
 * Pure and deterministic: the same facts, pack and `now` always give the same obligations, so the API's what-if
 * preview and the incident workflow agree, and a recomputation after a revision can be compared with the last one.
 */
import { DateTime } from 'luxon';
import { calendarFor, type HolidayCalendar } from './calendars';
import { evaluate } from './conditions';
import { extend, periodEnd, yearEndAfter } from './periods';
import type { Anchor, Assessment, Clock, ClockAdjustment, IncidentFacts, NotApplicable, Obligation, Rule, RulesPack } from './types';

export interface EngineOptions {
  /** The instant of the computation: selects rule versions for clocks that have not started. */
  now: string;
  /** The organisation's own target for duties the law words as "without undue delay". */
  asapTargetHours?: number;
  adjustments?: ClockAdjustment[];
}

const DEFAULT_ASAP_TARGET_HOURS = 72;

interface RuleContext {
  zone: string;
  calendar: HolidayCalendar;
}

function contextOf(rule: Rule, facts: IncidentFacts): RuleContext {
  return {
    zone: rule.zone === 'entity' ? facts.entity.zone : rule.zone,
    calendar: calendarFor(rule.calendar === 'entity' ? facts.entity.calendar : rule.calendar),
  };
}

/** The instant an anchor denotes for this incident, if it is known yet. */
function resolveAnchor(anchor: Anchor, facts: IncidentFacts, zone: string): string | undefined {
  if (anchor.startsWith('submitted:')) return facts.submissions[anchor.slice('submitted:'.length)];
  if (anchor.startsWith('year-end:')) {
    const at = facts.anchors[anchor.slice('year-end:'.length) as keyof IncidentFacts['anchors']];
    return at && yearEndAfter(at, zone);
  }
  return facts.anchors[anchor as keyof IncidentFacts['anchors']];
}

function anchorLabel(anchor: Anchor): string {
  if (anchor.startsWith('submitted:')) return `submission of ${anchor.slice('submitted:'.length)}`;
  if (anchor.startsWith('year-end:')) return `end of the calendar year of ${anchor.slice('year-end:'.length)}`;
  return anchor;
}

/** Picks, for each rule id, the version in force on the date its clock starts (or today, before it starts). */
function rulesInForce(pack: RulesPack, facts: IncidentFacts, now: string): Rule[] {
  const byId = new Map<string, Rule[]>();
  for (const rule of pack.rules) byId.set(rule.id, [...(byId.get(rule.id) ?? []), rule]);
  const chosen: Rule[] = [];
  for (const versions of byId.values()) {
    const first = versions[0];
    const zone = contextOf(first, facts).zone;
    const started = resolveAnchor(first.clocks[0].anchor, facts, zone);
    // The date in the rule's zone, like every other day the engine counts: a law in force from 25 May governs a breach
    // at 00:30 on 25 May in Berlin, although it is still 24 May in UTC.
    const date = DateTime.fromISO(started ?? now, { zone }).toISODate() as string;
    const inForce = versions.find((r) => r.effectiveFrom <= date && (!r.effectiveTo || date < r.effectiveTo));
    if (inForce) chosen.push(inForce);
  }
  return chosen;
}

/** Jurisdictions a per-jurisdiction rule expands to: every affected one matching the pattern (`US-*`). */
function expansions(rule: Rule, facts: IncidentFacts): Array<string | undefined> {
  if (!rule.perJurisdiction) return [undefined];
  const prefix = rule.perJurisdiction.replace(/\*$/, '');
  return Object.keys(facts.affected)
    .filter((code) => (rule.perJurisdiction!.endsWith('*') ? code.startsWith(prefix) : code === prefix) && facts.affected[code] > 0)
    .sort();
}

interface ClockResult {
  startsAt: string;
  dueAt: string;
  steps: string[];
}

function runClock(clock: Clock, facts: IncidentFacts, ctx: RuleContext, asapHours: number): ClockResult | undefined {
  const startsAt = resolveAnchor(clock.anchor, facts, ctx.zone);
  if (!startsAt) return undefined;
  const head = `Clock starts at ${anchorLabel(clock.anchor)}: ${startsAt}.`;
  if (clock.unit === 'asap') {
    const { dueAt, steps } = periodEnd(startsAt, { ...clock, unit: 'hours', amount: asapHours, counting: 'elapsed', roll: 'none' }, { ...ctx });
    return { startsAt, dueAt, steps: [head, `The law sets no fixed period; the organisation's own target of ${asapHours} hours applies.`, ...steps] };
  }
  const { dueAt, steps } = periodEnd(startsAt, clock, { ...ctx, yearEnd: clock.anchor.startsWith('year-end:') });
  return { startsAt, dueAt, steps: [head, ...steps] };
}

/** Applies recorded extensions and pauses, in the order they were recorded. */
function adjust(
  obligation: Obligation,
  rule: Rule,
  adjustments: ClockAdjustment[],
  ctx: RuleContext,
): Pick<Obligation, 'dueAt' | 'clock' | 'explanation'> {
  let { dueAt, clock } = obligation;
  const explanation = [...obligation.explanation];
  for (const recorded of adjustments.filter((a) => a.obligationId === obligation.id)) {
    const allowed = rule.adjustments.find((a) => a.id === recorded.adjustmentId);
    if (!allowed || !dueAt) continue;
    if (allowed.kind === 'extension' && allowed.amount && allowed.unit) {
      dueAt = extend(dueAt, allowed.amount, allowed.unit, ctx);
      explanation.push(`Extended by ${allowed.amount} ${allowed.unit} (${allowed.citation}) from ${recorded.from}: ${recorded.reason}. New due: ${dueAt}.`);
    } else if (allowed.kind === 'pause' && recorded.until) {
      const held = Date.parse(recorded.until) - Date.parse(recorded.from);
      dueAt = new Date(Date.parse(dueAt) + Math.max(0, held)).toISOString();
      explanation.push(`Clock held from ${recorded.from} to ${recorded.until} (${allowed.citation}): ${recorded.reason}. New due: ${dueAt}.`);
    } else if (allowed.kind === 'pause') {
      clock = 'paused';
      explanation.push(`Clock held since ${recorded.from} (${allowed.citation}): ${recorded.reason}. It runs again when the hold is lifted.`);
    }
  }
  return { dueAt: clock === 'paused' ? null : dueAt, clock, explanation };
}

function obligationFor(rule: Rule, each: string | undefined, because: string, facts: IncidentFacts, options: EngineOptions): Obligation {
  const ctx = contextOf(rule, facts);
  const asapHours = options.asapTargetHours ?? DEFAULT_ASAP_TARGET_HOURS;
  const verify = rule.confidence === 'C';
  const results = rule.clocks.map((c) => runClock(c, facts, ctx, asapHours));
  const known = results.filter((r): r is ClockResult => r !== undefined);
  const winner = known.reduce<ClockResult | undefined>((best, r) => (!best || r.dueAt < best.dueAt ? r : best), undefined);
  const explanation = [
    `${rule.title}: ${rule.regime}, ${rule.citation}${verify ? ' (verify: the source for this rule is weak or conflicting)' : ''}.`,
    `Applies because ${because}.`,
    `The law: ${rule.wording}`,
    ...known.flatMap((r) => r.steps),
  ];
  if (known.length > 1 && winner) explanation.push(`Several clocks run; the earliest wins: ${winner.dueAt}.`);
  if (!winner) explanation.push(`Waiting: the clock starts at ${rule.clocks.map((c) => anchorLabel(c.anchor)).join(' or ')}, not yet recorded.`);
  const base: Obligation = {
    id: each ? `${rule.id}@${each}` : rule.id,
    ruleId: rule.id,
    regime: rule.regime,
    recipient: rule.recipient,
    title: each ? `${rule.title} (${each})` : rule.title,
    ...(each ? { jurisdiction: each } : {}),
    clock: winner ? 'running' : 'waiting',
    startsAt: winner?.startsAt ?? null,
    dueAt: winner?.dueAt ?? null,
    statutory: rule.clocks.some((c) => c.unit !== 'asap'),
    explanation,
    citation: rule.citation,
    source: rule.source,
    confidence: rule.confidence,
    verify,
    exemptions: rule.exemptions.map((e) => ({ ...e, suggested: e.suggestedWhen ? evaluate(e.suggestedWhen, facts, each).holds : false })),
    adjustments: rule.adjustments,
  };
  return { ...base, ...adjust(base, rule, options.adjustments ?? [], ctx) };
}

export function computeObligations(pack: RulesPack, facts: IncidentFacts, options: EngineOptions): Assessment {
  const obligations: Obligation[] = [];
  const notApplicable: NotApplicable[] = [];
  for (const rule of rulesInForce(pack, facts, options.now)) {
    for (const each of expansions(rule, facts)) {
      const verdict = evaluate(rule.appliesWhen, facts, each);
      if (verdict.holds) obligations.push(obligationFor(rule, each, verdict.because, facts, options));
      else notApplicable.push({ ruleId: each ? `${rule.id}@${each}` : rule.id, reason: verdict.because });
    }
  }
  // Soonest first; waiting and paused obligations (no due instant yet) last, in rule order.
  obligations.sort((a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff'));
  return { packVersion: pack.version, obligations, notApplicable };
}
