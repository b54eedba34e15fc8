import type { Role } from '../../domain/roles';
import { vendorWorkflowId, type VendorProcess } from '../../workflows/vendor';
import { startTestApi, type TestApi } from '../harness/app';
import { linkAfter, parseMail, pathOf, type ParsedMail } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { spawnWorker, type WorkerProcess } from '../harness/worker-process';
import { BASELINE_ANSWERS } from '../harness/vendor-answers';

/**
 * A vendor's life end to end on the real stack: the API starts one workflow per vendor on the Temporal server; the
 * worker e-mails the questionnaire link and its reminders through the real SMTP receiver, the vendor answers through
 * the public portal with the link from the e-mail, a compliance officer decides, and monitoring takes over:
 * reassessment cycles, certificate renewal requests, offboarding. Timings are given in seconds so that whole cycles
 * run inside the test.
 */
interface VendorView {
  vendorId: string;
  status: string;
  process: VendorProcess | null;
}

interface Evidence {
  seq: number;
  key: string;
  action: string;
  data: Record<string, unknown>;
}

interface Harness {
  api: TestApi;
  smtp: SmtpReceiver;
  tokens: Record<'manager' | 'officer' | 'auditor', string>;
  owner: { id: string; email: string };
}

let serial = 0;

async function harness(): Promise<Harness> {
  const smtp = await startSmtpReceiver();
  const api = await startTestApi({ smtpUrl: smtp.url });
  const token = async (role: Role) => (await api.tokenFor(role)).token;
  const [manager, officer, auditor] = await Promise.all([token('vendor-manager'), token('compliance-officer'), token('auditor')]);
  // The internal owner needs an e-mail address: escalations go to them.
  const email = `owner.${Date.now()}@complyflow.example`;
  const principal = await api.stores.principals.create({ kind: 'person', name: 'Olga Owner', email, roles: ['vendor-manager'], createdBy: 'test' });
  await api.stores.apiKeys.create({ principalId: principal.id, label: 'owner', createdBy: 'test' });
  return { api, smtp, tokens: { manager, officer, auditor }, owner: { id: principal.id, email } };
}

function client(h: Harness) {
  const { api } = h;
  const post = (token: string | undefined, url: string, payload: object = {}) =>
    api.app.inject({ method: 'POST', url, headers: token ? { authorization: `Bearer ${token}` } : {}, payload });
  const get = (token: string | undefined, url: string) => api.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number, what: string): Promise<T> {
    if (res.statusCode !== status) throw new Error(`${what} → ${res.statusCode} ${res.body}`);
    return res.json() as T;
  }

  /** Registers a low-risk vendor (internal business data only) with two contacts; `extra` overrides the profile. */
  async function register(extra: Record<string, unknown> = {}): Promise<{ vendorId: string; contacts: string[]; name: string }> {
    serial += 1;
    const name = `Vendor ${serial} ${Math.random().toString(36).slice(2, 7)}`;
    const contacts = [`security.${serial}@vendor.example`, `privacy.${serial}@vendor.example`];
    const created = await ok<VendorView>(
      await post(h.tokens.manager, '/vendors', {
        name,
        description: 'Hosts our build logs.',
        services: ['CI log storage'],
        internalOwner: h.owner.id,
        contacts: [
          { name: 'Vera Security', email: contacts[0], role: 'security' },
          { name: 'Piet Privacy', email: contacts[1], role: 'privacy' },
        ],
        dataCategories: ['business-internal'],
        dataVolume: 100,
        systemAccess: 'none',
        criticality: 'low',
        countries: ['DE'],
        ...extra,
      }),
      201,
      'register',
    );
    expect(created.status).toBe('prospective');
    return { vendorId: created.vendorId, contacts, name };
  }

  const view = async (vendorId: string) => ok<VendorView>(await get(h.tokens.auditor, `/vendors/${vendorId}`), 200, 'view');
  const phase = (vendorId: string, wanted: string, what = `phase ${wanted}`) =>
    eventually(async () => {
      const v = await view(vendorId);
      return v.process?.phase === wanted ? v : undefined;
    }, 30_000, what);
  const mailsTo = (address: string): ParsedMail[] => h.smtp.messages.filter((m) => m.to.includes(address)).map((m) => parseMail(m.raw, m.to));
  const waitForMail = (address: string, subject: string, count = 1) =>
    eventually(async () => {
      const found = mailsTo(address).filter((m) => m.subject === subject);
      return found.length >= count ? found : undefined;
    }, 30_000, `${count} e-mail(s) "${subject}" to ${address}`);
  const evidence = async (vendorId: string) => {
    const res = await get(h.tokens.auditor, `/evidence?resourceId=${vendorId}&limit=500`);
    return (await ok<{ items: Evidence[] }>(res, 200, 'evidence')).items.sort((a, b) => a.seq - b.seq);
  };
  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;
  const submit = async (link: string, answers: object = BASELINE_ANSWERS) =>
    ok<{ status: string }>(await post(undefined, `/vendor-portal/questionnaire/submit?token=${encodeURIComponent(tokenOf(link))}`, { answers }), 200, 'submit');
  const decide = async (vendorId: string, decision: object = { decision: 'approve', reason: 'Low risk, good answers.' }) =>
    ok<VendorView>(await post(h.tokens.officer, `/vendors/${vendorId}/decision`, decision), 200, 'decision');

  return { post, get, ok, register, view, phase, mailsTo, waitForMail, evidence, submit, decide };
}

