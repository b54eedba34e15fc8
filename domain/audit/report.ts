/**
 * The report of one audit run, for the people who act on it and for an external auditor: a summary, one CSV line per
 * finding, and a self-contained HTML page. Findings name records by id only (see types.ts), so every form of the
 * report can leave the organisation.
 *
 * The HTML page has no script, no external resource and no markup that depends on a browser feature beyond tables:
 * it must print, archive and open the same way years from now. Everything interpolated into it is escaped by the
 * `html` template tag, so no stored value — a record id, a recommendation, an error — can become markup.
 */
import { csvLine } from '../csv';
import { CHECK_DESCRIPTIONS, SEVERITIES, severityRank, type CheckId, type FindingDraft, type Severity } from './types';

export interface ReportFinding extends FindingDraft {
  id: string;
  runId: string;
  /** The run that first reported the finding. */
  firstRunId: string;
  /** The last earlier run that reported it; unset for a finding new in this run. */
  previousRunId?: string;
  /** How many runs have reported it, this one included. */
  occurrences: number;
  correctiveAction?: { id: string; status: string; dueAt: string; owner: string };
}

export interface ReportRun {
  runId: string;
  trigger: { kind: 'schedule' | 'ad-hoc'; scheduleId?: string; by: string };
  scope: { checks: CheckId[] };
  startedAt: string;
  finishedAt?: string;
  status: string;
  checks: { check: CheckId; status: 'passed' | 'findings' | 'failed'; recordsScanned: number; findings: number; error?: string }[];
}

export interface RuleCount {
  check: CheckId;
  rule: string;
  severity: Severity;
  count: number;
}

export interface ReportSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  /** Every check in scope, with 0 for those without findings. */
  byCheck: Partial<Record<CheckId, number>>;
  /** Most severe first, then by check and rule. */
  byRule: RuleCount[];
  new: number;
  persisting: number;
  fixable: number;
  /** Distinct corrective actions by status: several findings may share one action. */
  correctiveActions: Record<string, number>;
}

const isPersisting = (f: ReportFinding): boolean => f.previousRunId !== undefined;

type Ranked = Pick<FindingDraft, 'severity' | 'check' | 'rule'> & { recordIds?: string[] };

/** Most severe first; then by check, rule and first record, so the same findings always list in the same order. */
function bySeverityDesc(a: Ranked, b: Ranked): number {
  const first = (f: Ranked) => f.recordIds?.[0] ?? '';
  return severityRank(b.severity) - severityRank(a.severity) || compare(a.check, b.check) || compare(a.rule, b.rule) || compare(first(a), first(b));
}

// Code-unit order, not the locale's: the order must not depend on the machine that renders the report.
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function summarise(run: ReportRun, findings: Iterable<ReportFinding>): ReportSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const byCheck: Partial<Record<CheckId, number>> = Object.fromEntries(run.scope.checks.map((c) => [c, 0]));
  const rules = new Map<string, RuleCount>();
  const actions = new Map<string, string>();
  let total = 0;
  let persisting = 0;
  let fixable = 0;
  for (const f of findings) {
    total += 1;
    bySeverity[f.severity] += 1;
    byCheck[f.check] = (byCheck[f.check] ?? 0) + 1;
    const key = JSON.stringify([f.check, f.rule, f.severity]);
    const rule = rules.get(key) ?? { check: f.check, rule: f.rule, severity: f.severity, count: 0 };
    rule.count += 1;
    rules.set(key, rule);
    if (isPersisting(f)) persisting += 1;
    if (f.fix) fixable += 1;
    if (f.correctiveAction) actions.set(f.correctiveAction.id, f.correctiveAction.status);
  }
  const correctiveActions: Record<string, number> = {};
  for (const status of [...actions.values()].sort(compare)) correctiveActions[status] = (correctiveActions[status] ?? 0) + 1;
  return { total, bySeverity, byCheck, byRule: [...rules.values()].sort(bySeverityDesc), new: total - persisting, persisting, fixable, correctiveActions };
}

/** The CSV columns: header name and value, in one list so header and rows cannot drift apart. */
const COLUMNS: ReadonlyArray<readonly [string, (f: ReportFinding) => string | number | undefined]> = [
  ['findingId', (f) => f.id],
  ['runId', (f) => f.runId],
  ['check', (f) => f.check],
  ['rule', (f) => f.rule],
  ['severity', (f) => f.severity],
  ['recordType', (f) => f.recordType],
  ['recordIds', (f) => f.recordIds.join(' ')],
  ['recommendation', (f) => f.recommendation],
  ['detail', (f) => (f.detail ? JSON.stringify(f.detail) : undefined)],
  ['fix', (f) => f.fix],
  ['seen', (f) => (isPersisting(f) ? 'persisting' : 'new')],
  ['occurrences', (f) => f.occurrences],
  ['firstRunId', (f) => f.firstRunId],
  ['previousRunId', (f) => f.previousRunId],
  ['correctiveActionId', (f) => f.correctiveAction?.id],
  ['correctiveActionStatus', (f) => f.correctiveAction?.status],
  ['correctiveActionDueAt', (f) => f.correctiveAction?.dueAt],
  ['correctiveActionOwner', (f) => f.correctiveAction?.owner],
];

