/**
 * Applicability conditions of breach rules, evaluated against an incident's facts. Each evaluation also says why, in
 * words a responder can check ("501 affected in US-CA: more than 500"), because an obligation that appears or
 * disappears must always carry its reason.
 */
import { EEA_COUNTRIES } from '../countries';
import { RISK_LEVELS, type Condition, type IncidentFacts, type RulesPack } from './types';

export interface Verdict {
  holds: boolean;
  because: string;
}

const NOT_EU = new Set(['IS', 'LI', 'NO']);

const OP_WORDING = { '>': 'more than', '>=': 'at least', '<': 'fewer than' } as const;

/** How many affected people a jurisdiction or group (`EEA`, `EU`, `US`) covers. */
export function affectedIn(facts: IncidentFacts, where: string): number {
  const matches = (code: string): boolean => {
    if (where === 'EEA') return EEA_COUNTRIES.has(code);
    if (where === 'EU') return EEA_COUNTRIES.has(code) && !NOT_EU.has(code);
    if (where === 'US') return code.startsWith('US-');
    return code === where;
  };
  return Object.entries(facts.affected).reduce((sum, [code, n]) => (matches(code) ? sum + n : sum), 0);
}

function compare(n: number, op: '>' | '>=' | '<', value: number): boolean {
  return op === '>' ? n > value : op === '>=' ? n >= value : n < value;
}

/** Evaluates a condition; `each` is the jurisdiction a per-jurisdiction rule is being expanded for. */
export function evaluate(condition: Condition, facts: IncidentFacts, each?: string): Verdict {
  if ('all' in condition) {
    const verdicts = condition.all.map((c) => evaluate(c, facts, each));
    const failed = verdicts.find((v) => !v.holds);
    return failed ?? { holds: true, because: verdicts.map((v) => v.because).join('; ') };
  }
  if ('any' in condition) {
    const verdicts = condition.any.map((c) => evaluate(c, facts, each));
    const passed = verdicts.find((v) => v.holds);
    return passed ?? { holds: false, because: verdicts.map((v) => v.because).join('; nor ') };
  }
  if ('not' in condition) {
    const inner = evaluate(condition.not, facts, each);
    return { holds: !inner.holds, because: `${inner.holds ? 'excluded because ' : ''}${inner.because}` };
  }
  if ('affected' in condition) {
    const { op, value } = condition.affected;
    const where = condition.affected.in === '$each' ? each : condition.affected.in;
    if (!where) throw new Error('"$each" used outside a per-jurisdiction rule');
    const n = affectedIn(facts, where);
    const holds = compare(n, op, value);
    return { holds, because: `${n} affected in ${where}: ${holds ? '' : 'not '}${OP_WORDING[op]} ${value}` };
  }
  if ('risk' in condition) {
    const holds = RISK_LEVELS.indexOf(facts.risk) >= RISK_LEVELS.indexOf(condition.risk.atLeast);
    return { holds, because: `risk assessed as "${facts.risk}" (${holds ? 'at least' : 'below'} "${condition.risk.atLeast}")` };
  }
  if ('dataCategories' in condition) {
    const hit = condition.dataCategories.anyOf.filter((c) => facts.dataCategories.includes(c));
    return hit.length > 0
      ? { holds: true, because: `data categories include ${hit.join(', ')}` }
      : { holds: false, because: `no data category among ${condition.dataCategories.anyOf.join(', ')}` };
  }
  if ('encryption' in condition) {
    const holds = condition.encryption.anyOf.includes(facts.encryption);
    return { holds, because: `data ${facts.encryption === 'full' ? 'fully' : facts.encryption === 'partial' ? 'partly' : 'not'} encrypted` };
  }
  const holds = facts.flags.includes(condition.flag);
  return { holds, because: `${condition.flag} ${holds ? 'recorded' : 'not recorded'}` };
}

/** Every flag a pack's conditions mention: the vocabulary incidents may record. */
export function knownFlags(pack: RulesPack): Set<string> {
  const flags = new Set<string>();
  const walk = (c: Condition): void => {
    if ('all' in c) c.all.forEach(walk);
    else if ('any' in c) c.any.forEach(walk);
    else if ('not' in c) walk(c.not);
    else if ('flag' in c) flags.add(c.flag);
  };
  for (const rule of pack.rules) {
    walk(rule.appliesWhen);
    for (const e of rule.exemptions) if (e.suggestedWhen) walk(e.suggestedWhen);
  }
  return flags;
}
