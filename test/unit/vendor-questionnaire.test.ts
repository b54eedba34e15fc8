import {
  QUESTIONNAIRE_FOR_TIER,
  fails,
  isAnswered,
  needsSecurityReview,
  questionnaireFor,
  scoreQuestionnaire,
  validateAnswers,
  type Scoring,
} from '../../domain/vendor/questionnaire';
import { QUESTIONS } from '../../domain/vendor/questionnaires/questions';
import { QUESTIONNAIRES, QUESTIONNAIRE_IDS } from '../../domain/vendor/questionnaires/sets';
import type { AnswerValue, Answers, FailWhen, Question, Questionnaire, Tier } from '../../domain/vendor/types';

const NOW = '2026-11-29T12:00:00.000Z';
const SHA = 'ab'.repeat(32);

/** Passing answers to every question of the bank. */
const GOOD: Record<string, AnswerValue> = {
  mfa: 'yes',
  'encryption-in-transit': 'yes',
  'encryption-at-rest': 'yes',
  'breach-notification-hours': 24,
  'data-location': 'Germany and Ireland; support from Portugal',
  'sub-processors': 'yes',
  'retention-deletion': 'yes',
  'security-contact': 'CISO, security@vendor.example',
  'penetration-test-date': '2026-06-15',
  'critical-patch-days': 14,
  'incident-response-plan': 'yes',
  'background-checks': 'yes',
  'security-training': 'yes',
  certifications: ['iso27001', 'soc2-type2'],
  'certification-evidence': { name: 'soc2-type2-2026.pdf', sha256: SHA, contentType: 'application/pdf' },
  'pen-test-findings-remediated': 'yes',
  'privileged-access': 'yes',
  'logging-monitoring': 'yes',
  'vulnerability-scanning': 'weekly',
  'secure-development': 'yes',
  'data-segregation': 'tenant-keys',
  backups: 'daily-tested',
  'bcp-dr': 'yes',
  'recovery-time-hours': 4,
  'sub-processor-list': { name: 'sub-processors.xlsx', sha256: SHA },
};

/** A failing answer to every scored question of the bank. */
const BAD: Record<string, AnswerValue> = {
  mfa: 'no',
  'encryption-in-transit': 'no',
  'encryption-at-rest': 'no',
  'breach-notification-hours': 72,
  'sub-processors': 'no',
  'retention-deletion': 'no',
  'penetration-test-date': '2024-01-10',
  'critical-patch-days': 90,
  'incident-response-plan': 'no',
  'background-checks': 'no',
  'security-training': 'no',
  certifications: ['none'],
  'pen-test-findings-remediated': 'no',
  'privileged-access': 'no',
  'logging-monitoring': 'no',
  'vulnerability-scanning': 'less-often',
  'secure-development': 'no',
  'data-segregation': 'none',
  backups: 'none',
  'bcp-dr': 'no',
  'recovery-time-hours': 72,
};

const answersFor = (q: Questionnaire, over: Record<string, AnswerValue | undefined> = {}): Answers => {
  const out: Record<string, AnswerValue> = {};
  for (const question of q.questions) out[question.id] = GOOD[question.id];
  for (const [id, value] of Object.entries(over)) {
    if (value === undefined) delete out[id];
    else out[id] = value;
  }
  return out;
};

describe('the test answers', () => {
  it('give a passing answer to every question of the bank, a failing one to every scored question', () => {
    expect(Object.keys(GOOD).sort()).toEqual(QUESTIONS.map((q) => q.id).sort());
    expect(Object.keys(BAD).sort()).toEqual(QUESTIONS.filter((q) => q.fail).map((q) => q.id).sort());
  });
});

describe('questionnaireFor', () => {
  it.each([
    ['low', 'baseline'],
    ['medium', 'standard'],
    ['high', 'enhanced'],
    ['critical', 'enhanced'],
  ] as Array<[Tier, string]>)('%s gets %s', (tier, id) => {
    expect(QUESTIONNAIRE_FOR_TIER[tier]).toBe(id);
    expect(questionnaireFor(tier).id).toBe(id);
  });
});

