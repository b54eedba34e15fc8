import type { Role } from '../../domain/roles';
import { startTestApi, type TestApi } from '../harness/app';
import { parseMail } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * Audits end to end on the real stack: runs launched through the API scan the test's database through the worker's
 * activities, reports come out in three formats, a finding seen again links to its earlier run, corrective actions
 * e-mail their owner through the real SMTP receiver, and cleansing changes exactly what its dry run showed.
 */
interface Finding {
  id: string;
  check: string;
  rule: string;
  severity: string;
  recordIds: string[];
  firstRunId: string;
  previousRunId?: string;
  occurrences: number;
  fix?: string;
  correctiveAction?: { id: string; status: string };
}

interface Run {
  runId: string;
  status: string;
  checks: { check: string; status: string; recordsScanned: number; findings: number }[];
}

let api: TestApi;
let smtp: SmtpReceiver;
let officer: { token: string; principalId: string; email: string };
let secondOfficer: { token: string; principalId: string; email: string };
let staff: { token: string; principalId: string };
let ids: Record<'mixedCase' | 'badEmail' | 'dupA' | 'dupB' | 'noContact' | 'noCountry' | 'stale' | 'clean', string>;

async function person(role: Role, label: string) {
  const email = `${label}.${Date.now()}@complyflow.example`;
  const principal = await api.stores.principals.create({ kind: 'person', name: label, email, roles: [role], createdBy: 'test' });
  const { token } = await api.stores.apiKeys.create({ principalId: principal.id, label, createdBy: 'test' });
  return { token, principalId: principal.id, email };
}

const call = (method: 'GET' | 'POST', url: string, token: string, payload?: object) =>
  api.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });

async function ok<T>(res: { statusCode: number; body: string; json(): unknown }, status: number): Promise<T> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

async function launch(body: object): Promise<Run> {
  const { runId } = await ok<{ runId: string }>(await call('POST', '/audits', officer.token, body), 202);
  return eventually(
    async () => {
      const run = await ok<Run>(await call('GET', `/audits/${runId}`, officer.token), 200).catch(() => undefined);
      return run && run.status !== 'running' ? run : undefined;
    },
    60_000,
    `audit ${runId} to finish`,
  );
}

async function findings(runId: string): Promise<Finding[]> {
  return (await ok<{ findings: Finding[] }>(await call('GET', `/audits/${runId}/report?format=json`, officer.token), 200)).findings;
}

const ruleOf = (list: Finding[], rule: string, recordId: string) => list.find((f) => f.rule === rule && f.recordIds.includes(recordId));

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  api = await startTestApi({ smtpUrl: smtp.url });
  await api.startWorker();
  officer = await person('compliance-officer', 'officer');
  secondOfficer = await person('compliance-officer', 'second-officer');
  staff = await api.tokenFor('staff');
  // Records as an older CRM left them: written without the API's validation.
  const created = await api.stores.subjects.createMany([
    { name: 'Anna Müller', email: ' Anna.Mueller@Example.COM ', phone: '030 1234567', country: 'de' },
    { name: 'anna  MULLER', email: 'not-an-email', country: 'DE' },
    { email: 'same@example.com', country: 'FR' },
    { email: 'same@example.com', country: 'FR' },
    { country: 'XX' },
    { email: 'nobody@example.com', country: '' },
    { email: 'stale@example.com', country: 'GB' },
    { email: 'clean@example.com', phone: '+442079460000', country: 'GB' },
  ]);
  ids = { mixedCase: created[0], badEmail: created[1], dupA: created[2], dupB: created[3], noContact: created[4], noCountry: created[5], stale: created[6], clean: created[7] };
  await api.database.db.collection('subjects').updateOne({ _id: ids.stale as never }, { $set: { updatedAt: new Date('2019-03-01T00:00:00Z') } });
});

afterAll(async () => {
  await api?.close();
  await smtp?.close();
});

