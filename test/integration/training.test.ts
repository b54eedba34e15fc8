import { startTestApi, type TestApi } from '../harness/app';
import { parseMail, type ParsedMail } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { phishingModule } from '../harness/training-fixture';

/**
 * A training campaign end to end on the real stack: the directory decides the audience, each person's assignment is
 * a workflow that e-mails them, reminds them and escalates to their manager through the real SMTP receiver; the
 * person attests with their own key, a failed quiz is recorded but is not completion, a joiner is enrolled into the
 * running campaign, and a leaver's assignment is withdrawn.
 */
interface Member {
  id: string;
  email: string;
}

let api: TestApi;
let smtp: SmtpReceiver;
let officer: string;
let unique: string;

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: object) =>
  api.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });

async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

const mailsTo = (email: string): ParsedMail[] => smtp.messages.filter((m) => m.to.includes(email)).map((m) => parseMail(m.raw, m.to));

/** A person in the directory, with their own API key when they need to attest. */
async function member(name: string, fields: Record<string, unknown>, withKey = false): Promise<Member & { token?: string }> {
  const email = `${name.toLowerCase().replace(/\W/g, '.')}.${unique}@staff.example`;
  let principalId: string | undefined;
  let token: string | undefined;
  if (withKey) ({ principalId, token } = await api.tokenFor('staff'));
  const created = await ok<Member>(await call('POST', '/staff', officer, { name, email, ...fields, ...(principalId && { principalId }) }), 201);
  return { ...created, ...(token && { token }) };
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  api = await startTestApi({ smtpUrl: smtp.url });
  await api.startWorker();
  officer = (await api.tokenFor('compliance-officer')).token;
  unique = Date.now().toString(36);
  await ok(
    await call('POST', '/training/modules', officer, phishingModule('phishing-awareness', '2026.1')),
    201,
  );
});

afterAll(async () => {
  await api?.close();
  await smtp?.close();
});

