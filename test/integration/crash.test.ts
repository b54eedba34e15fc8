import { startTestApi, type TestApi } from '../harness/app';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { spawnWorker } from '../harness/worker-process';

/**
 * Crash test: the worker process is SIGKILLed while an approval waits on its reminder timer. A new worker process
 * picks the workflow up; every e-mail and webhook of the process arrives at the real receivers exactly once.
 */
describe('worker killed mid-process', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
  });

  afterAll(async () => {
    await api.close();
    await Promise.all([smtp.close(), hooks.close()]);
  });

  it('completes after SIGKILL with each side effect exactly once', async () => {
    const admin = (await api.tokenFor('admin')).token;
    const requester = await api.tokenFor('vendor-manager');
    const approver = await api.tokenFor('compliance-officer');
    await api.app.inject({ method: 'POST', url: '/webhook-endpoints', headers: { authorization: `Bearer ${admin}` }, payload: { url: `${hooks.url}/events`, events: ['approval.requested', 'approval.approved'] } });
    const workerEnv = { SMTP_URL: smtp.url };
    const first = await spawnWorker(api.config, workerEnv);

    const created = await api.app.inject({
      method: 'POST',
      url: '/approvals',
      headers: { authorization: `Bearer ${requester.token}` },
      payload: { title: 'Onboard payroll vendor', resource: { type: 'vendor', id: 'ven_payroll' }, approverRole: 'compliance-officer', notify: ['owner@example.org'], remindEverySeconds: 6, maxReminders: 1 },
    });
    expect(created.statusCode).toBe(201);
    const { approvalId } = created.json();
    const mailsFor = (subjectPart: string) => smtp.messages.filter((m) => m.raw.includes(approvalId) && m.raw.includes(subjectPart));
    const hooksOf = (type: string) => hooks.requests.filter((r) => r.body.includes(approvalId) && JSON.parse(r.body).type === type);

    // The request went out; the workflow now sleeps on its durable reminder timer.
    await eventually(async () => (mailsFor('Subject: Approval requested').length === 1 && hooksOf('approval.requested').length === 1 ? true : undefined));
    await first.kill('SIGKILL');
    expect(first.child.signalCode).toBe('SIGKILL');

    // The reminder falls due while no worker is alive; a new worker process must send it.
    await new Promise((r) => setTimeout(r, 7000));
    expect(mailsFor('Subject: Reminder 1')).toHaveLength(0);
    const second = await spawnWorker(api.config, workerEnv);
    try {
      await eventually(async () => (mailsFor('Subject: Reminder 1').length === 1 ? true : undefined), 60_000, 'the reminder after restart');
      const decided = await api.app.inject({
        method: 'POST',
        url: `/approvals/${approvalId}/decision`,
        headers: { authorization: `Bearer ${approver.token}` },
        payload: { decision: 'approve', reason: 'Security review passed' },
      });
      expect(decided.statusCode).toBe(200);
      const result = await api.temporal.workflow.getHandle(`approval-${approvalId}`).result();
      expect(result).toMatchObject({ status: 'approved', remindersSent: 1 });
      await eventually(async () => (hooksOf('approval.approved').length >= 1 && mailsFor('Subject: Approved').length >= 1 ? true : undefined));
      // Let any stray retry land before counting.
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      await second.kill('SIGTERM');
    }

    expect(mailsFor('Subject: Approval requested')).toHaveLength(1);
    expect(mailsFor('Subject: Reminder 1')).toHaveLength(1);
    expect(mailsFor('Subject: Approved')).toHaveLength(1);
    expect(hooksOf('approval.requested')).toHaveLength(1);
    expect(hooksOf('approval.approved')).toHaveLength(1);
    const events = [];
    for await (const e of api.stores.evidence.find({ resourceId: approvalId })) events.push(e.action);
    expect(events).toEqual(['approval.requested', 'approval.reminded', 'approval.approved']);
    expect((await api.stores.evidence.verify()).ok).toBe(true);
  });
});
