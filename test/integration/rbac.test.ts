import { ROLES, type Role } from '../../domain/roles';
import { vendorWorkflowId, type VendorProcess } from '../../workflows/vendor';
import { startTestApi, type TestApi } from '../harness/app';
import { linkAfter, parseMail, pathOf } from '../harness/mail';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { BASELINE_ANSWERS } from '../harness/vendor-answers';

/**
 * The RBAC matrix: every route × every role, plus no credentials. Allowed roles succeed (2xx), others get 403,
 * no credentials get 401, and every refusal is in the access log. The expected matrix is written out here so a
 * change to a route's roles is a visible change to this test.
 */
const ALL = ROLES;
const EXPECTED: Record<string, readonly Role[]> = {
  'GET /me': ALL,
  'POST /principals': ['admin'],
  'GET /principals': ['admin'],
  'GET /principals/:principalId': ['admin'],
  'PATCH /principals/:principalId': ['admin'],
  'POST /principals/:principalId/api-keys': ['admin'],
  'GET /principals/:principalId/api-keys': ['admin'],
  'DELETE /api-keys/:keyId': ['admin'],
  'GET /access-log': ['auditor', 'admin'],
  'GET /evidence': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/head': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/verify': ['auditor', 'compliance-officer', 'admin'],
  'GET /evidence/export': ['auditor', 'compliance-officer', 'admin'],
  'POST /webhook-endpoints': ['admin'],
  'GET /webhook-endpoints': ['admin'],
  'DELETE /webhook-endpoints/:endpointId': ['admin'],
  'GET /deliveries': ['auditor', 'admin'],
  'POST /approvals': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder'],
  'GET /approvals': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'auditor'],
  'GET /approvals/:approvalId': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'auditor', 'staff'],
  'POST /approvals/:approvalId/decision': ['admin', 'compliance-officer', 'vendor-manager', 'incident-responder', 'staff'],
  'POST /subjects': ['compliance-officer', 'admin', 'system'],
  'POST /subjects/search': ['compliance-officer', 'admin', 'system'],
  'GET /subjects/:subjectId': ['compliance-officer', 'admin', 'system', 'auditor'],
  'PATCH /subjects/:subjectId': ['compliance-officer', 'admin', 'system'],
  'POST /subjects/:subjectId/preference-links': ['compliance-officer', 'admin', 'system'],
  'POST /purposes': ['compliance-officer', 'admin'],
  'GET /purposes': ['compliance-officer', 'admin', 'auditor', 'system'],
  'GET /purposes/:purposeId': ['compliance-officer', 'admin', 'auditor', 'system'],
  'PATCH /purposes/:purposeId': ['compliance-officer', 'admin'],
  'POST /purposes/:purposeId/notices': ['compliance-officer', 'admin'],
  'GET /purposes/:purposeId/notices': ['compliance-officer', 'admin', 'auditor', 'system'],
  'POST /consents/grants': ['compliance-officer', 'admin', 'system'],
  'POST /consents/withdrawals': ['compliance-officer', 'admin', 'system'],
  'GET /consents/check': ['compliance-officer', 'admin', 'system'],
  'GET /consents/subjects/:subjectId': ['compliance-officer', 'admin', 'auditor', 'system'],
  'GET /consents/events/:eventId/receipt': ['compliance-officer', 'admin', 'auditor', 'system'],
  'GET /consents/stats': ['compliance-officer', 'admin', 'auditor'],
  'GET /consents/export': ['compliance-officer', 'admin', 'auditor'],
  'POST /consents/import': ['compliance-officer', 'admin', 'system'],
  'GET /consents/propagation': ['compliance-officer', 'auditor', 'admin'],
  'POST /incidents': ['admin', 'compliance-officer', 'incident-responder', 'system'],
  'GET /incidents': ['admin', 'compliance-officer', 'incident-responder', 'auditor'],
  'GET /incidents/deadlines': ['admin', 'compliance-officer', 'incident-responder', 'auditor'],
  'GET /incidents/rules': ['admin', 'compliance-officer', 'incident-responder', 'auditor'],
  'POST /incidents/preview': ['admin', 'compliance-officer', 'incident-responder', 'auditor'],
  'GET /incidents/:incidentId': ['admin', 'compliance-officer', 'incident-responder', 'auditor'],
  'POST /incidents/:incidentId/triage': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/containment': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/assessment': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/review': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/close': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/obligations/:obligationId/notices': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/obligations/:obligationId/exemption': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/obligations/:obligationId/clock-adjustments': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /incidents/:incidentId/obligations/:obligationId/clock-adjustments/:adjustmentId/lift': ['admin', 'compliance-officer', 'incident-responder'],
  'POST /vendors': ['admin', 'vendor-manager', 'compliance-officer'],
  'GET /vendors': ['admin', 'vendor-manager', 'compliance-officer', 'auditor'],
  'GET /vendors/:vendorId': ['admin', 'vendor-manager', 'compliance-officer', 'auditor'],
  'PATCH /vendors/:vendorId': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /vendors/:vendorId/reviews': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /vendors/:vendorId/security-review': ['admin', 'compliance-officer'],
  'POST /vendors/:vendorId/decision': ['admin', 'compliance-officer'],
  'POST /vendors/:vendorId/remediation/:itemId/complete': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /vendors/:vendorId/re-review': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /vendors/:vendorId/offboarding': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /vendors/:vendorId/offboarding/tasks/:kind/complete': ['admin', 'vendor-manager', 'compliance-officer'],
  'POST /audits': ['admin', 'compliance-officer'],
  'GET /audits': ['admin', 'compliance-officer', 'auditor'],
  'GET /audits/:runId': ['admin', 'compliance-officer', 'auditor'],
  'GET /audits/:runId/findings': ['admin', 'compliance-officer', 'auditor'],
  'GET /audits/:runId/report': ['admin', 'compliance-officer', 'auditor'],
  'POST /audits/:runId/cleansing': ['admin', 'compliance-officer'],
  'POST /audit-schedules': ['admin', 'compliance-officer'],
  'GET /audit-schedules': ['admin', 'compliance-officer', 'auditor'],
  'GET /audit-schedules/:scheduleId': ['admin', 'compliance-officer', 'auditor'],
  'POST /audit-schedules/:scheduleId/pause': ['admin', 'compliance-officer'],
  'POST /audit-schedules/:scheduleId/unpause': ['admin', 'compliance-officer'],
  'POST /audit-schedules/:scheduleId/trigger': ['admin', 'compliance-officer'],
  'POST /audit-schedules/:scheduleId/backfill': ['admin', 'compliance-officer'],
  'DELETE /audit-schedules/:scheduleId': ['admin', 'compliance-officer'],
  'GET /cleansing/:cleansingId': ['admin', 'compliance-officer', 'auditor'],
  'GET /cleansing/:cleansingId/changes': ['admin', 'compliance-officer'],
  'POST /cleansing/:cleansingId/decision': ['admin', 'compliance-officer'],
  'GET /corrective-actions': ['admin', 'compliance-officer', 'auditor', 'staff'],
  'GET /corrective-actions/:actionId': ['admin', 'compliance-officer', 'auditor', 'staff'],
  'POST /corrective-actions/:actionId/evidence': ['admin', 'compliance-officer', 'staff'],
  'POST /corrective-actions/:actionId/verification': ['admin', 'compliance-officer'],
  'POST /corrective-actions/:actionId/risk-acceptance': ['admin', 'compliance-officer'],
  'POST /staff': ['admin', 'compliance-officer', 'system'],
  'GET /staff': ['admin', 'compliance-officer', 'auditor'],
  'GET /staff/:staffId': ['admin', 'compliance-officer', 'auditor'],
  'PATCH /staff/:staffId': ['admin', 'compliance-officer', 'system'],
  'POST /staff/import': ['admin', 'compliance-officer', 'system'],
  'POST /training/modules': ['admin', 'compliance-officer'],
  'GET /training/modules': ['admin', 'compliance-officer', 'auditor'],
  'POST /training/campaigns': ['admin', 'compliance-officer'],
  'GET /training/campaigns': ['admin', 'compliance-officer', 'auditor'],
  'GET /training/campaigns/:campaignId': ['admin', 'compliance-officer', 'auditor'],
  'GET /training/campaigns/:campaignId/report': ['admin', 'compliance-officer', 'auditor'],
  'GET /training/assignments/:assignmentId': ['admin', 'compliance-officer', 'incident-responder', 'auditor', 'vendor-manager', 'staff'],
  'POST /training/assignments/:assignmentId/attest': ['admin', 'compliance-officer', 'incident-responder', 'auditor', 'vendor-manager', 'staff'],
  'POST /training/lms-completions': ['system', 'admin'],
  'POST /access-reviews': ['admin', 'compliance-officer'],
  'GET /access-reviews': ['admin', 'compliance-officer', 'auditor'],
  'GET /access-reviews/:reviewId': ['admin', 'compliance-officer', 'auditor'],
  'GET /access-reviews/:reviewId/items': ['admin', 'compliance-officer', 'auditor', 'staff'],
  'POST /access-reviews/:reviewId/items/:principalId/decision': ['admin', 'compliance-officer', 'staff'],
};