describe('an audit run', () => {
  let first: Run;
  let firstFindings: Finding[];

  it('runs every check and reports each problem once, by record id', async () => {
    first = await launch({ scope: { correctiveActionSeverity: 'critical' } });
    expect(first.status).toBe('completed');
    expect(first.checks.map((c) => c.check).sort()).toEqual(['access', 'consent-records', 'data-accuracy', 'duplicates', 'evidence-integrity', 'retention', 'vendors']);
    expect(first.checks.find((c) => c.check === 'data-accuracy')).toMatchObject({ status: 'findings', recordsScanned: 8 });
    expect(first.checks.find((c) => c.check === 'evidence-integrity')).toMatchObject({ status: 'passed' });
    firstFindings = await findings(first.runId);
    const expected: [string, string][] = [
      ['email-not-normalised', ids.mixedCase],
      ['phone-not-e164', ids.mixedCase],
      ['country-not-normalised', ids.mixedCase],
      ['email-invalid', ids.badEmail],
      ['contact-missing', ids.noContact],
      ['country-invalid', ids.noContact],
      ['country-missing', ids.noCountry],
      ['stale-record', ids.stale],
      ['duplicate-email', ids.dupA],
      ['near-duplicate-name', ids.mixedCase],
    ];
    for (const [rule, id] of expected) expect(ruleOf(firstFindings, rule, id)).toBeDefined();
    expect(ruleOf(firstFindings, 'duplicate-email', ids.dupA)!.recordIds.sort()).toEqual([ids.dupA, ids.dupB].sort());
    expect(firstFindings.filter((f) => f.recordIds.includes(ids.clean) && f.check === 'data-accuracy')).toEqual([]);
    // Test principals' keys never expire: the access check says so.
    expect(firstFindings.some((f) => f.check === 'access' && f.rule === 'key-without-expiry')).toBe(true);
    expect(new Set(firstFindings.map((f) => f.id)).size).toBe(firstFindings.length);
    for (const f of firstFindings) expect(f).toMatchObject({ firstRunId: first.runId, occurrences: 1 });
    // Findings name records, never their contents.
    expect(JSON.stringify(firstFindings)).not.toMatch(/same@example|Mueller|not-an-email|1234567/);
  });

  it('gives the report as JSON, CSV and printable HTML', async () => {
    const json = await ok<{ run: Run; summary: { total: number; bySeverity: Record<string, number> }; findings: Finding[] }>(await call('GET', `/audits/${first.runId}/report`, officer.token), 200);
    expect(json.summary.total).toBe(firstFindings.length);
    expect(Object.values(json.summary.bySeverity).reduce((a, b) => a + b, 0)).toBe(firstFindings.length);
    const csv = await call('GET', `/audits/${first.runId}/report?format=csv`, officer.token);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^"findingId","runId","check","rule","severity"/);
    expect(lines).toHaveLength(firstFindings.length + 1);
    expect(lines.some((l) => l.includes('email-invalid') && l.includes(ids.badEmail))).toBe(true);
    const html = await call('GET', `/audits/${first.runId}/report?format=html`, officer.token);
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.body).toContain(first.runId);
    expect(html.body).toContain('email-invalid');
    expect(html.body).toContain(ids.badEmail);
    expect(html.body).not.toMatch(/<script/i);
  });

  it('links a finding that persists to its earlier run and reports a new one as new', async () => {
    const [added] = await api.stores.subjects.createMany([{ email: 'also-not-an-email', country: 'DE' }]);
    const second = await launch({ scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'critical' } });
    const secondFindings = await findings(second.runId);
    expect(ruleOf(secondFindings, 'email-invalid', ids.badEmail)).toMatchObject({ firstRunId: first.runId, previousRunId: first.runId, occurrences: 2 });
    const fresh = ruleOf(secondFindings, 'email-invalid', added)!;
    expect(fresh).toMatchObject({ firstRunId: second.runId, occurrences: 1 });
    expect(fresh.previousRunId).toBeUndefined();
    const csv = (await call('GET', `/audits/${second.runId}/report?format=csv`, officer.token)).body;
    expect(csv.split('\n').find((l) => l.includes(ids.badEmail) && l.includes('email-invalid'))).toContain(`"persisting","2","${first.runId}","${first.runId}"`);
  });
});

