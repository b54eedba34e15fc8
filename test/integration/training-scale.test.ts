import { startTestApi, type TestApi } from '../harness/app';
import { eventually } from '../harness/stack';

/**
 * A campaign over 5 000 people on the real stack: the directory is imported as one CSV file, the campaign enrols
 * everyone a batch at a time (each person an assignment workflow of their own), and the cycle closes. Every workflow
 * history stays short: the test prints the longest and asserts a bound.
 */
const PEOPLE = 5_000;
/** Campaign: one activity per 200 people plus a handful of steps; an assignment: a few dozen events. */
const HISTORY_BOUND = 300;

describe('a 5 000-person training campaign', () => {
  let api: TestApi;
  let officer: string;
  let lms: string;

  beforeAll(async () => {
    api = await startTestApi();
    await api.startWorker();
    officer = (await api.tokenFor('compliance-officer')).token;
    lms = (await api.tokenFor('system')).token;
  });

  afterAll(async () => {
    await api?.close();
  });

  it('imports the directory, enrols everyone, closes the cycle, and keeps every history bounded', async () => {
    const rows = Array.from({ length: PEOPLE }, (_, i) => `hr-${i},Person ${i},person.${i}@staff.example,${i % 2 === 0 ? 'operations' : 'support'},${i % 10 === 0 ? 'team-lead' : 'agent'}`);
    const imported = await api.app.inject({ method: 'POST', url: '/staff/import', headers: { authorization: `Bearer ${officer}`, 'content-type': 'text/csv' }, payload: ['externalId,name,email,department,jobRoles', ...rows].join('\n') });
    expect(imported.statusCode).toBe(200);
    expect(imported.json()).toMatchObject({ rows: PEOPLE, added: PEOPLE, updated: 0, rejected: 0, problems: [] });

    expect((await api.app.inject({ method: 'POST', url: '/training/modules', headers: { authorization: `Bearer ${officer}` }, payload: { moduleId: 'code-of-conduct', title: 'Code of conduct', version: '3', content: { url: 'https://learning.example/coc' } } })).statusCode).toBe(201);
    const started = await api.app.inject({
      method: 'POST',
      url: '/training/campaigns',
      headers: { authorization: `Bearer ${officer}` },
      // The LMS sends its own messages here; reminders and escalations are still timed and recorded per person.
      payload: { title: 'Code of conduct 2026', moduleId: 'code-of-conduct', moduleVersion: '3', dueIn: 'PT60S', reminders: { count: 1, spacing: 'PT30S' }, closeAfterDue: 'PT5S', notifications: 'none' },
    });
    expect(started.statusCode).toBe(202);
    const { campaignId } = started.json() as { campaignId: string };

    // A few people complete through the LMS while the campaign runs.
    const completedIds = await eventually(async () => {
      const ids: string[] = [];
      for await (const a of api.stores.training.assignmentsOf(campaignId, 0)) if (ids.length < 20) ids.push(a.assignmentId);
      return ids.length === 20 ? ids : undefined;
    }, 120_000, 'the first assignments');
    for (const assignmentId of completedIds) {
      const res = await api.app.inject({ method: 'POST', url: '/training/lms-completions', headers: { authorization: `Bearer ${lms}` }, payload: { assignmentId } });
      expect(res.statusCode).toBe(200);
    }

    const ended = await eventually(async () => ((await api.stores.training.campaign(campaignId))?.status === 'ended' ? true : undefined), 1_500_000, 'the campaign to close');
    expect(ended).toBe(true);
    const report = (await api.app.inject({ method: 'GET', url: `/training/campaigns/${campaignId}/report`, headers: { authorization: `Bearer ${officer}` } })).json() as { total: number; completed: number; overdue: number; byDepartment: { department: string; total: number }[] };
    expect(report.total).toBe(PEOPLE);
    expect(report.completed).toBe(20);
    expect(report.overdue).toBe(PEOPLE - 20);
    expect(report.byDepartment.map((d) => [d.department, d.total])).toEqual([
      ['operations', PEOPLE / 2],
      ['support', PEOPLE / 2],
    ]);

    // Assignments still closing while the list is read can be listed twice (visibility pages by status), so they
    // are counted by id.
    let longest = 0;
    const workflows = new Set<string>();
    for await (const execution of api.temporal.workflow.list({ query: `TaskQueue = '${api.config.taskQueue}' AND (WorkflowType = 'trainingCampaignWorkflow' OR WorkflowType = 'trainingAssignmentWorkflow')` })) {
      workflows.add(execution.workflowId);
      longest = Math.max(longest, execution.historyLength);
    }
    process.stdout.write(`training campaign over ${PEOPLE} people: ${workflows.size} workflows, longest history ${longest} events\n`);
    expect(workflows.size).toBe(PEOPLE + 1);
    expect(longest).toBeLessThanOrEqual(HISTORY_BOUND);
  }, 1_800_000);
});
