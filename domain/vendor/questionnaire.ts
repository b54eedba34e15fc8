/**
 * Due-diligence questionnaires: which set a vendor gets, whether a vendor's answers are acceptable, and what the
 * answers say about the vendor's residual risk. Whether a set itself is well formed is question-set.ts.
 *
 * Scoring. Only questions with a `fail` condition are scored. Each one counts its weight towards the total when it is
 * answered, or when it is required (an unanswered required question then earns nothing); an optional question left
 * unanswered is not applicable and counts nowhere. A passing answer earns its weight, a failing one nothing. The
 * score is floor(100 × earned / total): rounding down keeps the shown score on the same side of every whole-number
 * threshold as the exact fraction. With nothing to score, the score is 0, so an empty questionnaire never lowers risk.
 *
 * Residual risk, from the inherent tier:
 * 1. score below 50: one tier up (never above critical);
 *    score 85 or more with no failing answer: one tier down (never below low) — a good average must not hide a gap;
 * 2. then, any failing answer to a `critical` question: at least high.
 */
import { isIsoDate, resolveDateRef } from './dates';
import { evidenceFileProblem } from './evidence-file';
import { QUESTIONNAIRES, type QuestionnaireId } from './questionnaires/sets';
import { maxTier, shiftTier } from './risk';
import type { AnswerValue, Answers, FailWhen, Question, Questionnaire, Tier } from './types';

export const QUESTIONNAIRE_FOR_TIER: Readonly<Record<Tier, QuestionnaireId>> = {
  low: 'baseline',
  medium: 'standard',
  high: 'enhanced',
  critical: 'enhanced',
};

export const RESIDUAL_RULES = { lowerFrom: 85, raiseBelow: 50, criticalFailureFloor: 'high' } as const satisfies {
  lowerFrom: number;
  raiseBelow: number;
  criticalFailureFloor: Tier;
};

export const MAX_TEXT_LENGTH = 10_000;

export function questionnaireFor(tier: Tier): Questionnaire {
  return QUESTIONNAIRES[QUESTIONNAIRE_FOR_TIER[tier]];
}

export interface AnswerProblem {
  questionId: string;
  message: string;
}