describe('validateAnswers', () => {
  const q = (over: Partial<Question> & Pick<Question, 'id' | 'type'>): Question => ({ text: 'Question?', required: true, weight: 1, ...over }) as Question;
  const options = [
    { value: 'a', label: 'A' },
    { value: 'b', label: 'B' },
    { value: 'c', label: 'C' },
  ];
  const ALL: Questionnaire = {
    id: 'all-types',
    version: '1',
    title: 'All types',
    questions: [
      q({ id: 'yn', type: 'yes-no' }),
      q({ id: 'single', type: 'single-choice', options }),
      q({ id: 'multi', type: 'multiple-choice', options }),
      q({ id: 'text', type: 'text' }),
      q({ id: 'num', type: 'number', min: 0, max: 100 }),
      q({ id: 'date', type: 'date' }),
      q({ id: 'doc', type: 'evidence' }),
      q({ id: 'optional', type: 'text', required: false }),
    ],
  };
  const complete = { yn: 'yes', single: 'a', multi: ['a'], text: 'Hello', num: 5, date: '2026-01-31', doc: { name: 'report.pdf', sha256: SHA } };

  it.each([
    ['yn', 'yes'],
    ['yn', 'no'],
    ['single', 'c'],
    ['multi', ['a', 'b', 'c']],
    ['multi', ['b']],
    ['text', 'x'],
    ['text', 'x'.repeat(10_000)],
    ['num', 0],
    ['num', 100],
    ['num', 42.5],
    ['date', '2028-02-29'],
    ['date', '2026-12-31'],
    ['doc', { name: 'soc2.pdf', sha256: SHA }],
    ['doc', { name: 'soc2.pdf', sha256: SHA, contentType: 'application/pdf' }],
    ['doc', { name: 'scan.jpg', sha256: SHA, contentType: 'image/jpeg' }],
  ])('accepts %s = %j', (id, value) => {
    expect(validateAnswers(ALL, { ...complete, [id]: value }, { partial: false })).toEqual([]);
  });

  it.each([
    ['yn', true, "must be 'yes' or 'no'"],
    ['yn', 'Yes', "must be 'yes' or 'no'"],
    ['yn', 1, "must be 'yes' or 'no'"],
    ['single', 'z', 'must be one of: a, b, c'],
    ['single', ['a'], 'must be one of: a, b, c'],
    ['single', 1, 'must be one of: a, b, c'],
    ['multi', 'a', 'must be a list of options among: a, b, c'],
    ['multi', ['z'], 'must be a list of options among: a, b, c'],
    ['multi', [1], 'must be a list of options among: a, b, c'],
    ['multi', ['a', 'a'], 'lists an option twice'],
    ['text', 'x'.repeat(10_001), 'must be text of at most 10000 characters'],
    ['text', 5, 'must be text of at most 10000 characters'],
    ['num', '5', 'must be a number'],
    ['num', Number.NaN, 'must be a number'],
    ['num', Infinity, 'must be a number'],
    ['num', -1, 'must be at least 0'],
    ['num', 100.5, 'must be at most 100'],
    ['date', '2026-02-29', 'must be an ISO date (YYYY-MM-DD)'],
    ['date', '2026-2-1', 'must be an ISO date (YYYY-MM-DD)'],
    ['date', '2026-02-01T00:00:00Z', 'must be an ISO date (YYYY-MM-DD)'],
    ['date', 20260201, 'must be an ISO date (YYYY-MM-DD)'],
    ['doc', 'report.pdf', 'must be a document: { name, sha256, contentType? }'],
    ['doc', ['report.pdf'], 'must be a document: { name, sha256, contentType? }'],
    ['doc', { sha256: SHA }, 'the document needs a name of at most 255 characters'],
    ['doc', { name: ' ', sha256: SHA }, 'the document needs a name of at most 255 characters'],
    ['doc', { name: 'x'.repeat(256), sha256: SHA }, 'the document needs a name of at most 255 characters'],
    ['doc', { name: 'r.pdf', sha256: SHA.toUpperCase() }, 'sha256 must be 64 lowercase hexadecimal digits'],
    ['doc', { name: 'r.pdf', sha256: SHA.slice(2) }, 'sha256 must be 64 lowercase hexadecimal digits'],
    ['doc', { name: 'r.pdf' }, 'sha256 must be 64 lowercase hexadecimal digits'],
    ['doc', { name: 'r.pdf', sha256: SHA, contentType: 'pdf' }, 'contentType must be a media type such as application/pdf'],
    ['doc', { name: 'r.pdf', sha256: SHA, url: 'https://x' }, 'a document has only name, sha256 and contentType; not url'],
  ])('refuses %s = %j', (id, value, message) => {
    expect(validateAnswers(ALL, { ...complete, [id]: value }, { partial: false })).toEqual([{ questionId: id, message }]);
  });

  it.each([true, false])('refuses answers to unknown questions (partial: %s)', (partial) => {
    expect(validateAnswers(ALL, { ...complete, mfa: 'yes' }, { partial })).toEqual([{ questionId: 'mfa', message: 'all-types 1 has no question "mfa"' }]);
  });

  it.each([
    ['nothing given', {}],
    ['undefined', { yn: undefined }],
    ['null', { yn: null }],
    ['a blank text', { text: '  ' }],
    ['an empty selection', { multi: [] }],
    ['an empty string for a choice', { single: '' }],
  ])('treats %s as unanswered: fine in a draft, required on submission', (_label, answers) => {
    expect(validateAnswers(ALL, answers, { partial: true })).toEqual([]);
    const submitted = validateAnswers(ALL, { ...complete, ...answers }, { partial: false });
    const missing = Object.keys(answers).length ? Object.keys(answers) : [];
    expect(submitted).toEqual(missing.map((questionId) => ({ questionId, message: 'an answer is required' })));
  });

  it('lists every missing required answer on submission, and never an optional one', () => {
    expect(validateAnswers(ALL, {}, { partial: false }).map((p) => p.questionId)).toEqual(['yn', 'single', 'multi', 'text', 'num', 'date', 'doc']);
    expect(validateAnswers(ALL, complete, { partial: false })).toEqual([]);
  });

  it('still checks what a draft gives', () => {
    expect(validateAnswers(ALL, { yn: 'maybe', num: 7 }, { partial: true })).toEqual([{ questionId: 'yn', message: "must be 'yes' or 'no'" }]);
  });

  it.each([
    [undefined, false],
    [null, false],
    ['', false],
    [' ', false],
    [[], false],
    ['no', true],
    [0, true],
    [['a'], true],
    [{ name: 'x', sha256: SHA }, true],
  ])('isAnswered(%j) is %s', (value, answered) => {
    expect(isAnswered(value)).toBe(answered);
  });

  it.each(QUESTIONNAIRE_IDS)('accepts the test answers for %s', (id) => {
    const set = QUESTIONNAIRES[id];
    expect(validateAnswers(set, answersFor(set), { partial: false })).toEqual([]);
    const bad = answersFor(set, Object.fromEntries(set.questions.filter((x) => x.fail).map((x) => [x.id, BAD[x.id]])));
    expect(validateAnswers(set, bad, { partial: false })).toEqual([]);
  });
});

