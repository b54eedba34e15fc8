import { startTestApi, type TestApi } from '../harness/app';
import { linkAfter, parseMail, pathOf, type ParsedMail } from '../harness/mail';
import { startSmtpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';
import { LinkSigner } from '../../platform/links';
import { atRisk } from '../../domain/vendor/monitoring';
import { needsSecurityReview, questionnaireFor, scoreQuestionnaire } from '../../domain/vendor/questionnaire';
import { inherentRisk, maxTier } from '../../domain/vendor/risk';
import type { Answers, Tier, Vendor, VendorProfile } from '../../domain/vendor/types';

/**
 * Vendor due diligence end to end on the real stack: the API starts one workflow per vendor on the Temporal server,
 * the questionnaire link goes by e-mail to a real SMTP server, the vendor answers through the public portal with the
 * token from that e-mail, and compliance officers decide under the four-eyes rules until the vendor is monitored.
 */
describe('vendor due diligence through the API and the vendor portal', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let owner: { token: string; principalId: string; email: string };
  let requester: { token: string; principalId: string };
  let officerA: { token: string; principalId: string };
  let officerB: { token: string; principalId: string };
  let auditor: string;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    // The internal owner is a vendor manager with an e-mail address: escalations about the vendor go to them.
    const email = 'vendor.owner@complyflow-test.example.org';
    const principal = await api.stores.principals.create({ kind: 'person', name: 'Olivia Owner', email, roles: ['vendor-manager'], createdBy: 'test' });
    const { token } = await api.stores.apiKeys.create({ principalId: principal.id, label: 'test', createdBy: 'test' });
    owner = { token, principalId: principal.id, email };
    requester = await api.tokenFor('compliance-officer');
    officerA = await api.tokenFor('compliance-officer');
    officerB = await api.tokenFor('compliance-officer');
    auditor = (await api.tokenFor('auditor')).token;
  });

  afterAll(async () => {
    await api.close();
    await smtp.close();
  });

  const headers = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
  const post = (token: string | undefined, url: string, payload?: object) => api.app.inject({ method: 'POST', url, headers: headers(token), ...(payload && { payload }) });
  const put = (token: string | undefined, url: string, payload: object) => api.app.inject({ method: 'PUT', url, headers: headers(token), payload });
  const get = (token: string | undefined, url: string) => api.app.inject({ method: 'GET', url, headers: headers(token) });

  interface VendorView extends Vendor {
    risk: { tier: Tier; score: number };
    process: {
      phase: string;
      cycle: number;
      tier?: string;
      questionnaire?: { questionnaireId: string; setId: string; expiresAt: string; remindersSent: number; escalated: boolean; submitted: boolean };
      scoring?: { score: number; residualRisk: Tier; failing: { questionId: string }[] };
      securityReview?: { required: boolean; reasons: string[]; findings?: string[]; reviewer?: { id: string } };
      review?: { reviewId: string; tier: Tier; status: string; decisions: { decision: string; decidedBy: { id: string } }[]; conditions: { id: string; description: string; owner: string; dueAt: string }[] };
      remediation: { id: string; description: string; owner: string; dueAt: string }[];
      upcoming: { what: string; at: string }[];
    } | null;
  }

  const vendorNow = async (vendorId: string): Promise<VendorView> => {
    const res = await get(auditor, `/vendors/${vendorId}`);
    expect(res.statusCode).toBe(200);
    return res.json() as VendorView;
  };
  const vendorWhen = (vendorId: string, ready: (v: VendorView) => boolean, what: string, timeoutMs = 30_000): Promise<VendorView> =>
    eventually(async () => {
      const v = await vendorNow(vendorId);
      return ready(v) ? v : undefined;
    }, timeoutMs, what);

  /** Monitored in the register, and the process has planned what it waits for next. */
  const isMonitored = (v: VendorView): boolean => v.status === 'monitoring' && v.process?.phase === 'monitoring' && v.process.upcoming.length > 0;

  const evidenceOf = async (vendorId: string) =>
    (await get(auditor, `/evidence?resourceId=${vendorId}&limit=500`)).json().items as Array<{ seq: number; action: string; actor: { id: string }; data: Record<string, unknown> }>;

  const mailsTo = (email: string): ParsedMail[] => smtp.messages.filter((m) => m.to.includes(email)).map((m) => parseMail(m.raw, m.to));
  const waitForMail = (email: string, subject: string, timeoutMs = 20_000): Promise<ParsedMail> =>
    eventually(async () => mailsTo(email).find((m) => m.subject.replace(/\s+/g, ' ') === subject), timeoutMs, `"${subject}" to ${email}`);

  const tokenOf = (link: string): string => new URL(link).searchParams.get('token')!;
  const portal = (token: string) => `/vendor-portal/questionnaire?token=${encodeURIComponent(token)}`;
  const answersUrl = (token: string) => `/vendor-portal/questionnaire/answers?token=${encodeURIComponent(token)}`;
  const submitUrl = (token: string) => `/vendor-portal/questionnaire/submit?token=${encodeURIComponent(token)}`;

  const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; json(): { status: number; detail: string } }, status: number, detail: RegExp) => {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toContain('application/problem+json');
    expect(res.json().status).toBe(status);
    expect(res.json().detail).toMatch(detail);
  };

  // Profiles, with their tiers checked against the scoring table in each test.
  const MEDIUM: VendorProfile = { dataCategories: ['contact'], dataVolume: 5_000, systemAccess: 'read', criticality: 'low', countries: ['DE'], dpfCertified: false, subProcessors: [] };
  const HIGH: VendorProfile = { dataCategories: ['health'], dataVolume: 5_000, systemAccess: 'read', criticality: 'medium', countries: ['DE'], dpfCertified: false, subProcessors: [] };
  const CRITICAL: VendorProfile = { dataCategories: ['contact', 'health'], dataVolume: 2_000_000, systemAccess: 'admin', criticality: 'critical', countries: ['DE', 'FR'], dpfCertified: false, subProcessors: [] };

  const contactOf = (slug: string) => `security@${slug}.vendor-test.example.com`;

  async function registerVendor(name: string, slug: string, profile: VendorProfile): Promise<VendorView> {
    const created = await post(owner.token, '/vendors', {
      name,
      description: `${name}: a vendor under test`,
      services: ['hosted service'],
      internalOwner: owner.principalId,
      contacts: [{ name: `${name} Security`, email: contactOf(slug), role: 'security' }],
      contract: { status: 'signed', reference: `C-${slug}` },
      // The DPA is signed, so no legal requirement blocks an approval: the decisions are about the answers.
      dpa: { status: 'signed', signedOn: '2026-01-15' },
      ...profile,
    });
    expect(created.statusCode).toBe(201);
    const vendor = created.json() as VendorView;
    expect(vendor).toMatchObject({ name, status: 'prospective', internalOwner: owner.principalId, remediation: [], process: null });
    expect(vendor.vendorId).toMatch(/^ven_/);
    return vendor;
  }

  const LONG_TIMING = { remindEvery: 'PT5M', maxReminders: 0, escalateAfter: 'PT10M', expiresAfter: 'PT20M' };

  /** Starts the review and follows the link in the questionnaire e-mail the vendor's contact received. */
  async function startReview(vendor: VendorView, slug: string, timing: object = LONG_TIMING): Promise<{ link: string; token: string; view: VendorView }> {
    const started = await post(requester.token, `/vendors/${vendor.vendorId}/reviews`, { reason: 'New vendor onboarding', timing });
    expect(started.statusCode).toBe(201);
    const view = started.json() as VendorView;
    expect(view.status).toBe('under-review');
    expect(view.process).toMatchObject({ phase: 'questionnaire', tier: inherentRisk(vendor).tier, questionnaire: { setId: questionnaireFor(inherentRisk(vendor).tier).id, submitted: false } });
    const mail = await waitForMail(contactOf(slug), `Due-diligence questionnaire for ${vendor.name}`);
    expect(mail.to).toEqual([contactOf(slug)]);
    const link = linkAfter(mail, 'Open the questionnaire:');
    expect(link).toMatch(/\/vendor-portal\/questionnaire\?token=/);
    return { link, token: tokenOf(link), view };
  }

  const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const DOCUMENT = { name: 'iso27001-certificate.pdf', sha256: 'a'.repeat(64), contentType: 'application/pdf' };

  const GOOD_STANDARD = (): Answers => ({
    mfa: 'yes',
    'encryption-in-transit': 'yes',
    'encryption-at-rest': 'yes',
    'breach-notification-hours': 24,
    'data-location': 'Germany (Frankfurt data centre); support from Germany only',
    'sub-processors': 'yes',
    'retention-deletion': 'yes',
    'security-contact': 'Security team, security@vendor.example.com',
    'penetration-test-date': isoDaysAgo(60),
    'critical-patch-days': 7,
    'incident-response-plan': 'yes',
    'background-checks': 'yes',
    'security-training': 'yes',
    certifications: ['iso27001', 'soc2-type2'],
    'certification-evidence': DOCUMENT,
  });

  const GOOD_ENHANCED = (): Answers => ({
    ...GOOD_STANDARD(),
    'pen-test-findings-remediated': 'yes',
    'privileged-access': 'yes',
    'logging-monitoring': 'yes',
    'vulnerability-scanning': 'weekly',
    'secure-development': 'yes',
    'data-segregation': 'tenant-keys',
    backups: 'daily-tested',
    'bcp-dr': 'yes',
    'recovery-time-hours': 4,
    'sub-processor-list': { name: 'sub-processors.pdf', sha256: 'b'.repeat(64) },
  });

  it('takes a medium-tier vendor from prospective to approved and monitored through the e-mailed questionnaire', async () => {
    expect(inherentRisk(MEDIUM).tier).toBe('medium');
    const vendor = await registerVendor('Northwind Mail', 'northwind', MEDIUM);
    expect(vendor.risk.tier).toBe('medium');

    // Reminders every 2 s (one), escalation to the internal owner after 4 s; the link itself lasts 10 minutes.
    const { link, token, view } = await startReview(vendor, 'northwind', { remindEvery: 'PT2S', maxReminders: 1, escalateAfter: 'PT4S', expiresAfter: 'PT10M' });
    expect(view.process!.questionnaire!.setId).toBe('standard');
    const reminder = await waitForMail(contactOf('northwind'), 'Reminder 1: due-diligence questionnaire for Northwind Mail');
    expect(linkAfter(reminder, 'Open the questionnaire:')).toBe(link);
    const escalation = await waitForMail(owner.email, 'Overdue: The due-diligence questionnaire (Northwind Mail)');
    expect(escalation.to).toEqual([owner.email]);
    expect(escalation.text).toContain(vendor.vendorId);
    expect(mailsTo(contactOf('northwind')).filter((m) => /questionnaire for Northwind Mail/.test(m.subject))).toHaveLength(2);

    // The vendor opens the questionnaire from the e-mail, without an account.
    const opened = await get(undefined, pathOf(link));
    expect(opened.statusCode).toBe(200);
    const questionnaire = opened.json();
    const set = questionnaireFor('medium');
    expect(questionnaire).toMatchObject({ title: set.title, version: set.version, status: 'open', answers: {}, savedAt: null });
    expect(questionnaire.questions.map((q: { id: string }) => q.id)).toEqual(set.questions.map((q) => q.id));

    // Partial answers are saved (and come back), a wrong answer is refused by question, nothing is submitted yet.
    const partial = { mfa: 'yes', 'encryption-in-transit': 'yes', 'breach-notification-hours': 24, 'security-contact': 'Security team, security@vendor.example.com' };
    const saved = await put(undefined, answersUrl(token), { answers: partial });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ status: 'open' });
    const reopened = (await get(undefined, portal(token))).json();
    expect(reopened.answers).toEqual(partial);
    expect(reopened.savedAt).toBe(saved.json().savedAt);
    const wrong = await put(undefined, answersUrl(token), { answers: { ...partial, mfa: 'maybe', 'no-such-question': 'yes' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.answers.mfa', 'body.answers.no-such-question']);
    // Submitting what was saved so far is refused: required questions are unanswered.
    const incomplete = await post(undefined, submitUrl(token), {});
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().errors.map((e: { field: string }) => e.field)).toContain('body.answers.encryption-at-rest');
    expect((await vendorNow(vendor.vendorId)).process!.phase).toBe('questionnaire');

    // Answers are stored sealed: the free text of the vendor is not in the database in the clear.
    const raw = await api.database.db.collection('vendor_questionnaires').findOne({ vendorId: vendor.vendorId });
    expect(String(raw!.answersEnc)).toMatch(/^enc:v1:/);
    expect(JSON.stringify(raw)).not.toContain('security@vendor.example.com');

    const answers = GOOD_STANDARD();
    const submitted = await post(undefined, submitUrl(token), { answers });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted' });

    // Scored as the domain scores it; a medium vendor with no failing answer goes straight to the decision.
    const expected = scoreQuestionnaire(set, answers, new Date().toISOString(), 'medium');
    expect(expected).toMatchObject({ score: 100, failing: [], residualRisk: 'low' });
    expect(needsSecurityReview('medium', expected).required).toBe(false);
    const scored = await vendorWhen(vendor.vendorId, (v) => v.process?.phase === 'decision', 'the decision phase');
    expect(scored.status).toBe('under-review');
    expect(scored.process!.scoring).toMatchObject({ score: expected.score, residualRisk: expected.residualRisk, failing: [] });
    expect(scored.process!.securityReview).toMatchObject({ required: false });
    expect(scored.process!.review).toMatchObject({ tier: 'medium', status: 'pending', decisions: [] });
    expect(scored.process!.questionnaire).toMatchObject({ submitted: true, remindersSent: 1, escalated: true });

    // A compliance officer who did not request the review approves it.
    const approved = await post(officerA.token, `/vendors/${vendor.vendorId}/decision`, { decision: 'approve', reason: 'Answers are complete; ISO 27001 certified.' });
    expect(approved.statusCode).toBe(200);
    expect(approved.json().process.review).toMatchObject({ status: 'approved', decisions: [{ decision: 'approve', decidedBy: { id: officerA.principalId } }] });
    const monitored = await vendorWhen(vendor.vendorId, isMonitored, 'the vendor to be monitored');
    expect(monitored.process!.phase).toBe('monitoring');
    expect(monitored.remediation).toEqual([]);
    expect(Date.parse(monitored.lastApprovedAt!)).toBeLessThanOrEqual(Date.now());
    expect(monitored.process!.upcoming.map((u) => u.what)).toEqual(['reassessment']);
    // Reassessed after 24 months, the medium-tier cadence.
    const months = (Date.parse(monitored.process!.upcoming[0].at) - Date.parse(monitored.lastApprovedAt!)) / (30.44 * 86_400_000);
    expect(Math.round(months)).toBe(24);

    const trail = await evidenceOf(vendor.vendorId);
    const actions = trail.map((e) => e.action);
    expect(actions).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored', 'vendor.approve']);
    expect(trail[0]).toMatchObject({ actor: { id: requester.principalId }, data: { tier: 'medium', questionnaire: 'standard' } });
    expect(trail[1].data).toMatchObject({ score: 100, residualRisk: 'low' });
    expect(trail[2]).toMatchObject({ actor: { id: officerA.principalId }, data: { status: 'approved' } });
    expect(trail.map((e) => e.seq)).toEqual([...trail.map((e) => e.seq)].sort((a, b) => a - b));

    // The questionnaire link is spent: no second submission, no more changes, nothing to read.
    expectProblem(await post(undefined, submitUrl(token), { answers }), 409, /already submitted/);
    expectProblem(await put(undefined, answersUrl(token), { answers }), 409, /already submitted/);
    expectProblem(await get(undefined, portal(token)), 409, /already submitted/);
  });

  it('sends a high-tier vendor with failing answers through a security review, approves with a condition, and escalates it when overdue', async () => {
    expect(inherentRisk(HIGH).tier).toBe('high');
    const vendor = await registerVendor('Helix Health', 'helix', HIGH);
    const { token } = await startReview(vendor, 'helix');
    const answers: Answers = { ...GOOD_ENHANCED(), mfa: 'no', backups: 'less-often' };
    expect((await post(undefined, submitUrl(token), { answers })).statusCode).toBe(200);

    const set = questionnaireFor('high');
    expect(set.id).toBe('enhanced');
    const expected = scoreQuestionnaire(set, answers, new Date().toISOString(), 'high');
    expect(expected.failing.map((f) => f.questionId).sort()).toEqual(['backups', 'mfa']);
    const tier = maxTier('high', expected.residualRisk);
    expect(tier).toBe('high');
    const inReview = await vendorWhen(vendor.vendorId, (v) => v.process?.phase === 'security-review', 'the security review');
    expect(inReview.process!.scoring).toMatchObject({ score: expected.score, residualRisk: expected.residualRisk });
    expect(inReview.process!.securityReview!.required).toBe(true);
    expect(inReview.process!.securityReview!.reasons.join(' ')).toMatch(/2 failing answer\(s\): mfa, backups/);
    expect(inReview.process!.review).toMatchObject({ tier, status: 'pending', securityReview: 'open' });

    // No decision while the security review is open.
    expectProblem(await post(officerB.token, `/vendors/${vendor.vendorId}/decision`, { decision: 'approve', reason: 'Looks fine' }), 422, /security-review/);
    // Security reviews are for the compliance function: a vendor manager may not close one.
    expect((await post(owner.token, `/vendors/${vendor.vendorId}/security-review`, { findings: ['x'] })).statusCode).toBe(403);

    const dueAt = new Date(Date.now() + 8_000).toISOString();
    const condition = { description: 'Enforce MFA for support staff', owner: owner.principalId, dueAt };
    const reviewed = await post(officerA.token, `/vendors/${vendor.vendorId}/security-review`, { findings: ['Support staff log in without MFA.', 'Backups run weekly only.'], conditions: [condition] });
    expect(reviewed.statusCode).toBe(200);
    expect(reviewed.json().process).toMatchObject({ phase: 'decision', securityReview: { required: true, findings: ['Support staff log in without MFA.', 'Backups run weekly only.'], reviewer: { id: officerA.principalId } }, review: { securityReview: 'closed' } });
    // The review is closed: a second one is refused.
    expectProblem(await post(officerA.token, `/vendors/${vendor.vendorId}/security-review`, { findings: ['again'] }), 422, /No security review is open/);

    const decided = await post(officerB.token, `/vendors/${vendor.vendorId}/decision`, { decision: 'approve-with-conditions', reason: 'Acceptable once MFA is enforced.', conditions: [condition] });
    expect(decided.statusCode).toBe(200);
    const review = decided.json().process.review;
    expect(review).toMatchObject({ status: 'approved-with-conditions', conditions: [{ ...condition, id: `${review.reviewId}-c1`, covers: [] }] });

    const monitored = await vendorWhen(vendor.vendorId, isMonitored, 'the vendor to be monitored');
    const item = { id: `${review.reviewId}-c1`, description: condition.description, owner: owner.principalId, dueAt };
    expect(monitored.remediation).toEqual([expect.objectContaining(item)]);
    expect(monitored.process!.remediation).toEqual([expect.objectContaining(item)]);
    expect(monitored.process!.upcoming[0]).toEqual({ what: `remediation ${item.id} due`, at: dueAt });
    expect(atRisk(monitored, new Date().toISOString()).atRisk).toBe(false);

    // Once the condition is overdue, the internal owner hears about it.
    const overdue = await waitForMail(owner.email, `Overdue: Remediation "${condition.description}" (Helix Health)`, 30_000);
    expect(overdue.to).toEqual([owner.email]);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(dueAt));
    expect(overdue.text).toContain(vendor.vendorId);
    const late = await vendorNow(vendor.vendorId);
    expect(atRisk(late, new Date().toISOString()).reasons.join(' ')).toMatch(/remediation item\(s\) overdue/);
    // The API shows the vendor at risk, with the reason.
    const shown = (await get(officerA.token, `/vendors/${vendor.vendorId}`)).json() as { atRisk: { atRisk: boolean; reasons: string[] } };
    expect(shown.atRisk.atRisk).toBe(true);
    expect(shown.atRisk.reasons.join(' ')).toMatch(/remediation item\(s\) overdue/);

    const trail = await eventually(async () => {
      const events = await evidenceOf(vendor.vendorId);
      return events.some((e) => e.action === 'vendor.remediation-overdue') ? events : undefined;
    }, 10_000, 'the overdue evidence');
    expect(trail.map((e) => e.action)).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored', 'vendor.security-reviewed', 'vendor.approve-with-conditions', 'vendor.remediation-overdue']);
    expect(trail.find((e) => e.action === 'vendor.security-reviewed')!.actor.id).toBe(officerA.principalId);
    expect(trail.find((e) => e.action === 'vendor.approve-with-conditions')).toMatchObject({ actor: { id: officerB.principalId }, data: { status: 'approved-with-conditions' } });
    // Escalated once: no second e-mail for the same item.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(mailsTo(owner.email).filter((m) => m.subject.includes('Enforce MFA'))).toHaveLength(1);
  });

  it('rejects a vendor, refuses the requester as decider, and makes a critical vendor wait for a second approver', async () => {
    // Rejected.
    const rejectedVendor = await registerVendor('Quill Labels', 'quill', MEDIUM);
    const first = await startReview(rejectedVendor, 'quill');
    // Answers saved first, then submitted without a body: the saved answers are what is submitted.
    expect((await put(undefined, answersUrl(first.token), { answers: GOOD_STANDARD() })).statusCode).toBe(200);
    const submitted = await post(undefined, submitUrl(first.token));
    expect(submitted.statusCode).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'submitted' });
    expect(await api.stores.vendors.questionnaire(first.view.process!.questionnaire!.questionnaireId)).toMatchObject({ status: 'submitted', answers: GOOD_STANDARD() });
    await vendorWhen(rejectedVendor.vendorId, (v) => v.process?.phase === 'decision', 'the decision phase');
    expectProblem(await post(requester.token, `/vendors/${rejectedVendor.vendorId}/decision`, { decision: 'approve', reason: 'I asked for it' }), 422, /four-eyes/);
    expectProblem(await post(requester.token, `/vendors/${rejectedVendor.vendorId}/decision`, { decision: 'reject', reason: 'I asked for it' }), 422, /four-eyes/);
    const rejected = await post(officerA.token, `/vendors/${rejectedVendor.vendorId}/decision`, { decision: 'reject', reason: 'Service overlaps an existing vendor.' });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json().process.review).toMatchObject({ status: 'rejected' });
    const gone = await vendorWhen(rejectedVendor.vendorId, (v) => v.status === 'rejected' && v.process?.phase === 'rejected', 'the rejection');
    expect(gone.lastApprovedAt).toBeUndefined();
    // A vendor never approved holds nothing of ours: its process ends with the rejection.
    expectProblem(await post(officerB.token, `/vendors/${rejectedVendor.vendorId}/decision`, { decision: 'approve', reason: 'Second opinion' }), 409, /No review or monitoring is running/);
    expect((await evidenceOf(rejectedVendor.vendorId)).map((e) => e.action)).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored', 'vendor.reject']);

    // Critical: two distinct approvers.
    expect(inherentRisk(CRITICAL).tier).toBe('critical');
    const critical = await registerVendor('Atlas Payroll', 'atlas', CRITICAL);
    const second = await startReview(critical, 'atlas');
    const answers = GOOD_ENHANCED();
    expect((await post(undefined, submitUrl(second.token), { answers })).statusCode).toBe(200);
    const expected = scoreQuestionnaire(questionnaireFor('critical'), answers, new Date().toISOString(), 'critical');
    expect(expected).toMatchObject({ score: 100, residualRisk: 'high' });
    const inReview = await vendorWhen(critical.vendorId, (v) => v.process?.phase === 'security-review', 'the security review');
    expect(inReview.process!.securityReview!.reasons.join(' ')).toMatch(/inherent risk is critical/);
    expect(inReview.process!.review!.tier).toBe('critical');
    expect((await post(officerB.token, `/vendors/${critical.vendorId}/security-review`, { findings: ['Controls verified against the SOC 2 report.'] })).statusCode).toBe(200);

    const firstApproval = await post(officerA.token, `/vendors/${critical.vendorId}/decision`, { decision: 'approve', reason: 'Strong controls.' });
    expect(firstApproval.statusCode).toBe(200);
    expect(firstApproval.json().process.review).toMatchObject({ status: 'partially-approved', decisions: [{ decision: 'approve', decidedBy: { id: officerA.principalId } }] });
    expect(firstApproval.json().status).toBe('under-review');
    expectProblem(await post(officerA.token, `/vendors/${critical.vendorId}/decision`, { decision: 'approve', reason: 'Approving again' }), 422, /already approved.*2 different approvers/);
    expectProblem(await post(requester.token, `/vendors/${critical.vendorId}/decision`, { decision: 'approve', reason: 'Me too' }), 422, /four-eyes/);
    // Still waiting for the second approver.
    expect((await vendorNow(critical.vendorId)).status).toBe('under-review');

    const secondApproval = await post(officerB.token, `/vendors/${critical.vendorId}/decision`, { decision: 'approve', reason: 'Agree: strong controls.' });
    expect(secondApproval.statusCode).toBe(200);
    expect(secondApproval.json().process.review).toMatchObject({ status: 'approved' });
    expect(secondApproval.json().process.review.decisions.map((d: { decidedBy: { id: string } }) => d.decidedBy.id)).toEqual([officerA.principalId, officerB.principalId]);
    const monitored = await vendorWhen(critical.vendorId, isMonitored, 'the vendor to be monitored');
    expect(monitored.lastApprovedAt).toBeDefined();
    const actions = (await evidenceOf(critical.vendorId)).map((e) => e.action);
    expect(actions).toEqual(['vendor.review-opened', 'vendor.questionnaire-scored', 'vendor.security-reviewed', 'vendor.approve', 'vendor.approve']);
  });

  it('refuses expired, spent, forged and foreign questionnaire tokens with problem details', async () => {
    const signer = new LinkSigner(api.keyring, 'http://localhost');

    // Expired: the link lasts 6 seconds; the process lapses and the vendor is not approved.
    const lapsing = await registerVendor('Brief Courier', 'brief', MEDIUM);
    const timing = { remindEvery: 'PT1S', maxReminders: 0, escalateAfter: 'PT2S', expiresAfter: 'PT6S' };
    const { token, view } = await startReview(lapsing, 'brief', timing);
    const { questionnaireId, expiresAt } = view.process!.questionnaire!;
    expect((await get(undefined, portal(token))).statusCode).toBe(200);
    await vendorWhen(lapsing.vendorId, (v) => v.process?.phase === 'lapsed', 'the questionnaire to lapse', 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    expectProblem(await get(undefined, portal(token)), 410, /expired/);
    expectProblem(await put(undefined, answersUrl(token), { answers: { mfa: 'yes' } }), 410, /expired/);
    expectProblem(await post(undefined, submitUrl(token), { answers: GOOD_STANDARD() }), 410, /expired/);
    // A token that is itself still valid does not reopen a questionnaire the process closed as expired.
    const expired = await get(undefined, portal(token));
    expect(expired.json()).toMatchObject({ type: 'https://complyflow.dev/problems/invalid-link', title: 'Link expired' });
    const later = signer.token({ act: 'questionnaire', sub: lapsing.vendorId, ref: questionnaireId, exp: Math.floor(Date.now() / 1000) + 600 });
    expectProblem(await post(undefined, submitUrl(later), { answers: GOOD_STANDARD() }), 410, /expired/);
    expect((await vendorNow(lapsing.vendorId)).status).toBe('rejected');
    expect((await evidenceOf(lapsing.vendorId)).map((e) => e.action)).toEqual(['vendor.review-opened', 'vendor.questionnaire-expired']);
    // Asked again, the vendor gets a new questionnaire with a new link; the lapsed one stays closed.
    const again = await post(requester.token, `/vendors/${lapsing.vendorId}/reviews`, { reason: 'Second attempt', timing: LONG_TIMING });
    expect(again.statusCode).toBe(201);
    const retry = (again.json() as VendorView).process!;
    expect(retry).toMatchObject({ cycle: 2, phase: 'questionnaire' });
    expect(retry.questionnaire!.questionnaireId).not.toBe(questionnaireId);
    const resent = await eventually(async () => {
      const mails = mailsTo(contactOf('brief')).filter((m) => m.subject === 'Due-diligence questionnaire for Brief Courier');
      return mails.length === 2 ? mails[1] : undefined;
    }, 20_000, 'the second questionnaire e-mail');
    const fresh = tokenOf(linkAfter(resent, 'Open the questionnaire:'));
    expect((await get(undefined, portal(fresh))).json()).toMatchObject({ questionnaireId: retry.questionnaire!.questionnaireId, status: 'open' });
    expectProblem(await get(undefined, portal(later)), 410, /expired/);
    expect((await evidenceOf(lapsing.vendorId)).filter((e) => e.action === 'vendor.review-opened').map((e) => e.data.cycle)).toEqual([1, 2]);

    // Forged, foreign and spent tokens, against a questionnaire that is open.
    const open = await registerVendor('Open Fields', 'openfields', MEDIUM);
    const live = await startReview(open, 'openfields');
    const liveId = live.view.process!.questionnaire!.questionnaireId;
    const [payload, signature] = live.token.split('.');
    const flipped = `${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    for (const res of [await get(undefined, portal(flipped)), await put(undefined, answersUrl(flipped), { answers: { mfa: 'yes' } }), await post(undefined, submitUrl(flipped), { answers: GOOD_STANDARD() })]) {
      expectProblem(res, 403, /not valid/);
    }
    // Another vendor's questionnaire under this signature: the payload no longer matches it.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ act: 'questionnaire', sub: open.vendorId, ref: liveId });
    const swapped = `${Buffer.from(JSON.stringify({ ...claims, sub: lapsing.vendorId, ref: questionnaireId })).toString('base64url')}.${signature}`;
    expectProblem(await get(undefined, portal(swapped)), 403, /not valid/);
    expect((await get(undefined, portal(swapped))).json()).toMatchObject({ type: 'https://complyflow.dev/problems/invalid-link', title: 'Invalid link' });
    expectProblem(await get(undefined, portal('not-a-token-at-all')), 403, /not valid/);
    // Correctly signed, but naming another vendor than the questionnaire's.
    expectProblem(await get(undefined, portal(signer.token({ act: 'questionnaire', sub: lapsing.vendorId, ref: liveId, exp: claims.exp }))), 403, /not valid/);

    // A link for another act: a consent preference-centre link, and one signed for this very questionnaire.
    const subject = await post(officerA.token, '/subjects', { name: 'Paula Portal', email: 'paula.portal@example.org', country: 'DE' });
    expect(subject.statusCode).toBe(201);
    const issued = await post(officerA.token, `/subjects/${subject.json().id}/preference-links`);
    expect(issued.statusCode).toBe(201);
    const preferences = tokenOf(issued.json().url);
    expect((await get(undefined, `/preferences?token=${preferences}`)).statusCode).toBe(200);
    expectProblem(await get(undefined, portal(preferences)), 403, /not for a questionnaire/);
    expectProblem(await post(undefined, submitUrl(preferences), { answers: GOOD_STANDARD() }), 403, /not for a questionnaire/);
    const otherAct = signer.token({ act: 'preferences', sub: open.vendorId, ref: liveId, exp: claims.exp });
    expectProblem(await put(undefined, answersUrl(otherAct), { answers: { mfa: 'yes' } }), 403, /not for a questionnaire/);

    // None of that touched the questionnaire; the real link still works, once.
    const shown = (await get(undefined, portal(live.token))).json();
    expect(shown).toMatchObject({ questionnaireId: liveId, status: 'open', answers: {}, savedAt: null });
    expect((await post(undefined, submitUrl(live.token), { answers: GOOD_STANDARD() })).statusCode).toBe(200);
    expectProblem(await post(undefined, submitUrl(live.token), { answers: GOOD_STANDARD() }), 409, /already submitted/);
    expectProblem(await put(undefined, answersUrl(live.token), { answers: { mfa: 'no' } }), 409, /already submitted/);
    await vendorWhen(open.vendorId, (v) => v.process?.phase === 'decision', 'the decision phase');
    const stored = await api.stores.vendors.questionnaire(liveId);
    expect(stored).toMatchObject({ status: 'submitted', answers: GOOD_STANDARD() });
  });

  it('refuses a questionnaire timing that escalates after the link expires, before anything starts', async () => {
    const vendor = await registerVendor('Late Escalations', 'late', MEDIUM);
    const refused = await post(requester.token, `/vendors/${vendor.vendorId}/reviews`, { reason: 'New vendor', timing: { remindEvery: 'PT1M', maxReminders: 1, escalateAfter: 'PT10M', expiresAfter: 'PT5M' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.timing.escalateAfter']);
    const zero = await post(requester.token, `/vendors/${vendor.vendorId}/reviews`, { reason: 'New vendor', reassessEvery: 'PT0S' });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().errors.map((e: { field: string }) => e.field)).toEqual(['body.reassessEvery']);
    expect(await vendorNow(vendor.vendorId)).toMatchObject({ status: 'prospective', process: null });
  });
});
