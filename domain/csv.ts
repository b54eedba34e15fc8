/**
 * CSV as RFC 4180 writes it: comma-separated, fields optionally in double quotes, "" for a quote inside quotes,
 * line breaks allowed inside quoted fields, CRLF or LF line ends. Returns rows with the line each starts on, so an
 * import report can point people at the right line of their file.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStarted = false;
  };
  const endRow = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ line: rowLine, fields });
    fields = [];
  };
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (c === '\n') line += 1;
        field += c;
      }
      continue;
    }
    if (c === '"') {
      if (fieldStarted) throw new CsvError(line, 'a quote in the middle of an unquoted field');
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      endRow();
      line += 1;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError(rowLine, 'a quoted field is not closed');
  endRow();
  return rows;
}

/** Rows as records keyed by the header row's names; `problem` says when a row's width differs from the header's. */
export function csvRecords(text: string): { line: number; record: Record<string, string>; problem?: string }[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) return [];
  const names = header.fields.map((n) => n.trim());
  return rows.map((row) => ({
    line: row.line,
    record: Object.fromEntries(names.map((n, i) => [n, row.fields[i] ?? ''])),
    ...(row.fields.length !== names.length && { problem: `has ${row.fields.length} fields, the header has ${names.length}` }),
  }));
}

/**
 * One CSV output line. Every field is quoted, and a leading = + - @ is prefixed with an apostrophe so a spreadsheet
 * never runs an exported value as a formula.
 */
export function csvLine(values: ReadonlyArray<string | number | boolean | null | undefined>): string {
  return values.map((v) => `"${String(v ?? '').replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"`).join(',');
}