export function reportCsvHeader(): string {
  return csvLine(COLUMNS.map(([name]) => name));
}

export function reportCsvRow(f: ReportFinding): string {
  return csvLine(COLUMNS.map(([, value]) => value(f)));
}

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Markup built by `html`: the only kind of value inserted without escaping. */
class Html {
  constructor(readonly markup: string) {}
}

type Part = Html | readonly Html[] | string | number | undefined;

function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  const insert = (part: Part): string => {
    if (part instanceof Html) return part.markup;
    if (typeof part === 'object') return part.map((p) => p.markup).join('');
    return escapeHtml(String(part ?? ''));
  };
  return new Html(strings.reduce((out, s, i) => out + s + (i < parts.length ? insert(parts[i]) : ''), ''));
}

const STYLE = `
body { font: 10.5pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111; background: #fff; margin: 2rem auto; max-width: 90rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .5rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #767676; break-after: avoid; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.25rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border: 1px solid #767676; padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.severe { font-weight: 700; }
.id { font-family: ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.note { border: 2px solid #111; padding: .5rem .75rem; }
footer { margin-top: 2rem; font-size: .9em; color: #333; }
@page { margin: 15mm; }
@media print { body { margin: 0; max-width: none; padding: 0; } }
`;

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
const id = (value: string): Html => html`<span class="id">${value}</span>`;
const severityCell = (s: Severity): Html => (severityRank(s) >= severityRank('high') ? html`<td class="severe">${capitalise(s)}</td>` : html`<td>${capitalise(s)}</td>`);

function countTable(caption: string, head: string, rows: ReadonlyArray<readonly [Html | string, number]>): Html {
  return html`<table><caption>${caption}</caption><thead><tr><th scope="col">${head}</th><th scope="col">Findings</th></tr></thead><tbody>${rows.map(
    ([label, count]) => html`<tr><th scope="row">${label}</th><td class="num">${count}</td></tr>`,
  )}</tbody></table>`;
}

function trigger(run: ReportRun): Html {
  return run.trigger.kind === 'schedule'
    ? html`Scheduled${run.trigger.scheduleId === undefined ? '' : html` (schedule ${id(run.trigger.scheduleId)})`}, started by ${id(run.trigger.by)}`
    : html`Ad hoc, started by ${id(run.trigger.by)}`;
}

function summaryTables(summary: ReportSummary): Html {
  const severities = [...SEVERITIES].reverse().map((s) => [capitalise(s), summary.bySeverity[s]] as const);
  const checks = (Object.entries(summary.byCheck) as Array<[CheckId, number]>).map(([c, n]) => [id(c), n] as const);
  const actions = Object.entries(summary.correctiveActions);
  return html`<h2>Summary</h2>
<table><caption>Findings overall</caption><tbody>
<tr><th scope="row">All findings</th><td class="num">${summary.total}</td></tr>
<tr><th scope="row">New in this run</th><td class="num">${summary.new}</td></tr>
<tr><th scope="row">Persisting from an earlier run</th><td class="num">${summary.persisting}</td></tr>
<tr><th scope="row">Fixable by a cleansing run</th><td class="num">${summary.fixable}</td></tr>
</tbody></table>
${countTable('Findings by severity', 'Severity', severities)}
${countTable('Findings by check', 'Check', checks)}
${
  summary.byRule.length
    ? html`<table><caption>Findings by rule</caption><thead><tr><th scope="col">Check</th><th scope="col">Rule</th><th scope="col">Severity</th><th scope="col">Findings</th></tr></thead><tbody>${summary.byRule.map(
        (r) => html`<tr><td>${id(r.check)}</td><th scope="row">${id(r.rule)}</th>${severityCell(r.severity)}<td class="num">${r.count}</td></tr>`,
      )}</tbody></table>`
    : ''
}
${
  actions.length
    ? html`<table><caption>Corrective actions by status</caption><thead><tr><th scope="col">Status</th><th scope="col">Actions</th></tr></thead><tbody>${actions.map(
        ([status, n]) => html`<tr><th scope="row">${status}</th><td class="num">${n}</td></tr>`,
      )}</tbody></table>`
    : html`<p>No corrective action is linked to the findings of this run.</p>`
}`;
}

