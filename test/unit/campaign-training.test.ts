import {
  MAX_REMINDERS,
  applyCompletion,
  applyFailedAttempt,
  applyNotice,
  assign,
  completionReport,
  inAudience,
  isOverdue,
  nextNotice,
  nextOccurrence,
  refuseAttempt,
  refuseCompletion,
  reminderPolicyProblems,
  reminderTimes,
  scoreQuiz,
  validateModule,
  withdraw,
  type Assignment,
  type Audience,
  type CompletionInput,
  type Notice,
  type QuizQuestion,
  type QuizResult,
  type ReminderPolicy,
  type TrainingModule,
} from '../../domain/campaign/training';
import type { StaffMember } from '../../domain/staff';

/** Frozen all the way down: any function that changes its input instead of copying it throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

const ASSIGNED = '2026-03-02T09:00:00.000Z';
const DUE = '2026-04-01T09:00:00.000Z';
const day = (date: string): string => `${date}T09:00:00.000Z`;

const question = (id: string, options: number, correct: number[]): QuizQuestion => ({ id, text: `Question ${id}?`, options: Array.from({ length: options }, (_, i) => `option ${i}`), correct });

const QUIZ_MODULE: TrainingModule = frozen({
  moduleId: 'gdpr-basics',
  title: 'GDPR basics',
  version: '2026.1',
  content: { url: 'https://lms.example.org/gdpr' },
  quiz: { passMark: 0.8, questions: [question('q1', 3, [1]), question('q2', 4, [0, 2]), question('q3', 2, [0]), question('q4', 2, [1]), question('q5', 3, [2])] },
});
const ALL_RIGHT: Record<string, number[]> = { q1: [1], q2: [0, 2], q3: [0], q4: [1], q5: [2] };
const READ_ONLY_MODULE: TrainingModule = frozen({ moduleId: 'clean-desk', title: 'Clean desk', version: '1', content: { text: 'Lock your screen.' } });

const quizWith = (passMark: number, questions: QuizQuestion[]): TrainingModule => ({ ...QUIZ_MODULE, quiz: { passMark, questions } });
const trueFalse = (n: number): QuizQuestion[] => Array.from({ length: n }, (_, i) => question(`t${i}`, 2, [0]));
const answersRight = (n: number, right: number): Record<string, number[]> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, [i < right ? 0 : 1]]));

function assignment(over: { assignedAt?: string; dueIn?: string; assignmentId?: string; staffId?: string } = {}): Assignment {
  return frozen(
    assign({ assignmentId: over.assignmentId ?? 'asg_1', campaignId: 'cmp_1', staffId: over.staffId ?? 'stf_ann', module: QUIZ_MODULE, assignedAt: over.assignedAt ?? ASSIGNED, dueIn: over.dueIn ?? 'P30D' }),
  );
}

describe('validateModule', () => {
  const valueOf = (module: TrainingModule): TrainingModule => {
    const result = validateModule(module);
    if (!result.ok) throw new Error(`expected a valid module, got ${JSON.stringify(result.problems)}`);
    return result.value;
  };
  const problemsOf = (module: TrainingModule, path?: string) => {
    const result = validateModule(module, path);
    return result.ok ? [] : result.problems;
  };
  const withQuestion = (i: number, over: Partial<QuizQuestion>): TrainingModule => ({
    ...QUIZ_MODULE,
    quiz: { ...QUIZ_MODULE.quiz!, questions: QUIZ_MODULE.quiz!.questions.map((q, j) => (j === i ? { ...q, ...over } : q)) },
  });

  it('accepts a module with a quiz unchanged', () => {
    expect(valueOf(QUIZ_MODULE)).toEqual(QUIZ_MODULE);
  });

  it('accepts a module of text only, without a quiz', () => {
    expect(valueOf(READ_ONLY_MODULE)).toEqual(READ_ONLY_MODULE);
  });

  it('trims texts and drops blank content', () => {
    const padded: TrainingModule = {
      moduleId: ' gdpr-basics ',
      title: ' GDPR basics ',
      version: ' 2026.1 ',
      content: { url: ' https://lms.example.org/gdpr ', text: '   ' },
      quiz: { passMark: 1, questions: [{ id: ' q1 ', text: ' Who? ', options: [' me ', ' you '], correct: [0] }] },
    };
    expect(valueOf(padded)).toEqual({
      moduleId: 'gdpr-basics',
      title: 'GDPR basics',
      version: '2026.1',
      content: { url: 'https://lms.example.org/gdpr' },
      quiz: { passMark: 1, questions: [{ id: 'q1', text: 'Who?', options: ['me', 'you'], correct: [0] }] },
    });
  });

  it.each<[string, TrainingModule, string, string]>([
    ['a module id with a space', { ...QUIZ_MODULE, moduleId: 'gdpr basics' }, 'moduleId', 'must be 1 to 128 letters, digits or _ : . -'],
    ['an empty title', { ...QUIZ_MODULE, title: ' ' }, 'title', 'must be 1 to 200 characters'],
    ['a title too long', { ...QUIZ_MODULE, title: 'x'.repeat(201) }, 'title', 'must be 1 to 200 characters'],
    ['a blank version', { ...QUIZ_MODULE, version: '  ' }, 'version', 'must be 1 to 64 characters'],
    ['no content', { ...QUIZ_MODULE, content: {} }, 'content', 'needs a url or a text'],
    ['blank content', { ...QUIZ_MODULE, content: { url: ' ', text: ' ' } }, 'content', 'needs a url or a text'],
    ['an ftp URL', { ...QUIZ_MODULE, content: { url: 'ftp://files.example.org/gdpr.pdf' } }, 'content.url', 'must be an http(s) URL'],
    ['a script URL beside text', { ...QUIZ_MODULE, content: { url: 'javascript:alert(1)', text: 'Read me' } }, 'content.url', 'must be an http(s) URL'],
    ['a pass mark of 0', { ...QUIZ_MODULE, quiz: { ...QUIZ_MODULE.quiz!, passMark: 0 } }, 'quiz.passMark', 'must be a fraction above 0 and at most 1'],
    ['a negative pass mark', { ...QUIZ_MODULE, quiz: { ...QUIZ_MODULE.quiz!, passMark: -0.5 } }, 'quiz.passMark', 'must be a fraction above 0 and at most 1'],
    ['a pass mark above 1', { ...QUIZ_MODULE, quiz: { ...QUIZ_MODULE.quiz!, passMark: 1.01 } }, 'quiz.passMark', 'must be a fraction above 0 and at most 1'],
    ['a pass mark given as a percentage', { ...QUIZ_MODULE, quiz: { ...QUIZ_MODULE.quiz!, passMark: 80 } }, 'quiz.passMark', 'must be a fraction above 0 and at most 1'],
    ['a pass mark that is not a number', { ...QUIZ_MODULE, quiz: { ...QUIZ_MODULE.quiz!, passMark: NaN } }, 'quiz.passMark', 'must be a fraction above 0 and at most 1'],
    ['a quiz without questions', { ...QUIZ_MODULE, quiz: { passMark: 0.5, questions: [] } }, 'quiz.questions', 'must have at least one question'],
    ['a repeated question id', withQuestion(3, { id: 'q2' }), 'quiz.questions[3].id', 'repeats question id q2'],
    ['a question id with a slash', withQuestion(0, { id: 'q/1' }), 'quiz.questions[0].id', 'must be 1 to 128 letters, digits or _ : . -'],
    ['a question without text', withQuestion(1, { text: ' ' }), 'quiz.questions[1].text', 'is required'],
    ['a single option', withQuestion(2, { options: ['yes'], correct: [0] }), 'quiz.questions[2].options', 'must offer at least two options'],
    ['a blank option', withQuestion(2, { options: ['yes', ' '], correct: [0] }), 'quiz.questions[2].options[1]', 'must not be blank'],
    ['no correct option', withQuestion(2, { correct: [] }), 'quiz.questions[2].correct', 'must name at least one correct option'],
    ['a correct index past the options', withQuestion(0, { correct: [3] }), 'quiz.questions[0].correct', '3 is not an option (0 to 2)'],
    ['a negative correct index', withQuestion(0, { correct: [-1] }), 'quiz.questions[0].correct', '-1 is not an option (0 to 2)'],
    ['a fractional correct index', withQuestion(0, { correct: [0.5] }), 'quiz.questions[0].correct', '0.5 is not an option (0 to 2)'],
    ['a correct index twice', withQuestion(1, { correct: [0, 2, 0] }), 'quiz.questions[1].correct', '0 is listed twice'],
  ])('reports %s as its only problem', (_name, module, field, message) => {
    expect(problemsOf(module)).toEqual([{ field, message }]);
  });

  it('accepts every option as correct, and a pass mark of exactly 1', () => {
    const everyOption = withQuestion(1, { correct: [3, 2, 1, 0] });
    expect(validateModule({ ...everyOption, quiz: { ...everyOption.quiz!, passMark: 1 } }).ok).toBe(true);
  });

  it('reports every problem at once, under the path given', () => {
    const broken: TrainingModule = {
      moduleId: '',
      title: '',
      version: '',
      content: { url: 'mailto:x@example.org' },
      quiz: { passMark: 2, questions: [question('a', 1, [1]), question('a', 2, [0, 0])] },
    };
    expect(problemsOf(broken, 'modules[0].').map((p) => p.field)).toEqual([
      'modules[0].moduleId',
      'modules[0].title',
      'modules[0].version',
      'modules[0].content.url',
      'modules[0].quiz.passMark',
      'modules[0].quiz.questions[0].options',
      'modules[0].quiz.questions[0].correct',
      'modules[0].quiz.questions[1].id',
      'modules[0].quiz.questions[1].correct',
    ]);
  });
});

describe('scoreQuiz', () => {
  it.each<[string, Record<string, number[]>, number, number, boolean, string[]]>([
    ['every answer right', ALL_RIGHT, 5, 1, true, []],
    ['a multi-select in another order', { ...ALL_RIGHT, q2: [2, 0] }, 5, 1, true, []],
    ['a partial multi-select, meeting the pass mark exactly', { ...ALL_RIGHT, q2: [0] }, 4, 0.8, true, []],
    ['a multi-select with an extra choice', { ...ALL_RIGHT, q2: [0, 2, 3] }, 4, 0.8, true, []],
    ['a multi-select with every option chosen', { ...ALL_RIGHT, q2: [0, 1, 2, 3] }, 4, 0.8, true, []],
    ['a single-answer question with an extra choice', { ...ALL_RIGHT, q1: [1, 0] }, 4, 0.8, true, []],
    ['two answers wrong, below the pass mark', { ...ALL_RIGHT, q1: [0], q4: [0] }, 3, 0.6, false, []],
    ['one question left out, meeting the pass mark', { q1: [1], q2: [0, 2], q3: [0], q4: [1] }, 4, 0.8, true, ['q5']],
    ['an empty choice and a left-out question', { q1: [1], q2: [0, 2], q3: [], q4: [1] }, 3, 0.6, false, ['q3', 'q5']],
    ['nothing answered', {}, 0, 0, false, ['q1', 'q2', 'q3', 'q4', 'q5']],
  ])('scores %s', (_name, answers, correct, score, passed, unanswered) => {
    expect(scoreQuiz(QUIZ_MODULE, frozen(answers))).toEqual({ score, correct, total: 5, passed, unanswered, problems: [] });
  });

  it.each<[string, Record<string, number[]>, number, { field: string; message: string }[]]>([
    ['a question the module does not have', { ...ALL_RIGHT, q9: [0] }, 5, [{ field: 'answers.q9', message: 'is not a question of this module' }]],
    ['an index past the options', { ...ALL_RIGHT, q1: [3] }, 4, [{ field: 'answers.q1', message: '3 is not an option (0 to 2)' }]],
    ['a negative index', { ...ALL_RIGHT, q1: [-1] }, 4, [{ field: 'answers.q1', message: '-1 is not an option (0 to 2)' }]],
    ['a fractional index', { ...ALL_RIGHT, q1: [1.5] }, 4, [{ field: 'answers.q1', message: '1.5 is not an option (0 to 2)' }]],
    ['the right index twice', { ...ALL_RIGHT, q1: [1, 1] }, 4, [{ field: 'answers.q1', message: '1 is listed twice' }]],
    ['a right answer with a bad index beside it', { ...ALL_RIGHT, q2: [0, 2, 7] }, 4, [{ field: 'answers.q2', message: '7 is not an option (0 to 3)' }]],
    ['a prototype name as a question id', { ...ALL_RIGHT, constructor: [0] }, 5, [{ field: 'answers.constructor', message: 'is not a question of this module' }]],
  ])('reports %s as a problem, counts it wrong and never passes', (_name, answers, correct, problems) => {
    const result = scoreQuiz(QUIZ_MODULE, answers);
    expect(result).toMatchObject({ correct, total: 5, passed: false, problems });
  });

  it('finds no answer in the prototype for a question whose id is a prototype name', () => {
    const module = quizWith(0.5, [question('constructor', 2, [0]), question('toString', 2, [1])]);
    expect(scoreQuiz(module, { toString: [1] })).toEqual({ score: 0.5, correct: 1, total: 2, passed: true, unanswered: ['constructor'], problems: [] });
  });

  it.each<[string, number, number, number, number, boolean]>([
    ['7 of 10 against 0.7 (0.7 × 10 is not 7 in floating point)', 10, 7, 0.7, 0.7, true],
    ['6 of 10 against 0.7', 10, 6, 0.7, 0.6, false],
    ['2 of 3 against 0.6667: the exact fraction decides, not the rounded score', 3, 2, 0.6667, 0.6667, false],
    ['2 of 3 against 0.6666', 3, 2, 0.6666, 0.6667, true],
    ['1 of 3, rounded to 4 decimals', 3, 1, 0.3, 0.3333, true],
    ['4 of 5 against 1', 5, 4, 1, 0.8, false],
    ['5 of 5 against 1', 5, 5, 1, 1, true],
    ['1 of 1 against 0.01', 1, 1, 0.01, 1, true],
    ['0 of 1 against 0.01', 1, 0, 0.01, 0, false],
    ['29 of 30 against 0.95', 30, 29, 0.95, 0.9667, true],
    ['57 of 100 against 0.57', 100, 57, 0.57, 0.57, true],
  ])('scores %s', (_name, total, right, passMark, score, passed) => {
    expect(scoreQuiz(quizWith(passMark, trueFalse(total)), answersRight(total, right))).toMatchObject({ score, correct: right, total, passed });
  });

  it('throws a RangeError for a module without a quiz', () => {
    expect(() => scoreQuiz(READ_ONLY_MODULE, {})).toThrow(new RangeError('module clean-desk has no quiz'));
  });
});

describe('inAudience', () => {
  const ON = ASSIGNED;
  const ann = frozen({ department: 'sales', jobRoles: ['team-lead', 'first-aider'], status: 'active' as const });

  it.each<[string, Audience, boolean]>([
    ['an empty audience', {}, true],
    ['empty lists', { departments: [], jobRoles: [] }, true],
    ['her department', { departments: ['finance', 'sales'] }, true],
    ['another department', { departments: ['finance'] }, false],
    ['one of her job roles', { jobRoles: ['first-aider'] }, true],
    ['another job role', { jobRoles: ['dpo'] }, false],
    ['another department or one of her roles', { departments: ['finance'], jobRoles: ['team-lead'] }, true],
    ['her department or another role', { departments: ['sales'], jobRoles: ['dpo'] }, true],
    ['another department and another role', { departments: ['finance'], jobRoles: ['dpo'] }, false],
    ['an empty department list beside another role', { departments: [], jobRoles: ['dpo'] }, false],
    ['a department spelled in capitals (audiences hold slugs)', { departments: ['Sales'] }, false],
  ])('an active member is in %s: %s', (_name, audience, expected) => {
    expect(inAudience(ann, frozen(audience), ON)).toBe(expected);
  });

  it.each<[string, Pick<StaffMember, 'department' | 'jobRoles' | 'status' | 'endDate'>, Audience, boolean]>([
    ['a joiner', { ...ann, status: 'joiner' }, {}, true],
    ['a leaver, even for everyone', { ...ann, status: 'leaver', endDate: '2026-12-31' }, {}, false],
    ['a leaver of the listed department', { ...ann, status: 'leaver', endDate: '2026-12-31' }, { departments: ['sales'] }, false],
    ['a member whose end date has passed', { ...ann, endDate: '2026-03-01' }, {}, false],
    ['a member on their last day', { ...ann, endDate: '2026-03-02' }, {}, true],
    ['a member without job roles, for a role audience', { ...ann, jobRoles: [] }, { jobRoles: ['team-lead'] }, false],
  ])('%s is in the audience: %s', (_name, member, audience, expected) => {
    expect(inAudience(member, audience, ON)).toBe(expected);
  });

  it('throws a RangeError for an unreadable instant', () => {
    expect(() => inAudience(ann, {}, '2026-03-02')).toThrow(RangeError);
  });
});

describe('reminder policies', () => {
  it.each<[string, ReminderPolicy]>([
    ['no reminders', { count: 0, spacing: 'P7D' }],
    ['the most reminders', { count: MAX_REMINDERS, spacing: 'P1D' }],
    ['every field', { count: 3, spacing: 'P1W', firstAfter: 'P2D', escalateAfterDue: 'P1D' }],
    ['an escalation at the due date, spelled PT0S', { count: 1, spacing: 'P7D', escalateAfterDue: 'PT0S' }],
    ['an escalation at the due date, spelled P0D', { count: 1, spacing: 'P7D', escalateAfterDue: 'P0D' }],
    ['calendar months', { count: 2, spacing: 'P1M', firstAfter: 'P1M' }],
  ])('accepts %s', (_name, policy) => {
    expect(reminderPolicyProblems(policy)).toEqual([]);
  });

  it.each<[string, ReminderPolicy, string, string]>([
    ['a negative count', { count: -1, spacing: 'P7D' }, 'count', 'must be a whole number from 0 to 10'],
    ['too many reminders', { count: 11, spacing: 'P7D' }, 'count', 'must be a whole number from 0 to 10'],
    ['a fractional count', { count: 1.5, spacing: 'P7D' }, 'count', 'must be a whole number from 0 to 10'],
    ['a zero spacing', { count: 1, spacing: 'P0D' }, 'spacing', 'must be a positive ISO 8601 duration (P7D, P1M)'],
    ['a spacing in words', { count: 1, spacing: 'weekly' }, 'spacing', 'must be a positive ISO 8601 duration (P7D, P1M)'],
    ['a zero first reminder', { count: 1, spacing: 'P7D', firstAfter: 'PT0S' }, 'firstAfter', 'must be a positive ISO 8601 duration'],
    ['a negative escalation delay', { count: 1, spacing: 'P7D', escalateAfterDue: 'P-1D' }, 'escalateAfterDue', 'must be an ISO 8601 duration of zero (PT0S) or more'],
    ['an escalation delay in words', { count: 1, spacing: 'P7D', escalateAfterDue: 'later' }, 'escalateAfterDue', 'must be an ISO 8601 duration of zero (PT0S) or more'],
  ])('reports %s', (_name, policy, field, message) => {
    expect(reminderPolicyProblems(policy, 'reminders.')).toEqual([{ field: `reminders.${field}`, message }]);
  });
});

describe('assign', () => {
  it('starts assigned, due after dueIn, with the module version and nothing sent', () => {
    expect(assignment()).toEqual({
      assignmentId: 'asg_1',
      campaignId: 'cmp_1',
      staffId: 'stf_ann',
      moduleId: 'gdpr-basics',
      moduleVersion: '2026.1',
      assignedAt: ASSIGNED,
      dueAt: DUE,
      status: 'assigned',
      remindersSent: 0,
      escalated: false,
      attempts: [],
    });
  });

  it.each([
    ['a month from 31 January, clamped', '2026-01-31T12:00:00Z', 'P1M', '2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z'],
    ['a month from 31 January of a leap year', '2028-01-31T12:00:00Z', 'P1M', '2028-01-31T12:00:00.000Z', '2028-02-29T12:00:00.000Z'],
    ['a year from 29 February', '2028-02-29T12:00:00Z', 'P1Y', '2028-02-29T12:00:00.000Z', '2029-02-28T12:00:00.000Z'],
    ['a week across a daylight-saving change, in UTC', '2026-03-27T09:00:00+01:00', 'P7D', '2026-03-27T08:00:00.000Z', '2026-04-03T08:00:00.000Z'],
    ['hours', '2026-03-02T09:00:00Z', 'PT36H', '2026-03-02T09:00:00.000Z', '2026-03-03T21:00:00.000Z'],
  ])('adds %s', (_name, assignedAt, dueIn, normalised, dueAt) => {
    expect(assignment({ assignedAt, dueIn })).toMatchObject({ assignedAt: normalised, dueAt });
  });

  it.each([
    ['a bare date', { assignedAt: '2026-03-02' }],
    ['a time without an offset', { assignedAt: '2026-03-02T09:00:00' }],
    ['a zero due period', { dueIn: 'P0D' }],
    ['a due period in words', { dueIn: '30 days' }],
  ])('throws a RangeError for %s', (_name, over) => {
    expect(() => assignment(over)).toThrow(RangeError);
  });
});

describe('reminderTimes', () => {
  const times = (policy: ReminderPolicy, over: { assignedAt?: string; dueIn?: string } = {}) => reminderTimes(assignment(over), frozen(policy));

  it.each<[string, ReminderPolicy, { assignedAt?: string; dueIn?: string }, string[]]>([
    ['none for a count of 0', { count: 0, spacing: 'P7D' }, {}, []],
    ['the first after one spacing by default', { count: 3, spacing: 'P7D' }, {}, [day('2026-03-09'), day('2026-03-16'), day('2026-03-23')]],
    ['the first after firstAfter, then every spacing', { count: 3, spacing: 'P7D', firstAfter: 'P1D' }, {}, [day('2026-03-03'), day('2026-03-10'), day('2026-03-17')]],
    ['only those before the due date', { count: MAX_REMINDERS, spacing: 'P7D' }, {}, [day('2026-03-09'), day('2026-03-16'), day('2026-03-23'), day('2026-03-30')]],
    ['none landing exactly on the due date', { count: 5, spacing: 'P7D' }, { dueIn: 'P28D' }, [day('2026-03-09'), day('2026-03-16'), day('2026-03-23')]],
    ['none when the first would come at the due date', { count: 3, spacing: 'P7D' }, { dueIn: 'P7D' }, []],
    ['none when the first would come after the due date', { count: 3, spacing: 'P7D', firstAfter: 'P10D' }, { dueIn: 'P7D' }, []],
    ['hours apart', { count: 2, spacing: 'PT12H', firstAfter: 'PT1H' }, {}, ['2026-03-02T10:00:00.000Z', '2026-03-02T22:00:00.000Z']],
    [
      'month ends counted from the assignment, not chained',
      { count: 4, spacing: 'P1M' },
      { assignedAt: '2026-01-31T12:00:00Z', dueIn: 'P1Y' },
      ['2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z', '2026-04-30T12:00:00.000Z', '2026-05-31T12:00:00.000Z'],
    ],
    ['29 February in a leap year', { count: 2, spacing: 'P1M' }, { assignedAt: '2028-01-31T12:00:00Z', dueIn: 'P1Y' }, ['2028-02-29T12:00:00.000Z', '2028-03-31T12:00:00.000Z']],
    [
      'the same UTC hour across a daylight-saving change',
      { count: 3, spacing: 'P1D' },
      { assignedAt: '2026-03-27T09:00:00+01:00', dueIn: 'P7D' },
      ['2026-03-28T08:00:00.000Z', '2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z'],
    ],
  ])('are %s', (_name, policy, over, expected) => {
    expect(times(policy, over)).toEqual(expected);
  });

  it.each<[string, ReminderPolicy]>([
    ['an unusable spacing', { count: 1, spacing: 'weekly' }],
    ['too many reminders', { count: 11, spacing: 'P1D' }],
    ['an unusable escalation delay', { count: 1, spacing: 'P1D', escalateAfterDue: 'soon' }],
  ])('throw a RangeError for %s', (_name, policy) => {
    expect(() => times(policy)).toThrow(RangeError);
  });
});

describe('nextNotice and applyNotice', () => {
  const POLICY: ReminderPolicy = frozen({ count: 3, spacing: 'P7D' });
  const reminder = (index: number, at: string): Notice => ({ kind: 'reminder', index, at });
  const escalation = (at: string): Notice => ({ kind: 'escalation', index: 0, at });
  const sent = (remindersSent: number, escalated = false): Assignment => frozen({ ...assignment(), remindersSent, escalated });

  it.each<[string, Assignment, string, Notice | undefined]>([
    ['the first reminder, ahead, right after assignment', sent(0), ASSIGNED, reminder(0, day('2026-03-09'))],
    ['the first reminder at its own instant', sent(0), day('2026-03-09'), reminder(0, day('2026-03-09'))],
    ['the first reminder a moment before the second is due', sent(0), '2026-03-16T08:59:59.999Z', reminder(0, day('2026-03-09'))],
    ['the second, the first being stale once the second is due', sent(0), day('2026-03-16'), reminder(1, day('2026-03-16'))],
    ['the second after the first was sent', sent(1), day('2026-03-09'), reminder(1, day('2026-03-16'))],
    ['the latest reminder when resuming between reminders', sent(0), day('2026-03-20'), reminder(1, day('2026-03-16'))],
    ['the last reminder until the due date', sent(2), '2026-04-01T08:59:59.999Z', reminder(2, day('2026-03-23'))],
    ['the escalation, at the due date, once the last reminder is stale', sent(2), DUE, escalation(DUE)],
    ['the escalation, ahead, after every reminder', sent(3), day('2026-03-23'), escalation(DUE)],
    ['only the escalation when resuming after the due date', sent(0), day('2026-04-20'), escalation(DUE)],
    ['nothing after the escalation', sent(3, true), day('2026-04-20'), undefined],
    ['nothing after the escalation even if reminders were never counted', sent(0, true), day('2026-04-20'), undefined],
  ])('gives %s', (_name, a, now, expected) => {
    expect(nextNotice(a, POLICY, now)).toEqual(expected);
  });

  it('gives the escalation straight away for a policy without reminders', () => {
    expect(nextNotice(assignment(), { count: 0, spacing: 'P7D' }, ASSIGNED)).toEqual(escalation(DUE));
  });

  it('delays the escalation by escalateAfterDue', () => {
    expect(nextNotice(sent(3), { ...POLICY, escalateAfterDue: 'P2D' }, DUE)).toEqual(escalation(day('2026-04-03')));
    expect(nextNotice(sent(3), { ...POLICY, escalateAfterDue: 'PT0S' }, DUE)).toEqual(escalation(DUE));
  });

  it('gives nothing once the assignment is completed or withdrawn', () => {
    const completed = applyCompletion(assignment(), { via: 'lms', by: 'prn_lms', moduleHasQuiz: false }, day('2026-03-05'));
    expect(nextNotice(completed, POLICY, day('2026-03-09'))).toBeUndefined();
    expect(nextNotice(withdraw(assignment(), 'leaver', day('2026-03-05')), POLICY, day('2026-03-09'))).toBeUndefined();
  });

  it('compares instants, not texts, when now is given with an offset', () => {
    expect(nextNotice(sent(2), POLICY, '2026-04-01T10:59:59.999+02:00')).toEqual(reminder(2, day('2026-03-23')));
    expect(nextNotice(sent(2), POLICY, '2026-04-01T11:00:00+02:00')).toEqual(escalation(DUE));
  });

  it('sends every notice exactly once to a workflow that is never late', () => {
    let a = assignment();
    let now = ASSIGNED;
    const log: Notice[] = [];
    for (let notice = nextNotice(a, POLICY, now); notice; notice = nextNotice(a, POLICY, now)) {
      now = notice.at;
      log.push(notice);
      a = frozen(applyNotice(a, notice));
    }
    expect(log).toEqual([reminder(0, day('2026-03-09')), reminder(1, day('2026-03-16')), reminder(2, day('2026-03-23')), escalation(DUE)]);
    expect(a).toMatchObject({ remindersSent: 3, escalated: true });
  });

  it('counts the reminders skipped as stale as sent', () => {
    expect(applyNotice(sent(0), reminder(2, day('2026-03-23')))).toMatchObject({ remindersSent: 3, escalated: false });
  });

  it('never counts back: a late, repeated notice changes nothing', () => {
    expect(applyNotice(sent(3), reminder(0, day('2026-03-09')))).toMatchObject({ remindersSent: 3 });
    expect(applyNotice(sent(3, true), escalation(DUE))).toEqual(sent(3, true));
  });

  it('records the escalation without touching the reminder count', () => {
    expect(applyNotice(sent(1), escalation(DUE))).toEqual({ ...sent(1), escalated: true });
  });

  it('throws a RangeError for an unreadable now or an unusable policy', () => {
    expect(() => nextNotice(assignment(), POLICY, 'now')).toThrow(RangeError);
    expect(() => nextNotice(assignment(), { count: 1, spacing: 'P0D' }, ASSIGNED)).toThrow(RangeError);
  });
});

describe('completion', () => {
  const AT = day('2026-03-10');
  const result = (answers: Record<string, number[]>): QuizResult => frozen(scoreQuiz(QUIZ_MODULE, answers));
  const PASSED = result(ALL_RIGHT);
  const FAILED = result({ ...ALL_RIGHT, q1: [0], q2: [0] });
  const UNSCORABLE = result({ ...ALL_RIGHT, q9: [1] });
  const attest: CompletionInput = frozen({ via: 'attestation', by: 'prn_ann', staffPrincipalId: 'prn_ann', moduleHasQuiz: false });
  const fromLms: CompletionInput = frozen({ via: 'lms', by: 'prn_lms-integration', moduleHasQuiz: true, quizResult: PASSED });
  const completed = () => frozen(applyCompletion(assignment(), attest, AT));
  const withdrawn = () => frozen(withdraw(assignment(), 'leaver', AT));

  it.each<[string, () => Assignment, CompletionInput, string | undefined, string | undefined]>([
    ['their own attestation of a module without a quiz', assignment, attest, undefined, undefined],
    ['an attestation by someone else', assignment, { ...attest, by: 'prn_manager' }, 'only the assignee can attest their own training', 'only the assignee can attest their own training'],
    ['an attestation for an assignee who cannot sign in', assignment, { ...attest, staffPrincipalId: undefined }, 'the assignee has no sign-in principal to attest with', 'the assignee has no sign-in principal to attest with'],
    ['the LMS reporting a passed quiz', assignment, fromLms, undefined, undefined],
    ['the LMS reporting a module without a quiz', assignment, { via: 'lms', by: 'prn_lms-integration', staffPrincipalId: 'prn_ann', moduleHasQuiz: false }, undefined, undefined],
    ['their own attestation with a passed quiz', assignment, { ...attest, moduleHasQuiz: true, quizResult: PASSED }, undefined, undefined],
    ['an attestation of a quiz module without a result', assignment, { ...attest, moduleHasQuiz: true }, 'this module has a quiz: a quiz result is required', 'this module has a quiz: a quiz result is required'],
    ['a failed quiz', assignment, { ...attest, moduleHasQuiz: true, quizResult: FAILED }, undefined, 'the quiz was not passed (score 0.6)'],
    [
      'answers that cannot be scored',
      assignment,
      { ...attest, moduleHasQuiz: true, quizResult: UNSCORABLE },
      'the quiz answers cannot be scored: answers.q9 is not a question of this module',
      'the quiz answers cannot be scored: answers.q9 is not a question of this module',
    ],
    ['a quiz result for a module without a quiz', assignment, { ...attest, quizResult: PASSED }, 'this module has no quiz', 'this module has no quiz'],
    ['a completed assignment', completed, attest, 'assignment is already completed', 'assignment is already completed'],
    ['a withdrawn assignment', withdrawn, fromLms, 'assignment is already withdrawn', 'assignment is already withdrawn'],
  ])('%s: attempt refused %s, completion refused %s', (_name, a, input, attempt, completion) => {
    expect(refuseAttempt(a(), input)).toBe(attempt);
    expect(refuseCompletion(a(), input)).toBe(completion);
  });

  it('completes an attested module without a quiz, recording the attempt', () => {
    expect(completed()).toEqual({ ...assignment(), status: 'completed', attempts: [{ at: AT, via: 'attestation' }], completedAt: AT, completion: { via: 'attestation', at: AT } });
  });

  it('completes with the quiz score', () => {
    expect(applyCompletion(assignment(), fromLms, AT)).toEqual({
      ...assignment(),
      status: 'completed',
      attempts: [{ at: AT, score: 1, passed: true, via: 'lms' }],
      completedAt: AT,
      completion: { via: 'lms', at: AT, score: 1 },
    });
  });

  it('records a failed quiz as an attempt and leaves the assignment open', () => {
    const failed = frozen(applyFailedAttempt(assignment(), FAILED, 'attestation', AT));
    expect(failed).toEqual({ ...assignment(), attempts: [{ at: AT, score: 0.6, passed: false, via: 'attestation' }] });
    expect(nextNotice(failed, { count: 3, spacing: 'P7D' }, AT)).toEqual({ kind: 'reminder', index: 0, at: day('2026-03-09') });
  });

  it('keeps every attempt when a later one passes', () => {
    const later = day('2026-03-11');
    const retried = applyCompletion(applyFailedAttempt(assignment(), FAILED, 'attestation', AT), { ...attest, moduleHasQuiz: true, quizResult: PASSED }, later);
    expect(retried.attempts).toEqual([
      { at: AT, score: 0.6, passed: false, via: 'attestation' },
      { at: later, score: 1, passed: true, via: 'attestation' },
    ]);
    expect(retried).toMatchObject({ status: 'completed', completedAt: later, completion: { via: 'attestation', at: later, score: 1 } });
  });
});

describe('withdraw', () => {
  const AT = day('2026-03-10');

  it('withdraws an open assignment for a leaver', () => {
    expect(withdraw(assignment(), 'leaver', AT)).toEqual({ ...assignment(), status: 'withdrawn', withdrawal: { reason: 'leaver', at: AT } });
  });

  it('leaves a completed assignment completed', () => {
    const done = frozen(applyCompletion(assignment(), { via: 'lms', by: 'prn_lms', moduleHasQuiz: false }, AT));
    expect(withdraw(done, 'leaver', day('2026-03-20'))).toBe(done);
  });

  it('changes nothing when withdrawn again', () => {
    const once = frozen(withdraw(assignment(), 'leaver', AT));
    expect(withdraw(once, 'leaver', day('2026-03-20'))).toBe(once);
  });
});

describe('isOverdue', () => {
  const done = () => applyCompletion(assignment(), { via: 'lms', by: 'prn_lms', moduleHasQuiz: false }, day('2026-03-10'));

  it.each<[string, () => Assignment, string, boolean]>([
    ['before the due date', assignment, day('2026-03-31'), false],
    ['at the due instant itself', assignment, DUE, false],
    ['at the due instant given with an offset', assignment, '2026-04-01T11:00:00+02:00', false],
    ['a millisecond after the due instant', assignment, '2026-04-01T09:00:00.001Z', true],
    ['long after the due date', assignment, day('2026-06-01'), true],
    ['completed, after the due date', done, day('2026-06-01'), false],
    ['withdrawn, after the due date', () => withdraw(assignment(), 'leaver', day('2026-03-10')), day('2026-06-01'), false],
  ])('%s: %s', (_name, a, now, expected) => {
    expect(isOverdue(a(), now)).toBe(expected);
  });

  it('throws a RangeError for an unreadable now', () => {
    expect(() => isOverdue(assignment(), '2026-04-02')).toThrow(RangeError);
  });
});

describe('completionReport', () => {
  const NOW = '2026-04-10T00:00:00Z';
  const done = (a: Assignment) => applyCompletion(a, { via: 'lms', by: 'prn_lms', moduleHasQuiz: false }, day('2026-03-10'));
  const gone = (a: Assignment) => withdraw(a, 'leaver', day('2026-03-10'));

  function* rows(): Generator<{ assignment: Assignment; department: string }> {
    yield { department: 'sales', assignment: done(assignment({ assignmentId: 'a1', staffId: 's1' })) };
    yield { department: 'sales', assignment: assignment({ assignmentId: 'a2', staffId: 's2' }) };
    yield { department: 'sales', assignment: assignment({ assignmentId: 'a3', staffId: 's3', assignedAt: '2026-04-01T00:00:00Z' }) };
    yield { department: 'sales', assignment: gone(assignment({ assignmentId: 'a4', staffId: 's4' })) };
    yield { department: 'finance', assignment: assignment({ assignmentId: 'f1', staffId: 's5', assignedAt: '2026-02-20T09:00:00Z' }) };
    yield { department: 'finance', assignment: done(assignment({ assignmentId: 'f2', staffId: 's6' })) };
    yield { department: 'legal', assignment: gone(assignment({ assignmentId: 'l1', staffId: 's7' })) };
  }

  it('counts by department, rates among those not withdrawn, and lists the overdue earliest first', () => {
    expect(completionReport(rows(), NOW)).toEqual({
      total: 7,
      completed: 2,
      overdue: 2,
      withdrawn: 2,
      byDepartment: [
        { department: 'finance', total: 2, completed: 1, overdue: 1, withdrawn: 0, completionRate: 0.5 },
        { department: 'legal', total: 1, completed: 0, overdue: 0, withdrawn: 1, completionRate: null },
        { department: 'sales', total: 4, completed: 1, overdue: 1, withdrawn: 1, completionRate: 0.3333 },
      ],
      overdueList: [
        { assignmentId: 'f1', staffId: 's5', department: 'finance', dueAt: '2026-03-22T09:00:00.000Z' },
        { assignmentId: 'a2', staffId: 's2', department: 'sales', dueAt: DUE },
      ],
    });
  });

  it('counts nothing as overdue at the due instant itself', () => {
    expect(completionReport(rows(), DUE)).toMatchObject({ overdue: 1, overdueList: [{ assignmentId: 'f1' }] });
  });

  it('orders assignments overdue at the same instant by id', () => {
    const same = [
      { department: 'sales', assignment: assignment({ assignmentId: 'b', staffId: 's2' }) },
      { department: 'it', assignment: assignment({ assignmentId: 'a', staffId: 's1' }) },
    ];
    expect(completionReport(same, NOW).overdueList.map((o) => o.assignmentId)).toEqual(['a', 'b']);
  });

  it('reports an empty campaign as zeros', () => {
    expect(completionReport([], NOW)).toEqual({ total: 0, completed: 0, overdue: 0, withdrawn: 0, byDepartment: [], overdueList: [] });
  });

  it('rates a department that completed everything as 1', () => {
    expect(completionReport([{ department: 'it', assignment: done(assignment()) }], NOW).byDepartment).toEqual([{ department: 'it', total: 1, completed: 1, overdue: 0, withdrawn: 0, completionRate: 1 }]);
  });
});

describe('nextOccurrence', () => {
  it.each<[string, string, string, number, string]>([
    ['an annual campaign from 29 February, first year', '2024-02-29T10:00:00Z', 'P1Y', 0, '2025-02-28T10:00:00.000Z'],
    ['an annual campaign from 29 February, second year', '2024-02-29T10:00:00Z', 'P1Y', 1, '2026-02-28T10:00:00.000Z'],
    ['an annual campaign from 29 February, back on the 29th in a leap year', '2024-02-29T10:00:00Z', 'P1Y', 3, '2028-02-29T10:00:00.000Z'],
    ['an annual campaign from 29 February, eight years on', '2024-02-29T10:00:00Z', 'P1Y', 7, '2032-02-29T10:00:00.000Z'],
    ['a monthly campaign from 31 January, into February', '2026-01-31T08:30:00Z', 'P1M', 0, '2026-02-28T08:30:00.000Z'],
    ['a monthly campaign from 31 January, back on the 31st in March', '2026-01-31T08:30:00Z', 'P1M', 1, '2026-03-31T08:30:00.000Z'],
    ['a monthly campaign from 31 January, on the 30th in April', '2026-01-31T08:30:00Z', 'P1M', 2, '2026-04-30T08:30:00.000Z'],
    ['a monthly campaign from 31 January, in December', '2026-01-31T08:30:00Z', 'P1M', 10, '2026-12-31T08:30:00.000Z'],
    ['a monthly campaign from 31 January, into a leap February', '2027-01-31T08:30:00Z', 'P1M', 12, '2028-02-29T08:30:00.000Z'],
    ['a quarterly campaign from 30 November', '2025-11-30T00:00:00Z', 'P3M', 0, '2026-02-28T00:00:00.000Z'],
    ['a quarterly campaign from 30 November, on the 30th again', '2025-11-30T00:00:00Z', 'P3M', 1, '2026-05-30T00:00:00.000Z'],
    ['a weekly campaign across a daylight-saving change, in UTC', '2026-03-27T09:00:00+01:00', 'P1W', 0, '2026-04-03T08:00:00.000Z'],
    ['a daily campaign, tenth day', '2026-03-02T09:00:00Z', 'P1D', 9, '2026-03-12T09:00:00.000Z'],
  ])('gives %s', (_name, startedAt, recurrence, cycle, expected) => {
    expect(nextOccurrence(startedAt, recurrence, cycle)).toBe(expected);
  });

  it('does not drift the way chaining would', () => {
    const chained = nextOccurrence(nextOccurrence('2024-02-29T10:00:00Z', 'P1Y', 0)!, 'P1Y', 2);
    expect(chained).toBe('2028-02-28T10:00:00.000Z');
    expect(nextOccurrence('2024-02-29T10:00:00Z', 'P1Y', 3)).toBe('2028-02-29T10:00:00.000Z');
  });

  it('gives nothing for a campaign that does not recur', () => {
    expect(nextOccurrence(ASSIGNED, undefined, 0)).toBeUndefined();
  });

  it.each<[string, string, string, number]>([
    ['a negative cycle', ASSIGNED, 'P1Y', -1],
    ['a fractional cycle', ASSIGNED, 'P1Y', 0.5],
    ['a cycle that is not a number', ASSIGNED, 'P1Y', NaN],
    ['a zero recurrence', ASSIGNED, 'P0D', 0],
    ['a recurrence in words', ASSIGNED, 'yearly', 0],
    ['a start without an offset', '2026-01-31T08:30:00', 'P1M', 0],
  ])('throws a RangeError for %s', (_name, startedAt, recurrence, cycle) => {
    expect(() => nextOccurrence(startedAt, recurrence, cycle)).toThrow(RangeError);
  });
});
