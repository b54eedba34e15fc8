import { startTestApi, type TestApi } from '../harness/app';
import { expectInvalid, problemOf } from '../harness/problems';
import { eventually } from '../harness/stack';
import { phishingModule } from '../harness/training-fixture';
import type { StaffMember } from '../../domain/staff';

/**
 * Bad input on the staff directory and training routes: every refusal is an `application/problem+json` answer naming
 * the field (400), or saying why (404, 409, 422), never a 500, and leaves no trace — nobody added to or changed in the
 * directory, no module added, no campaign registered or workflow started, no attempt recorded on an assignment,
 * nothing in the evidence trail. An import is the exception by design: its good rows are saved, and the report lists
 * exactly the bad rows by line and field.
 */
interface Person {
  token: string;
  principalId: string;
}

type Member = StaffMember;

interface ImportReport {
  importId: string;
  rows: number;
  added: number;
  updated: number;
  rejected: number;
  problems: { line: number; field: string; reason: string }[];
}

interface AssignmentView {
  assignmentId: string;
  status: string;
  attempts: unknown[];
}

const QUIZ_MODULE = phishingModule('input-phishing', '1');

describe('staff and training input', () => {
  let api: TestApi;
  let officer: Person;
  let auditor: Person;
  let lms: Person;
  let attester: Person;
  let otherStaff: Person;
  let manager: Member;
  let employee: Member;
  let campaignId: string;
  /** The employee's assignment (their principal attests), and the manager's (completed by the LMS). */
  let attestAssignment: string;
  let lmsAssignment: string;

  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, token = officer.token, headers: Record<string, string> = {}) =>
    api.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload !== undefined && { payload: payload as object }) });
  const post = (url: string, payload?: unknown, token?: string, headers?: Record<string, string>) => send('POST', url, payload, token, headers);
  const get = (url: string, token = officer.token) => send('GET', url, undefined, token);
  const upload = (text: string, contentType: string, token = officer.token) =>
    api.app.inject({ method: 'POST', url: '/staff/import', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: text });

  async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): Promise<T> {
    if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
    return res.json() as T;
  }

  const count = (collection: string, filter: object = {}) => api.database.db.collection(collection).countDocuments(filter);

  /** Workflows of a type on this file's task queue, once visibility lists at least `atLeast` of them. */
  async function workflows(type: string, atLeast: number): Promise<number> {
    const query = `TaskQueue = '${api.config.taskQueue}' AND WorkflowType = '${type}'`;
    return eventually(async () => {
      const { count: listed } = await api.temporal.workflow.count(query);
      return listed >= atLeast ? listed : undefined;
    }, 20_000, `${type} workflows to be listed`);
  }

  /** Everything a refusal must leave as it was. */
  async function everything() {
    const campaigns = (await ok<{ items: { campaignId: string }[] }>(await get('/training/campaigns', auditor.token), 200)).items.map((c) => c.campaignId).sort();
    const assignments = await count('training_assignments');
    return {
      staff: await count('staff'),
      modules: (await ok<{ items: unknown[] }>(await get('/training/modules', auditor.token), 200)).items.length,
      campaigns,
      campaignWorkflows: await workflows('trainingCampaignWorkflow', campaigns.length),
      assignments,
      assignmentWorkflows: await workflows('trainingAssignmentWorkflow', assignments),
      evidence: await count('evidence_events'),
    };
  }

  /** An assignment as its workflow holds it, and as saved. */
  async function assignment(assignmentId: string) {
    const live = await ok<AssignmentView>(await get(`/training/assignments/${assignmentId}`), 200);
    const saved = (await api.stores.training.assignment(assignmentId))!;
    return { live: { status: live.status, attempts: live.attempts }, saved: { status: saved.status, attempts: saved.attempts }, evidence: await count('evidence_events', { 'resource.id': assignmentId }) };
  }

  beforeAll(async () => {
    api = await startTestApi();
    await api.startWorker();
    [officer, auditor, lms, attester, otherStaff] = await Promise.all([api.tokenFor('compliance-officer'), api.tokenFor('auditor'), api.tokenFor('system'), api.tokenFor('staff'), api.tokenFor('staff')]);
    await ok(await post('/training/modules', QUIZ_MODULE), 201);
    manager = await ok<Member>(await post('/staff', { name: 'Mia Manager', email: 'mia@staff.example', department: 'input-sales', jobRoles: ['lead'] }), 201);
    employee = await ok<Member>(await post('/staff', { name: 'Eli Employee', email: 'eli@staff.example', department: 'input-sales', jobRoles: ['rep'], managerId: manager.id, principalId: attester.principalId }), 201);
    // No reminders and no e-mail: the assignments wait quietly for a week, until the file ends them.
    ({ campaignId } = await ok<{ campaignId: string }>(
      await post('/training/campaigns', { title: 'Input campaign', moduleId: QUIZ_MODULE.moduleId, moduleVersion: '1', audience: { departments: ['input-sales'] }, dueIn: 'P7D', reminders: { count: 0, spacing: 'P1D' }, notifications: 'none' }),
      202,
    ));
    attestAssignment = `${campaignId}.0.${employee.id}`;
    lmsAssignment = `${campaignId}.0.${manager.id}`;
    // Assigned, saved and the enrolment in the evidence trail: nothing is still being written when the refusals start.
    await eventually(
      async () => {
        const saved = await Promise.all([attestAssignment, lmsAssignment].map((id) => api.stores.training.assignment(id)));
        const enrolled = await count('evidence_events', { 'resource.id': campaignId, action: 'training.enrolled' });
        return saved.every(Boolean) && enrolled === 1 ? true : undefined;
      },
      60_000,
      'the assignments to be made',
    );
    await eventually(async () => ((await count('evidence_events', { 'resource.id': campaignId, action: 'training.cycle-started' })) === 1 ? true : undefined), 30_000, 'the campaign to start');
  });

  afterAll(async () => {
    if (api) {
      // Assignments due in a week live in the shared Temporal server: end what this file left running.
      const running: string[] = [];
      for await (const wf of api.temporal.workflow.list({ query: `TaskQueue = '${api.config.taskQueue}' AND ExecutionStatus = 'Running'` })) running.push(wf.workflowId);
      await Promise.all(running.map((id) => api.temporal.workflow.getHandle(id).terminate('test finished').catch(() => undefined)));
    }
    await api?.close();
  });

  describe('the staff directory', () => {
    const valid = { name: 'Nia Newcomer', email: 'nia@staff.example', department: 'input-sales', jobRoles: ['rep'] };
    const add = (over: Record<string, unknown>, omit: string[] = []) => post('/staff', Object.fromEntries(Object.entries({ ...valid, ...over }).filter(([k]) => !omit.includes(k))));

    it('refuses a bad new member by field name, and adds nobody', async () => {
      const before = await everything();

      // Unknown fields; `$`-keys and dotted keys, at any depth.
      expectInvalid(await add({ nickname: 'Nia' }), 'body.nickname', /not a known field/);
      expectInvalid(await add({ id: 'stf_chosenbyme00' }), 'body.id', /not a known field/);
      expectInvalid(await add({ $set: { status: 'leaver' } }), 'body.$set', /\$/);
      expectInvalid(await add({ 'manager.id': manager.id }), 'body.manager.id');
      expectInvalid(await add({ jobRoles: [{ $gt: '' }] }), 'body.jobRoles[0].$gt');
      // Wrong types and missing fields.
      expectInvalid(await add({ name: 42 }), 'body.name');
      expectInvalid(await add({ email: ['nia@staff.example'] }), 'body.email');
      expectInvalid(await add({ department: null }), 'body.department');
      expectInvalid(await add({ jobRoles: 'rep' }), 'body.jobRoles');
      expectInvalid(await add({ jobRoles: ['rep', 7] }), 'body.jobRoles[1]');
      expectInvalid(await add({ status: 'retired' }), 'body.status');
      expectInvalid(await add({}, ['name']), 'body.name', /required/);
      expectInvalid(await add({}, ['department']), 'body.department', /required/);
      // E-mail addresses and slugs.
      expectInvalid(await add({ email: 'not-an-email' }), 'body.email', /not a valid e-mail address/);
      expectInvalid(await add({ email: 'nia@' }), 'body.email', /not a valid e-mail address/);
      expectInvalid(await add({ department: 'Sales Team' }), 'body.department', /slug/);
      expectInvalid(await add({ department: '-sales' }), 'body.department', /slug/);
      expectInvalid(await add({ jobRoles: ['rep', 'Team Lead!'] }), 'body.jobRoles[1]', /slug/);
      // Dates.
      expectInvalid(await add({ startDate: '2026-02-30' }), 'body.startDate');
      expectInvalid(await add({ startDate: '01/02/2026' }), 'body.startDate');
      expectInvalid(await add({ endDate: '2026-01-01T00:00:00Z' }), 'body.endDate');
      expectInvalid(await add({ startDate: '2026-05-01', endDate: '2026-04-30' }), 'body.endDate', /not be before startDate/);
      expectInvalid(await add({ status: 'leaver' }), 'body.endDate', /required for a leaver/);
      // The manager and the principal must exist.
      expectInvalid(await add({ managerId: 'stf_doesnotexist000' }), 'body.managerId', /another member of the directory/);
      expectInvalid(await add({ managerId: 'not an id!' }), 'body.managerId');
      expectInvalid(await add({ principalId: 'prn_nobody' }), 'body.principalId', /principal prn_nobody does not exist/);
      expectInvalid(await add({ externalId: 'has spaces' }), 'body.externalId');
      // Every problem at once.
      const many = problemOf(await add({ email: 'nia-at-staff.example', department: 'Bad Dept', managerId: 'stf_doesnotexist000', principalId: 'prn_nobody' }), 400);
      expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.department', 'body.email', 'body.managerId', 'body.principalId']);

      expect(await everything()).toEqual(before);
    });

    it('refuses a bad change by field name, a manager who is the member themselves or missing, and changes nothing', async () => {
      const view = async () => ok<Member>(await get(`/staff/${employee.id}`), 200);
      const before = { ...(await everything()), member: await view(), assignment: await assignment(attestAssignment) };
      const change = (body: unknown, staffId = employee.id) => send('PATCH', `/staff/${staffId}`, body);

      expectInvalid(await change({ managerId: employee.id }), 'body.managerId', /another member of the directory/);
      expectInvalid(await change({ managerId: 'stf_doesnotexist000' }), 'body.managerId', /another member of the directory/);
      expectInvalid(await change({ managerId: 'not an id!' }), 'body.managerId');
      expectInvalid(await change({}), 'body');
      expectInvalid(await change({ nickname: 'E' }), 'body.nickname', /not a known field/);
      expectInvalid(await change({ $unset: { managerId: '' } }), 'body.$unset');
      expectInvalid(await change({ 'status.now': 'leaver' }), 'body.status.now');
      expectInvalid(await change({ email: 'eli-at-staff.example' }), 'body.email', /not a valid e-mail address/);
      expectInvalid(await change({ department: 'Not A Slug' }), 'body.department', /slug/);
      expectInvalid(await change({ jobRoles: 'rep' }), 'body.jobRoles');
      expectInvalid(await change({ name: '' }), 'body.name');
      expectInvalid(await change({ startDate: 'yesterday' }), 'body.startDate');
      expectInvalid(await change({ startDate: '2024-05-01', endDate: '2024-04-01' }), 'body.endDate', /not be before startDate/);
      // A leaver needs an end date: refused, the open assignment stays open.
      expectInvalid(await change({ status: 'leaver' }), 'body.endDate', /required for a leaver/);
      expectInvalid(await change({ status: 'gone', endDate: '2026-01-01' }), 'body.status');
      expectInvalid(await change({ principalId: 'prn_nobody' }), 'body.principalId', /does not exist/);
      expectInvalid(await change({ jobRoles: ['rep'] }, 'not-a-member'), 'params.staffId');
      expect(problemOf(await change({ jobRoles: ['rep'] }, 'stf_doesnotexist000'), 404).detail).toMatch(/Staff member stf_doesnotexist000 does not exist/);

      expect({ ...(await everything()), member: await view(), assignment: await assignment(attestAssignment) }).toEqual(before);
    });

    it('keeps the job roles of a member when a change leaves them out', async () => {
      // Regression: the schema's default used to fill in `jobRoles: []`, so `{}` passed and any change cleared them.
      const changed = await ok<Member>(await send('PATCH', `/staff/${manager.id}`, { startDate: '2024-01-01' }), 200);
      expect(changed).toMatchObject({ jobRoles: ['lead'], startDate: '2024-01-01' });
    });

    it('refuses bad ids, filters and cursors by name', async () => {
      expectInvalid(await get('/staff?limit=0'), 'querystring.limit');
      expectInvalid(await get('/staff?limit=many'), 'querystring.limit');
      expectInvalid(await get('/staff?status=retired'), 'querystring.status');
      expectInvalid(await get(`/staff?after=${encodeURIComponent('a b')}`), 'querystring.after');
      expectInvalid(await get('/staff?team=sales'), 'querystring.team', /not a known field/);
      expectInvalid(await get('/staff?$where=1'), 'querystring.$where');
      expectInvalid(await get('/staff/not-a-member'), 'params.staffId');
      expect(problemOf(await get('/staff/stf_doesnotexist000'), 404).detail).toMatch(/does not exist/);
    });
  });

  describe('importing the directory', () => {
    const csv = [
      'externalId,name,email,department,jobRoles,managerExternalId,status,startDate,endDate',
      'hr-ann,Ann Good,ann@hr.example,input-hr,rep;lead,,active,2024-01-15,',
      'hr-bob,Bob Bademail,not-an-email,input-hr,,,,,',
      'hr-cat,Cat Good,cat@hr.example,Input-HR,Rep|rep,hr-ann,,,',
      'hr-dan,Dan Baddept,dan@hr.example,input hr,,,,,',
      ',Nobody Noid,noid@hr.example,input-hr,,,,,',
      'hr-eve,Eve Baddate,eve@hr.example,input-hr,,,,2024-02-30,',
      'hr-fay,Fay Nomanager,fay@hr.example,input-hr,,hr-nobody,,,',
      'hr-gus,Gus Selfmanaged,gus@hr.example,input-hr,,hr-gus,,,',
      'hr-hal,Hal Leaver,hal@hr.example,input-hr,,,leaver,,',
      'hr-ivy,Ivy Badrole,ivy@hr.example,input-hr,Team Lead,,,,',
      'hr-jon,Jon Backwards,jon@hr.example,input-hr,,,,2024-05-01,2024-04-01',
      'hr-kim,Kim Short,kim@hr.example',
      '',
    ].join('\n');
    const badCsvRows = [
      [3, 'email'],
      [5, 'department'],
      [6, 'externalId'],
      [7, 'startDate'],
      [8, 'managerExternalId'],
      [9, 'managerExternalId'],
      [10, 'endDate'],
      [11, 'jobRoles'],
      [12, 'endDate'],
      [13, 'row'],
    ];

    it('saves the good rows of a CSV file and reports exactly the bad ones by line and field; the same file again adds nobody', async () => {
      const staffBefore = await count('staff');
      const first = await ok<ImportReport>(await upload(csv, 'text/csv'), 200);
      expect(first.problems.map((p) => [p.line, p.field])).toEqual(badCsvRows);
      expect(first).toMatchObject({ rows: 12, added: 2, updated: 0, rejected: 10 });
      expect(first.problems.find((p) => p.line === 8)!.reason).toMatch(/no member with externalId hr-nobody/);
      expect(first.problems.find((p) => p.line === 9)!.reason).toMatch(/must not be the member themselves/);
      expect(first.problems.find((p) => p.line === 10)!.reason).toMatch(/required for a leaver/);
      expect(await count('staff')).toBe(staffBefore + 2);
      // Normalised, and linked to the manager who came earlier in the file.
      const { items } = await ok<{ items: Member[] }>(await get('/staff?department=input-hr&limit=500', auditor.token), 200);
      expect(items.map((m) => m.externalId).sort()).toEqual(['hr-ann', 'hr-cat']);
      const ann = items.find((m) => m.externalId === 'hr-ann')!;
      expect(items.find((m) => m.externalId === 'hr-cat')).toMatchObject({ department: 'input-hr', jobRoles: ['rep'], managerId: ann.id, email: 'cat@hr.example' });

      const again = await ok<ImportReport>(await upload(csv, 'text/csv'), 200);
      expect(again).toEqual({ ...first, added: 0, updated: 2 });
      expect(await count('staff')).toBe(staffBefore + 2);
      const after = await ok<{ items: Member[] }>(await get('/staff?department=input-hr&limit=500', auditor.token), 200);
      expect(after.items).toEqual(items);
    });

    it('reports bad JSON Lines rows — `$`-keys, unknown fields, wrong types, lines that are no object — and saves the rest', async () => {
      const lines = [
        JSON.stringify({ externalId: 'jl-lea', name: 'Lea Good', email: 'lea@hr.example', department: 'input-jsonl', jobRoles: ['rep', 'Rep'] }),
        JSON.stringify({ externalId: 'jl-max', name: 'Max Dollar', email: 'max@hr.example', department: 'input-jsonl', $where: 'sleep(100)' }),
        JSON.stringify({ externalId: 'jl-ned', name: 'Ned Dotted', email: 'ned@hr.example', department: 'input-jsonl', 'manager.id': 'x' }),
        'this is not JSON',
        '',
        JSON.stringify({ externalId: 'jl-ola', name: 'Ola Unknown', email: 'ola@hr.example', department: 'input-jsonl', nickname: 'O' }),
        JSON.stringify({ externalId: 'jl-pia', name: 42, email: 'pia@hr.example', department: 'input-jsonl' }),
        JSON.stringify(['jl-array']),
        JSON.stringify({ externalId: 'jl-quin', name: 'Quin Roles', email: 'quin@hr.example', department: 'input-jsonl', jobRoles: 'ops|Bad Role' }),
        JSON.stringify({ externalId: 'jl-rex', name: 'Rex Month', email: 'rex@hr.example', department: 'input-jsonl', startDate: '2024-13-01' }),
        JSON.stringify({ externalId: 7, name: 'Sam Number', email: 'sam@hr.example', department: 'input-jsonl' }),
      ].join('\n');
      const staffBefore = await count('staff');
      const report = await ok<ImportReport>(await upload(lines, 'application/x-ndjson'), 200);
      expect(report.problems.map((p) => [p.line, p.field])).toEqual([
        [2, 'row'],
        [3, 'row'],
        [4, 'row'],
        [6, 'nickname'],
        [7, 'name'],
        [8, 'row'],
        [9, 'jobRoles'],
        [10, 'startDate'],
        [11, 'externalId'],
      ]);
      expect(report).toMatchObject({ rows: 10, added: 1, updated: 0, rejected: 9 });
      expect(report.problems[0].reason).toMatch(/must not start with "\$"/);
      expect(await count('staff')).toBe(staffBefore + 1);
      expect((await ok<ImportReport>(await upload(lines, 'application/x-ndjson'), 200)).added).toBe(0);
      expect(await count('staff')).toBe(staffBefore + 1);
    });

    it('refuses a body that is no import file, and adds nobody', async () => {
      const before = await everything();
      expectInvalid(await upload('', 'text/csv'), 'body');
      // A file that is no CSV at all is refused whole, naming the line.
      expect(problemOf(await upload('externalId,name\n"hr-x,Unclosed\n', 'text/csv'), 400).errors).toEqual([{ field: 'body.line[2]', message: 'a quoted field is not closed' }]);
      expect(problemOf(await upload('externalId,name\nhr-x,Mid"quote\n', 'text/csv'), 400).errors).toEqual([{ field: 'body.line[2]', message: 'a quote in the middle of an unquoted field' }]);
      expectInvalid(await upload(JSON.stringify({ rows: [] }), 'application/json'), 'body');
      expectInvalid(await upload(JSON.stringify({ $where: '1' }), 'application/json'), 'body.$where');
      expect(problemOf(await upload('externalId\nhr-x\n', 'text/plain'), 415).errors).toEqual([expect.objectContaining({ field: 'headers.content-type' })]);
      expect(await everything()).toEqual(before);
    });
  });

  describe('modules', () => {
    const base = { moduleId: 'input-new', title: 'A new module', version: '1', content: { text: 'Read this.' } };
    const question = (over: Record<string, unknown> = {}) => ({ id: 'q1', text: 'Which?', options: ['This', 'That'], correct: [0], ...over });
    const addModule = (over: Record<string, unknown>) => post('/training/modules', { ...base, ...over });

    it('refuses a bad module or quiz by field name, and adds nothing', async () => {
      const before = await everything();
      // Unknown fields and `$`-keys, at every level.
      expectInvalid(await addModule({ author: 'me' }), 'body.author', /not a known field/);
      expectInvalid(await addModule({ content: { text: 'Read.', video: 'x' } }), 'body.content.video', /not a known field/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question()], shuffle: true } }), 'body.quiz.shuffle', /not a known field/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ hint: 'the first' })] } }), 'body.quiz.questions[0].hint', /not a known field/);
      expectInvalid(await addModule({ $set: { version: '2' } }), 'body.$set');
      expectInvalid(await addModule({ content: { text: 'Read.', $where: '1' } }), 'body.content.$where');
      // Wrong types.
      expectInvalid(await addModule({ title: 42 }), 'body.title');
      expectInvalid(await addModule({ version: 1 }), 'body.version');
      expectInvalid(await addModule({ content: 'Read this.' }), 'body.content');
      expectInvalid(await addModule({ quiz: { passMark: '1', questions: [question()] } }), 'body.quiz.passMark');
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: 'q1' } }), 'body.quiz.questions');
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ correct: 1 })] } }), 'body.quiz.questions[0].correct');
      // Ids, content and pass marks.
      expectInvalid(await addModule({ moduleId: 'Bad Module' }), 'body.moduleId');
      expectInvalid(await addModule({ moduleId: 'x' }), 'body.moduleId');
      expectInvalid(await addModule({ content: {} }), 'body.content', /needs a url or a text/);
      expectInvalid(await addModule({ content: { text: '   ' } }), 'body.content', /needs a url or a text/);
      expectInvalid(await addModule({ content: { url: 'ftp://files.example/module' } }), 'body.content.url', /http/);
      expectInvalid(await addModule({ content: { url: 'not a url' } }), 'body.content.url');
      expectInvalid(await addModule({ quiz: { passMark: 0, questions: [question()] } }), 'body.quiz.passMark');
      expectInvalid(await addModule({ quiz: { passMark: 1.5, questions: [question()] } }), 'body.quiz.passMark');
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [] } }), 'body.quiz.questions');
      // Quizzes that cannot be scored.
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ correct: [2] })] } }), 'body.quiz.questions[0].correct', /2 is not an option \(0 to 1\)/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question(), question({ id: 'q2', options: ['A', 'B', 'C'], correct: [0, 3] })] } }), 'body.quiz.questions[1].correct', /3 is not an option/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ correct: [1, 1] })] } }), 'body.quiz.questions[0].correct', /listed twice/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ correct: [] })] } }), 'body.quiz.questions[0].correct');
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question(), question()] } }), 'body.quiz.questions[1].id', /repeats question id q1/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ options: ['Only'] })] } }), 'body.quiz.questions[0].options');
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ options: ['This', '   '] })] } }), 'body.quiz.questions[0].options[1]', /blank/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ text: '  ' })] } }), 'body.quiz.questions[0].text', /required/);
      expectInvalid(await addModule({ quiz: { passMark: 1, questions: [question({ id: 'q 1' })] } }), 'body.quiz.questions[0].id');
      // Versions never change.
      expect(problemOf(await post('/training/modules', { ...QUIZ_MODULE, title: 'Rewritten' }), 409).detail).toMatch(/versions never change/);

      expect(await everything()).toEqual(before);
    });
  });

  describe('campaigns', () => {
    const base = { title: 'Another campaign', moduleId: QUIZ_MODULE.moduleId, moduleVersion: '1', audience: { departments: ['input-sales'] }, dueIn: 'P7D', reminders: { count: 2, spacing: 'P1D' }, notifications: 'none' };
    const start = (over: Record<string, unknown>, headers?: Record<string, string>) => post('/training/campaigns', { ...base, ...over }, officer.token, headers);
    const reminders = (over: Record<string, unknown>) => start({ reminders: { ...base.reminders, ...over } });

    it('refuses a bad campaign by field name, and starts nothing', async () => {
      const before = await everything();
      // A module version that does not exist.
      expectInvalid(await start({ moduleVersion: '9' }), 'body.moduleVersion', /module input-phishing has no version 9/);
      expectInvalid(await start({ moduleId: 'input-missing' }), 'body.moduleVersion', /has no version 1/);
      expectInvalid(await start({ moduleId: 'Not A Module' }), 'body.moduleId');
      // Reminder policies.
      expectInvalid(await reminders({ count: 11 }), 'body.reminders.count');
      expectInvalid(await reminders({ count: -1 }), 'body.reminders.count');
      expectInvalid(await reminders({ count: 1.5 }), 'body.reminders.count');
      expectInvalid(await reminders({ count: '2' }), 'body.reminders.count');
      expectInvalid(await reminders({ spacing: 'weekly' }), 'body.reminders.spacing');
      expectInvalid(await reminders({ spacing: 'P1X' }), 'body.reminders.spacing', /positive ISO 8601 duration/);
      expectInvalid(await reminders({ spacing: 'PT0S' }), 'body.reminders.spacing', /positive ISO 8601 duration/);
      expectInvalid(await reminders({ firstAfter: 'Psoon' }), 'body.reminders.firstAfter', /positive ISO 8601 duration/);
      expectInvalid(await reminders({ escalateAfterDue: 'P-1D' }), 'body.reminders.escalateAfterDue', /zero \(PT0S\) or more/);
      expectInvalid(await reminders({ every: 'P1D' }), 'body.reminders.every', /not a known field/);
      expectInvalid(await start({ reminders: undefined }), 'body.reminders', /required/);
      // Durations.
      expectInvalid(await start({ dueIn: 'seven days' }), 'body.dueIn');
      expectInvalid(await start({ dueIn: 'P0D' }), 'body.dueIn', /positive ISO 8601 duration/);
      expectInvalid(await start({ dueIn: 'P6Y' }), 'body.dueIn', /at most 5 years/);
      expectInvalid(await start({ closeAfterDue: 'Pnever' }), 'body.closeAfterDue', /positive ISO 8601 duration/);
      expectInvalid(await start({ recurrence: 'P0Y' }), 'body.recurrence', /positive ISO 8601 duration/);
      // Audiences, unknown fields, `$`-keys and wrong types.
      expectInvalid(await start({ audience: { teams: ['sales'] } }), 'body.audience.teams', /not a known field/);
      expectInvalid(await start({ audience: { departments: 'input-sales' } }), 'body.audience.departments');
      expectInvalid(await start({ audience: { $or: [{ departments: ['input-sales'] }] } }), 'body.audience.$or');
      expectInvalid(await start({ owner: officer.principalId }), 'body.owner', /not a known field/);
      expectInvalid(await start({ $where: 'sleep(1000)' }), 'body.$where');
      expectInvalid(await start({ 'reminders.count': 3 }), 'body.reminders.count');
      expectInvalid(await start({ title: '' }), 'body.title');
      expectInvalid(await start({ title: 7 }), 'body.title');
      expectInvalid(await start({ notifications: 'sms' }), 'body.notifications');
      expectInvalid(await start({}, { 'idempotency-key': 'short' }), 'headers.idempotency-key');
      // Every problem the schema cannot see, at once.
      const many = problemOf(await start({ dueIn: 'P0D', reminders: { count: 2, spacing: 'P1X', firstAfter: 'P0D' } }), 400);
      expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.dueIn', 'body.reminders.firstAfter', 'body.reminders.spacing']);

      expect(await everything()).toEqual(before);
    });

    it('refuses bad campaign ids and report options by name', async () => {
      expectInvalid(await get('/training/campaigns/not-a-campaign'), 'params.campaignId');
      expect(problemOf(await get('/training/campaigns/trc_doesnotexist0'), 404).detail).toMatch(/Training campaign trc_doesnotexist0 does not exist/);
      problemOf(await get('/training/campaigns/trc_doesnotexist0/report'), 404);
      expectInvalid(await get(`/training/campaigns/${campaignId}/report?format=xml`), 'querystring.format');
      expectInvalid(await get(`/training/campaigns/${campaignId}/report?cycle=-1`), 'querystring.cycle');
      expectInvalid(await get(`/training/campaigns/${campaignId}/report?cycle=first`), 'querystring.cycle');
      expectInvalid(await get(`/training/campaigns/${campaignId}/report?department=sales`), 'querystring.department', /not a known field/);
    });
  });

  describe('attempts', () => {
    const attest = (body: unknown, assignmentId = attestAssignment, token = attester.token) => post(`/training/assignments/${assignmentId}/attest`, body, token);
    const report = (body: Record<string, unknown>) => post('/training/lms-completions', { assignmentId: lmsAssignment, ...body }, lms.token);
    const right = { q1: [1], q2: [0, 2] };

    it('refuses bad quiz answers by field name, answers that cannot be scored with 422, and records no attempt', async () => {
      const before = { everything: await everything(), assignment: await assignment(attestAssignment) };
      expect(before.assignment.live).toEqual({ status: 'assigned', attempts: [] });

      expectInvalid(await attest({ answers: right, note: 'done' }), 'body.note', /not a known field/);
      expectInvalid(await attest({ answers: { ...right, $gt: [] } }), 'body.answers.$gt');
      expectInvalid(await attest({ answers: { 'q1.x': [1] } }), 'body.answers.q1.x');
      expectInvalid(await attest({ answers: [[1], [0, 2]] }), 'body.answers');
      expectInvalid(await attest({ answers: { ...right, q1: 'Report it' } }), 'body.answers.q1');
      expectInvalid(await attest({ answers: { ...right, q1: ['1'] } }), 'body.answers.q1[0]');
      expectInvalid(await attest({ answers: { ...right, q1: [10] } }), 'body.answers.q1[0]');
      // Answers the module's quiz cannot score: refused, not recorded as a failed attempt.
      expect(problemOf(await attest({ answers: { ...right, 'not a question!': [0] } }), 422).detail).toMatch(/answers\.not a question! is not a question of this module/);
      expect(problemOf(await attest({ answers: { ...right, q9: [0] } }), 422).detail).toMatch(/answers\.q9 is not a question of this module/);
      expect(problemOf(await attest({ answers: { q1: [1], q2: [0, 2, 2] } }), 422).detail).toMatch(/answers\.q2 2 is listed twice/);
      expect(problemOf(await attest({ answers: { q1: [5], q2: [0, 2] } }), 422).detail).toMatch(/answers\.q1 5 is not an option/);
      expect(problemOf(await attest({}), 422).detail).toMatch(/a quiz result is required/);
      // Someone else's assignment is as good as missing; ids must be assignment ids.
      problemOf(await attest({ answers: right }, attestAssignment, otherStaff.token), 404);
      problemOf(await attest({ answers: right }, `${campaignId}.0.stf_doesnotexist000`), 404);
      expectInvalid(await attest({ answers: right }, 'not-an-assignment'), 'params.assignmentId');
      expectInvalid(await get(`/training/assignments/${campaignId}`), 'params.assignmentId');
      problemOf(await get(`/training/assignments/${attestAssignment}`, otherStaff.token), 404);

      expect({ everything: await everything(), assignment: await assignment(attestAssignment) }).toEqual(before);
    });

    it('refuses an LMS completion with a score but no passed (or the other way round) by field name, and records nothing', async () => {
      const before = { everything: await everything(), assignment: await assignment(lmsAssignment) };
      expect(before.assignment.live).toEqual({ status: 'assigned', attempts: [] });

      expectInvalid(await report({ score: 0.9 }), 'body.passed', /score and passed go together/);
      expectInvalid(await report({ passed: true }), 'body.score', /score and passed go together/);
      expectInvalid(await report({ score: 1.5, passed: true }), 'body.score');
      expectInvalid(await report({ score: -0.1, passed: false }), 'body.score');
      expectInvalid(await report({ score: '0.9', passed: true }), 'body.score');
      expectInvalid(await report({ score: 0.9, passed: 'yes' }), 'body.passed');
      expectInvalid(await report({ score: 0.9, passed: true, by: lms.principalId }), 'body.by', /not a known field/);
      expectInvalid(await report({ score: 0.9, passed: true, $set: { status: 'completed' } }), 'body.$set');
      expectInvalid(await report({ assignmentId: 'not-an-assignment' }), 'body.assignmentId');
      expectInvalid(await post('/training/lms-completions', { score: 1, passed: true }, lms.token), 'body.assignmentId', /required/);
      expect(problemOf(await report({ assignmentId: `${campaignId}.0.stf_doesnotexist000`, score: 1, passed: true }), 404).detail).toMatch(/does not exist/);
      // The module has a quiz: the LMS must say how it went.
      expect(problemOf(await report({}), 422).detail).toMatch(/a quiz result is required/);

      expect({ everything: await everything(), assignment: await assignment(lmsAssignment) }).toEqual(before);
    });
  });
});