describe('fails', () => {
  it.each([
    [{ equals: 'no' }, 'no', true],
    [{ equals: 'no' }, 'yes', false],
    [{ equals: 0 }, 0, true],
    [{ equals: 0 }, 1, false],
    [{ anyOf: ['x', 'y'] }, 'y', true],
    [{ anyOf: ['x', 'y'] }, 'z', false],
    [{ anyOf: ['none'] }, ['iso27001', 'none'], true],
    [{ anyOf: ['none'] }, ['iso27001'], false],
    [{ missingAnyOf: ['at-rest', 'in-transit'] }, ['at-rest', 'in-transit', 'other'], false],
    [{ missingAnyOf: ['at-rest', 'in-transit'] }, ['at-rest'], true],
    [{ lessThan: 10 }, 9.99, true],
    [{ lessThan: 10 }, 10, false],
    [{ greaterThan: 48 }, 48, false],
    [{ greaterThan: 48 }, 48.5, true],
    [{ before: 'relative:-P12M' }, '2025-11-28', true],
    [{ before: 'relative:-P12M' }, '2025-11-29', false],
    [{ after: 'relative:now' }, '2026-11-29', false],
    [{ after: 'relative:now' }, '2026-11-30', true],
    [{ before: '2026-01-01' }, '2025-12-31', true],
    [{ before: '2026-01-01' }, '2026-01-01', false],
  ] as Array<[FailWhen, AnswerValue, boolean]>)('%j with %j: %s', (when, value, expected) => {
    expect(fails(when, value, NOW)).toBe(expected);
  });
});

