/** The sequence diagram of a flow in report.html: one lane per role, one row per recorded message. */
import { ROLE_NAMES, type Role } from '../model/roles.js';
import type { FlowReport, SequenceEntry } from './model.js';
import { anchor, escapeHtml as h, fmtMs, truncate } from './html-text.js';

const LANES: readonly Role[] = ['dms1', 'dms2', 'bootstrap', 'client'];

function laneOf(party: string): number | undefined {
  const p = party.toLowerCase();
  const i = LANES.findIndex((r) => r === p || ROLE_NAMES[r].toLowerCase() === p);
  return i < 0 ? undefined : i;
}

export function partyName(party: string): string {
  const i = laneOf(party);
  return i === undefined ? party : ROLE_NAMES[LANES[i]!];
}

export function isBad(e: SequenceEntry): boolean {
  return e.kind === 'error' || e.kind === 'tls-error' || e.reason !== undefined || (e.httpStatus !== undefined && e.httpStatus >= 400);
}

function entryLabel(e: SequenceEntry): string {
  const status = e.httpStatus !== undefined && e.kind === 'response' ? `${e.httpStatus} ` : '';
  const tls = e.kind === 'tls' ? `TLS ${e.tlsProtocol ?? ''} ` : '';
  return `${e.step ? `${e.step} ` : ''}${tls}${status}${e.summary || e.kind}`;
}

export function sequenceSvg(flow: FlowReport, evidence: Set<number>): string {
  const laneX = (i: number) => 190 + i * 210;
  const width = laneX(LANES.length - 1) + 110;
  const top = 52;
  const rowH = 26;
  const height = top + Math.max(1, flow.sequence.length) * rowH + 16;
  const heads = LANES.map((r, i) => {
    const x = laneX(i);
    return `<rect class="sq-head" x="${x - 70}" y="8" width="140" height="28" rx="4"/><text class="sq-name" x="${x}" y="27" text-anchor="middle">${h(ROLE_NAMES[r])}</text><line class="sq-life" x1="${x}" y1="36" x2="${x}" y2="${height - 6}"/>`;
  }).join('');
  const rows = flow.sequence.map((e, n) => {
    const y = top + n * rowH + 16;
    const from = laneOf(e.from);
    const to = laneOf(e.to);
    const cls = ['sq', `sq-${e.kind.replace(/[^a-z-]/gi, '')}`, isBad(e) ? 'sq-bad' : '', evidence.has(e.seq) ? 'sq-ev' : ''].filter(Boolean).join(' ');
    const tip = `<title>${h(`#${e.seq} ${fmtMs(e.t)} ${partyName(e.from)} → ${partyName(e.to)} ${e.link}: ${entryLabel(e)}${e.reason ? ` (${e.reason})` : ''}`)}</title>`;
    const gutter = `<text class="sq-seq" x="6" y="${y + 4}">#${e.seq}</text><text class="sq-t" x="46" y="${y + 4}">${Math.round(e.t)} ms</text>`;
    let shape: string;
    if (from === undefined || to === undefined) {
      // Harness notes and unknown parties: a line of text across the diagram, not an arrow.
      shape = `<text class="sq-note" x="${laneX(0) - 60}" y="${y + 4}">${h(truncate(`${e.from} → ${e.to}: ${entryLabel(e)}`, 120))}</text>`;
    } else if (from === to) {
      const x = laneX(from);
      shape = `<path class="sq-line" d="M${x} ${y - 6} h24 v12 h-24"/><polygon class="sq-head-arrow" points="${x},${y + 6} ${x + 8},${y + 2} ${x + 8},${y + 10}"/><text class="sq-label" x="${x + 30}" y="${y + 4}">${h(truncate(entryLabel(e), 40))}</text>`;
    } else {
      const x1 = laneX(from);
      const x2 = laneX(to);
      const dir = x2 > x1 ? 1 : -1;
      const tipX = x2 - dir * 1;
      const head =
        e.kind === 'error' || e.kind === 'tls-error'
          ? `<path class="sq-cross" d="M${tipX - 5} ${y - 5} l10 10 m0 -10 l-10 10"/>`
          : `<polygon class="sq-head-arrow" points="${tipX},${y} ${tipX - dir * 9},${y - 4} ${tipX - dir * 9},${y + 4}"/>`;
      const max = Math.max(12, Math.floor(Math.abs(x2 - x1) / 6.3));
      shape = `<line class="sq-line" x1="${x1}" y1="${y}" x2="${tipX}" y2="${y}"/>${head}<text class="sq-label" x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle">${h(truncate(entryLabel(e), max))}</text>`;
    }
    return `<a href="#${anchor('m', flow.id, e.seq)}" class="${cls}">${tip}${gutter}${shape}</a>`;
  });
  return `<svg class="seqdiag" role="img" aria-label="${h(`Message sequence of flow ${flow.id}`)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${heads}${rows.join('')}</svg>`;
}