interface Call {
  url: string;
  payload?: object | string;
  contentType?: string;
}

describe('RBAC matrix', () => {
  let api: TestApi;
  let hooks: HttpReceiver;
  let smtp: SmtpReceiver;
  const tokens = {} as Record<Role, { token: string; principalId: string }>;
  let calls: Record<string, (caller: { principalId: string }) => Promise<Call>>;
  /** Audit schedules live in the shared Temporal server, not in this file's database: named apart, deleted after. */
  const schedulePrefix = `rbac-${Math.random().toString(36).slice(2, 10)}`;
  const schedules: string[] = [];

  beforeAll(async () => {
    [hooks, smtp] = await Promise.all([startHttpReceiver(), startSmtpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    for (const role of ROLES) tokens[role] = await api.tokenFor(role);
    const target = await api.stores.principals.create({ kind: 'system', name: 'Target CRM', roles: ['system'], createdBy: 'test' });
    const requester = await api.tokenFor('compliance-officer');
    const newApproval = async (approverId: string) => {
      const res = await api.app.inject({
        method: 'POST',
        url: '/approvals',
        headers: { authorization: `Bearer ${requester.token}` },
        payload: { title: 'Matrix check', resource: { type: 'test', id: 'res_1' }, approverIds: [approverId] },
      });
      return res.json().approvalId as string;
    };
    const newEndpoint = async () => (await api.stores.webhookEndpoints.create({ url: `${hooks.url}/x`, events: ['*'], createdBy: 'test' })).endpoint.id;
    // Consent fixtures: a purpose with a notice, a subject with a consent, and fresh ones where a call uses them up.
    const setup = (method: 'POST', url: string, payload: object) => api.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens.admin.token}` } });
    let serial = 0;
    const newSubject = async () => {
      serial += 1;
      return (await api.stores.subjects.create({ name: `Matrix ${serial}`, email: `matrix.${serial}@example.org`, country: 'DE' })).subject.id;
    };
    const grantTo = async (subjectId: string) => (await setup('POST', '/consents/grants', { subjectId, purposeId: 'rbac-news', method: 'api' })).json().event.id as string;
    expect((await setup('POST', '/purposes', { id: 'rbac-news', name: 'News', description: 'News by e-mail', lawfulBasis: 'consent', channels: ['email'], policies: [] })).statusCode).toBe(201);
    expect((await setup('POST', '/purposes/rbac-news/notices', { text: 'We e-mail you news.' })).statusCode).toBe(201);
    const subjectId = await newSubject();
    const grantEventId = await grantTo(subjectId);
    // Incident fixtures: each step needs an incident in the phase that admits it, and most steps can be taken only
    // once, so every admitted caller gets a fresh incident driven to that phase. Refused callers never reach the
    // workflow, so they share one.
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const report = () => ({ title: 'Matrix incident', description: 'Lost laptop', discoveredAt: hourAgo, flags: ['controller'], contacts: [{ role: 'dpo', email: 'dpo@example.org' }] });
    // GDPR (Art. 34 has exemptions) and Texas (whose notice to residents may be held for law enforcement).
    const assessment = { anchors: { determination: hourAgo }, affected: { DE: 100, 'US-TX': 300 }, dataCategories: ['government-id'], encryption: 'none', risk: 'high', flags: ['controller'], consequences: 'Phishing.' };
    // Nothing to notify, so the incident can close after its review.
    const harmless = { affected: { DE: 10 }, dataCategories: ['contact'], encryption: 'full', risk: 'unlikely', flags: [], consequences: 'None expected.' };
    const incidentStep = async (incidentId: string, path: string, payload: object) => {
      const res = await setup('POST', `/incidents/${incidentId}/${path}`, payload);
      if (res.statusCode !== 200) throw new Error(`fixture step ${path} → ${res.statusCode} ${res.body}`);
    };
    const newIncident = async (phase: 'triage' | 'containment' | 'assessment' | 'notification' | 'review', facts: object = assessment) => {
      const res = await setup('POST', '/incidents', report());
      if (res.statusCode !== 201) throw new Error(`fixture incident → ${res.statusCode} ${res.body}`);
      const incidentId = res.json().incidentId as string;
      const steps: Array<[string, object]> = [
        ['triage', { severity: 'medium', notes: 'matrix' }],
        ['containment', { measures: 'Laptop wiped remotely.' }],
        ['assessment', facts],
        ['review', { findings: ['Laptops were not encrypted.'] }],
      ];
      const stepsFor = { triage: 0, containment: 1, assessment: 2, notification: 3, review: 4 }[phase];
      for (const [path, payload] of steps.slice(0, stepsFor)) await incidentStep(incidentId, path, payload);
      return incidentId;
    };
    const holdTexas = { adjustmentId: 'us-tx.521.053.d', reason: 'The police asked for a delay.' };
    const responders = new Set((['admin', 'compliance-officer', 'incident-responder'] as const).map((r) => tokens[r].principalId));
    // Made up front and all at once: one fresh incident per admitted caller of each step route.
    const fresh = (make: () => Promise<string>) => Array.from(responders, make);
    const fixtures: Record<string, Promise<string>[]> = {
      triage: fresh(() => newIncident('triage')),
      containment: fresh(() => newIncident('containment')),
      assessment: fresh(() => newIncident('assessment')),
      review: fresh(() => newIncident('notification')),
      close: fresh(() => newIncident('review', harmless)),
      notices: fresh(() => newIncident('notification')),
      exemption: fresh(() => newIncident('notification')),
      adjustment: fresh(() => newIncident('notification')),
      lift: fresh(async () => {
        const incidentId = await newIncident('notification');
        // A hold recorded without `until`: open until lifted.
        await incidentStep(incidentId, 'obligations/us-tx.individuals/clock-adjustments', holdTexas);
        return incidentId;
      }),
    };
    // Vendor fixtures, the same way: every admitted caller of a step gets a fresh vendor whose process is in the phase
    // that admits the step. One vendor manager starts every review and one compliance officer approves (four eyes: the
    // requester never decides); contacts get the questionnaire link by e-mail, and answer through the portal.
    const starter = await api.tokenFor('vendor-manager');
    const approver = await api.tokenFor('compliance-officer');
    const vendorCall = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await api.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
      if (res.statusCode >= 300) throw new Error(`fixture ${method} ${url} → ${res.statusCode} ${res.body}`);
      return res.json() as { vendorId: string; status: string; process: VendorProcess | null };
    };
    const vendorProfile = () => {
      serial += 1;
      return {
        name: `Matrix vendor ${serial}`,
        description: 'Matrix check',
        internalOwner: starter.principalId,
        contacts: [{ name: 'Matrix Contact', email: `vendor.${serial}@vendor.example`, role: 'security' }],
        dataCategories: ['business-internal'],
        dataVolume: 10,
        systemAccess: 'none',
        criticality: 'low',
        countries: ['DE'],
      };
    };
    const vendorPhase = (vendorId: string, phase: string) =>
      eventually(async () => {
        const view = await vendorCall(tokens.auditor.token, 'GET', `/vendors/${vendorId}`);
        return view.process?.phase === phase && (phase !== 'monitoring' || view.status === 'monitoring') ? view : undefined;
      }, 30_000, `vendor ${vendorId} in ${phase}`);
    const newVendor = async (phase: 'prospective' | 'security-review' | 'decision' | 'monitoring' | 'conditions' | 'offboarding') => {
      const profile = vendorProfile();
      const { vendorId } = await vendorCall(starter.token, 'POST', '/vendors', profile);
      if (phase === 'prospective') return vendorId;
      await vendorCall(starter.token, 'POST', `/vendors/${vendorId}/reviews`, { reason: 'Matrix' });
      const address = profile.contacts[0].email;
      const mail = await eventually(async () => smtp.messages.find((m) => m.to.includes(address)), 30_000, `the questionnaire to ${address}`);
      const link = linkAfter(parseMail(mail.raw, mail.to), 'Open the questionnaire:');
      const submitUrl = pathOf(link).replace('/vendor-portal/questionnaire?', '/vendor-portal/questionnaire/submit?');
      // `mfa: 'no'` fails a critical question, which calls for a security review.
      const submitted = await api.app.inject({ method: 'POST', url: submitUrl, payload: { answers: { ...BASELINE_ANSWERS, ...(phase === 'security-review' && { mfa: 'no' }) } } });
      if (submitted.statusCode !== 200) throw new Error(`fixture submit → ${submitted.statusCode} ${submitted.body}`);
      if (phase === 'security-review') return (await vendorPhase(vendorId, 'security-review')).vendorId;
      await vendorPhase(vendorId, 'decision');
      if (phase === 'decision') return vendorId;
      const dueAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
      await vendorCall(
        approver.token,
        'POST',
        `/vendors/${vendorId}/decision`,
        phase === 'conditions'
          ? { decision: 'approve-with-conditions', reason: 'Matrix', conditions: [{ description: 'Send the pen test report', owner: starter.principalId, dueAt }] }
          : { decision: 'approve', reason: 'Matrix' },
      );
      await vendorPhase(vendorId, 'monitoring');
      if (phase === 'offboarding') await vendorCall(starter.token, 'POST', `/vendors/${vendorId}/offboarding`, { reason: 'Matrix' });
      return vendorId;
    };
    const managers = new Set((['admin', 'vendor-manager', 'compliance-officer'] as const).map((r) => tokens[r].principalId));
    const deciders = new Set((['admin', 'compliance-officer'] as const).map((r) => tokens[r].principalId));
    const freshVendors = (admitted: Set<string>, make: () => Promise<string>) => ({ admitted, queue: Array.from(admitted, make) });
    const vendorFixtures = {
      reviews: freshVendors(managers, () => newVendor('prospective')),
      securityReview: freshVendors(deciders, () => newVendor('security-review')),
      decision: freshVendors(deciders, () => newVendor('decision')),
      remediation: freshVendors(managers, () => newVendor('conditions')),
      reReview: freshVendors(managers, () => newVendor('monitoring')),
      offboarding: freshVendors(managers, () => newVendor('monitoring')),
      task: freshVendors(managers, () => newVendor('offboarding')),
    };
    // Audit fixtures: records an older CRM left behind (written past the API's validation) and one finished run that
    // found them, with a corrective action per rule owned by the staff member (staff see and work only their own),
    // and dry runs of its cleansing requested by someone other than the deciders (four eyes).
    const as = async <T>(token: string, method: 'GET' | 'POST', url: string, payload?: object, status = method === 'GET' ? 200 : 202): Promise<T> => {
      const res = await api.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload && { payload }) });
      if (res.statusCode !== status) throw new Error(`fixture ${method} ${url} → ${res.statusCode} ${res.body}`);
      return res.json() as T;
    };
    const newCleansing = async (runId: string) => {
      const { cleansingId } = await as<{ cleansingId: string }>(requester.token, 'POST', `/audits/${runId}/cleansing`, {});
      await eventually(async () => ((await as<{ changes?: number }>(tokens.auditor.token, 'GET', `/cleansing/${cleansingId}`)).changes !== undefined ? true : undefined), 30_000, `cleansing ${cleansingId} previewed`);
      return cleansingId;
    };
    const newSchedule = async () => {
      serial += 1;
      const scheduleId = `${schedulePrefix}-${serial}`;
      schedules.push(scheduleId);
      // Paused, yearly and checking only the evidence trail: it never runs unless triggered, and then quickly.
      await as(tokens.admin.token, 'POST', '/audit-schedules', { scheduleId, spec: { cron: ['0 3 1 1 *'] }, scope: { checks: ['evidence-integrity'] }, paused: true, note: 'Matrix' }, 201);
      return scheduleId;
    };
    const setupAudits = async () => {
      await api.stores.subjects.createMany([
        { name: 'Anna Müller', email: ' Anna.Mueller@Example.COM ', phone: '030 1234567', country: 'de' },
        { email: 'not-an-email', country: 'DE' },
        { country: 'XX' },
        { email: 'nobody@example.com', country: '' },
      ]);
      const { runId } = await as<{ runId: string }>(requester.token, 'POST', '/audits', { scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'medium' }, correctiveActions: { owner: tokens.staff.principalId } });
      // Registered by the run's first activity: until then the run is not found.
      const finished = async () => (await as<{ status: string }>(tokens.auditor.token, 'GET', `/audits/${runId}`).catch(() => undefined))?.status === 'completed';
      await eventually(async () => ((await finished()) ? true : undefined), 60_000, `audit ${runId} to finish`);
      const rules = ['email-invalid', 'contact-missing', 'country-invalid', 'country-missing'];
      const actions = await eventually(async () => {
        const saved = await api.stores.correctiveActions.list({ limit: 500 });
        const byRule = rules.map((rule) => saved.find((a) => a.rule === rule && a.owner === tokens.staff.principalId)?.id);
        return byRule.every((id) => id !== undefined) ? (byRule as string[]) : undefined;
      }, 60_000, 'the corrective actions of the fixture run');
      const [cleansingId, ...toDecide] = await Promise.all([newCleansing(runId), ...Array.from(deciders, () => newCleansing(runId))]);
      const [scheduleId, ...toDelete] = await Promise.all([newSchedule(), ...Array.from(deciders, newSchedule)]);
      return { runId, cleansingId, toDecide, scheduleId, toDelete, evidenceAction: actions[0], verifyAction: actions[1], riskActions: actions.slice(2) };
    };
    // Staff and training fixtures. Only the assignee's own principal may attest, and staff-like roles see only their
    // own assignment, so every role that may attest is a member of the directory (its principal linked) with an
    // assignment of its own in one campaign; the LMS callers each complete a fresh assignment of someone else. The
    // module has no quiz, so an attestation or LMS report without a score completes it.
    const attesters = ROLES.filter((r) => r !== 'system');
    const lmsCallers = new Set((['system', 'admin'] as const).map((r) => tokens[r].principalId));
    const newMember = async (label: string, department: string, principalId?: string) => {
      serial += 1;
      const body = { name: `Matrix ${label}`, email: `matrix.staff.${serial}@staff.example`, department, ...(principalId && { principalId }) };
      return (await as<{ id: string }>(tokens.admin.token, 'POST', '/staff', body, 201)).id;
    };
    const setupTraining = async () => {
      await as(tokens.admin.token, 'POST', '/training/modules', { moduleId: 'rbac-basics', title: 'Matrix basics', version: '1', content: { text: 'Read this.' } }, 201);
      const own = new Map<string, string>();
      for (const role of attesters) own.set(tokens[role].principalId, await newMember(role, 'rbac-training', tokens[role].principalId));
      const lmsStaff: string[] = [];
      for (const n of Array.from(lmsCallers, (_, i) => i)) lmsStaff.push(await newMember(`lms-${n}`, 'rbac-training'));
      const shared = await newMember('shared', 'rbac-other');
      // No reminders and no e-mail: the assignments just wait, for a week, until the file ends them.
      const { campaignId } = await as<{ campaignId: string }>(tokens.admin.token, 'POST', '/training/campaigns', {
        title: 'Matrix training',
        moduleId: 'rbac-basics',
        moduleVersion: '1',
        audience: { departments: ['rbac-training'] },
        dueIn: 'P7D',
        reminders: { count: 0, spacing: 'P1D' },
        notifications: 'none',
      });
      const assignmentOf = (staffId: string) => `${campaignId}.0.${staffId}`;
      const ownAssignment = new Map(Array.from(own, ([principalId, staffId]) => [principalId, assignmentOf(staffId)]));
      const lms = lmsStaff.map(assignmentOf);
      const all = [...ownAssignment.values(), ...lms];
      // Saved by each assignment's workflow as it starts: from then on the workflow takes attempts.
      await eventually(async () => ((await Promise.all(all.map((id) => api.stores.training.assignment(id)))).every((a) => a?.status === 'assigned') ? true : undefined), 60_000, 'the matrix training assignments');
      return { campaignId, sharedStaff: shared, ownAssignment, sharedAssignment: ownAssignment.get(tokens.admin.principalId)!, lms };
    };
    // Access-review fixtures: one shared campaign for reading, and for each admitted decider a fresh campaign in which
    // it is the fallback reviewer, so it has items of its own to decide (staff decide only the items they review).
    const reviewDeciders = new Set((['admin', 'compliance-officer', 'staff'] as const).map((r) => tokens[r].principalId));
    const launchReview = async (fallbackReviewer?: string) => {
      const { reviewId } = await as<{ reviewId: string }>(tokens.admin.token, 'POST', '/access-reviews', { title: 'Matrix review', dueIn: 'P7D', ...(fallbackReviewer && { fallbackReviewer }) });
      // Decisions are taken once the campaign is open; read from the store, so the polling spends no one's rate limit.
      await eventually(async () => ((await api.stores.accessReviews.getReview(reviewId))?.status === 'open' ? true : undefined), 60_000, `access review ${reviewId} to open`);
      return reviewId;
    };
    const setupReviews = async () => {
      const deciders = [...reviewDeciders];
      const [shared, ...fresh] = await Promise.all([launchReview(), ...deciders.map((p) => launchReview(p))]);
      const decisions = new Map<string, { reviewId: string; principalId: string }>();
      for (const [i, decider] of deciders.entries()) {
        const { items } = await as<{ items: { principalId: string; reviewer: string; status: string }[] }>(tokens.admin.token, 'GET', `/access-reviews/${fresh[i]}/items?limit=500`);
        const item = items.find((it) => it.reviewer === decider && it.principalId !== decider && it.status === 'pending');
        if (!item) throw new Error(`no item for ${decider} to decide in ${fresh[i]}`);
        decisions.set(decider, { reviewId: fresh[i], principalId: item.principalId });
      }
      return { shared, sharedItem: decisions.get(tokens.admin.principalId)!.principalId, decisions };
    };
    const auditsReady = setupAudits();
    const trainingReady = setupTraining();
    const reviewsReady = setupReviews();
    const [sharedIncident, sharedVendor] = await Promise.all([
      newIncident('notification'),
      newVendor('prospective'),
      ...Object.values(fixtures).flat(),
      ...Object.values(vendorFixtures).flatMap((f) => f.queue),
    ]);
    const audit = await auditsReady;
    const training = await trainingReady;
    const review = await reviewsReady;
    /** The next fresh fixture for an admitted caller; refused callers never reach the process and share one. */
    const freshFor = (caller: { principalId: string }, admitted: Set<string>, queue: string[], shared: string, what: string) => {
      if (!admitted.has(caller.principalId)) return shared;
      const next = queue.shift();
      if (!next) throw new Error(`no ${what} left for ${caller.principalId}`);
      return next;
    };
    // Refused callers never reach the process, so they share one vendor.
    const vendorFor = async (caller: { principalId: string }, fixture: keyof typeof vendorFixtures) => {
      const { admitted, queue } = vendorFixtures[fixture];
      if (!admitted.has(caller.principalId)) return sharedVendor;
      const next = queue.shift();
      if (!next) throw new Error(`no ${fixture} vendor left for ${caller.principalId}`);
      return next;
    };
    const incidentFor = async (caller: { principalId: string }, fixture: keyof typeof fixtures) => {
      if (!responders.has(caller.principalId)) return sharedIncident;
      const next = fixtures[fixture].shift();
      if (!next) throw new Error(`no ${fixture} incident left for ${caller.principalId}`);
      return next;
    };
    calls = {
      'GET /me': async () => ({ url: '/me' }),
      'POST /principals': async () => ({ url: '/principals', payload: { kind: 'system', name: 'CRM', roles: ['system'], ownerId: tokens.admin.principalId, expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }),
      'GET /principals': async () => ({ url: '/principals' }),
      'GET /principals/:principalId': async () => ({ url: `/principals/${target.id}` }),
      'PATCH /principals/:principalId': async () => ({ url: `/principals/${target.id}`, payload: { roles: ['system'], ownerId: tokens.admin.principalId } }),
      'POST /principals/:principalId/api-keys': async () => ({ url: `/principals/${target.id}/api-keys`, payload: { label: 'crm sync' } }),
      'GET /principals/:principalId/api-keys': async () => ({ url: `/principals/${target.id}/api-keys` }),
      'DELETE /api-keys/:keyId': async () => ({ url: `/api-keys/${(await api.stores.apiKeys.create({ principalId: target.id, label: 'x', createdBy: 'test' })).key.keyId}` }),
      'GET /access-log': async () => ({ url: '/access-log?limit=5' }),
      'GET /evidence': async () => ({ url: '/evidence?limit=5' }),
      'GET /evidence/head': async () => ({ url: '/evidence/head' }),
      'GET /evidence/verify': async () => ({ url: '/evidence/verify' }),
      'GET /evidence/export': async () => ({ url: '/evidence/export?action=principal.created' }),
      'POST /webhook-endpoints': async () => ({ url: '/webhook-endpoints', payload: { url: `${hooks.url}/y`, events: ['approval.requested'] } }),
      'GET /webhook-endpoints': async () => ({ url: '/webhook-endpoints' }),
      'DELETE /webhook-endpoints/:endpointId': async () => ({ url: `/webhook-endpoints/${await newEndpoint()}` }),
      'GET /deliveries': async () => ({ url: '/deliveries' }),
      'POST /approvals': async () => ({ url: '/approvals', payload: { title: 'Matrix', resource: { type: 'test', id: 'res_2' }, approverRole: 'compliance-officer' } }),
      'GET /approvals': async () => ({ url: '/approvals' }),
      'GET /approvals/:approvalId': async (caller) => ({ url: `/approvals/${await newApproval(caller.principalId)}` }),
      'POST /approvals/:approvalId/decision': async (caller) => ({ url: `/approvals/${await newApproval(caller.principalId)}/decision`, payload: { decision: 'approve', reason: 'matrix' } }),
      'POST /subjects': async () => ({ url: '/subjects', payload: { name: 'New Person', email: `new.${(serial += 1)}@example.org`, country: 'FR' } }),
      'POST /subjects/search': async () => ({ url: '/subjects/search', payload: { email: 'matrix.1@example.org' } }),
      'GET /subjects/:subjectId': async () => ({ url: `/subjects/${subjectId}` }),
      'PATCH /subjects/:subjectId': async () => ({ url: `/subjects/${subjectId}`, payload: { timeZone: 'Europe/Berlin' } }),
      'POST /subjects/:subjectId/preference-links': async () => ({ url: `/subjects/${subjectId}/preference-links` }),
      'POST /purposes': async () => ({ url: '/purposes', payload: { id: `rbac-p${(serial += 1)}`, name: 'P', description: 'D', lawfulBasis: 'legitimate-interests', channels: ['post'], policies: [] } }),
      'GET /purposes': async () => ({ url: '/purposes' }),
      'GET /purposes/:purposeId': async () => ({ url: '/purposes/rbac-news' }),
      'PATCH /purposes/:purposeId': async () => ({ url: '/purposes/rbac-news', payload: { description: 'News by e-mail, monthly' } }),
      'POST /purposes/:purposeId/notices': async () => ({ url: '/purposes/rbac-news/notices', payload: { text: 'We e-mail you news once a month.' } }),
      'GET /purposes/:purposeId/notices': async () => ({ url: '/purposes/rbac-news/notices' }),
      'POST /consents/import': async () => ({ url: '/consents/import', contentType: 'text/csv', payload: `externalId,email,country,purposeId,grantedAt\nrbac-imp-${Math.random().toString(36).slice(2)},imp@example.org,DE,rbac-news,2026-01-01T00:00:00Z\n` }),
      'GET /consents/propagation': async () => ({ url: '/consents/propagation' }),
      'POST /consents/grants': async () => ({ url: '/consents/grants', payload: { subjectId: await newSubject(), purposeId: 'rbac-news', method: 'checkbox', proof: { element: 'form#news', preTicked: false, action: 'ticked' } } }),
      'POST /consents/withdrawals': async () => {
        const id = await newSubject();
        await grantTo(id);
        return { url: '/consents/withdrawals', payload: { subjectId: id, purposeId: 'rbac-news' } };
      },
      'GET /consents/check': async () => ({ url: `/consents/check?subjectId=${subjectId}&purposeId=rbac-news&channel=email` }),
      'GET /consents/subjects/:subjectId': async () => ({ url: `/consents/subjects/${subjectId}` }),
      'GET /consents/events/:eventId/receipt': async () => ({ url: `/consents/events/${grantEventId}/receipt` }),
      'GET /consents/stats': async () => ({ url: '/consents/stats' }),
      'GET /consents/export': async () => ({ url: '/consents/export?format=csv&purposeId=rbac-news' }),
      'POST /incidents': async () => ({ url: '/incidents', payload: report() }),
      'GET /incidents': async () => ({ url: '/incidents' }),
      'GET /incidents/deadlines': async () => ({ url: '/incidents/deadlines?within=all' }),
      'GET /incidents/rules': async () => ({ url: '/incidents/rules' }),
      'POST /incidents/preview': async () => ({ url: '/incidents/preview', payload: { anchors: { awareness: hourAgo }, affected: { DE: 100 }, dataCategories: ['contact'], encryption: 'none', risk: 'high', flags: ['controller'] } }),
      'GET /incidents/:incidentId': async () => ({ url: `/incidents/${sharedIncident}` }),
      'POST /incidents/:incidentId/triage': async (caller) => ({ url: `/incidents/${await incidentFor(caller, 'triage')}/triage`, payload: { severity: 'high', notes: 'matrix' } }),
      'POST /incidents/:incidentId/containment': async (caller) => ({ url: `/incidents/${await incidentFor(caller, 'containment')}/containment`, payload: { measures: 'Account disabled.' } }),
      'POST /incidents/:incidentId/assessment': async (caller) => ({ url: `/incidents/${await incidentFor(caller, 'assessment')}/assessment`, payload: assessment }),
      'POST /incidents/:incidentId/review': async (caller) => ({ url: `/incidents/${await incidentFor(caller, 'review')}/review`, payload: { findings: ['Laptops were not encrypted.'] } }),
      'POST /incidents/:incidentId/close': async (caller) => ({ url: `/incidents/${await incidentFor(caller, 'close')}/close`, payload: { reason: 'Nothing to notify; review done.' } }),
      'POST /incidents/:incidentId/obligations/:obligationId/notices': async (caller) => ({
        url: `/incidents/${await incidentFor(caller, 'notices')}/obligations/gdpr.art33.authority/notices`,
        payload: { sentAt: new Date().toISOString(), recipientReference: 'BfDI-matrix' },
      }),
      'POST /incidents/:incidentId/obligations/:obligationId/exemption': async (caller) => ({
        url: `/incidents/${await incidentFor(caller, 'exemption')}/obligations/gdpr.art34.data-subjects/exemption`,
        payload: { exemptionId: 'gdpr.art34.3.a', justification: 'The data was unintelligible to the finder.' },
      }),
      'POST /incidents/:incidentId/obligations/:obligationId/clock-adjustments': async (caller) => ({
        url: `/incidents/${await incidentFor(caller, 'adjustment')}/obligations/us-tx.individuals/clock-adjustments`,
        payload: holdTexas,
      }),
      'POST /incidents/:incidentId/obligations/:obligationId/clock-adjustments/:adjustmentId/lift': async (caller) => ({
        url: `/incidents/${await incidentFor(caller, 'lift')}/obligations/us-tx.individuals/clock-adjustments/us-tx.521.053.d/lift`,
        payload: {},
      }),
      'POST /vendors': async () => ({ url: '/vendors', payload: vendorProfile() }),
      'GET /vendors': async () => ({ url: '/vendors?format=csv' }),
      'GET /vendors/:vendorId': async () => ({ url: `/vendors/${sharedVendor}` }),
      'PATCH /vendors/:vendorId': async () => ({ url: `/vendors/${sharedVendor}`, payload: { description: 'Matrix check, revised' } }),
      'POST /vendors/:vendorId/reviews': async (caller) => ({ url: `/vendors/${await vendorFor(caller, 'reviews')}/reviews`, payload: { reason: 'Matrix' } }),
      'POST /vendors/:vendorId/security-review': async (caller) => ({
        url: `/vendors/${await vendorFor(caller, 'securityReview')}/security-review`,
        payload: { findings: ['MFA is not enforced for support staff.'], conditions: [{ description: 'Enforce MFA', owner: starter.principalId, dueAt: new Date(Date.now() + 86_400_000).toISOString() }] },
      }),
      'POST /vendors/:vendorId/decision': async (caller) => ({ url: `/vendors/${await vendorFor(caller, 'decision')}/decision`, payload: { decision: 'approve', reason: 'Matrix' } }),
      'POST /vendors/:vendorId/remediation/:itemId/complete': async (caller) => {
        const vendorId = await vendorFor(caller, 'remediation');
        return { url: `/vendors/${vendorId}/remediation/${vendorWorkflowId(vendorId)}-c1-c1/complete`, payload: { note: 'Report received.' } };
      },
      'POST /vendors/:vendorId/re-review': async (caller) => ({ url: `/vendors/${await vendorFor(caller, 'reReview')}/re-review`, payload: { reason: 'The vendor reported a breach.' } }),
      'POST /vendors/:vendorId/offboarding': async (caller) => ({ url: `/vendors/${await vendorFor(caller, 'offboarding')}/offboarding`, payload: { reason: 'Contract ends.' } }),
      'POST /vendors/:vendorId/offboarding/tasks/:kind/complete': async (caller) => ({ url: `/vendors/${await vendorFor(caller, 'task')}/offboarding/tasks/revoke-access/complete`, payload: { note: 'Accounts removed.' } }),
      'POST /audits': async () => ({ url: '/audits', payload: { scope: { checks: ['evidence-integrity'] } } }),
      'GET /audits': async () => ({ url: '/audits?limit=5' }),
      'GET /audits/:runId': async () => ({ url: `/audits/${audit.runId}` }),
      'GET /audits/:runId/findings': async () => ({ url: `/audits/${audit.runId}/findings?check=data-accuracy&limit=5` }),
      'GET /audits/:runId/report': async () => ({ url: `/audits/${audit.runId}/report?format=csv` }),
      'POST /audits/:runId/cleansing': async () => ({ url: `/audits/${audit.runId}/cleansing`, payload: { fixes: ['email-normalise'], validFor: 'PT10M' } }),
      'POST /audit-schedules': async () => {
        serial += 1;
        const scheduleId = `${schedulePrefix}-${serial}`;
        schedules.push(scheduleId);
        return { url: '/audit-schedules', payload: { scheduleId, spec: { calendars: [{ hour: [4], month: ['JAN'], dayOfMonth: [2] }], timeZone: 'Europe/Berlin' }, scope: { checks: ['evidence-integrity'] }, paused: true, note: 'Matrix' } };
      },
      'GET /audit-schedules': async () => ({ url: '/audit-schedules' }),
      'GET /audit-schedules/:scheduleId': async () => ({ url: `/audit-schedules/${audit.scheduleId}` }),
      'POST /audit-schedules/:scheduleId/pause': async () => ({ url: `/audit-schedules/${audit.scheduleId}/pause`, payload: { note: 'Matrix: paused' } }),
      'POST /audit-schedules/:scheduleId/unpause': async () => ({ url: `/audit-schedules/${audit.scheduleId}/unpause`, payload: { note: 'Matrix: unpaused' } }),
      'POST /audit-schedules/:scheduleId/trigger': async () => ({ url: `/audit-schedules/${audit.scheduleId}/trigger` }),
      'POST /audit-schedules/:scheduleId/backfill': async () => ({ url: `/audit-schedules/${audit.scheduleId}/backfill`, payload: { start: new Date(Date.now() - 2 * 3600_000).toISOString(), end: new Date(Date.now() - 3600_000).toISOString() } }),
      'DELETE /audit-schedules/:scheduleId': async (caller) => ({ url: `/audit-schedules/${freshFor(caller, deciders, audit.toDelete, audit.scheduleId, 'schedule to delete')}` }),
      'GET /cleansing/:cleansingId': async () => ({ url: `/cleansing/${audit.cleansingId}` }),
      'GET /cleansing/:cleansingId/changes': async () => ({ url: `/cleansing/${audit.cleansingId}/changes?limit=5` }),
      'POST /cleansing/:cleansingId/decision': async (caller) => ({ url: `/cleansing/${freshFor(caller, deciders, audit.toDecide, audit.cleansingId, 'cleansing to decide')}/decision`, payload: { decision: 'reject', reason: 'Matrix: not now.' } }),
      'GET /corrective-actions': async () => ({ url: '/corrective-actions?status=open' }),
      'GET /corrective-actions/:actionId': async () => ({ url: `/corrective-actions/${audit.evidenceAction}` }),
      'POST /corrective-actions/:actionId/evidence': async () => ({ url: `/corrective-actions/${audit.evidenceAction}/evidence`, payload: { note: 'Corrected the address with the subject.', links: ['https://tickets.example/CRM-7'] } }),
      'POST /corrective-actions/:actionId/verification': async (caller) => {
        // The owner submits evidence before each admitted verifier; a rejection reopens the action for the next one.
        if (deciders.has(caller.principalId)) await as(tokens.staff.token, 'POST', `/corrective-actions/${audit.verifyAction}/evidence`, { note: 'Contact details recorded.' }, 200);
        return { url: `/corrective-actions/${audit.verifyAction}/verification`, payload: { outcome: 'rejected', note: 'Matrix: the ticket is missing.' } };
      },
      'POST /corrective-actions/:actionId/risk-acceptance': async (caller) => ({
        url: `/corrective-actions/${freshFor(caller, deciders, audit.riskActions, audit.evidenceAction, 'corrective action')}/risk-acceptance`,
        payload: { reason: 'Legacy records, deleted at the end of the quarter anyway.' },
      }),
      'POST /staff': async () => ({ url: '/staff', payload: { name: 'New Starter', email: `starter.${(serial += 1)}@staff.example`, department: 'rbac-other', jobRoles: ['analyst'] } }),
      'GET /staff': async () => ({ url: '/staff?limit=5&department=rbac-training' }),
      'GET /staff/:staffId': async () => ({ url: `/staff/${training.sharedStaff}` }),
      'PATCH /staff/:staffId': async () => ({ url: `/staff/${training.sharedStaff}`, payload: { jobRoles: ['analyst', 'matrix'] } }),
      'POST /staff/import': async () => ({
        url: '/staff/import',
        contentType: 'text/csv',
        payload: `externalId,name,email,department,jobRoles\nrbac-hr-${(serial += 1)},Imported Person,imported.${serial}@staff.example,rbac-other,analyst;matrix\n`,
      }),
      'POST /training/modules': async () => ({ url: '/training/modules', payload: { moduleId: 'rbac-extra', title: 'Matrix extra', version: `v${(serial += 1)}`, content: { url: 'https://learning.example/extra' } } }),
      'GET /training/modules': async () => ({ url: '/training/modules' }),
      // An audience nobody is in: the campaign starts, and assigns nothing.
      'POST /training/campaigns': async () => ({
        url: '/training/campaigns',
        payload: { title: 'Matrix campaign', moduleId: 'rbac-basics', moduleVersion: '1', audience: { departments: ['rbac-nobody'] }, dueIn: 'P7D', reminders: { count: 0, spacing: 'P1D' }, notifications: 'none' },
      }),
      'GET /training/campaigns': async () => ({ url: '/training/campaigns' }),
      'GET /training/campaigns/:campaignId': async () => ({ url: `/training/campaigns/${training.campaignId}` }),
      'GET /training/campaigns/:campaignId/report': async () => ({ url: `/training/campaigns/${training.campaignId}/report?format=csv` }),
      'GET /training/assignments/:assignmentId': async (caller) => ({ url: `/training/assignments/${training.ownAssignment.get(caller.principalId) ?? training.sharedAssignment}` }),
      'POST /training/assignments/:assignmentId/attest': async (caller) => ({ url: `/training/assignments/${training.ownAssignment.get(caller.principalId) ?? training.sharedAssignment}/attest`, payload: {} }),
      'POST /training/lms-completions': async (caller) => ({ url: '/training/lms-completions', payload: { assignmentId: freshFor(caller, lmsCallers, training.lms, training.sharedAssignment, 'LMS assignment') } }),
      'POST /access-reviews': async () => ({ url: '/access-reviews', payload: { title: 'Matrix launch', dueIn: 'P7D' } }),
      'GET /access-reviews': async () => ({ url: '/access-reviews?limit=5' }),
      'GET /access-reviews/:reviewId': async () => ({ url: `/access-reviews/${review.shared}` }),
      'GET /access-reviews/:reviewId/items': async () => ({ url: `/access-reviews/${review.shared}/items?status=pending` }),
      'POST /access-reviews/:reviewId/items/:principalId/decision': async (caller) => {
        const own = review.decisions.get(caller.principalId);
        const { reviewId, principalId } = own ?? { reviewId: review.shared, principalId: review.sharedItem };
        if (own) review.decisions.delete(caller.principalId);
        return { url: `/access-reviews/${reviewId}/items/${principalId}/decision`, payload: { decision: 'keep', reason: 'Matrix: still needed.' } };
      },
    };
  });

  afterAll(async () => {
    await Promise.all(schedules.map((id) => api.temporal.schedule.getHandle(`audit-schedule-${id}`).delete().catch(() => undefined)));
    // Campaigns and assignments due in a week live in the shared Temporal server: end what this file left running.
    if (api) {
      const running: string[] = [];
      for await (const wf of api.temporal.workflow.list({ query: `TaskQueue = '${api.config.taskQueue}' AND ExecutionStatus = 'Running'` })) running.push(wf.workflowId);
      await Promise.all(running.map((id) => api.temporal.workflow.getHandle(id).terminate('matrix finished').catch(() => undefined)));
    }
    await api.close();
    await Promise.all([hooks.close(), smtp.close()]);
  });

  const declared = () =>
    api.app.routeRoles.filter((r) => r.roles !== 'public' && !(r.url.length > 1 && r.url.endsWith('/'))).map((r) => ({ ...r, name: `${r.method} ${r.url}` }));

  it('covers every protected route, with the roles written out above', () => {
    const routes = declared();
    expect(routes.map((r) => r.name).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const route of routes) expect([...(route.roles as Role[])].sort()).toEqual([...EXPECTED[route.name]].sort());
  });

  it('admits exactly the declared roles and refuses everyone else', async () => {
    const failures: string[] = [];
    for (const route of declared()) {
      const [method] = route.name.split(' ');
      const anonymous = await calls[route.name]({ principalId: 'prn_nobody' });
      const unauth = await api.app.inject({ method: method as 'GET', url: anonymous.url, payload: anonymous.payload, headers: anonymous.contentType ? { 'content-type': anonymous.contentType } : {} });
      if (unauth.statusCode !== 401) failures.push(`${route.name} without credentials → ${unauth.statusCode}`);
      for (const role of ROLES) {
        const call = await calls[route.name](tokens[role]);
        const res = await api.app.inject({ method: method as 'GET', url: call.url, payload: call.payload, headers: { authorization: `Bearer ${tokens[role].token}`, ...(call.contentType && { 'content-type': call.contentType }) } });
        const allowed = EXPECTED[route.name].includes(role);
        const ok = allowed ? res.statusCode >= 200 && res.statusCode < 300 : res.statusCode === 403;
        if (!ok) failures.push(`${route.name} as ${role} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (!allowed && !res.headers['content-type']?.toString().includes('application/problem+json')) failures.push(`${route.name} as ${role}: 403 is not problem+json`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('logs refusals with the principal, route and outcome', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/access-log', headers: { authorization: `Bearer ${tokens.staff.token}` } });
    expect(res.statusCode).toBe(403);
    const anonymous = await api.app.inject({ method: 'GET', url: `/principals/prn_someone` });
    expect(anonymous.statusCode).toBe(401);
    const forbidden = await eventually(async () => (await api.stores.accessLog.query({ principalId: tokens.staff.principalId, limit: 50 })).find((e) => e.requestId === res.headers['x-request-id']));
    expect(forbidden).toMatchObject({ method: 'GET', status: 403, roles: ['staff'], requestId: res.headers['x-request-id'] });
    const unauthenticated = await eventually(async () => (await api.stores.accessLog.query({ resourceId: 'prn_someone', limit: 5 })).find((e) => e.outcome === 'unauthenticated'));
    expect(unauthenticated).toMatchObject({ route: '/principals/:principalId', status: 401, clientAddress: '127.0.0.1' });
    expect(unauthenticated.principalId).toBeUndefined();
  });
});
