import { parseImportRow } from '../../domain/consent-import';
import { lifecycleWorkflowId } from '../../domain/consent-lifecycle';
import { recordImportRow } from '../../api/routes/consent-import';
import { ConsentRecorder } from '../../store/consent-recorder';
import { startTestApi, type TestApi } from '../harness/app';
import { eventually } from '../harness/stack';

/**
 * Bulk import: a file mixing good and bad rows gives a report of exactly the bad ones, good rows are imported with
 * a lifecycle each, and importing the same file again adds nothing.
 */
describe('consent import', () => {
  let api: TestApi;
  let token: string;

  beforeAll(async () => {
    api = await startTestApi();
    await api.startWorker();
    token = (await api.tokenFor('compliance-officer')).token;
    const auth = { authorization: `Bearer ${token}` };
    const purpose = await api.app.inject({
      method: 'POST',
      url: '/purposes',
      headers: auth,
      payload: { id: 'newsletter', name: 'Newsletter', description: 'Monthly product news by e-mail', lawfulBasis: 'consent', channels: ['email'], policies: [{ jurisdiction: 'default', validFor: 'P2Y', renewBefore: 'P30D', reminders: { count: 1, every: 'P7D' } }] },
    });
    expect(purpose.json()).toMatchObject({ id: 'newsletter' });
    expect((await api.app.inject({ method: 'POST', url: '/purposes/newsletter/notices', headers: auth, payload: { text: 'We send one e-mail a month about our products.' } })).statusCode).toBe(201);
  });

  afterAll(() => api.close());

  const upload = (body: string, contentType: string) => api.app.inject({ method: 'POST', url: '/consents/import', headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, payload: body });

  it('reports exactly the bad rows, imports the good ones once, and starts their lifecycles', async () => {
    const recent = new Date(Date.now() - 86_400_000).toISOString();
    const csv = [
      'externalId,email,phone,name,country,purposeId,grantedAt,sourceUrl',
      `crm-1,ann@example.org,,Ann,DE,newsletter,${recent},https://shop.example.org/signup`,
      `crm-2,not-an-email,,Bob,DE,newsletter,${recent},`,
      `crm-3,cy@example.org,+33 1 23 45 67 89,Cy,FR,newsletter,${recent},`,
      `crm-4,di@example.org,,Di,UK,newsletter,${recent},`,
      `crm-5,ed@example.org,,Ed,US,no-such-purpose,${recent},`,
      `crm-6,fay@example.org,,"Fay, Jr.",US,newsletter,2099-01-01T00:00:00Z,`,
      `crm-7,gus@example.org,,Gus,US,newsletter,${recent}`,
      `crm-8,"hal@example.org",,"Hal ""the"" Great",CA,newsletter,${recent},`,
    ].join('\n');
    const first = await upload(csv, 'text/csv');
    expect(first.statusCode).toBe(200);
    const report = first.json();
    expect(report.imported).toBe(3);
    expect(report.unchanged).toBe(0);
    expect(report.problems.map((p: { line: number; field: string }) => `${p.line}:${p.field}`)).toEqual(['3:email', '5:country', '6:purposeId', '7:grantedAt', '8:row']);
    expect(report.rejected).toBe(5);

    const again = (await upload(csv, 'text/csv')).json();
    expect(again).toMatchObject({ imported: 0, unchanged: 3, rejected: 5 });
    expect(await api.database.db.collection('consent_events').countDocuments()).toBe(3);
    expect(await api.database.db.collection('subjects').countDocuments()).toBe(3);

    const [ann] = (await api.app.inject({ method: 'POST', url: '/subjects/search', headers: { authorization: `Bearer ${token}` }, payload: { externalId: 'crm-1' } })).json().items;
    const timeline = (await api.app.inject({ method: 'GET', url: `/consents/subjects/${ann.id}`, headers: { authorization: `Bearer ${token}` } })).json();
    expect(timeline.timeline).toHaveLength(1);
    expect(timeline.timeline[0]).toMatchObject({ type: 'granted', method: 'import', source: { url: 'https://shop.example.org/signup', line: 2 } });
    expect(timeline.consents[0]).toMatchObject({ status: 'active' });
    // The lifecycle records the imported grant as evidence.
    const description = await api.temporal.workflow.getHandle(lifecycleWorkflowId(ann.id, 'newsletter')).describe();
    expect(description.status.name).toBe('RUNNING');
    await eventually(async () => (await api.stores.consents.event(timeline.timeline[0].id))?.evidence);
  });

  it('takes JSON Lines with the same rules', async () => {
    const recent = new Date(Date.now() - 3600_000).toISOString();
    const lines = [
      JSON.stringify({ externalId: 'jl-1', email: 'ivy@example.org', country: 'NL', purposeId: 'newsletter', grantedAt: recent }),
      '{ not json',
      JSON.stringify({ externalId: 'jl-2', country: 'NL', purposeId: 'newsletter', grantedAt: recent, $where: '1' }),
      JSON.stringify([1, 2]),
      JSON.stringify({ externalId: 'jl-3', phone: '+31 20 123 4567', country: 'NL', purposeId: 'newsletter', grantedAt: recent, consentType: 'implied-inquiry' }),
    ].join('\n');
    const report = (await upload(lines, 'application/x-ndjson')).json();
    expect(report.imported).toBe(2);
    expect(report.problems.map((p: { line: number }) => p.line)).toEqual([2, 3, 4]);
    expect((await upload(lines, 'application/x-ndjson')).json()).toMatchObject({ imported: 0, unchanged: 2 });
  });

  it('importing again completes a hand-over an earlier import lost', async () => {
    // As if an import had recorded this row and stopped before handing it to its lifecycle.
    const raw = { externalId: 'lost-1', email: 'lou@example.org', country: 'DE', purposeId: 'newsletter', grantedAt: new Date(Date.now() - 3600_000).toISOString() };
    const { row } = parseImportRow(1, raw, new Date());
    const { subject } = await api.stores.subjects.create(row!.subject);
    const recorder = new ConsentRecorder(api.stores.subjects, api.stores.purposes, api.stores.consents);
    const recorded = await recordImportRow(recorder, subject.id, row!, { importId: 'imp_earlier', line: 1, actor: { id: 'prn_earlier_import', type: 'person' } });
    const lifecycle = api.temporal.workflow.getHandle(lifecycleWorkflowId(subject.id, 'newsletter'));
    await expect(lifecycle.describe()).rejects.toThrow(/not found/i);

    expect((await upload(JSON.stringify(raw), 'application/x-ndjson')).json()).toMatchObject({ imported: 0, unchanged: 1, rejected: 0 });
    expect((await lifecycle.describe()).status.name).toBe('RUNNING');
    await eventually(async () => (await api.stores.consents.event(recorded.event.id))?.evidence);
    expect(await api.database.db.collection('consent_events').countDocuments({ subjectId: subject.id })).toBe(1);
  });

  it('refuses a file that is not CSV at all, and an unknown content type', async () => {
    const broken = await upload('a,b\n"unclosed,2\n', 'text/csv');
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
    expect((await upload('x', 'application/xml')).statusCode).toBe(415);
  });
});