describe('scoreQuestionnaire', () => {
  const enhanced = QUESTIONNAIRES.enhanced;
  const scored = enhanced.questions.filter((q) => q.fail);

  it('scores all-passing answers 100 with nothing failing', () => {
    const result = scoreQuestionnaire(enhanced, answersFor(enhanced), NOW, 'critical');
    expect(result).toEqual(expect.objectContaining({ score: 100, failing: [], residualRisk: 'high' }));
  });

  it.each(scored.map((q) => [q.id, q.weight, q.critical === true] as [string, number, boolean]))('a failing %s answer is reported with its reason', (id) => {
    const question = scored.find((q) => q.id === id)!;
    const result = scoreQuestionnaire(enhanced, answersFor(enhanced, { [id]: BAD[id] }), NOW, 'medium');
    expect(result.failing).toEqual([{ questionId: id, reason: question.fail!.reason }]);
    const total = scored.reduce((sum, q) => sum + q.weight, 0);
    expect(result.score).toBe(Math.floor((100 * (total - question.weight)) / total));
    // One failing answer blocks the lowering; a critical one lifts medium to high.
    expect(result.residualRisk).toBe(question.critical ? 'high' : 'medium');
  });

  it.each([
    // [question, passing at the threshold, failing one past it]
    ['breach-notification-hours', 48, 49],
    ['critical-patch-days', 30, 31],
    ['recovery-time-hours', 24, 25],
    ['penetration-test-date', '2025-11-29', '2025-11-28'],
  ] as Array<[string, AnswerValue, AnswerValue]>)('%s passes at %j and fails at %j', (id, pass, fail) => {
    expect(scoreQuestionnaire(enhanced, answersFor(enhanced, { [id]: pass }), NOW, 'high').failing).toEqual([]);
    expect(scoreQuestionnaire(enhanced, answersFor(enhanced, { [id]: fail }), NOW, 'high').failing.map((f) => f.questionId)).toEqual([id]);
  });

  it('dates the penetration test relative to now: twelve months before 29 February is 28 February', () => {
    const leap = '2028-02-29T09:00:00.000Z';
    expect(scoreQuestionnaire(enhanced, answersFor(enhanced, { 'penetration-test-date': '2027-02-28' }), leap, 'high').failing).toEqual([]);
    expect(scoreQuestionnaire(enhanced, answersFor(enhanced, { 'penetration-test-date': '2027-02-27' }), leap, 'high').failing).toHaveLength(1);
  });

  it('scores every bad answer 0 and raises the tier', () => {
    const result = scoreQuestionnaire(enhanced, answersFor(enhanced, BAD), NOW, 'high');
    expect(result.score).toBe(0);
    expect(result.failing.map((f) => f.questionId)).toEqual(scored.map((q) => q.id));
    expect(result.residualRisk).toBe('critical');
  });

  /** Two scored questions with these weights: the first passes, the second is as given. */
  const pair = (passWeight: number, otherWeight: number, other: 'fails' | 'unanswered' | 'optional-unanswered', critical = false): [Questionnaire, Answers] => [
    {
      id: 'pair',
      version: '1',
      title: 'Pair',
      questions: [
        { id: 'p', type: 'yes-no', text: 'P?', required: true, weight: passWeight, fail: { when: { equals: 'no' }, reason: 'P fails' } },
        { id: 'o', type: 'yes-no', text: 'O?', required: other !== 'optional-unanswered', weight: otherWeight, critical, fail: { when: { equals: 'no' }, reason: 'O fails' } },
      ],
    },
    other === 'fails' ? { p: 'yes', o: 'no' } : { p: 'yes' },
  ];

  it.each([
    // [label, pass weight, other weight, other, inherent, score, residual]
    ['85 exactly lowers a tier', 17, 3, 'unanswered', 'high', 85, 'medium'],
    ['84 keeps it', 21, 4, 'unanswered', 'high', 84, 'high'],
    ['84.99 rounds down and keeps it', 8499, 1501, 'unanswered', 'high', 84, 'high'],
    ['85 with a failing answer keeps it', 17, 3, 'fails', 'high', 85, 'high'],
    ['50 exactly keeps it', 1, 1, 'unanswered', 'medium', 50, 'medium'],
    ['49 raises it', 49, 51, 'unanswered', 'medium', 49, 'high'],
    ['49.99 rounds down and raises it', 4999, 5001, 'unanswered', 'medium', 49, 'high'],
    ['never below low', 1, 1, 'optional-unanswered', 'low', 100, 'low'],
    ['never above critical', 1, 3, 'fails', 'critical', 25, 'critical'],
    ['low lowered from medium', 9, 1, 'optional-unanswered', 'medium', 100, 'low'],
    ['critical lowered to high', 9, 1, 'optional-unanswered', 'critical', 100, 'high'],
    ['an optional unanswered question counts nowhere', 1, 99, 'optional-unanswered', 'medium', 100, 'low'],
    ['a required unanswered question counts as 0', 1, 99, 'unanswered', 'low', 1, 'medium'],
  ] as Array<[string, number, number, 'fails' | 'unanswered' | 'optional-unanswered', Tier, number, Tier]>)('%s', (_label, pw, ow, other, inherent, score, residual) => {
    const [q, a] = pair(pw, ow, other);
    const result = scoreQuestionnaire(q, a, NOW, inherent);
    expect(result.score).toBe(score);
    expect(result.residualRisk).toBe(residual);
  });

  it.each([
    // [inherent, other weight, residual]: a failing critical answer means at least high, whatever the score.
    ['low', 1, 'high'],
    ['medium', 1, 'high'],
    ['high', 1, 'high'],
    ['critical', 1, 'critical'],
    ['low', 3, 'high'], // score 25 raises low to medium, and the floor then lifts it to high
    ['high', 3, 'critical'],
  ] as Array<[Tier, number, Tier]>)('a failing critical answer from %s (other weight %i) leaves %s', (inherent, ow, residual) => {
    const [q, a] = pair(1, ow, 'fails', true);
    expect(scoreQuestionnaire(q, a, NOW, inherent).residualRisk).toBe(residual);
  });

  it('scores 0 when there is nothing to score, and never lowers risk for it', () => {
    const [q] = pair(1, 1, 'optional-unanswered');
    const optionalOnly: Questionnaire = { ...q, questions: q.questions.map((x) => ({ ...x, required: false })) };
    const result = scoreQuestionnaire(optionalOnly, {}, NOW, 'low');
    expect(result.score).toBe(0);
    expect(result.residualRisk).toBe('medium');
    expect(result.explanation).toContain('nothing to score: the score is 0');
  });

  it('ignores unscored questions', () => {
    const baseline = QUESTIONNAIRES.baseline;
    const a = scoreQuestionnaire(baseline, answersFor(baseline), NOW, 'low');
    const b = scoreQuestionnaire(baseline, answersFor(baseline, { 'data-location': undefined, 'security-contact': undefined }), NOW, 'low');
    expect(a.score).toBe(100);
    expect(b.score).toBe(100);
  });

  it('explains the result step by step', () => {
    const baseline = QUESTIONNAIRES.baseline;
    const result = scoreQuestionnaire(baseline, answersFor(baseline, { mfa: 'no', 'sub-processors': undefined }), NOW, 'low');
    // Scored weights: mfa 3, in transit 3, at rest 3, breach hours 3, sub-processors 2, retention 2 = 16; earned 11.
    expect(result).toEqual({
      score: 68,
      failing: [{ questionId: 'mfa', reason: 'Accounts without multi-factor authentication are the most common way in for attackers.' }],
      residualRisk: 'high',
      explanation: [
        'inherent risk low',
        'score 68: 11 of 16 weighted points',
        'unanswered required questions earn nothing: sub-processors',
        'mfa fails: Accounts without multi-factor authentication are the most common way in for attackers.',
        'failing critical question(s) mfa: at least high',
        'residual risk high',
      ],
    });
  });
});

