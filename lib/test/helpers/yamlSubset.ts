/**
 * A reader for the YAML subset the deploy/ manifests are written in: block mappings and block
 * sequences by indentation (a sequence may sit at its key's indentation), `- key: value` items,
 * `---` between documents, full-line and trailing comments, and scalars: double-quoted (JSON
 * escapes), single-quoted, integers, decimals, true/false/null, plain strings. Anything else (flow
 * collections, block scalars, anchors, tags) is an error naming the line, so a manifest cannot
 * silently use syntax this reader misunderstands.
 */
export type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml };

interface Line { indent: number; text: string; no: number }

export function parseYamlDocuments(source: string, file = 'yaml'): Yaml[] {
  const docs: Line[][] = [[]];
  source.split('\n').forEach((raw, i) => {
    if (/^---\s*$/.test(raw)) { docs.push([]); return; }
    if (/\t/.test(raw.match(/^\s*/)?.[0] ?? '')) throw new Error(`${file}:${i + 1}: tab in indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    docs[docs.length - 1].push({ indent: text.length - text.trimStart().length, text: text.trimStart(), no: i + 1 });
  });
  return docs.filter((d) => d.length > 0).map((lines) => {
    const [value, next] = parseBlock(lines, 0, lines[0].indent, file);
    if (next !== lines.length) throw new Error(`${file}:${lines[next].no}: unexpected indentation`);
    return value;
  });
}

function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote && line[i - 1] !== '\\') quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

const isItem = (t: string) => t === '-' || t.startsWith('- ');
const KEY = /^("(?:[^"\\]|\\.)*"|[^\s"'#\-[{][^:]*?|-[^\s:][^:]*?):(?:\s+(.*))?$/;

function parseBlock(lines: Line[], i: number, indent: number, file: string): [Yaml, number] {
  return isItem(lines[i].text) ? parseSequence(lines, i, indent, file) : parseMapping(lines, i, indent, file);
}

function parseSequence(lines: Line[], i: number, indent: number, file: string): [Yaml[], number] {
  const out: Yaml[] = [];
  while (i < lines.length && lines[i].indent === indent && isItem(lines[i].text)) {
    const rest = lines[i].text.slice(1).trim();
    if (rest === '') {
      if (i + 1 >= lines.length || lines[i + 1].indent <= indent) { out.push(null); i++; continue; }
      const [v, next] = parseBlock(lines, i + 1, lines[i + 1].indent, file);
      out.push(v);
      i = next;
    } else if (KEY.test(rest)) {
      // `- key: value` opens a mapping whose further keys are indented to the first key's column.
      const col = indent + (lines[i].text.length - rest.length);
      const copy = lines.slice();
      copy[i] = { indent: col, text: rest, no: lines[i].no };
      const [v, next] = parseMapping(copy, i, col, file);
      out.push(v);
      i = next;
    } else {
      out.push(scalar(rest, lines[i].no, file));
      i++;
    }
  }
  return [out, i];
}

function parseMapping(lines: Line[], i: number, indent: number, file: string): [{ [key: string]: Yaml }, number] {
  const out: { [key: string]: Yaml } = {};
  while (i < lines.length && lines[i].indent === indent && !isItem(lines[i].text)) {
    const m = KEY.exec(lines[i].text);
    if (!m) throw new Error(`${file}:${lines[i].no}: expected 'key: value', got '${lines[i].text}'`);
    const key = m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1].trim();
    if (key in out) throw new Error(`${file}:${lines[i].no}: duplicate key '${key}'`);
    const value = m[2]?.trim() ?? '';
    if (value !== '') { out[key] = scalar(value, lines[i].no, file); i++; continue; }
    const nxt = lines[i + 1];
    if (nxt && (nxt.indent > indent || (nxt.indent === indent && isItem(nxt.text)))) {
      const [v, next] = parseBlock(lines, i + 1, nxt.indent, file);
      out[key] = v;
      i = next;
    } else { out[key] = null; i++; }
  }
  return [out, i];
}

function scalar(s: string, no: number, file: string): Yaml {
  if (s.startsWith('"')) {
    try { return JSON.parse(s) as string; } catch { throw new Error(`${file}:${no}: bad double-quoted string ${s}`); }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new Error(`${file}:${no}: bad single-quoted string ${s}`);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[[{&*!|>%@`]/.test(s)) throw new Error(`${file}:${no}: '${s}' uses YAML syntax this reader does not support`);
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null' || s === '~') return null;
  if (/^-?\d+$/.test(s)) return Number(s);
  if (/^-?\d+\.\d+$/.test(s)) return Number(s);
  return s;
}
