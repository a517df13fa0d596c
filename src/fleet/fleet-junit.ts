/**
 * junit.xml of a fleet: one test case per requirement over all clients. Any client's FAIL is a failure that
 * names the first failing DevIds; ERROR or INCONCLUSIVE anywhere (and no FAIL) an error; a requirement no
 * client passed or warned on (not applicable, not observable, blocked) is skipped. Harness errors are errors.
 */
import { attr, junitBuilder as builder, timestamp, xmlSafe } from '../report/junit-xml.js';
import { VERDICTS, type Verdict } from '../verdict/verdict.js';
import type { FleetReport } from './fleet-report.js';

function tally(by: Record<Verdict, number>): string {
  return VERDICTS.filter((v) => by[v]).map((v) => `${v} ${by[v]}`).join(', ');
}

function named(r: FleetReport['requirements'][number], v: Verdict): string {
  const first = r.first[v] ?? [];
  return `${first.join(', ')}${r.byVerdict[v] > first.length ? ', …' : ''}`;
}

function testcase(f: FleetReport, r: FleetReport['requirements'][number]): Record<string, unknown> {
  const by = r.byVerdict;
  const node: Record<string, unknown> = {
    '@_classname': 'dmdc.fleet',
    '@_name': attr(`${r.id} ${r.title}`),
    '@_time': '0.000',
  };
  // The strict junit-10 schema has properties on suites only: a case's facts go to its system-out.
  const facts = `verdicts: ${tally(by)}\nseverity: ${r.severity}\nprovenance: ${r.provenance}\ncategory: ${r.category}`;
  const text = `${r.id}: ${tally(by)} over ${f.fleet.clients} clients\n${Object.keys(r.first).map((v) => `first ${v}: ${named(r, v as Verdict)}`).join('\n')}`;
  const errored = by.ERROR + by.INCONCLUSIVE;
  if (by.FAIL) node.failure = { '@_message': attr(`FAIL in ${by.FAIL} of ${f.fleet.clients} clients; first: ${named(r, 'FAIL')}`), '@_type': 'FAIL', '#text': xmlSafe(text) };
  else if (errored) node.error = { '@_message': attr(`${by.ERROR ? `ERROR in ${by.ERROR}` : ''}${by.ERROR && by.INCONCLUSIVE ? ', ' : ''}${by.INCONCLUSIVE ? `INCONCLUSIVE in ${by.INCONCLUSIVE}` : ''} of ${f.fleet.clients} clients; first: ${named(r, by.ERROR ? 'ERROR' : 'INCONCLUSIVE')}`), '@_type': by.ERROR ? 'ERROR' : 'INCONCLUSIVE', '#text': xmlSafe(text) };
  else if (!by.PASS && !by.WARN) node.skipped = { '@_message': attr(`no client judged it: ${tally(by) || 'no verdict'}`) };
  node['system-out'] = xmlSafe(by.WARN && !by.FAIL && !errored ? `WARN in ${by.WARN} clients; first: ${named(r, 'WARN')}\n${facts}` : facts);
  return node;
}

export function fleetJunitXml(f: FleetReport): string {
  const cases = f.requirements.map((r) => testcase(f, r));
  const harness = f.errors.map((e, i) => ({ '@_classname': 'dmdc.harness', '@_name': `harness error ${i + 1}`, '@_time': '0.000', error: { '@_message': attr(e), '@_type': 'ERROR', '#text': xmlSafe(e) } }));
  const all = [...cases, ...harness];
  const counts = {
    '@_tests': all.length,
    '@_failures': all.filter((c) => 'failure' in c).length,
    '@_errors': all.filter((c) => 'error' in c).length,
    '@_skipped': all.filter((c) => 'skipped' in c).length,
  };
  const time = (f.durationMs / 1000).toFixed(3);
  const shard = f.fleet.shard ? ` shard ${f.fleet.shard.index}/${f.fleet.shard.count}` : '';
  const props: Array<[string, string]> = [
    ['clients', String(f.fleet.clients)],
    ['devIds', `${f.fleet.range.firstDevId}..${f.fleet.range.lastDevId}`],
    ['concurrency', String(f.fleet.concurrency)],
    ['delegationsPerSecond', String(f.performance.delegationsPerSecond)],
    ['budgetTimeouts', String(f.performance.budgetTimeouts)],
    ...(f.mutant ? [['mutant', f.mutant] as [string, string]] : []),
  ];
  const doc = {
    // <testsuites> takes name, time, tests, failures and errors only (junit-10); a suite's timestamp has no zone.
    testsuites: {
      '@_name': `dmdc ${f.runId}`,
      '@_time': time,
      '@_tests': counts['@_tests'],
      '@_failures': counts['@_failures'],
      '@_errors': counts['@_errors'],
      testsuite: {
        '@_name': `${f.config?.name ?? 'dmdc'}.fleet of ${f.fleet.clients} clients${shard}`,
        '@_id': f.runId,
        ...counts,
        '@_time': time,
        '@_timestamp': timestamp(Date.parse(f.startedAt)),
        properties: { property: props.map(([name, value]) => ({ '@_name': name, '@_value': attr(value) })) },
        testcase: all,
      },
    },
  };
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + String(builder.build(doc));
}
