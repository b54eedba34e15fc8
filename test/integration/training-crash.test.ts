import { startTestApi, type TestApi } from '../harness/app';
import { parseMail } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { spawnWorker, type WorkerProcess } from '../harness/worker-process';

/**
 * Crash test for campaign reminders: the worker — its own OS process — is SIGKILLed after the first reminder of a
 * training assignment and before the second falls due. A new worker takes over; every reminder and the manager's
 * escalation reach the real SMTP receiver exactly once, in order.
 */
describe('training reminders with the worker killed mid-campaign', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let officer: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    api = await startTestApi({ smtpUrl: smtp.url });
    officer = (await api.tokenFor('compliance-officer')).token;
  });

  afterAll(async () => {
    await api?.close();
    await smtp?.close();
  });

  const post = (url: string, payload: object) => api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${officer}` }, payload });

  it('sends each reminder and the escalation exactly once across a SIGKILL and a restart', async () => {
    const unique = Date.now().toString(36);
    const staffEmail = `worker.${unique}@staff.example`;
    const managerEmail = `boss.${unique}@staff.example`;
    const manager = (await post('/staff', { name: 'Bo Boss', email: managerEmail, department: 'finance' })).json() as { id: string };
    const wen = await post('/staff', { name: 'Wen Worker', email: staffEmail, department: 'finance', managerId: manager.id });
    expect(wen.statusCode).toBe(201);
    const wenId = (wen.json() as { id: string }).id;
    expect((await post('/training/modules', { moduleId: 'data-protection', title: 'Data protection basics', version: '1', content: { text: 'Personal data is…' } })).statusCode).toBe(201);

    const workerEnv = { SMTP_URL: smtp.url };
    const first = await spawnWorker(api.config, workerEnv);
    let second: WorkerProcess | undefined;
    try {
      // Reminders 10, 20 and 30 s after assignment, due at 60 s: the last reminder is still ahead however slowly the
      // new worker starts (it bundles the workflow code first), so at least two reminders must arrive.
      const started = await post('/training/campaigns', { title: 'Finance 2026', moduleId: 'data-protection', moduleVersion: '1', audience: { departments: ['finance'] }, dueIn: 'PT60S', reminders: { count: 3, spacing: 'PT10S' }, closeAfterDue: 'PT30S' });
      expect(started.statusCode).toBe(202);
      const assignmentId = `${(started.json() as { campaignId: string }).campaignId}.0.${wenId}`;
      const subjects = (to: string) => smtp.messages.filter((m) => m.to.includes(to)).map((m) => parseMail(m.raw, m.to).subject);
      await eventually(async () => (subjects(staffEmail).filter((s) => s.startsWith('Reminder')).length === 1 ? true : undefined), 40_000, 'the first reminder');
      await first.kill('SIGKILL');
      // The second reminder falls due while no worker is alive.
      await new Promise((r) => setTimeout(r, 12_000));
      second = await spawnWorker(api.config, workerEnv);
      await eventually(async () => (subjects(managerEmail).some((s) => s.startsWith('Overdue training: Wen Worker')) ? true : undefined), 150_000, 'the escalation (an activity in flight when the worker died is retried after its timeout)');
      await new Promise((r) => setTimeout(r, 3_000));
      const toStaff = subjects(staffEmail);
      expect(toStaff[0]).toBe('Training assigned: Data protection basics');
      expect(toStaff.filter((s) => s.startsWith('Training assigned'))).toHaveLength(1);
      // A reminder made stale by the outage is skipped, never sent late on top of the next one; none is sent twice.
      const reminders = toStaff.filter((s) => s.startsWith('Reminder'));
      expect(reminders.length).toBeGreaterThanOrEqual(2);
      expect(reminders.length).toBeLessThanOrEqual(3);
      expect(subjects(managerEmail).filter((s) => s.startsWith('Overdue training: Wen Worker'))).toHaveLength(1);
      const keys = (await api.database.db.collection('evidence_events').find({ action: { $in: ['training.reminder', 'training.escalation'] }, 'resource.id': assignmentId }).toArray()).map((e) => e.key as string);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.filter((k) => k.endsWith(':escalation'))).toHaveLength(1);
      expect(keys.length).toBe(reminders.length + 1);
    } finally {
      await first.kill('SIGKILL').catch(() => undefined);
      await second?.kill('SIGTERM');
    }
  }, 300_000);
});
