import { escapeHtml, renderHtml, reportCsvHeader, reportCsvRow, summarise, type ReportFinding, type ReportRun } from '../../domain/audit/report';
import { CHECK_DESCRIPTIONS } from '../../domain/audit/types';
import { parseCsv } from '../../domain/csv';

const run = (over: Partial<ReportRun> = {}): ReportRun => ({
  runId: 'aud_1',
  trigger: { kind: 'schedule', scheduleId: 'sch_weekly', by: 'prn_system' },
  scope: { checks: ['data-accuracy', 'access', 'vendors'] },
  startedAt: '2026-03-15T02:00:00.000Z',
  finishedAt: '2026-03-15T02:07:30.000Z',
  status: 'completed',
  checks: [
    { check: 'data-accuracy', status: 'findings', recordsScanned: 120000, findings: 2 },
    { check: 'access', status: 'findings', recordsScanned: 42, findings: 1 },
    { check: 'vendors', status: 'failed', recordsScanned: 0, findings: 0, error: 'vendor store unavailable' },
  ],
  ...over,
});

let seq = 0;
const finding = (over: Partial<ReportFinding> = {}): ReportFinding => {
  seq += 1;
  return {
    id: `fnd_${seq}`,
    runId: 'aud_1',
    firstRunId: 'aud_1',
    occurrences: 1,
    check: 'data-accuracy',
    rule: 'email-invalid',
    severity: 'medium',
    recordType: 'subject',
    recordIds: [`sub_${seq}`],
    recommendation: 'Correct the e-mail address.',
    ...over,
  };
};

beforeEach(() => {
  seq = 0;
});

describe('summarise', () => {
  it('counts nothing, with every severity and every check in scope at 0, for a run without findings', () => {
    expect(summarise(run(), [])).toEqual({
      total: 0,
      bySeverity: { info: 0, low: 0, medium: 0, high: 0, critical: 0 },
      byCheck: { 'data-accuracy': 0, access: 0, vendors: 0 },
      byRule: [],
      new: 0,
      persisting: 0,
      fixable: 0,
      correctiveActions: {},
    });
  });

  it('counts by severity, check and rule, new against persisting, fixable, and corrective actions by status', () => {
    const action = { id: 'cra_1', status: 'open', dueAt: '2026-04-15T00:00:00.000Z', owner: 'prn_dpo' };
    const findings = [
      finding({ fix: 'email-normalise', rule: 'email-not-normalised', severity: 'low' }),
      finding({ fix: 'email-normalise', rule: 'email-not-normalised', severity: 'low', previousRunId: 'aud_0', firstRunId: 'aud_0', occurrences: 2 }),
      finding({ check: 'access', rule: 'key-of-disabled-principal', severity: 'high', recordType: 'api-key', correctiveAction: action }),
      finding({ check: 'access', rule: 'auditor-without-expiry', severity: 'high', recordType: 'principal', correctiveAction: action, previousRunId: 'aud_0', firstRunId: 'aud_0', occurrences: 4 }),
      finding({ check: 'access', rule: 'privileged-principal', severity: 'info', recordType: 'principal' }),
      finding({ check: 'retention', rule: 'retention-exceeded', severity: 'medium', recordType: 'access-log', correctiveAction: { ...action, id: 'cra_2', status: 'done' } }),
      finding({ check: 'vendors', rule: 'dpa-missing', severity: 'high', recordType: 'vendor', correctiveAction: { ...action, id: 'cra_3', status: 'open' } }),
    ];
    expect(summarise(run(), findings)).toEqual({
      total: 7,
      bySeverity: { info: 1, low: 2, medium: 1, high: 3, critical: 0 },
      // A check outside the scope still counts: the findings say it ran.
      byCheck: { 'data-accuracy': 2, access: 3, vendors: 1, retention: 1 },
      byRule: [
        { check: 'access', rule: 'auditor-without-expiry', severity: 'high', count: 1 },
        { check: 'access', rule: 'key-of-disabled-principal', severity: 'high', count: 1 },
        { check: 'vendors', rule: 'dpa-missing', severity: 'high', count: 1 },
        { check: 'retention', rule: 'retention-exceeded', severity: 'medium', count: 1 },
        { check: 'data-accuracy', rule: 'email-not-normalised', severity: 'low', count: 2 },
        { check: 'access', rule: 'privileged-principal', severity: 'info', count: 1 },
      ],
      new: 5,
      persisting: 2,
      fixable: 2,
      // Two findings share cra_1: it is one action.
      correctiveActions: { done: 1, open: 2 },
    });
  });

  it('takes any iterable, read once', () => {
    function* stream() {
      yield finding();
      yield finding({ severity: 'critical' });
    }
    expect(summarise(run(), stream())).toMatchObject({ total: 2, bySeverity: { medium: 1, critical: 1 } });
  });
});