describe('a training campaign', () => {
  let manager: Member;
  let employee: Member & { token?: string };
  let campaignId: string;

  it('assigns, reminds twice and then escalates to the manager, in order', async () => {
    manager = await member('Mia Manager', { department: 'sales', jobRoles: ['manager'] });
    employee = await member('Eli Employee', { department: 'sales', jobRoles: ['account-executive'], managerId: manager.id }, true);
    const outsider = await member('Otto Ops', { department: 'operations', jobRoles: [] });
    ({ campaignId } = await ok<{ campaignId: string }>(
      await call('POST', '/training/campaigns', officer, {
        title: 'Security awareness 2026',
        moduleId: 'phishing-awareness',
        moduleVersion: '2026.1',
        audience: { departments: ['sales'] },
        dueIn: 'PT8S',
        reminders: { count: 2, spacing: 'PT3S' },
        closeAfterDue: 'PT40S',
      }),
      202,
    ));
    await eventually(async () => (mailsTo(manager.email).some((m) => m.subject.startsWith('Overdue training')) ? true : undefined), 40_000, 'the manager escalation');
    const toEmployee = mailsTo(employee.email).map((m) => m.subject);
    expect(toEmployee).toEqual(['Training assigned: Spotting phishing', 'Reminder: Spotting phishing is due', 'Reminder: Spotting phishing is due']);
    // The manager's own assignment was escalated to nobody (they have no manager); the employee's reached them.
    const escalations = mailsTo(manager.email).filter((m) => m.subject.startsWith('Overdue training'));
    expect(escalations).toHaveLength(1);
    expect(escalations[0].subject).toBe('Overdue training: Eli Employee — Spotting phishing');
    expect(mailsTo(outsider.email)).toEqual([]);
  });

  it('records a failed quiz as an attempt, not completion, and completes with a passed quiz, as evidence', async () => {
    const assignmentId = `${campaignId}.0.${employee.id}`;
    const someoneElse = await api.tokenFor('staff');
    expect((await call('POST', `/training/assignments/${assignmentId}/attest`, someoneElse.token, { answers: { q1: [1], q2: [0, 2] } })).statusCode).toBe(404);
    const byOfficer = await call('POST', `/training/assignments/${assignmentId}/attest`, officer, { answers: { q1: [1], q2: [0, 2] } });
    expect(byOfficer.statusCode).toBe(422);
    expect(byOfficer.json().detail).toMatch(/only the assignee/);

    const failed = await ok<{ status: string; counted: string; passed: boolean; score: number }>(await call('POST', `/training/assignments/${assignmentId}/attest`, employee.token!, { answers: { q1: [1], q2: [0] } }), 200);
    expect(failed).toMatchObject({ status: 'assigned', counted: 'failed-attempt', passed: false, score: 0.5 });
    const passed = await ok<{ status: string; counted: string; score: number }>(await call('POST', `/training/assignments/${assignmentId}/attest`, employee.token!, { answers: { q1: [1], q2: [2, 0] } }), 200);
    expect(passed).toMatchObject({ status: 'completed', counted: 'completed', score: 1 });
    const again = await call('POST', `/training/assignments/${assignmentId}/attest`, employee.token!, { answers: { q1: [1], q2: [0, 2] } });
    expect([409, 422]).toContain(again.statusCode);

    const trail = await eventually(async () => {
      const { items } = await ok<{ items: { action: string; actor: { id: string }; data: Record<string, unknown> }[] }>(await call('GET', `/evidence?resourceType=training-assignment&resourceId=${assignmentId}`, officer), 200);
      return items.some((e) => e.action === 'training.completed') ? items : undefined;
    });
    expect(trail.map((e) => e.action)).toEqual(['training.reminder', 'training.reminder', 'training.escalation', 'training.attempt-failed', 'training.completed']);
    // The enrolment is recorded once for the batch, naming each person by id.
    const campaignTrail = await ok<{ items: { action: string; data: { staffIds?: string[]; moduleVersion?: string } }[] }>(await call('GET', `/evidence?resourceType=training-campaign&resourceId=${campaignId}`, officer), 200);
    const enrolled = campaignTrail.items.find((e) => e.action === 'training.enrolled')!;
    expect(enrolled.data).toMatchObject({ moduleVersion: '2026.1', staffIds: expect.arrayContaining([employee.id, manager.id]) });
    const completed = trail.find((e) => e.action === 'training.completed')!;
    expect(completed.data).toMatchObject({ moduleId: 'phishing-awareness', moduleVersion: '2026.1', score: 1, passed: true, via: 'attestation' });
    const attemptFailed = trail.find((e) => e.action === 'training.attempt-failed')!;
    expect(attemptFailed.data).toMatchObject({ score: 0.5, passed: false });

    const report = await eventually(async () => {
      const body = await ok<{ total: number; completed: number; byDepartment: { department: string; completed: number }[] }>(await call('GET', `/training/campaigns/${campaignId}/report`, officer), 200);
      return body.completed === 1 ? body : undefined;
    });
    expect(report.total).toBe(2);
    expect(report.byDepartment).toEqual([expect.objectContaining({ department: 'sales', total: 2, completed: 1 })]);
  });

  it('enrols a new joiner into the running campaign, and withdraws a leaver', async () => {
    const joiner = await member('Jo Joiner', { department: 'sales', status: 'joiner', managerId: manager.id }, true);
    await eventually(async () => (mailsTo(joiner.email).some((m) => m.subject === 'Training assigned: Spotting phishing') ? true : undefined), 30_000, 'the joiner\'s assignment');
    const assignmentId = `${campaignId}.0.${joiner.id}`;
    const assignment = await ok<{ staffId: string; status: string; module: { quiz: { questions: Record<string, unknown>[] } } }>(await call('GET', `/training/assignments/${assignmentId}`, joiner.token!), 200);
    expect(assignment).toMatchObject({ staffId: joiner.id, status: 'assigned' });
    // The quiz is shown without its answers.
    expect(assignment.module.quiz.questions.every((q) => !('correct' in q))).toBe(true);

    await ok(await call('PATCH', `/staff/${joiner.id}`, officer, { status: 'leaver', endDate: new Date().toISOString().slice(0, 10) }), 200);
    await eventually(async () => ((await api.stores.training.assignment(assignmentId))?.status === 'withdrawn' ? true : undefined), 20_000, 'the withdrawal');
    const before = mailsTo(joiner.email).length;
    await new Promise((r) => setTimeout(r, 7_000));
    expect(mailsTo(joiner.email)).toHaveLength(before);
  });
});