const questionnaireSubject = (name: string, reminder: number) => (reminder === 0 ? `Due-diligence questionnaire for ${name}` : `Reminder ${reminder}: due-diligence questionnaire for ${name}`);

describe('vendor questionnaire reminders with the worker killed between reminders', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness();
  });

  afterAll(async () => {
    await h?.api.close();
    await h?.smtp.close();
  });

  it('sends the questionnaire, each reminder and the owner escalation exactly once across a SIGKILL and a restart', async () => {
    const c = client(h);
    const workerEnv = { SMTP_URL: h.smtp.url };
    const first = await spawnWorker(h.api.config, workerEnv);
    let second: WorkerProcess | undefined;
    try {
      const vendor = await c.register();
      // Reminders at +5 s, +10 s and +15 s, the escalation at +12 s, the link valid for two minutes.
      const timing = { remindEvery: 'PT5S', maxReminders: 3, escalateAfter: 'PT12S', expiresAfter: 'PT2M' };
      const started = await c.ok<VendorView>(await c.post(h.tokens.manager, `/vendors/${vendor.vendorId}/reviews`, { reason: 'New CI provider', timing }), 201, 'start review');
      expect(started.status).toBe('under-review');
      const q = started.process!.questionnaire!;
      expect(started.process).toMatchObject({ phase: 'questionnaire', cycle: 1, questionnaire: { remindersSent: 0, escalated: false, submitted: false } });
      const sentAt = Date.parse(q.sentAt);
      expect(Date.parse(q.expiresAt) - sentAt).toBe(120_000);
      const reminderAt = (n: number) => sentAt + n * 5_000;
      const handle = h.api.temporal.workflow.getHandle(vendorWorkflowId(vendor.vendorId));
      const settled = () => eventually(async () => ((await handle.describe()).raw.pendingActivities?.length ? undefined : true), 10_000, 'activities to complete');

      const [to] = vendor.contacts;
      const count = (reminder: number) => c.mailsTo(to).filter((m) => m.subject === questionnaireSubject(vendor.name, reminder)).length;
      const escalationSubject = `Overdue: The due-diligence questionnaire (${vendor.name})`;
      const escalations = () => c.mailsTo(h.owner.email).filter((m) => m.subject === escalationSubject);

      // The questionnaire and the first reminder are out; nothing is in flight; the second reminder is not due yet.
      const [invitation] = await c.waitForMail(to, questionnaireSubject(vendor.name, 0));
      expect([...invitation.to].sort()).toEqual([...vendor.contacts].sort());
      await c.waitForMail(to, questionnaireSubject(vendor.name, 1));
      await settled();
      await first.kill('SIGKILL');
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(Date.now()).toBeLessThan(reminderAt(2));

      // The second reminder falls due while no worker is alive: nobody hears of it.
      await new Promise((r) => setTimeout(r, Math.max(0, reminderAt(2) + 1000 - Date.now())));
      expect(count(2)).toBe(0);
      second = await spawnWorker(h.api.config, workerEnv);

      // The new worker sends what fell due, then carries on: the escalation to the owner, then the third reminder.
      await c.waitForMail(to, questionnaireSubject(vendor.name, 2));
      await eventually(async () => (escalations().length ? true : undefined), 30_000, 'the escalation');
      await c.waitForMail(to, questionnaireSubject(vendor.name, 3));
      await settled();
      const waiting = await eventually(async () => {
        const v = await c.view(vendor.vendorId);
        return v.process?.questionnaire?.remindersSent === 3 && v.process.upcoming.length === 1 ? v : undefined;
      }, 10_000, 'the third reminder on record');
      expect(waiting.process).toMatchObject({ phase: 'questionnaire', questionnaire: { remindersSent: 3, escalated: true, submitted: false } });
      // Only the expiry is left to wait for.
      expect(waiting.process!.upcoming).toEqual([{ what: 'questionnaire expiry', at: q.expiresAt }]);
      // Let any stray retry land before counting.
      await new Promise((r) => setTimeout(r, 1500));

      for (const n of [0, 1, 2, 3]) expect({ reminder: n, count: count(n) }).toEqual({ reminder: n, count: 1 });
      for (const address of vendor.contacts) expect(c.mailsTo(address)).toHaveLength(4);
      expect(escalations()).toHaveLength(1);
      expect(escalations()[0].to).toEqual([h.owner.email]);
      expect(escalations()[0].text.replace(/\s+/g, ' ')).toContain(vendor.vendorId);
      // The owner gets the escalation only; the vendor never hears of it.
      expect(c.mailsTo(h.owner.email)).toHaveLength(1);
      const sent = c.mailsTo(to);
      expect(new Set(sent.map((m) => m.messageId)).size).toBe(4);
      // Every message carries the same link: the one questionnaire.
      const links = sent.map((m) => linkAfter(m, 'Open the questionnaire:'));
      expect(new Set(links).size).toBe(1);

      // The delivery log: one delivered e-mail per key, each on its first attempt.
      const log = await c.ok<{ items: Array<{ id: string; channel: string; kind: string; status: string; attempts: Array<{ outcome: string }> }> }>(
        await c.get(h.tokens.auditor, `/deliveries?resourceId=${vendor.vendorId}&limit=500`),
        200,
        'deliveries',
      );
      const expectedKeys = [0, 1, 2, 3].map((n) => `${q.questionnaireId}:sent-${n}`).concat(`${q.questionnaireId}:escalation`);
      expect(log.items.map((d) => d.id).sort()).toEqual([...expectedKeys].sort());
      for (const d of log.items) {
        expect({ id: d.id, channel: d.channel, status: d.status, outcomes: d.attempts.map((a) => a.outcome) }).toEqual({ id: d.id, channel: 'email', status: 'delivered', outcomes: ['delivered'] });
        expect(d.kind).toBe(d.id.endsWith(':escalation') ? 'vendor.escalation' : 'vendor.questionnaire');
      }

      // The vendor answers through the link from the e-mail; the process goes on to the decision.
      const page = await c.get(undefined, pathOf(links[0]));
      expect(page.statusCode).toBe(200);
      expect(page.json()).toMatchObject({ questionnaireId: q.questionnaireId, status: 'open', answers: {} });
      expect((await c.submit(links[0])).status).toBe('submitted');
      const deciding = await c.phase(vendor.vendorId, 'decision');
      expect(deciding.process).toMatchObject({ questionnaire: { submitted: true, remindersSent: 3 }, scoring: { score: 100, failing: [] }, securityReview: { required: false }, upcoming: [] });
      expect((await c.post(undefined, pathOf(links[0]).replace('/questionnaire?', '/questionnaire/submit?'), { answers: BASELINE_ANSWERS })).statusCode).toBe(409);
      expect((await c.evidence(vendor.vendorId)).map((e) => e.action)).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored']);
      expect((await h.api.stores.evidence.verify()).ok).toBe(true);
      // Nothing more was sent once the vendor answered.
      expect(c.mailsTo(to)).toHaveLength(4);
    } finally {
      await first.kill('SIGKILL');
      await second?.kill('SIGTERM');
    }
  });
});

