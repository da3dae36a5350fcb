import type { Block, Cell, Section } from './sections.js';

function mdCell(c: string | Cell): string {
  const t = typeof c === 'string' ? c : c.text;
  return t.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'para':
      return b.text;
    case 'kv':
      return b.items.map(([k, v]) => `- **${k}**: ${v}`).join('\n');
    case 'table': {
      const lines = [`| ${b.header.map(mdCell).join(' | ')} |`, `|${b.header.map(() => '---').join('|')}|`, ...b.rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`)];
      return (b.caption ? `*${b.caption}*\n\n` : '') + lines.join('\n');
    }
    case 'chart':
      return `*(chart: ${b.name} — see report.html)*${b.caption ? ` ${b.caption}` : ''}`;
    case 'interactive':
      return `*(interactive ${b.name} — see report.html)*`;
  }
}

/** The same sections as Markdown: every table and verdict, charts referenced to the HTML report. */
export function renderMarkdown(sections: Section[], meta: { title: string; subtitle?: string; generatedAt: string }): string {
  const out = [`# ${meta.title}`, ''];
  if (meta.subtitle) out.push(meta.subtitle, '');
  out.push(...sections.map((s) => `- [${s.title}](#${s.id})${s.ran ? '' : ' (not run)'}`), '');
  for (const s of sections) {
    out.push(`<a id="${s.id}"></a>`, `## ${s.title}`, '');
    if (!s.ran) { out.push('_Not run: this stage produced no results for this run._', ''); continue; }
    for (const b of s.blocks) out.push(block(b), '');
  }
  out.push(`_Generated ${meta.generatedAt}._`, '');
  return out.join('\n');
}
