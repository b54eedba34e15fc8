/**
 * Whether a question set is well formed: ids unique and readable, options consistent, weights positive whole
 * numbers, and each fail condition one that the question's type admits and that names only options it has. Run on
 * the built-in sets by a test, and on any set before it is sent to a vendor.
 */
import { isDateRef } from './dates';
import { QUESTION_TYPES, type Question, type Questionnaire } from './types';

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** Which conditions each question type admits. */
export const CONDITIONS: Readonly<Record<Question['type'], readonly string[]>> = {
  'yes-no': ['equals'],
  'single-choice': ['equals', 'anyOf'],
  'multiple-choice': ['anyOf', 'missingAnyOf'],
  number: ['equals', 'lessThan', 'greaterThan'],
  date: ['before', 'after'],
  text: [],
  evidence: [],
};

const isChoice = (q: Question): q is Extract<Question, { options: unknown }> => q.type === 'single-choice' || q.type === 'multiple-choice';
const blank = (s: unknown): boolean => typeof s !== 'string' || s.trim().length === 0;

export interface DefinitionProblem {
  field: string;
  message: string;
}

/** Why a question set is unusable, field by field, or an empty list. */
export function questionnaireProblems(questionnaire: Questionnaire): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const add = (field: string, message: string): void => void problems.push({ field, message });
  if (!ID.test(questionnaire.id ?? '')) add('id', 'must be lowercase letters, digits and hyphens');
  if (blank(questionnaire.version)) add('version', 'is required');
  if (blank(questionnaire.title)) add('title', 'is required');
  if (!Array.isArray(questionnaire.questions) || questionnaire.questions.length === 0) {
    add('questions', 'must list at least one question');
    return problems;
  }
  const seen = new Set<string>();
  questionnaire.questions.forEach((q, i) => {
    const at = `questions[${i}]`;
    if (!ID.test(q.id ?? '')) add(`${at}.id`, 'must be lowercase letters, digits and hyphens');
    else if (seen.has(q.id)) add(`${at}.id`, `"${q.id}" is used by an earlier question`);
    seen.add(q.id);
    if (blank(q.text)) add(`${at}.text`, 'is required');
    if (!(QUESTION_TYPES as readonly string[]).includes(q.type)) {
      add(`${at}.type`, `must be one of ${QUESTION_TYPES.join(', ')}`);
      return;
    }
    if (typeof q.required !== 'boolean') add(`${at}.required`, 'must be true or false');
    if (!Number.isInteger(q.weight) || q.weight <= 0) add(`${at}.weight`, 'must be a positive whole number');
    if (isChoice(q)) optionProblems(q, at).forEach((p) => problems.push(p));
    else if ('options' in q) add(`${at}.options`, `a ${q.type} question has no options`);
    if (q.type === 'number') {
      if (q.min !== undefined && !Number.isFinite(q.min)) add(`${at}.min`, 'must be a finite number');
      if (q.max !== undefined && !Number.isFinite(q.max)) add(`${at}.max`, 'must be a finite number');
      if (q.min !== undefined && q.max !== undefined && q.min > q.max) add(`${at}.max`, 'must not be below min');
    }
    if (q.critical && !q.fail) add(`${at}.critical`, 'only a question that can fail can be critical');
    if (q.fail) failProblems(q, at).forEach((p) => problems.push(p));
  });
  if (!questionnaire.questions.some((q) => q.fail)) add('questions', 'at least one question must be scored (have a fail condition)');
  return problems;
}

function optionProblems(q: Extract<Question, { options: unknown }>, at: string): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (!Array.isArray(q.options) || q.options.length < 2) return [{ field: `${at}.options`, message: 'a choice needs at least two options' }];
  const values = new Set<string>();
  q.options.forEach((o, j) => {
    if (!ID.test(o.value ?? '')) problems.push({ field: `${at}.options[${j}].value`, message: 'must be lowercase letters, digits and hyphens' });
    else if (values.has(o.value)) problems.push({ field: `${at}.options[${j}].value`, message: `"${o.value}" is listed twice` });
    values.add(o.value);
    if (blank(o.label)) problems.push({ field: `${at}.options[${j}].label`, message: 'is required' });
  });
  return problems;
}

function failProblems(q: Question, at: string): DefinitionProblem[] {
  const field = `${at}.fail`;
  const problems: DefinitionProblem[] = [];
  if (blank(q.fail?.reason)) problems.push({ field: `${field}.reason`, message: 'is required: it is shown with the failing answer' });
  const when = (q.fail?.when ?? {}) as Record<string, unknown>;
  const keys = Object.keys(when);
  const allowed = CONDITIONS[q.type];
  if (allowed.length === 0) return [...problems, { field, message: `a ${q.type} answer cannot fail: a person reads it` }];
  if (keys.length !== 1 || !allowed.includes(keys[0])) return [...problems, { field: `${field}.when`, message: `must be exactly one of ${allowed.join(', ')} for a ${q.type} question` }];
  const [op] = keys;
  const value = when[op];
  const options = isChoice(q) ? q.options.map((o) => o.value) : [];
  const bad = (message: string): DefinitionProblem[] => [...problems, { field: `${field}.when.${op}`, message }];
  switch (q.type) {
    case 'yes-no':
      return value === 'yes' || value === 'no' ? problems : bad("must be 'yes' or 'no'");
    case 'single-choice':
    case 'multiple-choice': {
      const list = op === 'equals' ? [value] : value;
      if (!Array.isArray(list) || list.length === 0) return bad('must list at least one option');
      const unknown = list.filter((v) => !options.includes(v as string));
      return unknown.length ? bad(`names options the question does not have: ${unknown.join(', ')}`) : problems;
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? problems : bad('must be a finite number');
    case 'date':
      return isDateRef(value)
        ? problems
        : bad('must be an ISO date, relative:now, or relative: and a signed ISO 8601 duration (relative:-P12M)');
    default:
      return problems;
  }
}
