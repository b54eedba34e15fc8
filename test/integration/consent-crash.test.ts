import { lifecycleWorkflowId } from '../../domain/consent-lifecycle';
import type { LifecycleView } from '../../workflows/consent';
import { startTestApi, type TestApi } from '../harness/app';
import { parseMail } from '../harness/mail';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { spawnWorker } from '../harness/worker-process';

/**
 * Crash test for the consent lifecycle: the worker runs as its own OS process and is SIGKILLed in the reminder phase,
 * after the first reminder went out and before the second falls due. A new worker process takes over; the renewal
 * request and both reminders each arrive at the real SMTP receiver exactly once, and the consent still expires on time.
 */
describe('consent lifecycle with the worker killed in the reminder phase', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([smtp?.close(), hooks?.close()]);
  });

  it('sends each reminder exactly once across a SIGKILL and a restart', async () => {
    const officer = (await api.tokenFor('compliance-officer')).token;
    const admin = (await api.tokenFor('admin')).token;
    const system = (await api.tokenFor('system')).token;
    const post = (token: string, url: string, payload: object) => api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });

    // Renewal request at +6 s, reminders at +11 s and +16 s, expiry at +36 s: room for a restart between them.
    const policy = { jurisdiction: 'default', validFor: 'PT36S', renewBefore: 'PT30S', reminders: { count: 2, every: 'PT5S' } };
    expect((await post(officer, '/purposes', { id: 'order-news', name: 'Order news', description: 'News about your orders', lawfulBasis: 'consent', channels: ['email'], policies: [policy] })).statusCode).toBe(201);
    expect((await post(officer, '/purposes/order-news/notices', { text: 'We e-mail you news about your orders.' })).statusCode).toBe(201);
    expect((await post(admin, '/webhook-endpoints', { url: `${hooks.url}/crm`, events: ['consent.expired'], purposeIds: ['order-news'] })).statusCode).toBe(201);
    // A consent whose renewal window and expiry both fall inside the outage.
    const short = { jurisdiction: 'default', validFor: 'PT8S', renewBefore: 'PT4S', reminders: { count: 1, every: 'PT2S' } };
    expect((await post(officer, '/purposes', { id: 'flash-sale', name: 'Flash sale', description: 'Flash sales', lawfulBasis: 'consent', channels: ['email'], policies: [short] })).statusCode).toBe(201);
    expect((await post(officer, '/purposes/flash-sale/notices', { text: 'We e-mail you about flash sales.' })).statusCode).toBe(201);
    const subject = await post(officer, '/subjects', { name: 'Kim Crash', email: 'kim.crash@example.org', country: 'NL' });
    expect(subject.statusCode).toBe(201);
    const subjectId = subject.json().id as string;
    const lou = (await post(officer, '/subjects', { name: 'Lou Outage', email: 'lou.outage@example.org', country: 'NL' })).json().id as string;
    const evidenceOf = async (resourceId: string) => {
      const actions = [];
      for await (const e of api.stores.evidence.find({ resourceId })) actions.push(e.action);
      return actions;
    };

    const workerEnv = { SMTP_URL: smtp.url };
    const first = await spawnWorker(api.config, workerEnv);
    let second: Awaited<ReturnType<typeof spawnWorker>> | undefined;
    try {
      const granted = await post(system, '/consents/grants', { subjectId, purposeId: 'order-news', method: 'api' });
      expect(granted.statusCode).toBe(201);
      const schedule = granted.json().state.schedule as { expiresAt: string; renewalAt: string; reminderAts: string[] };
      expect(schedule.reminderAts).toHaveLength(2);

      const mails = () => smtp.messages.filter((m) => m.to.includes('kim.crash@example.org')).map((m) => parseMail(m.raw, m.to));
      const subjects = ['Do you still want: Order news?', 'Reminder 1: your consent to Order news ends soon', 'Reminder 2: your consent to Order news ends soon'];
      const count = (s: string) => mails().filter((m) => m.subject === s).length;

      // In the reminder phase: the renewal request and the first reminder are out, and no activity is in flight.
      await eventually(async () => (count(subjects[1]) === 1 ? true : undefined), 30_000, 'reminder 1');
      const handle = api.temporal.workflow.getHandle(lifecycleWorkflowId(subjectId, 'order-news'));
      const louGrant = await post(system, '/consents/grants', { subjectId: lou, purposeId: 'flash-sale', method: 'api' });
      const louExpiry = Date.parse(louGrant.json().state.schedule.expiresAt);
      const louHandle = api.temporal.workflow.getHandle(lifecycleWorkflowId(lou, 'flash-sale'));
      await eventually(async () => ((await evidenceOf(`${lou}:flash-sale`)).includes('consent.granted') ? true : undefined), 10_000, "Lou's grant on record");
      for (const h of [handle, louHandle]) await eventually(async () => ((await h.describe()).raw.pendingActivities?.length ? undefined : true), 10_000, 'activities to complete');
      await first.kill('SIGKILL');
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(Date.now()).toBeLessThan(Date.parse(louGrant.json().state.schedule.renewalAt));

      // Reminder 2, and the whole of Lou's renewal window and expiry, fall due while no worker is alive.
      await new Promise((r) => setTimeout(r, Math.max(0, Math.max(Date.parse(schedule.reminderAts[1]), louExpiry) - Date.now()) + 1000));
      expect(count(subjects[2])).toBe(0);
      second = await spawnWorker(api.config, workerEnv);
      await eventually(async () => (count(subjects[2]) === 1 ? true : undefined), 30_000, 'reminder 2 after the restart');
      // Lou's consent simply expires: nobody is asked to renew something that already ended.
      expect(((await louHandle.result()) as LifecycleView).state?.status).toBe('expired');
      expect(await evidenceOf(`${lou}:flash-sale`)).toEqual(['consent.granted', 'consent.expired']);
      expect(smtp.messages.filter((m) => m.to.includes('lou.outage@example.org'))).toEqual([]);

      // The lifecycle carries on to the expiry, which the subscriber hears of once.
      const result = (await handle.result()) as LifecycleView;
      expect(result.state?.status).toBe('expired');
      await eventually(async () => (hooks.requests.some((r) => JSON.parse(r.body).type === 'consent.expired') ? true : undefined), 10_000, 'consent.expired webhook');
      // Let any stray retry land before counting.
      await new Promise((r) => setTimeout(r, 1500));

      expect(mails().map((m) => m.subject)).toEqual(subjects);
      for (const s of subjects) expect(count(s)).toBe(1);
      expect(new Set(mails().map((m) => m.messageId)).size).toBe(3);
      // The subscriber of order-news hears of Kim's expiry once, and nothing of the flash sale.
      expect(hooks.requests.filter((r) => JSON.parse(r.body).type === 'consent.expired')).toHaveLength(1);
      expect(JSON.parse(hooks.requests[0].body).data).toMatchObject({ subjectId, purposeId: 'order-news', status: 'expired' });
      expect(await evidenceOf(`${subjectId}:order-news`)).toEqual(['consent.granted', 'consent.renewal-sent', 'consent.reminder-sent', 'consent.reminder-sent', 'consent.expired']);
      expect((await api.stores.evidence.verify()).ok).toBe(true);
      const check = await api.app.inject({ method: 'GET', url: `/consents/check?subjectId=${subjectId}&purposeId=order-news&channel=email`, headers: { authorization: `Bearer ${system}` } });
      expect(check.json()).toMatchObject({ allowed: false, record: { status: 'expired' } });
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });
});
