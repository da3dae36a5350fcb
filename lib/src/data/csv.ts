/**
 * A small RFC 4180 CSV reader: comma-separated fields, fields in double quotes may hold commas,
 * line breaks and doubled quotes (""), records end at CRLF or LF. Each record keeps the line number
 * it starts on, so errors in a labelled table can name the line a person would open.
 *
 * Lenient where real exports are sloppy and nothing is ambiguous: a quote inside an unquoted field is
 * kept literally, a UTF-8 byte order mark is dropped, blank lines are skipped. Strict where the data
 * would otherwise be silently misread: text after a closing quote, an unterminated quote, and a record
 * with a different number of fields than the header are errors naming the line.
 */
import { VigilError } from '../util/errors.js';

export interface CsvRecord {
  /** 1-based line number of the record's first character. */
  line: number;
  fields: string[];
}

/** Every record of `text` (the header included), in order. */
export function parseCsvRecords(text: string, source = 'csv'): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    for (;;) {
      // One field, starting at i.
      let value = '';
      if (text[i] === '"') {
        const openLine = line;
        i++;
        for (;;) {
          if (i >= n) throw new VigilError(`${source} line ${openLine}: a quoted field is never closed`, { field: 'csv', row: openLine });
          const c = text[i];
          if (c === '"') {
            if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new VigilError(`${source} line ${line}: unexpected text after a closing quote in field ${fields.length + 1} (a quote inside a quoted field must be doubled)`, { field: 'csv', row: line });
        }
      } else {
        let j = i;
        while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
        value = text.slice(i, j);
        i = j;
      }
      fields.push(value);
      if (i < n && text[i] === ',') { i++; continue; }
      // End of record: CRLF, LF, a lone CR, or the end of the text.
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    out.push({ line: start, fields });
  }
  return out;
}

export interface CsvTable {
  header: string[];
  rows: CsvRecord[];
}

/** Header + rows; every row must have as many fields as the header. */
export function parseCsv(text: string, source = 'csv'): CsvTable {
  const recs = parseCsvRecords(text, source);
  if (recs.length === 0) throw new VigilError(`${source}: the file is empty (expected a header line)`, { field: 'csv' });
  const header = recs[0].fields;
  const seen = new Map<string, number>();
  header.forEach((h, k) => {
    const prev = seen.get(h);
    if (prev !== undefined && h !== '') throw new VigilError(`${source} line ${recs[0].line}: column name '${h}' appears twice (columns ${prev + 1} and ${k + 1})`, { field: h });
    seen.set(h, k);
  });
  const rows = recs.slice(1);
  for (const r of rows) {
    if (r.fields.length !== header.length) {
      throw new VigilError(`${source} line ${r.line}: ${r.fields.length} fields, but the header has ${header.length}`, { field: 'csv', row: r.line });
    }
  }
  return { header, rows };
}
