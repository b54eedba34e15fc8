import { questionnaireProblems } from '../../domain/vendor/question-set';
import { QUESTIONS } from '../../domain/vendor/questionnaires/questions';
import { QUESTIONNAIRES, QUESTIONNAIRE_IDS } from '../../domain/vendor/questionnaires/sets';
import type { Question, Questionnaire } from '../../domain/vendor/types';

describe('the built-in question sets', () => {
  it.each(QUESTIONNAIRE_IDS)('%s passes the validator', (id) => {
    expect(questionnaireProblems(QUESTIONNAIRES[id])).toEqual([]);
  });

  it.each([
    ['baseline', 8],
    ['standard', 15],
    ['enhanced', 25],
  ] as const)('%s has %i questions', (id, n) => {
    expect(QUESTIONNAIRES[id].questions).toHaveLength(n);
  });

  it('grow from one another: baseline ⊂ standard ⊂ enhanced', () => {
    const ids = (id: keyof typeof QUESTIONNAIRES): string[] => QUESTIONNAIRES[id].questions.map((q) => q.id);
    expect(ids('standard').slice(0, 8)).toEqual(ids('baseline'));
    expect(ids('enhanced').slice(0, 15)).toEqual(ids('standard'));
  });

  it('use every question of the bank, each id once', () => {
    const bank = QUESTIONS.map((q) => q.id);
    expect(new Set(bank).size).toBe(bank.length);
    expect(QUESTIONNAIRES.enhanced.questions.map((q) => q.id).sort()).toEqual([...bank].sort());
  });

  it('cover every question type', () => {
    expect(new Set(QUESTIONS.map((q) => q.type))).toEqual(new Set(['yes-no', 'single-choice', 'multiple-choice', 'text', 'number', 'date', 'evidence']));
  });
});