/** An answer is given when it is neither missing, nor a blank string, nor an empty selection. */
export function isAnswered(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/**
 * What is wrong with a vendor's answers, question by question. `partial` (a draft being saved) skips the check that
 * required questions are answered; everything given is checked either way, and answers to questions the set does
 * not have are refused so a typo cannot pass as an answer.
 */
export function validateAnswers(questionnaire: Questionnaire, answers: Readonly<Record<string, unknown>>, options: { partial: boolean }): AnswerProblem[] {
  const problems: AnswerProblem[] = [];
  const known = new Set(questionnaire.questions.map((q) => q.id));
  for (const id of Object.keys(answers)) {
    if (!known.has(id)) problems.push({ questionId: id, message: `${questionnaire.id} ${questionnaire.version} has no question "${id}"` });
  }
  for (const q of questionnaire.questions) {
    const value = answers[q.id];
    if (!isAnswered(value)) {
      if (q.required && !options.partial) problems.push({ questionId: q.id, message: 'an answer is required' });
      continue;
    }
    const message = answerProblem(q, value);
    if (message) problems.push({ questionId: q.id, message });
  }
  return problems;
}

function typeMessage(q: Question): string {
  switch (q.type) {
    case 'yes-no':
      return "must be 'yes' or 'no'";
    case 'single-choice':
      return `must be one of: ${q.options.map((o) => o.value).join(', ')}`;
    case 'multiple-choice':
      return `must be a list of options among: ${q.options.map((o) => o.value).join(', ')}`;
    case 'text':
      return `must be text of at most ${MAX_TEXT_LENGTH} characters`;
    case 'number':
      return 'must be a number';
    case 'date':
      return 'must be an ISO date (YYYY-MM-DD)';
    case 'evidence':
      return 'must be a document: { name, sha256, contentType? }';
  }
}

function answerProblem(q: Question, value: unknown): string | undefined {
  switch (q.type) {
    case 'yes-no':
      return value === 'yes' || value === 'no' ? undefined : typeMessage(q);
    case 'single-choice':
      return typeof value === 'string' && q.options.some((o) => o.value === value) ? undefined : typeMessage(q);
    case 'multiple-choice': {
      if (!Array.isArray(value) || !value.every((v) => q.options.some((o) => o.value === v))) return typeMessage(q);
      return new Set(value).size === value.length ? undefined : 'lists an option twice';
    }
    case 'text':
      return typeof value === 'string' && value.length <= MAX_TEXT_LENGTH ? undefined : typeMessage(q);
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return typeMessage(q);
      if (q.min !== undefined && value < q.min) return `must be at least ${q.min}`;
      if (q.max !== undefined && value > q.max) return `must be at most ${q.max}`;
      return undefined;
    case 'date':
      return isIsoDate(value) ? undefined : typeMessage(q);
    case 'evidence':
      return evidenceFileProblem(value);
  }
}

/** Whether a valid answer meets the question's fail condition; `now` resolves relative dates. */
export function fails(when: FailWhen, value: AnswerValue, now: string): boolean {
  if ('equals' in when) return value === when.equals;
  if ('anyOf' in when) return Array.isArray(value) ? value.some((v) => when.anyOf.includes(v)) : when.anyOf.includes(value as string);
  if ('missingAnyOf' in when) return when.missingAnyOf.some((o) => !(value as string[]).includes(o));
  if ('lessThan' in when) return (value as number) < when.lessThan;
  if ('greaterThan' in when) return (value as number) > when.greaterThan;
  const ref = 'before' in when ? when.before : when.after;
  const date = resolveDateRef(ref, now);
  return 'before' in when ? (value as string) < date : (value as string) > date;
}

export interface Scoring {
  score: number;
  failing: Array<{ questionId: string; reason: string }>;
  residualRisk: Tier;
  explanation: string[];
}

/**
 * The score of answers already accepted by `validateAnswers`, and the residual risk they leave from the inherent
 * tier. `now` resolves relative dates (`relative:-P12M`).
 */
export function scoreQuestionnaire(questionnaire: Questionnaire, answers: Answers, now: string, inherent: Tier): Scoring {
  let earned = 0;
  let total = 0;
  const failing: Scoring['failing'] = [];
  const unanswered: string[] = [];
  for (const q of questionnaire.questions) {
    if (!q.fail) continue;
    const value = answers[q.id];
    if (!isAnswered(value)) {
      if (q.required) {
        total += q.weight;
        unanswered.push(q.id);
      }
      continue;
    }
    total += q.weight;
    if (fails(q.fail.when, value, now)) failing.push({ questionId: q.id, reason: q.fail.reason });
    else earned += q.weight;
  }
  const score = total === 0 ? 0 : Math.floor((100 * earned) / total);
  const explanation = [`inherent risk ${inherent}`];
  explanation.push(total === 0 ? 'nothing to score: the score is 0' : `score ${score}: ${earned} of ${total} weighted points`);
  if (unanswered.length) explanation.push(`unanswered required questions earn nothing: ${unanswered.join(', ')}`);
  for (const f of failing) explanation.push(`${f.questionId} fails: ${f.reason}`);
  let residual = inherent;
  if (score < RESIDUAL_RULES.raiseBelow) {
    residual = shiftTier(inherent, 1);
    explanation.push(residual === inherent ? `score below ${RESIDUAL_RULES.raiseBelow}: already ${inherent}, the highest tier` : `score below ${RESIDUAL_RULES.raiseBelow}: raised to ${residual}`);
  } else if (score >= RESIDUAL_RULES.lowerFrom && failing.length === 0) {
    residual = shiftTier(inherent, -1);
    explanation.push(residual === inherent ? `score ${RESIDUAL_RULES.lowerFrom} or more: already ${inherent}, the lowest tier` : `score ${RESIDUAL_RULES.lowerFrom} or more with no failing answer: lowered to ${residual}`);
  } else if (score >= RESIDUAL_RULES.lowerFrom) {
    explanation.push(`score ${RESIDUAL_RULES.lowerFrom} or more, but failing answers keep the tier at ${residual}`);
  }
  const critical = failing.filter((f) => questionnaire.questions.find((q) => q.id === f.questionId)?.critical);
  const floored = maxTier(residual, RESIDUAL_RULES.criticalFailureFloor);
  if (critical.length && floored !== residual) {
    residual = floored;
    explanation.push(`failing critical question(s) ${critical.map((f) => f.questionId).join(', ')}: at least ${floored}`);
  }
  explanation.push(`residual risk ${residual}`);
  return { score, failing, residualRisk: residual, explanation };
}

/** Whether a security specialist must review the vendor before a decision, and why. */
export function needsSecurityReview(inherent: Tier, scoring: Scoring): { required: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (inherent === 'high' || inherent === 'critical') reasons.push(`inherent risk is ${inherent}: high and critical vendors always get a security review`);
  if (scoring.failing.length) reasons.push(`${scoring.failing.length} failing answer(s): ${scoring.failing.map((f) => f.questionId).join(', ')}`);
  if ((scoring.residualRisk === 'high' || scoring.residualRisk === 'critical') && inherent !== 'high' && inherent !== 'critical') {
    reasons.push(`residual risk is ${scoring.residualRisk}`);
  }
  return { required: reasons.length > 0, reasons };
}
