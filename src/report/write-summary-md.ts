import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_MEANING, VERDICTS } from '../verdict/verdict.js';
import type { RequirementResult, RunReport } from './model.js';
import { describeSelection } from './selection-words.js';
import { anchor, truncate } from './html-text.js';
import { escapeMarkdown } from './markdown-text.js';

/** At most this many FAIL lines: a summary points into the HTML report, it does not replace it. */
const MAX_LINES = 40;

/** A table cell: one line, Markdown escaped (a wire value like ./DMAcc/<X> must not read as a tag). */
const cell = (text: string, max = 500) => escapeMarkdown(truncate(text, max));

function failLine(r: RequirementResult, report: RunReport, html: string): string {
  const title = report.requirements.find((q) => q.id === r.requirementId)?.title ?? '';
  const said = r.checks.find((c) => c.verdict === 'FAIL');
  const words = said?.actual ?? said?.reason ?? '';
  const known = r.baselined ? ` _(known: ${cell(r.baselined.reason)})_` : '';
  return `| [\`${r.requirementId}\`](${html}#${anchor('r', r.flowId, r.requirementId)}) | ${r.flowId} | ${cell(title)}${known} | ${cell(words, 160)} |`;
}

/**
 * summary.md: the run in a few lines for a CI job page (GitHub's $GITHUB_STEP_SUMMARY, a merge request note):
 * the exit code, the verdict counts, each flow's FAILs (earliest first) linked into report.html, the baseline.
 * `htmlUrl` is where report.html will be published (default: beside summary.md).
 */
export function summaryMarkdown(report: RunReport, htmlUrl = 'report.html'): string {
  const s = report.summary;
  const counts = VERDICTS.filter((v) => s.byVerdict[v]).map((v) => `| ${v} | ${s.byVerdict[v]} |`);
  const failed = new Map(report.results.filter((r) => r.verdict === 'FAIL').map((r) => [`${r.flowId} ${r.requirementId}`, r]));
  const roots = report.flows.flatMap((f) => f.rootFailures.map((id) => failed.get(`${f.id} ${id}`)).filter((r): r is RequirementResult => !!r));
  const lines = [
    `## dmdc conformance: exit ${s.exitCode}, ${EXIT_MEANING[s.exitCode]}`,
    '',
    ...(report.secretsShown ? ['**Written with --show-secrets: this report holds account secrets and nonces. Not for a customer.**', ''] : []),
    `Run \`${report.runId}\` · ${report.tool.name} ${report.tool.version} · binding profile ${report.profileVersion} · ${report.flows.length} flows · ${describeSelection(report.selection)}${report.mutant ? ` · mutant ${report.mutant}` : ''}`,
    '',
    '| verdict | results |',
    '|---|---|',
    ...counts,
    '',
  ];
  if (roots.length) {
    lines.push(`### FAILs (${roots.length}; each flow's FAILs, earliest on the wire first)`, '', '| requirement | flow | title | what the wire or tree showed |', '|---|---|---|---|');
    lines.push(...roots.slice(0, MAX_LINES).map((r) => failLine(r, report, htmlUrl)));
    if (roots.length > MAX_LINES) lines.push('', `… and ${roots.length - MAX_LINES} more in [the report](${htmlUrl}#failures).`);
    lines.push('');
  }
  const b = s.baseline;
  if (b) {
    lines.push('### Baseline', '', `${b.file ? `\`${b.file}\`: ` : ''}${b.known} known FAILs excused, ${b.newFailures.length} new.`);
    for (const e of b.stale) lines.push(`- **stale**, now passing (remove it): \`${e.requirement}\` × \`${e.flow}\` (${cell(e.reason)})`);
    for (const e of b.expired) lines.push(`- **expired** ${e.expires}: \`${e.requirement}\` × \`${e.flow}\` counts again`);
    lines.push('');
  }
  if (report.errors.length) lines.push('### Harness errors', '', ...report.errors.map((e) => `- ${cell(e.split('\n')[0])}`), '');
  if (report.presentation?.length) lines.push('### Presentation problems (the verdicts stand)', '', ...report.presentation.map((e) => `- ${cell(e)}`), '');
  lines.push(`Full report: [report.html](${htmlUrl}) · report.json · junit.xml · trace.jsonl`, '');
  return lines.join('\n');
}

export function writeSummaryMarkdown(dir: string, report: RunReport, htmlUrl?: string): string {
  const file = join(dir, 'summary.md');
  writeFileSync(file, summaryMarkdown(report, htmlUrl));
  return file;
}