function checkResults(run: ReportRun): Html {
  if (!run.checks.length) return html`<h2>Results by check</h2><p>No check has reported a result.</p>`;
  return html`<h2>Results by check</h2>
<table><caption>Results by check</caption><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Records scanned</th><th scope="col">Findings</th><th scope="col">Error</th></tr></thead><tbody>${run.checks.map(
    (c) =>
      html`<tr><th scope="row">${id(c.check)}</th><td${c.status === 'failed' ? html` class="severe"` : ''}>${capitalise(c.status)}</td><td class="num">${c.recordsScanned}</td><td class="num">${c.findings}</td><td>${c.error}</td></tr>`,
  )}</tbody></table>`;
}

function findingRow(f: ReportFinding): Html {
  const detail = f.detail ? Object.entries(f.detail).map(([k, v]) => html`<div>${k}: ${String(v)}</div>`) : [];
  const history = isPersisting(f)
    ? html`First seen in run ${id(f.firstRunId)}; previously in run ${id(f.previousRunId!)}; reported by ${f.occurrences} runs`
    : html`New in this run`;
  const action = f.correctiveAction
    ? html`${capitalise(f.correctiveAction.status)} (${id(f.correctiveAction.id)}), due ${f.correctiveAction.dueAt}, owner ${id(f.correctiveAction.owner)}`
    : html`None`;
  return html`<tr>${severityCell(f.severity)}<td>${id(f.check)}</td><td>${id(f.rule)}</td><td>${f.recordType}: ${f.recordIds.map((r, i) => html`${i ? ', ' : ''}${id(r)}`)}</td><td>${f.recommendation}${
    f.fix ? html`<div>Fixable by a cleansing run (${f.fix}).</div>` : ''
  }</td><td>${detail}</td><td>${history}</td><td>${action}</td></tr>`;
}

function findingsSection(summary: ReportSummary, findings: readonly ReportFinding[], truncatedAfter: number | undefined): Html {
  // Sorted before the cut, so a truncated list keeps the most severe findings.
  const shown = [...findings].sort(bySeverityDesc).slice(0, truncatedAfter ?? findings.length);
  const note =
    shown.length < summary.total
      ? html`<p class="note" role="note">This report lists ${shown.length} of the ${summary.total} findings, most severe first. The CSV and JSON exports of this run list all of them.</p>`
      : '';
  if (!shown.length) return html`<h2>Findings</h2>${note}<p>No findings${summary.total ? ' are listed here' : ''}.</p>`;
  return html`<h2>Findings</h2>${note}
<table><caption>Findings, most severe first</caption><thead><tr><th scope="col">Severity</th><th scope="col">Check</th><th scope="col">Rule</th><th scope="col">Records</th><th scope="col">Recommendation</th><th scope="col">Detail</th><th scope="col">History</th><th scope="col">Corrective action</th></tr></thead><tbody>${shown.map(
    findingRow,
  )}</tbody></table>`;
}

/**
 * The report as one HTML document. `findings` are listed most severe first, cut after `truncatedAfter` when given; a
 * note says so whenever the list holds fewer findings than the summary counts.
 */
export function renderHtml(run: ReportRun, summary: ReportSummary, findings: ReportFinding[], options: { generatedAt: string; truncatedAfter?: number }): string {
  const { truncatedAfter } = options;
  if (truncatedAfter !== undefined && (!Number.isInteger(truncatedAfter) || truncatedAfter < 0)) throw new RangeError('truncatedAfter must be a whole number, 0 or more');
  const period = run.finishedAt ? html`${run.startedAt} to ${run.finishedAt}` : html`${run.startedAt}, not finished`;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Audit report: run ${run.runId}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<header>
<h1>Audit report</h1>
<dl class="facts">
<dt>Run</dt><dd>${id(run.runId)}</dd>
<dt>Status</dt><dd>${capitalise(run.status)}</dd>
<dt>Trigger</dt><dd>${trigger(run)}</dd>
<dt>Period</dt><dd>${period}</dd>
<dt>Generated</dt><dd>${options.generatedAt}</dd>
</dl>
</header>
<main>
<h2>Scope</h2>
<table><caption>Checks run</caption><thead><tr><th scope="col">Check</th><th scope="col">What it examines</th></tr></thead><tbody>${run.scope.checks.map(
    (c) => html`<tr><th scope="row">${id(c)}</th><td>${CHECK_DESCRIPTIONS[c]}</td></tr>`,
  )}</tbody></table>
${summaryTables(summary)}
${checkResults(run)}
${findingsSection(summary, findings, truncatedAfter)}
</main>
<footer><p>Findings name records by their ids only, never by values out of them. Times are ISO 8601.</p></footer>
</body>
</html>
`;
  return page.markup;
}
