import { Errors } from '../errors.ts';

/**
 * A `text/csv` body (RFC 4180, as PostgREST decodes it with cassava): the first record
 * names the columns; each later record is one row, with exactly as many fields. Fields may
 * be quoted (`""` is a quote inside), records end with LF or CRLF, a final line break is
 * optional. A field whose text is `NULL` is SQL null — quoted or not, since PostgREST's
 * decoder cannot tell them apart — every other field is a string.
 */
export interface CsvRows {
  /** The header's names, each once, in order. */
  keys: string[];
  /** The rows as a JSON array of objects (the last of duplicate columns wins, like PostgREST). */
  json: string;
}

export function csvToJson(text: string): CsvRows {
  const records = parseCsvRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const header = records[0];
  if (!header) throw Errors.invalidBody('Empty or invalid csv: the header line is missing');
  const keys = [...new Set(header)];
  const rows: string[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as string[];
    if (record.length !== header.length) throw Errors.invalidBody('All lines must have same number of fields');
    const row = new Map<string, string | null>();
    header.forEach((name, i) => row.set(name, record[i] === 'NULL' ? null : (record[i] as string)));
    rows.push(`{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(row.get(k) ?? null)}`).join(',')}}`);
  }
  if (rows.length === 0) return { keys: [], json: '[]' };
  return { keys, json: `[${rows.join(',')}]` };
}

export function parseCsvRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let value: string;
    if (text[i] === '"') {
      value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw Errors.invalidBody(`Invalid csv: unterminated quoted field on line ${records.length + 1}`);
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const next = text[i];
      if (!(next === undefined || next === ',' || next === '\n' || next === '\r')) {
        throw Errors.invalidBody(`Invalid csv: unexpected ${JSON.stringify(next)} after a quoted field on line ${records.length + 1}`);
      }
    } else {
      const start = i;
      while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '"') throw Errors.invalidBody(`Invalid csv: a quote inside an unquoted field on line ${records.length + 1}`);
        i++;
      }
      value = text.slice(start, i);
    }
    fields.push(value);
    if (i >= n) {
      records.push(fields);
      return records;
    }
    const sep = text[i];
    i++;
    if (sep === ',') continue;
    if (sep === '\r' && text[i] === '\n') i++;
    records.push(fields);
    fields = [];
    if (i >= n) return records;
  }
}
