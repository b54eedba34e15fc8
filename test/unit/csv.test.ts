import { csvRecords, CsvError, parseCsv } from '../../domain/csv';

describe('CSV parsing', () => {
  it.each([
    ['plain fields', 'a,b,c\n1,2,3\n', [['a', 'b', 'c'], ['1', '2', '3']]],
    ['CRLF line ends', 'a,b\r\n1,2\r\n', [['a', 'b'], ['1', '2']]],
    ['no final line end', 'a,b\n1,2', [['a', 'b'], ['1', '2']]],
    ['quoted comma', '"x,y",z', [['x,y', 'z']]],
    ['escaped quote', '"say ""hi""",2', [['say "hi"', '2']]],
    ['line break inside quotes', '"line1\nline2",b', [['line1\nline2', 'b']]],
    ['empty fields', ',,\n', [['', '', '']]],
    ['blank lines skipped', 'a\n\nb\n', [['a'], ['b']]],
    ['unicode', 'Zoë,Łódź\n', [['Zoë', 'Łódź']]],
  ])('%s', (_name, text, expected) => {
    expect(parseCsv(text).map((r) => r.fields)).toEqual(expected);
  });

  it('numbers rows by the line they start on, counting line breaks inside quotes', () => {
    expect(parseCsv('h\n"a\nb"\nc\n').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('refuses an unclosed quote and a quote inside an unquoted field, naming the line', () => {
    expect(() => parseCsv('a\n"open,b\n')).toThrow(CsvError);
    try {
      parseCsv('a\nx"y,b\n');
    } catch (err) {
      expect((err as CsvError).line).toBe(2);
    }
  });

  it('keys records by the header and flags rows of the wrong width', () => {
    const records = csvRecords('\uFEFFid, name\n1,Ann\n2\n3,Bo,extra\n');
    expect(records[0]).toEqual({ line: 2, record: { id: '1', name: 'Ann' } });
    expect(records[1].problem).toMatch(/1 fields, the header has 2/);
    expect(records[2].problem).toMatch(/3 fields/);
  });
});