describe('questionnaireProblems', () => {
  const yesNo: Question = { id: 'q1', type: 'yes-no', text: 'MFA?', required: true, weight: 1, fail: { when: { equals: 'no' }, reason: 'No MFA' } };
  const choice: Question = {
    id: 'q2',
    type: 'single-choice',
    text: 'Backups?',
    required: true,
    weight: 2,
    options: [
      { value: 'daily', label: 'Daily' },
      { value: 'never', label: 'Never' },
    ],
    fail: { when: { anyOf: ['never'] }, reason: 'No backups' },
  };
  const valid: Questionnaire = { id: 'custom', version: '1', title: 'Custom', questions: [yesNo, choice] };
  const withQuestion = (q: Record<string, unknown>): Questionnaire => ({ ...valid, questions: [yesNo, q as unknown as Question] });
  const base = { id: 'q9', text: 'Question?', required: true, weight: 1 };

  it('accepts a well-formed set', () => {
    expect(questionnaireProblems(valid)).toEqual([]);
  });

  it.each([
    ['a bad set id', { ...valid, id: 'Custom Set' }, 'id', /lowercase/],
    ['a blank version', { ...valid, version: ' ' }, 'version', /required/],
    ['a blank title', { ...valid, title: '' }, 'title', /required/],
    ['no questions', { ...valid, questions: [] }, 'questions', /at least one question/],
    ['no scored question', { ...valid, questions: [{ ...base, type: 'text' }] as Question[] }, 'questions', /at least one question must be scored/],
    ['a duplicate question id', { ...valid, questions: [yesNo, { ...choice, id: 'q1' }] }, 'questions[1].id', /used by an earlier question/],
    ['a bad question id', withQuestion({ ...base, id: 'Q 9', type: 'text' }), 'questions[1].id', /lowercase/],
    ['a blank text', withQuestion({ ...base, text: '', type: 'text' }), 'questions[1].text', /required/],
    ['an unknown type', withQuestion({ ...base, type: 'rating' }), 'questions[1].type', /must be one of/],
    ['required not a boolean', withQuestion({ ...base, type: 'text', required: 'yes' }), 'questions[1].required', /true or false/],
    ['weight 0', withQuestion({ ...base, type: 'text', weight: 0 }), 'questions[1].weight', /positive whole/],
    ['a negative weight', withQuestion({ ...base, type: 'text', weight: -2 }), 'questions[1].weight', /positive whole/],
    ['a fractional weight', withQuestion({ ...base, type: 'text', weight: 1.5 }), 'questions[1].weight', /positive whole/],
    ['a choice of one option', withQuestion({ ...base, type: 'single-choice', options: [{ value: 'a', label: 'A' }] }), 'questions[1].options', /at least two/],
    ['a choice without options', withQuestion({ ...base, type: 'multiple-choice' }), 'questions[1].options', /at least two/],
    ['a duplicate option', withQuestion({ ...base, type: 'single-choice', options: [{ value: 'a', label: 'A' }, { value: 'a', label: 'B' }] }), 'questions[1].options[1].value', /twice/],
    ['a bad option value', withQuestion({ ...base, type: 'single-choice', options: [{ value: 'a', label: 'A' }, { value: 'B b', label: 'B' }] }), 'questions[1].options[1].value', /lowercase/],
    ['a blank option label', withQuestion({ ...base, type: 'single-choice', options: [{ value: 'a', label: 'A' }, { value: 'b', label: '' }] }), 'questions[1].options[1].label', /required/],
    ['options on a yes-no question', withQuestion({ ...base, type: 'yes-no', options: [{ value: 'a', label: 'A' }] }), 'questions[1].options', /has no options/],
    ['min above max', withQuestion({ ...base, type: 'number', min: 10, max: 1 }), 'questions[1].max', /not be below min/],
    ['an infinite min', withQuestion({ ...base, type: 'number', min: Infinity }), 'questions[1].min', /finite/],
    ['critical without a fail condition', withQuestion({ ...base, type: 'yes-no', critical: true }), 'questions[1].critical', /can fail/],
    ['a failing text answer', withQuestion({ ...base, type: 'text', fail: { when: { equals: 'x' }, reason: 'r' } }), 'questions[1].fail', /cannot fail/],
    ['a failing evidence answer', withQuestion({ ...base, type: 'evidence', fail: { when: { equals: 'x' }, reason: 'r' } }), 'questions[1].fail', /cannot fail/],
    ['a blank fail reason', withQuestion({ ...base, type: 'yes-no', fail: { when: { equals: 'no' }, reason: ' ' } }), 'questions[1].fail.reason', /shown with the failing answer/],
    ['yes-no failing on maybe', withQuestion({ ...base, type: 'yes-no', fail: { when: { equals: 'maybe' }, reason: 'r' } }), 'questions[1].fail.when.equals', /'yes' or 'no'/],
    ['yes-no with lessThan', withQuestion({ ...base, type: 'yes-no', fail: { when: { lessThan: 1 }, reason: 'r' } }), 'questions[1].fail.when', /exactly one of equals/],
    ['two conditions at once', withQuestion({ ...base, type: 'number', fail: { when: { lessThan: 1, greaterThan: 5 }, reason: 'r' } }), 'questions[1].fail.when', /exactly one of/],
    ['no condition', withQuestion({ ...base, type: 'number', fail: { when: {}, reason: 'r' } }), 'questions[1].fail.when', /exactly one of/],
    ['an unknown option in anyOf', withQuestion({ ...choice, id: 'q9', fail: { when: { anyOf: ['weekly'] }, reason: 'r' } }), 'questions[1].fail.when.anyOf', /weekly/],
    ['an empty anyOf', withQuestion({ ...choice, id: 'q9', fail: { when: { anyOf: [] }, reason: 'r' } }), 'questions[1].fail.when.anyOf', /at least one option/],
    ['an unknown option in equals', withQuestion({ ...choice, id: 'q9', fail: { when: { equals: 'weekly' }, reason: 'r' } }), 'questions[1].fail.when.equals', /weekly/],
    ['equals on a multiple choice', withQuestion({ ...choice, id: 'q9', type: 'multiple-choice', fail: { when: { equals: 'never' }, reason: 'r' } }), 'questions[1].fail.when', /anyOf, missingAnyOf/],
    ['an unknown option in missingAnyOf', withQuestion({ ...choice, id: 'q9', type: 'multiple-choice', fail: { when: { missingAnyOf: ['x'] }, reason: 'r' } }), 'questions[1].fail.when.missingAnyOf', /x/],
    ['a text threshold', withQuestion({ ...base, type: 'number', fail: { when: { greaterThan: '48' }, reason: 'r' } }), 'questions[1].fail.when.greaterThan', /finite number/],
    ['a date as words', withQuestion({ ...base, type: 'date', fail: { when: { before: 'yesterday' }, reason: 'r' } }), 'questions[1].fail.when.before', /ISO date/],
    ['an impossible date', withQuestion({ ...base, type: 'date', fail: { when: { before: '2026-02-30' }, reason: 'r' } }), 'questions[1].fail.when.before', /ISO date/],
    ['a zero relative duration', withQuestion({ ...base, type: 'date', fail: { when: { after: 'relative:-P0D' }, reason: 'r' } }), 'questions[1].fail.when.after', /ISO date/],
    ['a date condition on a number', withQuestion({ ...base, type: 'number', fail: { when: { before: 'relative:now' }, reason: 'r' } }), 'questions[1].fail.when', /equals, lessThan, greaterThan/],
  ] as Array<[string, Questionnaire, string, RegExp]>)('refuses %s', (_label, q, field, message) => {
    const problems = questionnaireProblems(q);
    expect(problems).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it.each([
    ['yes-no equals yes', { ...base, type: 'yes-no', fail: { when: { equals: 'yes' }, reason: 'r' } }],
    ['number equals', { ...base, type: 'number', fail: { when: { equals: 0 }, reason: 'r' } }],
    ['number lessThan', { ...base, type: 'number', fail: { when: { lessThan: 1 }, reason: 'r' } }],
    ['date before an ISO date', { ...base, type: 'date', fail: { when: { before: '2024-02-29' }, reason: 'r' } }],
    ['date after relative:now', { ...base, type: 'date', fail: { when: { after: 'relative:now' }, reason: 'r' } }],
    ['date before relative:-P2Y', { ...base, type: 'date', fail: { when: { before: 'relative:-P2Y' }, reason: 'r' } }],
    ['date after relative:+P30D', { ...base, type: 'date', fail: { when: { after: 'relative:+P30D' }, reason: 'r' } }],
    ['an unscored evidence question', { ...base, type: 'evidence' }],
    ['multiple-choice missingAnyOf', { ...choice, id: 'q9', type: 'multiple-choice', fail: { when: { missingAnyOf: ['daily'] }, reason: 'r' } }],
  ] as Array<[string, Record<string, unknown>]>)('accepts %s', (_label, q) => {
    expect(questionnaireProblems(withQuestion(q))).toEqual([]);
  });
});