describe('a corrective action', () => {
  it('reminds its owner, escalates when overdue, refuses verification by the owner and closes when verified by another', async () => {
    const before = smtp.messages.length;
    const run = await launch({
      scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'high' },
      correctiveActions: { owner: officer.principalId, escalateTo: secondOfficer.principalId, policy: { dueIn: { high: 'PT8S' }, reminderLeads: ['PT4S'], escalateEvery: 'PT3S', maxEscalations: 1 } },
    });
    const mails = await eventually(
      async () => {
        const received = smtp.messages.slice(before).map((m) => parseMail(m.raw, m.to));
        return received.some((m) => /OVERDUE/.test(m.subject)) ? received : undefined;
      },
      40_000,
      'the escalation e-mail',
    );
    const subjects = mails.map((m) => m.subject);
    const [opened, reminded, escalated] = ['Corrective action assigned', 'Reminder', 'OVERDUE'].map((s) => subjects.findIndex((x) => x.startsWith(s)));
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(reminded).toBeGreaterThan(opened);
    expect(escalated).toBeGreaterThan(reminded);
    expect(mails[opened].to).toEqual([officer.email]);
    expect(mails[escalated].to.sort()).toEqual([officer.email, secondOfficer.email].sort());
    expect(subjects.filter((s) => s.startsWith('OVERDUE'))).toHaveLength(1);

    const finding = ruleOf(await findings(run.runId), 'country-missing', ids.noCountry)!;
    const actionId = finding.correctiveAction!.id;
    expect(finding.correctiveAction!.status).toBe('open');
    // Staff who do not own it do not even see it.
    expect((await call('POST', `/corrective-actions/${actionId}/evidence`, staff.token, { note: 'fixed' })).statusCode).toBe(404);
    await ok(await call('POST', `/corrective-actions/${actionId}/evidence`, officer.token, { note: 'Country set from the billing address.', links: ['https://tickets.example/CRM-1'] }), 200);
    const refused = await call('POST', `/corrective-actions/${actionId}/verification`, officer.token, { outcome: 'verified', note: 'looks fine' });
    expect(refused.statusCode).toBe(422);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.json().detail).toMatch(/four-eyes/);
    const closed = await ok<{ status: string }>(await call('POST', `/corrective-actions/${actionId}/verification`, secondOfficer.token, { outcome: 'verified', note: 'Checked the record.' }), 200);
    expect(closed.status).toBe('closed');
    expect((await ok<{ status: string }>(await call('GET', `/corrective-actions/${actionId}`, officer.token), 200)).status).toBe('closed');
    // The report shows the action's status as its workflow last saved it.
    await eventually(async () => (ruleOf(await findings(run.runId), 'country-missing', ids.noCountry)!.correctiveAction?.status === 'closed' ? true : undefined));
    const trail = (await ok<{ items: { action: string }[] }>(await call('GET', `/evidence?resourceType=corrective-action&resourceId=${actionId}`, officer.token), 200)).items.map((e) => e.action);
    expect(trail).toEqual(expect.arrayContaining(['corrective-action.opened', 'corrective-action.reminder', 'corrective-action.escalation', 'corrective-action.evidence-submitted', 'corrective-action.verified']));
  });
});

