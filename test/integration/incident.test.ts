import { startTestApi, type TestApi } from '../harness/app';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../harness/receivers';
import { eventually } from '../harness/stack';

/**
 * Breach response end to end on the real stack: an incident with EU, California and Texas residents, its GDPR clock
 * seconds from the deadline, escalating to a real SMTP server and HTTP receiver until the notice is recorded.
 */
describe('incident response through the API', () => {
  let api: TestApi;
  let smtp: SmtpReceiver;
  let hooks: HttpReceiver;
  let responder: string;
  let auditor: string;

  beforeAll(async () => {
    [smtp, hooks] = await Promise.all([startSmtpReceiver(), startHttpReceiver()]);
    api = await startTestApi({ smtpUrl: smtp.url });
    await api.startWorker();
    const admin = (await api.tokenFor('admin')).token;
    responder = (await api.tokenFor('incident-responder')).token;
    auditor = (await api.tokenFor('auditor')).token;
    const endpoint = await post(admin, '/webhook-endpoints', { url: `${hooks.url}/hook`, events: ['breach.escalation'] });
    expect(endpoint.statusCode).toBe(201);
  });

  afterAll(async () => {
    await api.close();
    await Promise.all([smtp.close(), hooks.close()]);
  });

  const post = (token: string, url: string, payload: unknown) => api.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: payload as object });
  const get = (token: string, url: string) => api.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

  /** The escalation steps the HTTP receiver got for one obligation, in arrival order. */
  const escalationsFor = (incidentId: string, obligationId: string): string[] =>
    hooks.requests
      .map((r) => JSON.parse(r.body) as { type: string; data: { incidentId: string; obligationId: string; step: string } })
      .filter((e) => e.type === 'breach.escalation' && e.data.incidentId === incidentId && e.data.obligationId === obligationId)
      .map((e) => e.data.step);

  it('escalates in order until notified, recomputes on revision, and refuses to close with obligations open', async () => {
    const secondsToDeadline = 12;
    const awareAt = new Date(Date.now() - 72 * 3600_000 + secondsToDeadline * 1000).toISOString();
    const reported = await post(responder, '/incidents', {
      title: 'Customer database exposed',
      description: 'A misconfigured bucket exposed a customer export; reported by the security team.',
      discoveredAt: awareAt,
      awareAt,
      systems: ['crm'],
      contacts: [
        { role: 'owner', email: 'owner@example.org' },
        { role: 'dpo', email: 'dpo@example.org' },
      ],
      flags: ['controller'],
      escalation: { at: [0.5, 0.9], overdueEverySeconds: 4 },
    });
    expect(reported.statusCode).toBe(201);
    const { incidentId, phase } = reported.json();
    expect(phase).toBe('triage');

    expect((await post(responder, `/incidents/${incidentId}/triage`, { severity: 'high', notes: 'Customer data, internet-facing' })).statusCode).toBe(200);
    expect((await post(responder, `/incidents/${incidentId}/containment`, { measures: 'Bucket made private; keys rotated.' })).statusCode).toBe(200);
    const assessed = await post(responder, `/incidents/${incidentId}/assessment`, {
      anchors: { determination: awareAt },
      affected: { DE: 1200, FR: 300, 'US-CA': 600, 'US-TX': 300 },
      dataCategories: ['contact', 'government-id'],
      encryption: 'none',
      risk: 'high',
      flags: ['controller'],
      consequences: 'Identity theft and phishing.',
    });
    expect(assessed.statusCode).toBe(200);
    const obligations = assessed.json().obligations as Array<{ id: string; dueAt: string | null; explanation: string[]; citation: string; status: string }>;
    const ids = obligations.map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining(['gdpr.art33.authority', 'gdpr.art34.data-subjects']));
    expect(ids.some((id) => id.startsWith('us-ca.'))).toBe(true);
    expect(ids.some((id) => id.startsWith('us-tx.'))).toBe(true);
    expect(ids.some((id) => id.startsWith('us-ny.'))).toBe(false);
    const gdpr = obligations.find((o) => o.id === 'gdpr.art33.authority')!;
    expect(Date.parse(gdpr.dueAt!) - Date.parse(awareAt)).toBe(72 * 3600_000);
    expect(gdpr.citation).toMatch(/33/);
    expect(gdpr.explanation.join(' ')).toMatch(/72 hours/);

    // The ladder: the 50% step is long past (skipped), 90% goes out at once, then the deadline, then overdue steps.
    await eventually(async () => (escalationsFor(incidentId, 'gdpr.art33.authority').length >= 4 ? true : undefined), 60_000, 'four escalations');
    const steps = escalationsFor(incidentId, 'gdpr.art33.authority');
    expect(steps.slice(0, 4)).toEqual(['90%', 'due', 'overdue-1', 'overdue-2']);
    await eventually(async () => (smtp.messages.filter((m) => m.raw.includes(incidentId) && /OVERDUE/.test(m.raw)).length >= 2 ? true : undefined), 30_000, 'overdue e-mails');
    expect(smtp.messages.find((m) => m.raw.includes(incidentId))!.to.sort()).toEqual(['dpo@example.org', 'owner@example.org']);

    // Late, so the reason for the delay is required; then the escalations stop.
    const sentAt = new Date().toISOString();
    const withoutReason = await post(responder, `/incidents/${incidentId}/obligations/gdpr.art33.authority/notices`, { sentAt, recipientReference: 'BfDI-2026-0042' });
    expect(withoutReason.statusCode).toBe(422);
    expect(withoutReason.headers['content-type']).toContain('application/problem+json');
    expect(withoutReason.json().detail).toMatch(/delay/);
    const notified = await post(responder, `/incidents/${incidentId}/obligations/gdpr.art33.authority/notices`, { sentAt, recipientReference: 'BfDI-2026-0042', delayReason: 'Scope was unclear until forensic review finished.' });
    expect(notified.statusCode).toBe(200);
    const authority = notified.json().obligations.find((o: { id: string }) => o.id === 'gdpr.art33.authority');
    expect(authority).toMatchObject({ status: 'notified', notices: [{ recipientReference: 'BfDI-2026-0042', late: true }] });
    const countAfterNotice = escalationsFor(incidentId, 'gdpr.art33.authority').length;
    await new Promise((r) => setTimeout(r, 10_000));
    expect(escalationsFor(incidentId, 'gdpr.art33.authority').length).toBe(countAfterNotice);
    // The other obligation on the same clock kept escalating meanwhile.
    expect(escalationsFor(incidentId, 'gdpr.art34.data-subjects').length).toBeGreaterThan(0);

    // A revision adding New York residents creates New York's obligation; a revision needs its reason.
    const revision = { affected: { DE: 1200, FR: 300, 'US-CA': 600, 'US-TX': 300, 'US-NY': 80 }, dataCategories: ['contact', 'government-id'], encryption: 'none', risk: 'high', flags: ['controller'], consequences: 'Identity theft and phishing.' };
    expect((await post(responder, `/incidents/${incidentId}/assessment`, revision)).statusCode).toBe(422);
    const revised = await post(responder, `/incidents/${incidentId}/assessment`, { ...revision, reason: 'Forensics found New York customers in the export.' });
    expect(revised.statusCode).toBe(200);
    expect(revised.json().obligations.map((o: { id: string }) => o.id).some((id: string) => id.startsWith('us-ny.'))).toBe(true);

    // Review, then closing is refused while obligations are open.
    expect((await post(responder, `/incidents/${incidentId}/review`, { findings: ['Bucket policies were not monitored.'], correctiveActions: [{ description: 'Monitor bucket policies', owner: 'cloud team', dueAt: '2027-03-01T00:00:00Z' }] })).statusCode).toBe(200);
    const close = await post(responder, `/incidents/${incidentId}/close`, { reason: 'done' });
    expect(close.statusCode).toBe(422);
    expect(close.json().detail).toMatch(/still open/);
    expect(close.json().detail).toMatch(/us-ny\./);

    // Readers see the incident, the register and the deadlines; the evidence trail has every step with its actor.
    const read = await get(auditor, `/incidents/${incidentId}`);
    expect(read.statusCode).toBe(200);
    expect(read.json().drafts.length).toBeGreaterThan(0);
    const register = await get(auditor, '/incidents?format=csv');
    expect(register.headers['content-type']).toContain('text/csv');
    expect(register.body).toContain(incidentId);
    const overdue = await get(auditor, '/incidents/deadlines?within=overdue');
    expect(overdue.json().items.some((i: { incidentId: string; obligationId: string }) => i.incidentId === incidentId && i.obligationId === 'gdpr.art34.data-subjects')).toBe(true);
    const evidence = (await get(auditor, `/evidence?resourceId=${incidentId}&limit=500`)).json().items as Array<{ action: string }>;
    const actions = new Set(evidence.map((e) => e.action));
    for (const action of ['incident.reported', 'incident.triage', 'incident.contain', 'incident.assess', 'incident.notify', 'incident.review', 'incident.obligations-changed', 'incident.escalated']) expect(actions).toContain(action);
  });
});
