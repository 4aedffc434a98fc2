// summary.md: one table over every suite, then the notes that explain each miss.
import type { Outcome, Status, Suite } from '../lib/suite.js';

const MARK: Record<Status, string> = { met: '✅ met', missed: '❌ missed', info: 'ℹ️', 'not measured': '⏸ not measured' };
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export interface SuiteReport {
  suite: Suite;
  outcome: Outcome;
}

export function summaryMarkdown(reports: SuiteReport[], meta: { quick: boolean; date: string; machine: string; seconds: number; earlier?: string[] }): string {
  const lines = [
    `# Benchmark summary${meta.quick ? ' (quick smoke run — numbers are not meaningful)' : ''}`,
    '',
    `${meta.date} · ${meta.machine} · whole run ${meta.seconds.toFixed(0)} s. Ratios compare our path with the`,
    'thinnest alternative measured in the same run, alternating samples, so a noisy neighbour slows both.',
    ...(meta.earlier?.length ? ['', `Not re-measured in this run, shown from their last results: ${meta.earlier.join(', ')}.`] : []),
    '',
    '| area | measure | result | goal | status |',
    '|---|---|---|---|---|',
  ];
  for (const { suite, outcome } of reports) {
    for (const row of outcome.rows) {
      lines.push(`| ${cell(suite.title)} | ${cell(row.measure)} | ${cell(row.result)} | ${cell(row.goal ?? '')} | ${MARK[row.status]} |`);
    }
  }
  const noted = reports.filter((r) => r.outcome.notes.length || r.outcome.failures.length);
  if (noted.length) lines.push('', '## Notes');
  for (const { suite, outcome } of noted) {
    lines.push('', `### ${suite.title}`, '');
    for (const failure of outcome.failures) lines.push(`- **FAILURE:** ${failure}`);
    for (const note of outcome.notes) lines.push(`- ${note}`);
  }
  return `${lines.join('\n')}\n`;
}
