/**
 * report.html of a fleet: the aggregate (requirement × verdict counts, the first failing DevIds) above the
 * ordinary run report of only the clients kept in detail, which write-html renders as for any run. The
 * aggregate uses that page's own classes: its Content-Security-Policy allows no other style.
 */
import { escapeHtml as h, htmlReport, type RunReport } from '../report/index.js';
import { VERDICTS, type Verdict } from '../verdict/verdict.js';
import type { FleetReport } from './fleet-report.js';
import { LISTED_VERDICTS } from './fleet-tally.js';

const MB = 1024 * 1024;

/** The anchor write-html gives a flow section (flow ids of a fleet need no escaping: [A-Za-z0-9.-] only). */
const flowAnchor = (flowId: string) => `flow--${flowId}`;

function firstClients(r: FleetReport['requirements'][number], detailed: Map<string, string>): string {
  const parts = LISTED_VERDICTS.filter((v) => r.first[v]?.length).map((v) => {
    const ids = r.first[v]!.map((devId) => {
      const flow = detailed.get(devId);
      return flow ? `<a href="#${flowAnchor(flow)}"><code>${h(devId)}</code></a>` : `<code>${h(devId)}</code>`;
    });
    const more = r.byVerdict[v] > ids.length ? ` <span class="muted">+${r.byVerdict[v] - ids.length}</span>` : '';
    return `<span class="v v-${v}">${v}</span> ${ids.join(', ')}${more}`;
  });
  return parts.join('<br>') || '<span class="muted">–</span>';
}

function countCell(v: Verdict, n: number): string {
  if (!n) return '<td class="cell"><span class="nj">0</span></td>';
  return `<td class="cell"><span class="badge v-${v}">${n}</span></td>`;
}

export function fleetSection(f: FleetReport): string {
  const detailed = new Map(f.detailedClients.map((c) => [c.devId, c.flowId]));
  const p = f.performance;
  const shard = f.fleet.shard ? `shard ${f.fleet.shard.index}/${f.fleet.shard.count}: ` : '';
  // A merged fleet's speed is made of its shards' (merge-fleet.ts): the page says how.
  const merged = f.fleet.mergedFrom?.length;
  const rows: Array<[string, string]> = [
    ['Clients', `${f.fleet.clients} of a fleet of ${f.fleet.size} (${h(shard)}<code>${h(f.fleet.range.firstDevId)}</code> … <code>${h(f.fleet.range.lastDevId)}</code>)`],
    ['Scenarios', f.fleet.scenarios.map((s) => `<code>${h(s.id)}</code>`).join(', ') + ' <span class="muted">(dealt round-robin)</span>'],
    ['Concurrency', `${f.fleet.concurrency} flows at once: ${f.fleet.workers} worker thread(s) × ${f.fleet.flowsPerWorker}`],
    ['Speed', `${p.delegationsPerSecond} delegations/s${merged ? ` <span class="muted">(the sum of the ${merged} shards' rates: each on a machine of its own)</span>` : ''} · ${(p.fleetMs / 1000).toFixed(1)} s${merged ? ' <span class="muted">(the longest shard)</span>' : ''} · flow mean ${p.flowMs.mean} ms, max ${p.flowMs.max} ms`],
    ['Flows', Object.entries(f.byStatus).filter(([, n]) => n).map(([s, n]) => `<span class="status st-${s}">${s}</span> ${n}`).join(' ') || '<span class="muted">none</span>'],
    ['Budget timeouts', `${p.budgetTimeouts}${f.timeouts.length ? `: ${f.timeouts.map((d) => `<code>${h(d)}</code>`).join(', ')}${p.budgetTimeouts > f.timeouts.length ? ', …' : ''}` : ''}`],
    ['Peak RSS', `${Math.round(p.peakRssBytes / MB)} MB <span class="muted">(every thread)</span>`],
    ['Clients with a FAIL', String(f.summary.failingClients)],
  ];
  const head = `<tr><th class="rq">Requirement</th><th>Sev.</th>${VERDICTS.map((v) => `<th><span class="v v-${v}">${v}</span></th>`).join('')}<th>First clients</th></tr>`;
  const body = f.requirements
    .map((r) => `<tr><th class="rq" scope="row"><code>${h(r.id)}</code> ${h(r.title)}</th><td class="sev sev-${r.severity}">${r.severity}</td>${VERDICTS.map((v) => countCell(v, r.byVerdict[v])).join('')}<td>${firstClients(r, detailed)}</td></tr>`)
    .join('\n');
  return `<section id="fleet">
<h1>Fleet of ${f.fleet.clients} DM clients</h1>
<dl class="facts">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
<h2>Requirements × verdicts</h2>
<p class="hint">Per requirement, how many clients got each verdict, and the first clients (lowest DevIds, at most ${f.fleet.keep}) that did not pass. A linked DevId has its flow below. The tester's cases are not part of a fleet run.</p>
<div class="scroll"><table class="matrix"><thead>${head}</thead><tbody>${body}</tbody></table></div>
<p class="hint">Below: the run report of the ${f.detailedClients.length} client(s) kept in detail (the first with a FAIL, ERROR or INCONCLUSIVE), with their messages and trees.</p>
</section>`;
}

/** The whole page: the fleet's aggregate, then write-html's report of the detailed clients. */
export function fleetHtml(f: FleetReport, detailedRun: RunReport): string {
  const page = htmlReport(detailedRun);
  const at = page.indexOf('<body>');
  if (at < 0) throw new Error('report.html has no <body> to put the fleet aggregate in');
  const after = at + '<body>'.length;
  return `${page.slice(0, after)}\n${fleetSection(f)}${page.slice(after)}`;
}
