import { stepAt, type EscalationLadder } from '../../domain/breach/escalation';
import { incidentWorkflowId } from '../../workflows/incident';
import { startTestApi, type TestApi } from '../harness/app';
import { parseMail } from '../harness/mail';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { spawnWorker, type WorkerProcess } from '../harness/worker-process';

/**
 * Crash test for the breach clock: the worker runs as its own OS process and is SIGKILLed in the middle of the
 * escalation ladder of a GDPR Art. 33 deadline, after two escalations went out and before the next falls due. Steps
 * fall due while no worker is alive; a new worker process takes over and the ladder carries on until the (late)
 * notice is recorded. Every step reaches the real HTTP and SMTP receivers and the evidence trail exactly once and in
 * order; the only steps never sent are those passed over while the worker was down, and the escalation that followed
 * names them.
 */
const OBLIGATION = 'gdpr.art33.authority';
const EVERY = 5;
const LADDER: EscalationLadder = { at: [0.5, 0.9], overdueEverySeconds: EVERY };

interface Escalated {
  seq: number;
  key: string;
  at: string;
  data: { obligationId: string; step: string; scheduledAt: string; dueAt: string; overdue: boolean; skipped: string[] };
}

describe('incident escalations with the worker killed mid-ladder', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let responder: string;
  let auditor: string;

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
    const admin = (await api.tokenFor('admin')).token;
    responder = (await api.tokenFor('incident-responder')).token;
    auditor = (await api.tokenFor('auditor')).token;
    const endpoint = await api.app.inject({ method: 'POST', url: '/webhook-endpoints', headers: { authorization: `Bearer ${admin}` }, payload: { url: `${hooks.url}/hook`, events: ['breach.escalation'] } });
    expect(endpoint.statusCode).toBe(201);
  });

  afterAll(async () => {
    await api?.close();
    await Promise.all([smtp?.close(), hooks?.close()]);
  });

  const post = (url: string, payload: object) => api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${responder}` }, payload });
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditor}` } });
  const sleepUntil = (instant: number) => new Promise((r) => setTimeout(r, Math.max(0, instant - Date.now())));

  it('sends each escalation step exactly once, in order, across a SIGKILL and a restart', async () => {
    const workerEnv = { SMTP_URL: smtp.url };
    const first = await spawnWorker(api.config, workerEnv);
    let second: WorkerProcess | undefined;
    try {
      // The deadline 15 s away: 50% and 90% of the window are long past, so 90% goes out at once (50% skipped), then
      // the deadline itself, then an overdue step every 5 s.
      const awareAt = new Date(Date.now() - 72 * 3600_000 + 15_000).toISOString();
      const reported = await post('/incidents', {
        title: 'Payroll export exposed',
        description: 'A payroll export was shared by a public link.',
        discoveredAt: awareAt,
        contacts: [
          { role: 'owner', email: 'owner@example.org' },
          { role: 'dpo', email: 'dpo@example.org' },
        ],
        flags: ['controller'],
        escalation: LADDER,
      });
      expect(reported.statusCode).toBe(201);
      const incidentId = reported.json().incidentId as string;
      const workflowId = incidentWorkflowId(incidentId);
      const handle = api.temporal.workflow.getHandle(workflowId);
      for (const [path, payload] of [
        ['triage', { severity: 'high', notes: 'Payroll data' }],
        ['containment', { measures: 'Link revoked.' }],
        ['assessment', { affected: { DE: 800 }, dataCategories: ['contact', 'financial'], encryption: 'none', risk: 'risk', flags: ['controller'], consequences: 'Fraud attempts.' }],
      ] as const) {
        const res = await post(`/incidents/${incidentId}/${path}`, payload);
        if (res.statusCode !== 200) throw new Error(`${path} → ${res.statusCode} ${res.body}`);
      }
      const assessed = (await get(`/incidents/${incidentId}`)).json() as { obligations: Array<{ id: string; startsAt: string; dueAt: string }> };
      const gdpr = assessed.obligations.find((o) => o.id === OBLIGATION)!;
      expect(Date.parse(gdpr.dueAt) - Date.parse(awareAt)).toBe(72 * 3600_000);
      const window = { startsAt: gdpr.startsAt, dueAt: gdpr.dueAt };
      // The ladder as it is meant to be: labels and instants by position.
      const ladder = Array.from({ length: 40 }, (_, i) => stepAt(LADDER, window, i));
      const position = (label: string) => {
        const i = ladder.findIndex((s) => s.label === label);
        if (i < 0) throw new Error(`unknown step ${label}`);
        return i;
      };
      const instantOf = (label: string) => Date.parse(ladder[position(label)].at);

      /** What each witness saw of this obligation's escalations, in arrival order. */
      const webhooks = () =>
        hooks.requests
          .map((r) => ({ body: JSON.parse(r.body) as { id: string; type: string; data: { incidentId: string; obligationId: string; step: string; dueAt: string; overdue: boolean } }, headers: r.headers }))
          .filter((r) => r.body.type === 'breach.escalation' && r.body.data.incidentId === incidentId && r.body.data.obligationId === OBLIGATION);
      const hookSteps = () => webhooks().map((r) => r.body.data.step);
      const mails = () =>
        smtp.messages
          .map((m) => parseMail(m.raw, m.to))
          .map((m) => ({ ...m, flat: m.text.replace(/\s+/g, ' ') }))
          .filter((m) => m.flat.includes(incidentId) && m.subject.includes('Notify the personal data breach to the supervisory authority'));
      const mailStep = (m: { subject: string; flat: string }) => {
        const fraction = /^Deadline (\d+%) elapsed:/.exec(m.subject);
        if (fraction) return fraction[1];
        if (m.subject.startsWith('DUE NOW:')) return 'due';
        const overdue = /\(escalation (overdue-\d+)\)/.exec(m.flat);
        if (m.subject.startsWith('OVERDUE:') && overdue) return overdue[1];
        throw new Error(`cannot tell the step of "${m.subject}"`);
      };
      const evidence = async (): Promise<Escalated[]> => {
        const res = await get(`/evidence?resourceId=${incidentId}&action=incident.escalated&limit=500`);
        expect(res.statusCode).toBe(200);
        return (res.json().items as Escalated[]).filter((e) => e.data.obligationId === OBLIGATION).sort((a, b) => a.seq - b.seq);
      };
      const settled = () => eventually(async () => ((await handle.describe()).raw.pendingActivities?.length ? undefined : true), 10_000, 'activities to complete');

      // Two steps out (90% at once, then the deadline); kill the worker once both are delivered everywhere and
      // nothing is in flight, before the first overdue step falls due.
      await eventually(async () => (hookSteps().length >= 2 && mails().length >= 2 ? true : undefined), 40_000, 'two escalations');
      await settled();
      expect(hookSteps()).toEqual(['90%', 'due']);
      await first.kill('SIGKILL');
      expect(first.child.signalCode).toBe('SIGKILL');
      const killedAt = Date.now();
      expect(killedAt).toBeLessThan(instantOf('overdue-1'));

      // Two overdue steps fall due while no worker is alive; nobody hears of them yet.
      await sleepUntil(instantOf('overdue-2') + 1000);
      expect(hookSteps()).toEqual(['90%', 'due']);
      expect(mails()).toHaveLength(2);
      second = await spawnWorker(api.config, workerEnv);
      const restartedAt = Date.now();

      // The new worker catches up, then the ladder carries on at its own pace: two more steps after the catch-up.
      const caughtUp = await eventually(async () => (hookSteps().length > 2 ? hookSteps()[2] : undefined), 40_000, 'an escalation after the restart');
      await eventually(async () => {
        const steps = hookSteps();
        return steps.length >= 2 && position(steps[steps.length - 1]) >= position(caughtUp) + 2 ? true : undefined;
      }, 40_000, 'the ladder to carry on');
      await settled();

      // The late notice, with the reasons for the delay, ends the ladder.
      const notified = await post(`/incidents/${incidentId}/obligations/${OBLIGATION}/notices`, { sentAt: new Date().toISOString(), recipientReference: 'LfDI-2026-0815', delayReason: 'The export was found only in the forensic review.' });
      expect(notified.statusCode).toBe(200);
      expect(notified.json().obligations.find((o: { id: string }) => o.id === OBLIGATION)).toMatchObject({ status: 'notified', notices: [{ late: true }] });
      await settled();
      const stoppedAt = hookSteps().length;
      await new Promise((r) => setTimeout(r, 2 * EVERY * 1000 + 1500));
      expect(hookSteps()).toHaveLength(stoppedAt);

      // The webhooks: each step once, in ladder order.
      const received = hookSteps();
      expect(new Set(received).size).toBe(received.length);
      const positions = received.map(position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      expect(received[0]).toBe('90%');

      // The evidence trail: the same steps, in the same order, each with its instant; every step of the ladder between
      // the first and the last sent is either sent or named as skipped by the escalation that followed it.
      const trail = await evidence();
      expect(trail.map((e) => e.data.step)).toEqual(received);
      expect(new Set(trail.map((e) => e.key)).size).toBe(trail.length);
      let previous = -1;
      const skippedWhileDown: string[] = [];
      for (const e of trail) {
        const at = position(e.data.step);
        const passedOver = ladder.slice(previous + 1, at).map((s) => s.label);
        expect({ step: e.data.step, skipped: e.data.skipped }).toEqual({ step: e.data.step, skipped: passedOver });
        expect(e.data).toMatchObject({ scheduledAt: ladder[at].at, dueAt: gdpr.dueAt, overdue: ladder[at].overdue });
        expect(e.key).toBe(`${workflowId}:esc:${OBLIGATION}:${gdpr.dueAt}:${e.data.step}`);
        // Never early, and never stale: when a step went out, the step after it was not due yet (after the outage only
        // the latest step due is sent, not the one planned before the crash followed by the current one).
        expect(Date.parse(e.at)).toBeGreaterThanOrEqual(Date.parse(e.data.scheduledAt));
        expect({ step: e.data.step, at: e.at, nextDue: Date.parse(e.at) < Date.parse(ladder[at + 1].at) }).toEqual({ step: e.data.step, at: e.at, nextDue: true });
        // Whatever went out after the deadline went out from the new worker.
        if (at > position('due')) expect(Date.parse(e.at)).toBeGreaterThan(restartedAt);
        if (previous >= 0) {
          // Passed over legitimately: fell due after the crash, and was already past when the later step went out.
          for (const label of passedOver) expect({ label, fellDueWhileDown: instantOf(label) > killedAt && instantOf(label) <= Date.parse(e.at) }).toEqual({ label, fellDueWhileDown: true });
          skippedWhileDown.push(...passedOver);
        }
        previous = at;
      }
      // 50% was past when the incident was reported.
      expect(trail[0].data.skipped).toEqual(['50%']);
      // Nothing was lost: the steps due during the outage went out after the restart, or were passed over for a later one.
      expect(position(received[received.length - 1])).toBeGreaterThan(position('overdue-2'));
      expect(ladder.slice(position('90%'), position(received[received.length - 1]) + 1).map((s) => s.label)).toEqual([...received, ...skippedWhileDown].sort((a, b) => position(a) - position(b)));

      // The e-mails: one per step, to both contacts, each with its own Message-ID.
      const sent = mails();
      expect(sent.map(mailStep)).toEqual(received);
      for (const m of sent) expect([...m.to].sort()).toEqual(['dpo@example.org', 'owner@example.org']);
      expect(new Set(sent.map((m) => m.messageId)).size).toBe(sent.length);

      // The delivery log: exactly one delivered webhook and one delivered e-mail per step key, each on its first attempt.
      const log = (await get(`/deliveries?resourceId=${incidentId}&limit=500`)).json().items as Array<{ id: string; channel: string; eventId?: string; status: string; attempts: Array<{ outcome: string }> }>;
      const stepKeys = received.map((label) => `${workflowId}:esc:${OBLIGATION}:${gdpr.dueAt}:${label}`);
      const webhookLog = log.filter((d) => d.channel === 'webhook' && d.eventId?.includes(`:esc:${OBLIGATION}:`));
      expect(webhookLog.map((d) => d.eventId).sort()).toEqual([...stepKeys].sort());
      for (const d of webhookLog) expect({ status: d.status, outcomes: d.attempts.map((a) => a.outcome) }).toEqual({ status: 'delivered', outcomes: ['delivered'] });
      const mailLog = log.filter((d) => d.channel === 'email' && d.id.includes(`:esc:${OBLIGATION}:`));
      expect(mailLog.map((d) => d.id).sort()).toEqual([...stepKeys].sort());
      for (const d of mailLog) expect(d.status).toBe('delivered');
      // The receiver saw each delivery key once.
      const deliveryKeys = webhooks().map((r) => String(r.headers['idempotency-key']));
      expect(new Set(deliveryKeys).size).toBe(received.length);
      expect(webhooks().map((r) => r.body.id)).toEqual(stepKeys);

      expect((await api.stores.evidence.verify()).ok).toBe(true);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });
});
