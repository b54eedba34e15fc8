import { BATCH_SIZE } from '../../activities/audit-scan';
import { startTestApi, type TestApi } from '../harness/app';
import { eventually } from '../harness/stack';
import { spawnWorker, type WorkerProcess } from '../harness/worker-process';

/**
 * Resume test for long checks: a data-accuracy audit over 100 000 subject records, with the worker — its own OS
 * process — SIGKILLed in the middle of the scan. A new worker takes over; the scan continues from its last
 * checkpoint instead of from zero, so only the batch in flight is read twice, and every bad record is reported once.
 */
const RECORDS = 100_000;
const BAD_EVERY = 100;

interface Run {
  runId: string;
  status: string;
  checks: { check: string; status: string; recordsScanned: number; recordsRead: number; findings: number }[];
}

describe('a data-accuracy audit with the worker killed mid-scan', () => {
  let api: TestApi;
  let officer: string;
  const bad = new Set<string>();

  beforeAll(async () => {
    api = await startTestApi();
    officer = (await api.tokenFor('compliance-officer')).token;
    for (let start = 0; start < RECORDS; start += 5_000) {
      const inputs = Array.from({ length: 5_000 }, (_, i) => {
        const n = start + i;
        return { email: n % BAD_EVERY === 0 ? `broken-${n}-at-example.com` : `person.${n}@example.com`, country: 'DE' };
      });
      const created = await api.stores.subjects.createMany(inputs);
      created.forEach((id, i) => (start + i) % BAD_EVERY === 0 && bad.add(id));
    }
  }, 300_000);

  afterAll(async () => {
    await api?.close();
  });

  it('resumes from its checkpoint after a SIGKILL and reports each bad record exactly once', async () => {
    const first = await spawnWorker(api.config);
    let second: WorkerProcess | undefined;
    try {
      const launched = await api.app.inject({ method: 'POST', url: '/audits', headers: { authorization: `Bearer ${officer}` }, payload: { scope: { checks: ['data-accuracy'], correctiveActionSeverity: 'critical' } } });
      expect(launched.statusCode).toBe(202);
      const { runId } = launched.json() as { runId: string };
      const progress = api.database.db.collection<{ _id: string; scanned: number }>('audit_progress');
      const atKill = await eventually(async () => {
        const doc = await progress.findOne({ _id: `${runId}:data-accuracy` });
        return doc && doc.scanned >= 20_000 ? doc.scanned : undefined;
      }, 120_000, 'the scan to pass 20 000 records');
      await first.kill('SIGKILL');
      expect(atKill).toBeLessThan(RECORDS);

      second = await spawnWorker(api.config);
      const run = await eventually(
        async () => {
          const res = await api.app.inject({ method: 'GET', url: `/audits/${runId}`, headers: { authorization: `Bearer ${officer}` } });
          const body = res.json() as Run;
          return body.status !== 'running' ? body : undefined;
        },
        180_000,
        'the audit to finish on the second worker',
      );
      expect(run.status).toBe('completed');
      const check = run.checks.find((c) => c.check === 'data-accuracy')!;
      const readTwice = check.recordsRead - check.recordsScanned;
      process.stdout.write(`audit resume: killed at ${atKill} scanned, ${readTwice} of ${RECORDS} records scanned twice\n`);
      expect(check.recordsScanned).toBe(RECORDS);
      // At most the batch in flight when the worker died, and the one read ahead of it.
      expect(readTwice).toBeGreaterThanOrEqual(0);
      expect(readTwice).toBeLessThanOrEqual(2 * BATCH_SIZE);

      const findings = await api.database.db.collection<{ _id: string; runId: string; rule: string; recordIds: string[] }>('audit_findings').find({ runId }).toArray();
      expect(findings).toHaveLength(bad.size);
      expect(new Set(findings.map((f) => f.recordIds[0]))).toEqual(bad);
      expect(findings.every((f) => f.rule === 'email-invalid')).toBe(true);
      expect(check.findings).toBe(bad.size);
    } finally {
      await first.kill('SIGKILL').catch(() => undefined);
      await second?.kill('SIGTERM');
    }
  }, 420_000);
});