describe('cleansing', () => {
  it('changes nothing on the dry run, and exactly the previewed records once another person approves', async () => {
    const run = await launch({ scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'critical' } });
    const rawBefore = await api.database.db.collection('subjects').find({}).sort({ _id: 1 }).toArray();
    const { cleansingId } = await ok<{ cleansingId: string }>(await call('POST', `/audits/${run.runId}/cleansing`, officer.token, {}), 202);
    const previewed = await eventually(async () => {
      const state = await ok<{ status: string; changes?: number }>(await call('GET', `/cleansing/${cleansingId}`, officer.token), 200);
      return state.changes !== undefined ? state : undefined;
    });
    expect(previewed).toMatchObject({ status: 'previewed', changes: 3 });
    const changes = (await ok<{ items: { subjectId: string; field: string; before: string; after: string }[] }>(await call('GET', `/cleansing/${cleansingId}/changes`, officer.token), 200)).items;
    expect(changes.map((c) => [c.subjectId, c.field, c.before, c.after]).sort()).toEqual(
      [
        [ids.mixedCase, 'country', 'de', 'DE'],
        [ids.mixedCase, 'email', ' Anna.Mueller@Example.COM ', 'anna.mueller@example.com'],
        [ids.mixedCase, 'phone', '030 1234567', '+49301234567'],
      ].sort(),
    );
    // The dry run wrote nothing to any subject.
    expect(await api.database.db.collection('subjects').find({}).sort({ _id: 1 }).toArray()).toEqual(rawBefore);

    const own = await call('POST', `/cleansing/${cleansingId}/decision`, officer.token, { decision: 'approve' });
    expect(own.statusCode).toBe(422);
    expect(own.json().detail).toMatch(/four-eyes/);
    await ok(await call('POST', `/cleansing/${cleansingId}/decision`, secondOfficer.token, { decision: 'approve', reason: 'Formatting only.' }), 200);
    const applied = await eventually(async () => {
      const state = await ok<{ status: string; outcomes?: Record<string, number> }>(await call('GET', `/cleansing/${cleansingId}`, officer.token), 200);
      return state.status === 'applied' ? state : undefined;
    });
    expect(applied.outcomes).toEqual({ apply: 3, 'skip-changed': 0, 'skip-already-fixed': 0 });

    const fixed = await api.stores.subjects.get(ids.mixedCase);
    expect(fixed).toMatchObject({ email: 'anna.mueller@example.com', phone: '+49301234567', country: 'DE' });
    const rawAfter = await api.database.db.collection('subjects').find({}).sort({ _id: 1 }).toArray();
    const changed = rawAfter.filter((doc, i) => JSON.stringify(doc) !== JSON.stringify(rawBefore[i])).map((doc) => doc._id);
    expect(changed).toEqual([ids.mixedCase]);
    // Each change is in the evidence trail, before and after encrypted.
    const trail = (await ok<{ items: { action: string; data: Record<string, string> }[] }>(await call('GET', `/evidence?resourceType=subject&resourceId=${ids.mixedCase}`, officer.token), 200)).items.filter((e) => e.action === 'subject.cleansed');
    expect(trail.map((e) => e.data.field).sort()).toEqual(['country', 'email', 'phone']);
    for (const event of trail) {
      expect(event.data.before).toMatch(/^enc:v1:/);
      expect(event.data.after).toMatch(/^enc:v1:/);
    }
    expect(JSON.stringify(trail)).not.toMatch(/Mueller|mueller|1234567/);
  });
});

describe('external auditors', () => {
  it('read reports and access logs until their access expires, and every read is logged', async () => {
    const admin = await api.tokenFor('admin');
    const expiresAt = new Date(Date.now() + 4_000).toISOString();
    const created = await ok<{ id: string; expiresAt: string }>(
      await call('POST', '/principals', admin.token, { kind: 'person', name: 'External Auditor', roles: ['auditor'], ownerId: officer.principalId, expiresAt }),
      201,
    );
    expect(created.expiresAt).toBe(expiresAt);
    const { token } = await ok<{ token: string }>(await call('POST', `/principals/${created.id}/api-keys`, admin.token, { label: 'audit 2026' }), 201);
    const runs = await ok<{ items: Run[] }>(await call('GET', '/audits', token), 200);
    const runId = runs.items[0].runId;
    expect((await call('GET', `/audits/${runId}/report?format=csv`, token)).statusCode).toBe(200);
    expect((await call('GET', `/access-log?principalId=${created.id}`, token)).statusCode).toBe(200);
    expect((await call('POST', '/audits', token, {})).statusCode).toBe(403);
    const logged = await ok<{ items: { route: string; outcome: string }[] }>(await call('GET', `/access-log?principalId=${created.id}&limit=50`, admin.token), 200);
    expect(logged.items.map((e) => e.route)).toEqual(expect.arrayContaining(['/audits', '/audits/:runId/report', '/access-log']));
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 100)));
    expect((await call('GET', '/audits', token)).statusCode).toBe(401);
  });
});