describe('needsSecurityReview', () => {
  const scoring = (failing: number, residualRisk: Tier): Scoring => ({
    score: 90,
    failing: Array.from({ length: failing }, (_, i) => ({ questionId: `q${i + 1}`, reason: 'r' })),
    residualRisk,
    explanation: [],
  });

  it.each([
    ['low', 0, 'low', false],
    ['medium', 0, 'low', false],
    ['medium', 0, 'medium', false],
    ['low', 1, 'low', true],
    ['medium', 2, 'medium', true],
    ['medium', 0, 'high', true],
    ['high', 0, 'medium', true],
    ['critical', 0, 'high', true],
    ['critical', 3, 'critical', true],
  ] as Array<[Tier, number, Tier, boolean]>)('inherent %s, %i failing, residual %s: %s', (inherent, failing, residual, required) => {
    const result = needsSecurityReview(inherent, scoring(failing, residual));
    expect(result.required).toBe(required);
    expect(result.reasons.length > 0).toBe(required);
  });

  it('gives every reason that applies', () => {
    expect(needsSecurityReview('high', scoring(2, 'critical')).reasons).toEqual([
      'inherent risk is high: high and critical vendors always get a security review',
      '2 failing answer(s): q1, q2',
    ]);
    expect(needsSecurityReview('medium', scoring(1, 'high')).reasons).toEqual(['1 failing answer(s): q1', 'residual risk is high']);
  });
});
