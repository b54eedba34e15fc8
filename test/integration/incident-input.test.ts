import { incidentWorkflowId } from '../../workflows/incident';
import { startTestApi, type TestApi } from '../harness/app';
import { expectInvalid, problemOf, type Problem } from '../harness/problems';
import { eventually } from '../harness/stack';

/**
 * Bad input and steps out of turn on the incident routes: every refusal is an `application/problem+json` answer
 * naming the field (400) or giving the reason (422), and leaves no trace: the incident keeps its version, its evidence
 * trail keeps its length, and no workflow is started and nothing enters the breach register.
 */
const HOUR = 3600_000;

describe('incident input and transitions', () => {
  let api: TestApi;
  let responder: string;
  let auditor: string;

  beforeAll(async () => {
    api = await startTestApi();
    await api.startWorker();
    responder = (await api.tokenFor('incident-responder')).token;
    auditor = (await api.tokenFor('auditor')).token;
  });

  afterAll(() => api.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${responder}`, ...headers }, payload: payload as object });
  const get = (url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auditor}` } });

  const hoursAgo = (h: number) => new Date(Date.now() - h * HOUR).toISOString();
  const inAnHour = () => new Date(Date.now() + HOUR).toISOString();

  const report = (over: Record<string, unknown> = {}) => ({
    title: 'Customer export exposed',
    description: 'A misconfigured bucket exposed a customer export.',
    discoveredAt: hoursAgo(1),
    contacts: [{ role: 'dpo', email: 'dpo@example.org' }],
    flags: ['controller'],
    ...over,
  });
  const assessment = (over: Record<string, unknown> = {}) => ({
    anchors: { determination: hoursAgo(1) },
    affected: { DE: 1200, 'US-TX': 300 },
    dataCategories: ['contact', 'government-id'],
    encryption: 'none',
    risk: 'high',
    flags: ['controller'],
    consequences: 'Phishing and identity theft.',
    ...over,
  });

  async function reportIncident(body: object = report()): Promise<string> {
    const res = await post('/incidents', body);
    if (res.statusCode !== 201) throw new Error(`report → ${res.statusCode} ${res.body}`);
    return (res.json() as { incidentId: string }).incidentId;
  }

  async function step(incidentId: string, path: string, payload: object): Promise<void> {
    const res = await post(`/incidents/${incidentId}/${path}`, payload);
    if (res.statusCode !== 200) throw new Error(`${path} → ${res.statusCode} ${res.body}`);
  }

  /** What a refused request must leave untouched: the incident's version and its evidence trail. */
  async function traceOf(incidentId: string) {
    const incident = await get(`/incidents/${incidentId}`);
    expect(incident.statusCode).toBe(200);
    const evidence = await get(`/evidence?resourceId=${incidentId}&limit=500`);
    expect(evidence.statusCode).toBe(200);
    const { version, phase, obligations } = incident.json() as { version: number; phase: string; obligations: Array<{ id: string; status: string; notices: unknown[] }> };
    return { version, phase, obligations: obligations.map((o) => `${o.id}:${o.status}:${o.notices.length}`), evidence: (evidence.json() as { items: unknown[] }).items.length };
  }

  /** A step that must be refused with 422 and the reason, changing nothing. */
  async function expectRefused(incidentId: string, path: string, payload: object, reason: RegExp): Promise<Problem> {
    const before = await traceOf(incidentId);
    const problem = problemOf(await post(`/incidents/${incidentId}/${path}`, payload), 422);
    expect(problem.detail).toMatch(reason);
    expect(await traceOf(incidentId)).toEqual(before);
    return problem;
  }

  /** What a refused report or a preview must leave untouched: the register, the evidence, the workflows. */
  async function everything() {
    const register = ((await get('/incidents')).json() as { items: Array<{ incidentId: string }> }).items.map((i) => i.incidentId).sort();
    const evidence = await api.database.db.collection('evidence_events').countDocuments();
    const incidents = await api.database.db.collection('incidents').countDocuments();
    // Visibility lags a little behind starts: wait until every registered incident's workflow is listed.
    const query = `TaskQueue = '${api.config.taskQueue}' AND WorkflowType = 'incidentWorkflow'`;
    const workflows = await eventually(async () => {
      const { count } = await api.temporal.workflow.count(query);
      return count >= register.length ? count : undefined;
    }, 10_000, 'workflows to be listed');
    return { register, evidence, incidents, workflows };
  }

  it('refuses a bad report by field name, and starts and records nothing', async () => {
    await reportIncident(); // so the register is not trivially empty
    const before = await everything();
    const valid = report({ escalation: { at: [0.5, 0.9], overdueEverySeconds: 3600 } });
    const without = (field: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field));

    expectInvalid(await post('/incidents', { ...valid, surprise: 1 }), 'body.surprise', /not a known field/);
    expectInvalid(await post('/incidents', { ...valid, contacts: [{ role: 'dpo', email: 'dpo@example.org', phone: '+49 30 1234' }] }), 'body.contacts[0].phone');
    expectInvalid(await post('/incidents', { ...valid, $where: 'sleep(1000)' }), 'body.$where');
    expectInvalid(await post('/incidents', { ...valid, systems: [{ $ne: '' }] }), 'body.systems[0].$ne');
    expectInvalid(await post('/incidents', { ...valid, title: 12345 }), 'body.title');
    expectInvalid(await post('/incidents', { ...valid, flags: 'controller' }), 'body.flags');
    expectInvalid(await post('/incidents', { ...valid, contacts: [{ role: 'ceo', email: 'ceo@example.org' }] }), 'body.contacts[0].role');
    expectInvalid(await post('/incidents', { ...valid, contacts: [{ role: 'dpo', email: 'dpo at example.org' }] }), 'body.contacts[0].email');
    expectInvalid(await post('/incidents', { ...valid, discoveredAt: 'last tuesday' }), 'body.discoveredAt');
    expectInvalid(await post('/incidents', { ...valid, flags: ['controller', 'martian-overlord'] }), 'body.flags', /"martian-overlord" is not a flag the rules know/);
    expectInvalid(await post('/incidents', { ...valid, discoveredAt: inAnHour() }), 'body.discoveredAt', /future/);
    expectInvalid(await post('/incidents', { ...valid, awareAt: inAnHour() }), 'body.awareAt', /future/);
    expectInvalid(await post('/incidents', { ...valid, entity: { zone: 'Mars/Olympus_Mons', calendar: 'weekends' } }), 'body.entity.zone', /time zone/);
    expectInvalid(await post('/incidents', { ...valid, entity: { zone: 'Europe/Berlin', calendar: 'lunar' } }), 'body.entity.calendar');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [0, 0.5], overdueEverySeconds: 3600 } }), 'body.escalation.at[0]');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [0.5, 1], overdueEverySeconds: 3600 } }), 'body.escalation.at[1]');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [1.5], overdueEverySeconds: 3600 } }), 'body.escalation.at[0]');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [-0.2], overdueEverySeconds: 3600 } }), 'body.escalation.at[0]');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [0.5], overdueEverySeconds: 0 } }), 'body.escalation.overdueEverySeconds');
    expectInvalid(await post('/incidents', { ...valid, escalation: { at: [0.5] } }), 'body.escalation.overdueEverySeconds', /required/);
    for (const field of ['title', 'description', 'discoveredAt']) expectInvalid(await post('/incidents', without(field)), `body.${field}`, /required/);
    // Every problem at once, so a form can show them all.
    const many = problemOf(await post('/incidents', { ...valid, awareAt: inAnHour(), flags: ['martian-overlord'], entity: { zone: 'Nowhere/Else', calendar: 'weekends' } }), 400);
    expect(many.errors!.map((e) => e.field).sort()).toEqual(['body.awareAt', 'body.entity.zone', 'body.flags']);

    expect(await everything()).toEqual(before);
  });

  it('refuses bad facts in an assessment by field name, and the incident stays as it was', async () => {
    const incidentId = await reportIncident();
    await step(incidentId, 'triage', { severity: 'high', notes: 'Internet-facing' });
    await step(incidentId, 'containment', { measures: 'Bucket made private.' });
    const before = await traceOf(incidentId);
    expect(before.phase).toBe('assessment');
    const assess = (payload: object) => post(`/incidents/${incidentId}/assessment`, payload);

    expectInvalid(await assess(assessment({ affected: { XX: 5 } })), 'body.affected.XX', /ISO 3166-1/);
    expectInvalid(await assess(assessment({ affected: { DE: 5, 'US-ZZ': 5, QQ: 1 } })), 'body.affected.QQ');
    expectInvalid(await assess(assessment({ affected: { germany: 5 } })), 'body.affected.germany');
    expectInvalid(await assess(assessment({ affected: { DE: -1 } })), 'body.affected.DE');
    expectInvalid(await assess(assessment({ affected: { DE: 'many' } })), 'body.affected.DE');
    expectInvalid(await assess(assessment({ affected: { $gt: 0 } })), 'body.affected.$gt');
    expectInvalid(await assess(assessment({ dataCategories: ['dna'] })), 'body.dataCategories[0]');
    expectInvalid(await assess(assessment({ risk: 'apocalyptic' })), 'body.risk');
    expectInvalid(await assess(assessment({ encryption: true })), 'body.encryption');
    expectInvalid(await assess(assessment({ flags: ['controller', 'not-a-known-flag'] })), 'body.flags', /not-a-known-flag/);
    expectInvalid(await assess(assessment({ anchors: { determination: inAnHour() } })), 'body.anchors.determination', /future/);
    expectInvalid(await assess(assessment({ anchors: { whenever: hoursAgo(1) } })), 'body.anchors.whenever');
    expectInvalid(await assess(assessment({ severity: 'high' })), 'body.severity');
    const { consequences: _dropped, ...noConsequences } = assessment();
    expectInvalid(await assess(noConsequences), 'body.consequences', /required/);

    expect(await traceOf(incidentId)).toEqual(before);
    // The same facts, corrected, are accepted.
    await step(incidentId, 'assessment', assessment({ affected: { DE: 5 } }));
    expect((await traceOf(incidentId)).phase).toBe('notification');
  });

  it('refuses steps out of turn with 422 and the reason, and records nothing', async () => {
    const incidentId = await reportIncident();
    // In triage: nothing but triage.
    await expectRefused(incidentId, 'containment', { measures: 'Keys rotated.' }, /contain step is not possible while the incident is in triage/);
    await expectRefused(incidentId, 'assessment', assessment(), /assess step is not possible while the incident is in triage/);
    await expectRefused(incidentId, 'review', { findings: ['None'] }, /review step is not possible while the incident is in triage; it is allowed in: notification/);
    await expectRefused(incidentId, 'close', { reason: 'done' }, /close step is not possible while the incident is in triage; it is allowed in: review/);
    await expectRefused(incidentId, 'obligations/gdpr.art33.authority/notices', { sentAt: hoursAgo(0), recipientReference: 'X-1' }, /notify step is not possible while the incident is in triage/);

    await step(incidentId, 'triage', { severity: 'high', notes: 'Internet-facing' });
    await expectRefused(incidentId, 'triage', { severity: 'low', notes: 'again' }, /triage step is not possible while the incident is in containment/);
    await step(incidentId, 'containment', { measures: 'Bucket made private.' });
    // Review before the assessment.
    await expectRefused(incidentId, 'review', { findings: ['Bucket policies were not monitored.'] }, /review step is not possible while the incident is in assessment; it is allowed in: notification/);

    await step(incidentId, 'assessment', assessment());
    const obligations = ((await get(`/incidents/${incidentId}`)).json() as { obligations: Array<{ id: string; exemptions: Array<{ id: string }> }> }).obligations;
    expect(obligations.map((o) => o.id)).toEqual(expect.arrayContaining(['gdpr.art33.authority', 'gdpr.art34.data-subjects', 'us-tx.individuals']));
    // Close before the review.
    await expectRefused(incidentId, 'close', { reason: 'done' }, /close step is not possible while the incident is in notification; it is allowed in: review/);
    // A revision needs its reason.
    await expectRefused(incidentId, 'assessment', assessment({ affected: { DE: 1300, 'US-TX': 300 } }), /revises an earlier assessment: give the reason/);
    // Obligations, exemptions and adjustments the incident or the rule does not have.
    const unknown = await expectRefused(incidentId, 'obligations/gdpr.art99.nobody/notices', { sentAt: hoursAgo(0), recipientReference: 'X-1' }, /No obligation gdpr\.art99\.nobody on this incident/);
    for (const o of obligations) expect(unknown.detail).toContain(o.id);
    await expectRefused(incidentId, 'obligations/gdpr.art99.nobody/exemption', { exemptionId: 'gdpr.art34.3.a', justification: 'x' }, /No obligation gdpr\.art99\.nobody/);
    const allowed = obligations.find((o) => o.id === 'gdpr.art34.data-subjects')!.exemptions.map((e) => e.id);
    expect(allowed).toContain('gdpr.art34.3.a');
    const exemption = await expectRefused(incidentId, 'obligations/gdpr.art34.data-subjects/exemption', { exemptionId: 'gdpr.art34.3.z', justification: 'Encrypted.' }, /Exemption gdpr\.art34\.3\.z does not exist for gdpr\.art34\.data-subjects/);
    for (const id of allowed) expect(exemption.detail).toContain(id);
    await expectRefused(incidentId, 'obligations/gdpr.art33.authority/exemption', { exemptionId: 'gdpr.art34.3.a', justification: 'Encrypted.' }, /does not exist for gdpr\.art33\.authority; the law allows none/);
    await expectRefused(incidentId, 'obligations/us-tx.individuals/clock-adjustments', { adjustmentId: 'us-tx.made-up', reason: 'Because.' }, /Adjustment us-tx\.made-up does not exist for us-tx\.individuals; it allows: us-tx\.521\.053\.d/);
    await expectRefused(incidentId, 'obligations/gdpr.art33.authority/clock-adjustments', { adjustmentId: 'us-tx.521.053.d', reason: 'Because.' }, /the law allows no delay or extension/);
    await expectRefused(incidentId, 'obligations/us-tx.individuals/clock-adjustments', { adjustmentId: 'us-tx.521.053.d', from: hoursAgo(0), until: hoursAgo(1), reason: 'Police hold.' }, /until must be after from/);
    await expectRefused(incidentId, 'obligations/us-tx.individuals/clock-adjustments/us-tx.521.053.d/lift', {}, /No open hold us-tx\.521\.053\.d on us-tx\.individuals/);
    await expectRefused(incidentId, 'obligations/gdpr.art33.authority/notices', { sentAt: inAnHour(), recipientReference: 'X-1' }, /sentAt lies in the future/);

    // An exempted obligation cannot be notified; after the review, closing waits for the obligations still open.
    await step(incidentId, 'obligations/gdpr.art34.data-subjects/exemption', { exemptionId: 'gdpr.art34.3.a', justification: 'The export was encrypted at rest.' });
    await expectRefused(incidentId, 'obligations/gdpr.art34.data-subjects/notices', { sentAt: hoursAgo(0), recipientReference: 'X-2' }, /gdpr\.art34\.data-subjects is exempt; nothing more can be notified/);
    await step(incidentId, 'review', { findings: ['Bucket policies were not monitored.'] });
    await expectRefused(incidentId, 'review', { findings: ['Again'] }, /review step is not possible while the incident is in review/);
    await expectRefused(incidentId, 'close', { reason: 'done' }, /Obligations are still open: .*gdpr\.art33\.authority/);
  });

  it('refuses a late notice without the reasons for the delay, and accepts it with them', async () => {
    const awareAt = hoursAgo(73);
    // One escalation ('due') goes out at once, to nobody but the evidence trail; the next would be a year later, so
    // the incident then holds still.
    const incidentId = await reportIncident(report({ discoveredAt: awareAt, contacts: [], escalation: { at: [0.5], overdueEverySeconds: 31_536_000 } }));
    await step(incidentId, 'triage', { severity: 'medium', notes: 'Late report' });
    await step(incidentId, 'containment', { measures: 'Access revoked.' });
    await step(incidentId, 'assessment', assessment({ anchors: {}, affected: { DE: 10 }, risk: 'risk' }));
    await eventually(async () => {
      const { items } = (await get(`/evidence?resourceId=${incidentId}&action=incident.escalated`)).json() as { items: Array<{ data: { obligationId: string; step: string; skipped: string[] } }> };
      return items.some((e) => e.data.obligationId === 'gdpr.art33.authority' && e.data.step === 'due') ? true : undefined;
    }, 30_000, 'the due escalation');

    const notice = { sentAt: hoursAgo(0), recipientReference: 'BfDI-2026-0001' };
    const late = await expectRefused(incidentId, 'obligations/gdpr.art33.authority/notices', notice, /sent after the deadline .*give delayReason/);
    expect(late.title).toBe('Request refused');
    expectInvalid(await post(`/incidents/${incidentId}/obligations/gdpr.art33.authority/notices`, { ...notice, delayReason: '' }), 'body.delayReason');

    const before = await traceOf(incidentId);
    await step(incidentId, 'obligations/gdpr.art33.authority/notices', { ...notice, delayReason: 'The scope was unclear until the forensic review.' });
    const after = await traceOf(incidentId);
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.evidence).toBeGreaterThan(before.evidence);
    expect(after.obligations).toContain('gdpr.art33.authority:notified:1');
    await expectRefused(incidentId, 'obligations/gdpr.art33.authority/notices', { ...notice, delayReason: 'Again.' }, /gdpr\.art33\.authority is notified; nothing more can be notified/);
  });

  it('answers 404 for an incident that does not exist, and 400 for an id that cannot be one', async () => {
    const before = await everything();
    const missing = 'inc_doesnotexist0001';
    expect(problemOf(await get(`/incidents/${missing}`), 404).detail).toContain(missing);
    expect(problemOf(await post(`/incidents/${missing}/triage`, { severity: 'low', notes: 'x' }), 404).detail).toContain(missing);
    expect(problemOf(await post(`/incidents/${missing}/obligations/gdpr.art33.authority/notices`, { sentAt: hoursAgo(0), recipientReference: 'X' }), 404).detail).toContain(missing);
    expectInvalid(await get('/incidents/not-an-incident'), 'params.incidentId');
    expectInvalid(await post('/incidents/inc_doesnotexist0001/obligations/GDPR$33/notices', { sentAt: hoursAgo(0), recipientReference: 'X' }), 'params.obligationId');
    expectInvalid(await get('/incidents/deadlines?within=someday'), 'querystring.within');
    expectInvalid(await get('/incidents?format=xml'), 'querystring.format');
    expect(await everything()).toEqual(before);
  });

  it('returns the same incident for a replayed Idempotency-Key, and refuses the key with another body', async () => {
    const key = { 'idempotency-key': 'incident-replay-0001' };
    const body = report({ title: 'Replayed report' });
    const first = await post('/incidents', body, key);
    expect(first.statusCode).toBe(201);
    const { incidentId } = first.json() as { incidentId: string };
    const before = await everything();

    const again = await post('/incidents', body, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ incidentId, title: 'Replayed report' });
    const other = problemOf(await post('/incidents', { ...body, title: 'Something else' }, key), 409);
    expect(other.detail).toMatch(/Idempotency-Key was already used with a different request body/);
    // Another principal's same key is another request.
    const officer = (await api.tokenFor('compliance-officer')).token;
    const theirs = await api.app.inject({ method: 'POST', url: '/incidents', headers: { authorization: `Bearer ${officer}`, ...key }, payload: body });
    expect(theirs.statusCode).toBe(201);
    expect((theirs.json() as { incidentId: string }).incidentId).not.toBe(incidentId);

    const runs = [];
    for await (const run of api.temporal.workflow.list({ query: `WorkflowId = '${incidentWorkflowId(incidentId)}'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    const now = await everything();
    expect(now.register).toEqual([...before.register, (theirs.json() as { incidentId: string }).incidentId].sort());
    const reported = ((await get(`/evidence?resourceId=${incidentId}&limit=500`)).json() as { items: Array<{ action: string }> }).items.filter((e) => e.action === 'incident.reported');
    expect(reported).toHaveLength(1);
  });

  it('previews the obligations of hypothetical facts with explanations, starting and recording nothing', async () => {
    const before = await everything();
    const awareness = hoursAgo(10);
    const preview = await api.app.inject({
      method: 'POST',
      url: '/incidents/preview',
      headers: { authorization: `Bearer ${auditor}` },
      payload: { anchors: { awareness, discovery: awareness, determination: awareness }, affected: { DE: 1200, 'US-TX': 300 }, dataCategories: ['government-id'], encryption: 'none', risk: 'high', flags: ['controller'] },
    });
    expect(preview.statusCode).toBe(200);
    const result = preview.json() as {
      packVersion: string;
      obligations: Array<{ id: string; dueAt: string | null; remainingSeconds: number | null; explanation: string[]; citation: string }>;
      notApplicable: Array<{ ruleId: string; reason: string }>;
    };
    expect(result.packVersion).toBeTruthy();
    expect(result.obligations.map((o) => o.id)).toEqual(expect.arrayContaining(['gdpr.art33.authority', 'gdpr.art34.data-subjects', 'us-tx.individuals']));
    for (const o of result.obligations) {
      expect(o.explanation.length).toBeGreaterThan(0);
      expect(o.citation).toBeTruthy();
    }
    const gdpr = result.obligations.find((o) => o.id === 'gdpr.art33.authority')!;
    expect(Date.parse(gdpr.dueAt!) - Date.parse(awareness)).toBe(72 * HOUR);
    expect(gdpr.remainingSeconds).toBeGreaterThan(61 * 3600);
    expect(gdpr.remainingSeconds).toBeLessThanOrEqual(62 * 3600);
    expect(gdpr.explanation.join(' ')).toMatch(/72 hours/);
    // Rules that do not apply say why.
    const hipaa = result.notApplicable.find((n) => n.ruleId === 'hipaa.individuals');
    expect(hipaa?.reason).toBeTruthy();

    // Follow-up reports: their clocks start at the submission of the first report.
    const submittedAt = hoursAgo(2);
    const phased = await post('/incidents/preview', {
      anchors: { awareness },
      affected: { DE: 10 },
      dataCategories: [],
      encryption: 'none',
      risk: 'risk',
      flags: ['nis2-entity', 'nis2-significant-incident'],
      submissions: [{ obligationId: 'nis2.art23.notification', at: submittedAt }],
    });
    expect(phased.statusCode).toBe(200);
    const finalReport = (phased.json() as typeof result).obligations.find((o) => o.id === 'nis2.art23.final-report');
    expect(finalReport?.dueAt).toBeTruthy();
    expect(Date.parse(finalReport!.dueAt!)).toBeGreaterThan(Date.parse(submittedAt) + 27 * 24 * HOUR);

    // A preview's bad facts are refused like an assessment's.
    const previewWith = (over: object) => post('/incidents/preview', { anchors: { awareness }, affected: { DE: 1 }, dataCategories: [], encryption: 'none', risk: 'risk', flags: [], ...over });
    expectInvalid(await previewWith({ affected: { XX: 5 } }), 'body.affected.XX');
    expectInvalid(await previewWith({ anchors: { awareness: inAnHour() } }), 'body.anchors.awareness', /future/);
    expectInvalid(await previewWith({ entity: { zone: 'Atlantis/Capital', calendar: 'weekends' } }), 'body.entity.zone');
    expectInvalid(await previewWith({ flags: ['no-such-flag'] }), 'body.flags');
    expectInvalid(await previewWith({ submissions: [{ obligationId: 'nis2.art23.notification', at: 'soon' }] }), 'body.submissions[0].at');
    expectInvalid(await previewWith({ submissions: { 'nis2.art23.notification': submittedAt } }), 'body.submissions.nis2.art23.notification');

    expect(await everything()).toEqual(before);
  });
});
