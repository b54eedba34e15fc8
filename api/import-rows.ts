import type { RowProblem } from '../domain/consent-import';
import { csvRecords, CsvError } from '../domain/csv';
import { HttpProblem } from './problem';

/**
 * The rows of an import file — CSV with a header row, or JSON Lines — each with its line number, and the lines that
 * are not rows at all (bad JSON, `$`-keys) as problems. Blank CSV cells are left out, as if the column were absent.
 */
export function importRows(text: string, format: 'csv' | 'jsonl'): { records: { line: number; raw: Record<string, unknown> }[]; problems: RowProblem[] } {
  return format === 'csv' ? fromCsv(text) : fromJsonLines(text);
}

function fromCsv(text: string): { records: { line: number; raw: Record<string, unknown> }[]; problems: RowProblem[] } {
  try {
    const problems: RowProblem[] = [];
    const records = [];
    for (const r of csvRecords(text)) {
      if (r.problem) problems.push({ line: r.line, field: 'row', reason: r.problem });
      else records.push({ line: r.line, raw: Object.fromEntries(Object.entries(r.record).filter(([, v]) => v !== '')) });
    }
    return { records, problems };
  } catch (err) {
    if (err instanceof CsvError) throw new HttpProblem(400, 'validation', 'Invalid CSV', `line ${err.line}: ${err.message}`, [{ field: `body.line[${err.line}]`, message: err.message }]);
    throw err;
  }
}

function fromJsonLines(text: string): { records: { line: number; raw: Record<string, unknown> }[]; problems: RowProblem[] } {
  const records: { line: number; raw: Record<string, unknown> }[] = [];
  const problems: RowProblem[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    if (content.trim() === '') return;
    const line = index + 1;
    try {
      const value: unknown = JSON.parse(content);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) problems.push({ line, field: 'row', reason: 'must be a JSON object' });
      else if (Object.keys(value).some((k) => k.startsWith('$') || k.includes('.'))) problems.push({ line, field: 'row', reason: 'keys must not start with "$" or contain "."' });
      else records.push({ line, raw: value as Record<string, unknown> });
    } catch {
      problems.push({ line, field: 'row', reason: 'is not valid JSON' });
    }
  });
  return { records, problems };
}