describe('vendor monitoring and offboarding', () => {
  let h: Harness;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    h = await harness();
    await h.api.startWorker();
    c = client(h);
  });

  afterAll(async () => {
    await h?.api.close();
    await h?.smtp.close();
  });

  /** Registers a vendor, takes it through the questionnaire and an approval, and waits for monitoring. */
  async function approved(review: Record<string, unknown> = {}, profile: Record<string, unknown> = {}) {
    const vendor = await c.register(profile);
    await c.ok(await c.post(h.tokens.manager, `/vendors/${vendor.vendorId}/reviews`, { reason: 'Onboarding', ...review }), 201, 'start review');
    const [invitation] = await c.waitForMail(vendor.contacts[0], questionnaireSubject(vendor.name, 0));
    const link = linkAfter(invitation, 'Open the questionnaire:');
    await c.submit(link);
    await c.phase(vendor.vendorId, 'decision');
    const decided = await c.decide(vendor.vendorId);
    expect(decided.process!.review).toMatchObject({ status: 'approved' });
    // Monitoring has planned its first wake-up.
    const monitored = await eventually(async () => {
      const v = await c.view(vendor.vendorId);
      return v.status === 'monitoring' && v.process?.phase === 'monitoring' && v.process.upcoming.length ? v : undefined;
    }, 30_000, 'monitoring');
    return { ...vendor, link, monitored };
  }

  it('reassesses an approved vendor on its cadence with a new questionnaire', async () => {
    const vendor = await approved({ reassessEvery: 'PT5S' });
    const approvedAt = Date.parse((await c.view(vendor.vendorId)).process!.review!.decidedAt!);
    expect(vendor.monitored.process!.upcoming[0]).toEqual({ what: 'reassessment', at: new Date(approvedAt + 5_000).toISOString() });
    const stored = await h.api.stores.vendors.get(vendor.vendorId);
    expect(stored).toMatchObject({ status: 'monitoring', lastApprovedAt: new Date(approvedAt).toISOString() });

    // Five seconds after the approval a new cycle starts: a new questionnaire, sent with a new link.
    const cycle2 = await eventually(async () => {
      const v = await c.view(vendor.vendorId);
      return v.process?.cycle === 2 && v.process.questionnaire ? v : undefined;
    }, 30_000, 'the second cycle');
    expect(Date.now()).toBeGreaterThanOrEqual(approvedAt + 5_000);
    expect(cycle2.status).toBe('under-review');
    expect(cycle2.process).toMatchObject({ cycle: 2, phase: 'questionnaire', questionnaire: { questionnaireId: `${vendorWorkflowId(vendor.vendorId)}-c2-q`, submitted: false } });
    const mails = await c.waitForMail(vendor.contacts[0], questionnaireSubject(vendor.name, 0), 2);
    expect(mails).toHaveLength(2);
    const secondLink = linkAfter(mails[1], 'Open the questionnaire:');
    expect(secondLink).not.toBe(vendor.link);
    // The old link is used up; the new one opens the new questionnaire.
    expect((await c.get(undefined, pathOf(vendor.link))).statusCode).toBe(409);
    const page = await c.get(undefined, pathOf(secondLink));
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ questionnaireId: cycle2.process!.questionnaire!.questionnaireId, status: 'open', answers: {} });

    const actions = (await c.evidence(vendor.vendorId)).map((e) => e.action);
    expect(actions).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored', 'vendor.approve', 'vendor.review-opened']);
    const opened = (await c.evidence(vendor.vendorId)).filter((e) => e.action === 'vendor.review-opened');
    expect(opened.map((e) => e.data.cycle)).toEqual([1, 2]);
    expect(opened[1].data.reason).toBe('periodic reassessment');
  });

  it('asks for a renewed certificate at once when it expires within the lead time', async () => {
    const expiresOn = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const certificate = { kind: 'iso27001', issuer: 'TÜV', issuedOn: '2023-06-01', expiresOn };
    const vendor = await approved({}, { certifications: [certificate] });
    const subject = `Renewed certificate needed: iso27001 (${vendor.name})`;
    const [request] = await c.waitForMail(vendor.contacts[0], subject);
    expect([...request.to].sort()).toEqual([...vendor.contacts, h.owner.email].sort());
    expect(request.text.replace(/\s+/g, ' ')).toContain(`expires on ${expiresOn}`);

    // Every lead (60, 30 and 7 days) is already past: one request covers them, and nothing else is planned for it.
    const after = await eventually(async () => {
      const v = await c.view(vendor.vendorId);
      return v.process?.sent.length && v.process.upcoming.length === 1 ? v : undefined;
    }, 10_000, 'the request to be recorded and the next wake-up planned');
    expect(after.process!.upcoming.map((u) => u.what)).toEqual(['reassessment']);
    expect(after.process!.sent).toEqual([`certificate:iso27001:${expiresOn}:7`]);
    await new Promise((r) => setTimeout(r, 2000));
    expect(c.mailsTo(vendor.contacts[0]).filter((m) => m.subject === subject)).toHaveLength(1);
    const renewals = (await c.evidence(vendor.vendorId)).filter((e) => e.action === 'vendor.certificate-renewal-requested');
    expect(renewals).toHaveLength(1);
    const log = await c.ok<{ items: Array<{ kind: string; status: string }> }>(await c.get(h.tokens.auditor, `/deliveries?resourceId=${vendor.vendorId}&limit=500`), 200, 'deliveries');
    expect(log.items.filter((d) => d.kind === 'vendor.certificate-renewal').map((d) => d.status)).toEqual(['delivered']);
    expect((await c.view(vendor.vendorId)).status).toBe('monitoring');
  });

  it('plans from a certificate added while the vendor is monitored', async () => {
    const vendor = await approved();
    await eventually(async () => ((await c.view(vendor.vendorId)).process?.phase === 'monitoring' ? true : undefined), 10_000, 'monitoring');
    const expiresOn = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const patched = await h.api.app.inject({
      method: 'PATCH',
      url: `/vendors/${vendor.vendorId}`,
      headers: { authorization: `Bearer ${h.tokens.manager}` },
      payload: { certifications: [{ kind: 'soc2-type2', issuedOn: '2025-01-01', expiresOn }] },
    });
    expect(patched.statusCode).toBe(200);
    const [request] = await c.waitForMail(vendor.contacts[0], `Renewed certificate needed: soc2-type2 (${vendor.name})`);
    expect(request.text.replace(/\s+/g, ' ')).toContain(`expires on ${expiresOn}`);
  });

  it('offboards a vendor only when every task is done', async () => {
    const subProcessors = [{ name: 'Cloud Host', country: 'DE', service: 'Hosting' }];
    const vendor = await approved({}, { subProcessors });
    const start = await c.ok<VendorView>(await c.post(h.tokens.manager, `/vendors/${vendor.vendorId}/offboarding`, { reason: 'Contract not renewed' }), 200, 'offboarding');
    expect(start.status).toBe('offboarding');
    expect(start.process!.phase).toBe('offboarding');
    const tasks = start.process!.offboarding!;
    expect(tasks.map((t) => t.kind)).toEqual(['revoke-access', 'return-or-delete-data', 'terminate-contract', 'revoke-sub-processor-access']);
    for (const t of tasks) expect(t).toMatchObject({ owner: h.owner.id });
    expect(tasks.every((t) => t.completedAt === undefined)).toBe(true);

    const complete = (kind: string, body: object = {}) => c.post(h.tokens.manager, `/vendors/${vendor.vendorId}/offboarding/tasks/${kind}/complete`, body);
    // The data task needs the certificate of deletion.
    const refused = await complete('return-or-delete-data', { outcome: 'deleted', note: 'They said so.' });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().detail).toMatch(/certificate of deletion/);

    for (const kind of ['revoke-access', 'terminate-contract', 'revoke-sub-processor-access']) {
      const res = await complete(kind, { note: `${kind} done` });
      expect({ kind, status: res.statusCode }).toEqual({ kind, status: 200 });
    }
    // A task is done once.
    expect((await complete('revoke-access')).statusCode).toBe(422);
    const almost = await c.view(vendor.vendorId);
    expect(almost.status).toBe('offboarding');
    expect(almost.process!.phase).toBe('offboarding');
    expect(almost.process!.offboarding!.filter((t) => !t.completedAt).map((t) => t.kind)).toEqual(['return-or-delete-data']);

    const certificate = { name: 'deletion-certificate.pdf', sha256: 'a'.repeat(64), contentType: 'application/pdf' };
    const done = await c.ok<VendorView>(await complete('return-or-delete-data', { outcome: 'deleted', evidence: certificate }), 200, 'last task');
    expect(done.status).toBe('offboarded');
    expect(done.process!.phase).toBe('offboarded');
    expect(done.process!.offboarding!.find((t) => t.kind === 'return-or-delete-data')).toMatchObject({ outcome: 'deleted', evidence: certificate });
    const result = (await h.api.temporal.workflow.getHandle(vendorWorkflowId(vendor.vendorId)).result()) as VendorProcess;
    expect(result.phase).toBe('offboarded');
    expect((await h.api.stores.vendors.get(vendor.vendorId))?.status).toBe('offboarded');

    const trail = await c.evidence(vendor.vendorId);
    expect(trail.map((e) => e.action).slice(3)).toEqual([
      'vendor.offboarding-started',
      'vendor.offboarding-task-completed',
      'vendor.offboarding-task-completed',
      'vendor.offboarding-task-completed',
      'vendor.offboarding-task-completed',
      'vendor.offboarded',
    ]);
    expect(trail.filter((e) => e.action === 'vendor.offboarding-task-completed').map((e) => e.data.kind)).toEqual(['revoke-access', 'terminate-contract', 'revoke-sub-processor-access', 'return-or-delete-data']);
    expect(trail.find((e) => e.action === 'vendor.offboarding-started')!.data.reason).toBe('Contract not renewed');
    expect((trail[trail.length - 1].data.tasks as Array<{ kind: string; completedAt?: string }>).every((t) => t.completedAt)).toBe(true);
    expect((await h.api.stores.evidence.verify()).ok).toBe(true);
  });
});
