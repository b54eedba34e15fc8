/**
 * The built-in question sets, each a list of ids from the bank, growing with the risk they are sent for: baseline
 * (8 questions), standard (baseline and 7 more), enhanced (standard and 10 more). Which tier gets which set is in
 * questionnaire.ts. Change a set's questions and its version changes with it, because answers are kept against both.
 */
import type { Question, Questionnaire } from '../types';
import { QUESTIONS } from './questions';

export const QUESTIONNAIRE_IDS = ['baseline', 'standard', 'enhanced'] as const;
export type QuestionnaireId = (typeof QUESTIONNAIRE_IDS)[number];

const BASELINE_IDS = ['mfa', 'encryption-in-transit', 'encryption-at-rest', 'breach-notification-hours', 'data-location', 'sub-processors', 'retention-deletion', 'security-contact'];

const STANDARD_IDS = [
  ...BASELINE_IDS,
  'penetration-test-date',
  'critical-patch-days',
  'incident-response-plan',
  'background-checks',
  'security-training',
  'certifications',
  'certification-evidence',
];

const ENHANCED_IDS = [
  ...STANDARD_IDS,
  'pen-test-findings-remediated',
  'privileged-access',
  'logging-monitoring',
  'vulnerability-scanning',
  'secure-development',
  'data-segregation',
  'backups',
  'bcp-dr',
  'recovery-time-hours',
  'sub-processor-list',
];

/** Fails at load on an id missing from the bank: a set silently one question short would score differently. */
function pick(ids: readonly string[]): Question[] {
  return ids.map((id) => {
    const question = QUESTIONS.find((q) => q.id === id);
    if (!question) throw new Error(`question set names "${id}", which is not in the question bank`);
    return question;
  });
}

export const QUESTIONNAIRES: Readonly<Record<QuestionnaireId, Questionnaire>> = {
  baseline: { id: 'baseline', version: '2026.1', title: 'Baseline security and privacy questionnaire', questions: pick(BASELINE_IDS) },
  standard: { id: 'standard', version: '2026.1', title: 'Standard security and privacy questionnaire', questions: pick(STANDARD_IDS) },
  enhanced: { id: 'enhanced', version: '2026.1', title: 'Enhanced security and privacy questionnaire', questions: pick(ENHANCED_IDS) },
};
