import { describe, expect, it } from 'vitest';
import { csvToJson, parseCsvRecords } from './parse-csv.ts';
import { pgrstError } from './test-helpers.ts';

describe('parseCsvRecords', () => {
  it('reads RFC 4180: quotes, doubled quotes, line breaks in quotes, CRLF, optional final newline', () => {
    expect(parseCsvRecords('a,b\r\n1,"x ""y"", z"\n2,"multi\nline"\n')).toEqual([
      ['a', 'b'],
      ['1', 'x "y", z'],
      ['2', 'multi\nline'],
    ]);
    expect(parseCsvRecords('a\n\n')).toEqual([['a'], ['']]);
    expect(parseCsvRecords('a,b,\n,,')).toEqual([['a', 'b', ''], ['', '', '']]);
  });
  it('refuses malformed quoting', () => {
    expect(pgrstError(() => parseCsvRecords('a\n"open')).code).toBe('PGRST102');
    expect(pgrstError(() => parseCsvRecords('a\n"x"y')).code).toBe('PGRST102');
    expect(pgrstError(() => parseCsvRecords('a\nx"y')).code).toBe('PGRST102');
  });
});

describe('csvToJson', () => {
  it('makes a JSON array of objects keyed by the header, NULL as null', () => {
    const rows = csvToJson('id,name,note\n1,Ann,NULL\n2,"Bob, Jr",""\n3,"NULL",null\n');
    expect(rows.keys).toEqual(['id', 'name', 'note']);
    expect(JSON.parse(rows.json)).toEqual([
      { id: '1', name: 'Ann', note: null },
      { id: '2', name: 'Bob, Jr', note: '' },
      { id: '3', name: null, note: 'null' },
    ]);
  });
  it('is an empty array with no keys when there are no rows, like PostgREST', () => {
    expect(csvToJson('id,name\n')).toEqual({ keys: [], json: '[]' });
  });
  it('refuses lines with another number of fields, and a missing header', () => {
    expect(pgrstError(() => csvToJson('a,b\n1\n')).message).toBe('All lines must have same number of fields');
    expect(pgrstError(() => csvToJson('')).code).toBe('PGRST102');
  });
  it('keeps the last of duplicate columns and drops a BOM', () => {
    const rows = csvToJson('\uFEFFa,b,a\n1,2,3');
    expect(rows.keys).toEqual(['a', 'b']);
    expect(JSON.parse(rows.json)).toEqual([{ a: '3', b: '2' }]);
  });
});