describe('CSV', () => {
  const header = reportCsvHeader();

  it('has one named column per field, in a fixed order', () => {
    expect(header).toBe(
      '"findingId","runId","check","rule","severity","recordType","recordIds","recommendation","detail","fix","seen","occurrences","firstRunId","previousRunId","correctiveActionId","correctiveActionStatus","correctiveActionDueAt","correctiveActionOwner"',
    );
  });

  it('writes a new finding without optional fields as empty cells', () => {
    expect(reportCsvRow(finding())).toBe('"fnd_1","aud_1","data-accuracy","email-invalid","medium","subject","sub_1","Correct the e-mail address.","","","new","1","aud_1","","","","",""');
  });

  it('writes a persisting finding with its detail, fix, history and corrective action', () => {
    const f = finding({
      recordIds: ['sub_a', 'sub_b', 'sub_c'],
      detail: { field: 'email', count: 3, fixable: true },
      fix: 'email-normalise',
      previousRunId: 'aud_0',
      firstRunId: 'aud_-1',
      occurrences: 3,
      correctiveAction: { id: 'cra_1', status: 'in-progress', dueAt: '2026-04-15T00:00:00.000Z', owner: 'prn_dpo' },
    });
    const [row] = parseCsv(`${header}\n${reportCsvRow(f)}`).slice(1);
    expect(row.fields).toEqual([
      'fnd_1',
      'aud_1',
      'data-accuracy',
      'email-invalid',
      'medium',
      'subject',
      'sub_a sub_b sub_c',
      'Correct the e-mail address.',
      '{"field":"email","count":3,"fixable":true}',
      'email-normalise',
      'persisting',
      '3',
      'aud_-1',
      'aud_0',
      'cra_1',
      'in-progress',
      '2026-04-15T00:00:00.000Z',
      'prn_dpo',
    ]);
  });

  it('quotes commas, double quotes and line breaks so the row reads back whole', () => {
    const recommendation = 'Merge "both" records, then\r\nre-run; or\nleave, as is';
    const f = finding({ recommendation, recordIds: ['a,b', 'c"d'] });
    const line = reportCsvRow(f);
    expect(line).toContain('"Merge ""both"" records, then\r\nre-run; or\nleave, as is"');
    const rows = parseCsv(`${header}\n${line}\n`);
    expect(rows).toHaveLength(2);
    expect(rows[1].fields).toHaveLength(rows[0].fields.length);
    expect(rows[1].fields[6]).toBe('a,b c"d');
    expect(rows[1].fields[7]).toBe(recommendation);
  });

  it.each(['=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)'])('defuses a value starting like a formula: %s', (recommendation) => {
    const [row] = parseCsv(reportCsvRow(finding({ recommendation })));
    expect(row.fields[7]).toBe(`'${recommendation}`);
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or an attribute', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('Zoë – Łódź 100%')).toBe('Zoë – Łódź 100%');
  });
});

describe('renderHtml', () => {
  const OPTIONS = { generatedAt: '2026-03-15T08:00:00.000Z' };
  const render = (findings: ReportFinding[], r = run(), options: Parameters<typeof renderHtml>[3] = OPTIONS) => renderHtml(r, summarise(r, findings), findings, options);
  /** The body rows of the findings table. */
  const findingRows = (htmlText: string): string[] => {
    const table = /<caption>Findings, most severe first<\/caption>[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(htmlText);
    return table ? table[1].split('</tr>').filter((r) => r.includes('<tr>')) : [];
  };

  it('is a complete, self-contained document without scripts or external resources', () => {
    const out = render([finding()]);
    expect(out.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(out).toContain('<meta charset="utf-8">');
    expect(out).toContain('<title>Audit report: run aud_1</title>');
    expect(out).toContain('<style>');
    expect(out.trimEnd().endsWith('</html>')).toBe(true);
    expect(out).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import|\son[a-z]+=/i);
  });

  it('prints well: header rows repeat and rows do not split across pages', () => {
    const out = render([finding()]);
    expect(out).toContain('thead { display: table-header-group; }');
    expect(out).toContain('tr { break-inside: avoid; }');
    expect(out).toContain('@page');
  });

  it('states the run, its status, trigger, period and generation time', () => {
    const out = render([]);
    expect(out).toContain('<dt>Run</dt><dd><span class="id">aud_1</span></dd>');
    expect(out).toContain('<dt>Status</dt><dd>Completed</dd>');
    expect(out).toContain('<dt>Trigger</dt><dd>Scheduled (schedule <span class="id">sch_weekly</span>), started by <span class="id">prn_system</span></dd>');
    expect(out).toContain('<dt>Period</dt><dd>2026-03-15T02:00:00.000Z to 2026-03-15T02:07:30.000Z</dd>');
    expect(out).toContain('<dt>Generated</dt><dd>2026-03-15T08:00:00.000Z</dd>');
  });

  it('says when a run was started by hand, or by a schedule not named, or has not finished', () => {
    const adHoc = render([], run({ trigger: { kind: 'ad-hoc', by: 'prn_alice' }, finishedAt: undefined, status: 'running' }));
    expect(adHoc).toContain('<dd>Ad hoc, started by <span class="id">prn_alice</span></dd>');
    expect(adHoc).toContain('<dd>2026-03-15T02:00:00.000Z, not finished</dd>');
    expect(render([], run({ trigger: { kind: 'schedule', by: 'prn_system' } }))).toContain('<dd>Scheduled, started by <span class="id">prn_system</span></dd>');
  });

  it('describes every check in scope', () => {
    const out = render([]);
    for (const check of ['data-accuracy', 'access', 'vendors'] as const) expect(out).toContain(`<tr><th scope="row"><span class="id">${check}</span></th><td>${escapeHtml(CHECK_DESCRIPTIONS[check])}</td></tr>`);
    expect(out).not.toContain(escapeHtml(CHECK_DESCRIPTIONS.retention));
  });

  it('lists the result of each check with records scanned, findings and error', () => {
    const out = render([]);
    expect(out).toContain('<tr><th scope="row"><span class="id">data-accuracy</span></th><td>Findings</td><td class="num">120000</td><td class="num">2</td><td></td></tr>');
    expect(out).toContain('<tr><th scope="row"><span class="id">vendors</span></th><td class="severe">Failed</td><td class="num">0</td><td class="num">0</td><td>vendor store unavailable</td></tr>');
  });

  it('says so when no check has reported yet', () => {
    expect(render([], run({ checks: [] }))).toContain('<p>No check has reported a result.</p>');
  });

  it('summarises totals, severities, checks, rules and corrective actions', () => {
    const out = render([
      finding({ severity: 'critical', fix: 'email-normalise' }),
      finding({ previousRunId: 'aud_0', correctiveAction: { id: 'cra_1', status: 'open', dueAt: '2026-04-01T00:00:00.000Z', owner: 'prn_dpo' } }),
    ]);
    expect(out).toContain('<tr><th scope="row">All findings</th><td class="num">2</td></tr>');
    expect(out).toContain('<tr><th scope="row">New in this run</th><td class="num">1</td></tr>');
    expect(out).toContain('<tr><th scope="row">Persisting from an earlier run</th><td class="num">1</td></tr>');
    expect(out).toContain('<tr><th scope="row">Fixable by a cleansing run</th><td class="num">1</td></tr>');
    expect(out).toContain('<tr><th scope="row">Critical</th><td class="num">1</td></tr>');
    expect(out).toContain('<tr><th scope="row">Info</th><td class="num">0</td></tr>');
    expect(out).toContain('<tr><th scope="row"><span class="id">access</span></th><td class="num">0</td></tr>');
    expect(out).toContain('<tr><td><span class="id">data-accuracy</span></td><th scope="row"><span class="id">email-invalid</span></th><td class="severe">Critical</td><td class="num">1</td></tr>');
    expect(out).toContain('<tr><th scope="row">open</th><td class="num">1</td></tr>');
    // Severities from the worst down.
    expect(out.indexOf('>Critical</th>')).toBeLessThan(out.indexOf('>Info</th>'));
  });

  it('says when no corrective action is linked, and when there are no findings', () => {
    const out = render([]);
    expect(out).toContain('No corrective action is linked to the findings of this run.');
    expect(out).toContain('<p>No findings.</p>');
    expect(out).not.toContain('Findings by rule');
    expect(out).not.toContain('role="note"');
  });

  it('lists each finding with severity, check, rule, records, recommendation, detail, history and corrective action', () => {
    const out = render([
      finding({
        recordIds: ['sub_a', 'sub_b'],
        detail: { field: 'email', months: 14 },
        fix: 'email-normalise',
        previousRunId: 'aud_0',
        firstRunId: 'aud_-3',
        occurrences: 4,
        correctiveAction: { id: 'cra_1', status: 'in-progress', dueAt: '2026-04-01T00:00:00.000Z', owner: 'prn_dpo' },
      }),
    ]);
    const [row] = findingRows(out);
    expect(row).toContain('<td>Medium</td>');
    expect(row).toContain('<td><span class="id">data-accuracy</span></td><td><span class="id">email-invalid</span></td>');
    expect(row).toContain('<td>subject: <span class="id">sub_a</span>, <span class="id">sub_b</span></td>');
    expect(row).toContain('<td>Correct the e-mail address.<div>Fixable by a cleansing run (email-normalise).</div></td>');
    expect(row).toContain('<td><div>field: email</div><div>months: 14</div></td>');
    expect(row).toContain('First seen in run <span class="id">aud_-3</span>; previously in run <span class="id">aud_0</span>; reported by 4 runs');
    expect(row).toContain('In-progress (<span class="id">cra_1</span>), due 2026-04-01T00:00:00.000Z, owner <span class="id">prn_dpo</span>');
  });

  it('marks a new finding without corrective action as such', () => {
    const [row] = findingRows(render([finding()]));
    expect(row).toContain('<td>New in this run</td><td>None</td>');
  });

  it('lists findings most severe first, then by check, rule and record', () => {
    const out = render([
      finding({ severity: 'low', recordIds: ['sub_z'] }),
      finding({ severity: 'critical', check: 'vendors', rule: 'dpa-missing', recordIds: ['ven_1'] }),
      finding({ severity: 'low', recordIds: ['sub_a'] }),
      finding({ severity: 'critical', check: 'access', rule: 'key-unused', recordIds: ['key_1'] }),
      finding({ severity: 'info', check: 'access', rule: 'privileged-principal', recordIds: ['prn_1'] }),
    ]);
    expect(findingRows(out).map((r) => /<span class="id">((?:sub|ven|key|prn)_[^<]+)<\/span>/.exec(r)?.[1])).toEqual(['key_1', 'ven_1', 'sub_a', 'sub_z', 'prn_1']);
  });

  describe('truncation', () => {
    const many = () => [finding({ severity: 'low' }), finding({ severity: 'high' }), finding({ severity: 'medium' })];

    it('keeps the most severe findings and notes that the exports have all', () => {
      const out = render(many(), run(), { ...OPTIONS, truncatedAfter: 2 });
      expect(findingRows(out).map((r) => /<td[^>]*>(\w+)<\/td>/.exec(r)?.[1])).toEqual(['High', 'Medium']);
      expect(out).toContain('<p class="note" role="note">This report lists 2 of the 3 findings, most severe first. The CSV and JSON exports of this run list all of them.</p>');
    });

    it('adds no note when the cut keeps every finding', () => {
      for (const truncatedAfter of [3, 4, undefined]) {
        const out = render(many(), run(), { ...OPTIONS, truncatedAfter });
        expect(findingRows(out)).toHaveLength(3);
        expect(out).not.toContain('role="note"');
      }
    });

    it('notes a list the caller already cut, counted against the summary', () => {
      const all = many();
      const out = renderHtml(run(), summarise(run(), all), all.slice(0, 1), OPTIONS);
      expect(findingRows(out)).toHaveLength(1);
      expect(out).toContain('This report lists 1 of the 3 findings');
    });

    it('can list none, and says so', () => {
      const out = render(many(), run(), { ...OPTIONS, truncatedAfter: 0 });
      expect(findingRows(out)).toHaveLength(0);
      expect(out).toContain('This report lists 0 of the 3 findings');
      expect(out).toContain('<p>No findings are listed here.</p>');
    });

    it.each([-1, 1.5, Number.NaN])('refuses truncatedAfter = %d', (truncatedAfter) => {
      expect(() => render(many(), run(), { ...OPTIONS, truncatedAfter })).toThrow(RangeError);
    });
  });

  it('escapes everything taken from the run and the findings', () => {
    const evil = '<script>alert("x")</script>';
    const r = run({
      runId: 'aud_<b>1</b>&co',
      trigger: { kind: 'schedule', scheduleId: `sch_${evil}`, by: `prn_'onclick='x` },
      status: `<i>done</i>`,
      startedAt: '<u>start</u>',
      finishedAt: '<u>end</u>',
      checks: [{ check: 'access', status: 'failed', recordsScanned: 1, findings: 0, error: `boom ${evil}` }],
    });
    const findings = [
      finding({
        recommendation: `Do this ${evil}`,
        rule: `rule-"${evil}`,
        recordIds: [`sub_${evil}`, '<img src=x onerror=alert(1)>'],
        detail: { [`<k>`]: `<v>${evil}` },
        firstRunId: evil,
        previousRunId: evil,
        correctiveAction: { id: evil, status: evil, dueAt: evil, owner: evil },
      }),
    ];
    const out = renderHtml(r, summarise(r, findings), findings, { generatedAt: `<time>${evil}</time>` });
    expect(out).not.toMatch(/<script|<img|<b>|<i>|<u>|<k>|<v>|<time>/);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('Do this &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('<title>Audit report: run aud_&lt;b&gt;1&lt;/b&gt;&amp;co</title>');
    expect(out).toContain('prn_&#39;onclick=&#39;x');
    expect(out).toContain('boom &lt;script&gt;');
    expect(out).toContain('&lt;k&gt;: &lt;v&gt;&lt;script&gt;');
  });
});
