/**
 * The sequence diagram of a flow in report.html: one lane per role, one row per recorded event (TLS events as
 * thin rows, so every seq is there), the approach's steps in a column beside it and the happens-before edges
 * a failing run broke drawn in a gutter on the right.
 *
 * Only markup and presentation attributes: the page's Content-Security-Policy allows its own style sheet and
 * no style attribute, so what that sheet does not style is styled here by attributes.
 */
import { ROLE_NAMES, type Role } from '../model/roles.js';
import { orderedPair, stepFamily } from '../model/step-order.js';
import type { FlowReport, RequirementRef, RequirementResult, SequenceEntry } from './model.js';
import { anchor, escapeHtml as h, fmtMs, truncate } from './html-text.js';

const LANES: readonly Role[] = ['dms1', 'dms2', 'bootstrap', 'client'];

/** The catalogue's steps of each approach in their expected order (its `step` requirements). */
export const APPROACH_STEPS: Readonly<Record<'A' | 'B', readonly string[]>> = {
  A: ['A.1', 'A.2', 'A.3', 'A.4', 'A.5', 'A.6', 'A.7', 'A.8'],
  B: ['B.1', 'B.2', 'B.3', 'B.4', 'B.5', 'B.6', 'B.7', 'B.8', 'B.8b', 'B.9', 'B.10'],
};

/** An ordering requirement that FAILed in the flow, with the seqs its failing checks cite. */
export interface SequenceViolation {
  requirementId: string;
  title?: string;
  evidence: number[];
}

function laneOf(party: string): number | undefined {
  const p = party.toLowerCase();
  const i = LANES.findIndex((r) => r === p || ROLE_NAMES[r].toLowerCase() === p);
  return i < 0 ? undefined : i;
}

export function partyName(party: string): string {
  const i = laneOf(party);
  return i === undefined ? party : ROLE_NAMES[LANES[i]!];
}

/** A requirement of the report by its id (the page's index holds them). */
export type RefLookup = (id: string) => RequirementRef | undefined;

export function isBad(e: SequenceEntry): boolean {
  return e.kind === 'error' || e.kind === 'tls-error' || e.reason !== undefined || (e.httpStatus !== undefined && e.httpStatus >= 400);
}

/** The ordering requirements among a flow's results that FAILed, as `sequenceSvg` draws them. */
export function orderViolations(results: readonly RequirementResult[], refOf: RefLookup): SequenceViolation[] {
  return results
    .filter((r) => r.verdict === 'FAIL' && refOf(r.requirementId)?.category === 'ordering')
    .map((r) => ({
      requirementId: r.requirementId,
      title: refOf(r.requirementId)!.title,
      evidence: [...new Set(r.checks.filter((c) => c.verdict === 'FAIL').flatMap((c) => c.evidence))],
    }));
}

function entryLabel(e: SequenceEntry): string {
  // A labelled answer's 200 says nothing the label does not; a refusal's status does.
  const plain = e.label && e.httpStatus !== undefined && e.httpStatus < 300;
  const status = e.httpStatus !== undefined && e.kind === 'response' && !plain ? `${e.httpStatus} ` : '';
  return `${e.step ? `${e.step} ` : ''}${status}${e.label || e.summary || e.kind}`;
}

const isTls = (e: SequenceEntry) => e.kind === 'tls' || e.kind === 'tls-error';

// Geometry: seq and time gutter, the step column, four lanes, the gutter of broken orderings.
const STEP_X0 = 96;
const STEP_W = 12;
const laneX = (i: number) => 320 + i * 200;
const GUTTER_X = laneX(LANES.length - 1) + 80;
const WIDE = 1300;
const TOP = 56;
const rowHeight = (e: SequenceEntry) => (isTls(e) ? 12 : e.harness || e.kind === 'note' ? 20 : 26);

// Colours the page's style sheet does not give (it styles the existing sq-* classes only).
const MUTED = '#8c959f';
const FAIL = '#cf222e';
const STEP_FILL = '#0969da';

/**
 * @param evidence seqs drawn thick: the evidence of the flow's non-passing verdicts.
 * @param violations the flow's FAILed ordering requirements (see `orderViolations`): each is drawn as a red
 *   connector between its evidence rows, from the event that should have come first to the one that came too
 *   early, named by the requirement id.
 */
export function sequenceSvg(flow: FlowReport, evidence: Set<number>, violations: readonly SequenceViolation[] = []): string {
  const rows = flow.sequence;
  const ys: number[] = [];
  let bottom = TOP;
  for (const e of rows) {
    const rh = rowHeight(e);
    ys.push(bottom + rh / 2);
    bottom += rh;
  }
  const rowOf = new Map(rows.map((e, n) => [e.seq, n]));
  const steps = APPROACH_STEPS[flow.approach] ?? [];
  const drawn = violations.map((v) => ({ v, rows: [...new Set(v.evidence)].map((s) => rowOf.get(s)).filter((n): n is number => n !== undefined).sort((a, b) => a - b) }));
  const brokenSteps = new Set(drawn.flatMap(({ v }) => (orderedPair(v.requirementId) ?? []).flatMap(stepFamily)));

  const { svg: violationSvg, bottom: violationBottom } = violationMarks(drawn, rows, ys);
  const height = Math.max(bottom, violationBottom) + 16;
  const width = violations.length ? WIDE : GUTTER_X;

  const heads = LANES.map((r, i) => {
    const x = laneX(i);
    return `<rect class="sq-head" x="${x - 70}" y="8" width="140" height="28" rx="4"/><text class="sq-name" x="${x}" y="27" text-anchor="middle">${h(ROLE_NAMES[r])}</text><line class="sq-life" x1="${x}" y1="36" x2="${x}" y2="${height - 6}"/>`;
  }).join('');
  const body = rows.map((e, n) => entryRow(flow, e, ys[n]!, evidence.has(e.seq))).join('') + harnessBrackets(rows, ys);
  return `<svg class="seqdiag" role="img" aria-label="${h(`Message sequence of flow ${flow.id}`)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${heads}${stepColumn(flow, steps, rows, ys, height, brokenSteps)}${body}${violationSvg}</svg>`;
}

/** One entry: a thin row for a TLS event, a muted one for the harness's own traffic, an arrow otherwise. */
function entryRow(flow: FlowReport, e: SequenceEntry, y: number, ev: boolean): string {
  const from = laneOf(e.from);
  const to = laneOf(e.to);
  const cls = ['sq', `sq-${e.kind.replace(/[^a-z-]/gi, '')}`, isBad(e) ? 'sq-bad' : '', ev ? 'sq-ev' : '', e.harness ? 'sq-harness' : ''].filter(Boolean).join(' ');
  const tip = `<title>${h(`#${e.seq} ${fmtMs(e.t)} ${partyName(e.from)} → ${partyName(e.to)} ${e.link}${e.harness ? ' (harness)' : ''}: ${e.step ? `${e.step} ` : ''}${e.summary || e.kind}${e.reason ? ` (${e.reason})` : ''}`)}</title>`;
  const shape = isTls(e) ? tlsShape(e, y, from, to, ev) : messageShape(e, y, from, to);
  const gutter = isTls(e)
    ? `<text class="sq-cseq" x="6" y="${y + 3}" font-size="9" fill="${MUTED}">#${e.seq}</text>`
    : `<text class="sq-seq" x="6" y="${y + 4}">#${e.seq}</text><text class="sq-t" x="44" y="${y + 4}">${Math.round(e.t)} ms</text>`;
  // The harness's own traffic stays readable but recedes, unless it is the evidence of a verdict.
  const inner = e.harness && !ev ? `<g opacity="0.55">${shape}</g>` : shape;
  return `<a href="#${anchor('m', flow.id, e.seq)}" class="${cls}">${tip}${gutter}${inner}</a>`;
}

/**
 * Each run of the harness's own entries marked by a bracket right of the last lane, named "harness" at its
 * start (and again every so many rows of a long run, so a reader scrolling through it still sees it).
 */
function harnessBrackets(rows: readonly SequenceEntry[], ys: readonly number[]): string {
  const x = laneX(LANES.length - 1) + 14;
  const out: string[] = [];
  for (let n = 0; n < rows.length; n++) {
    if (!rows[n]!.harness) continue;
    const start = n;
    while (n + 1 < rows.length && rows[n + 1]!.harness) n++;
    const [y1, y2] = [ys[start]! - 5, ys[n]! + 5];
    const names: string[] = [];
    for (let k = start; k <= n; k += 30) names.push(`<text x="${x + 5}" y="${ys[k]! + 3}" font-size="9" font-style="italic" fill="${MUTED}">harness</text>`);
    out.push(`<g class="sq-harness-run"><title>${h(`#${rows[start]!.seq}–#${rows[n]!.seq}: the harness's own sessions and the tester's cases, not the delegation`)}</title><path d="M${x - 4} ${y1} h4 V${y2} h-4" fill="none" stroke="${MUTED}" stroke-width="1"/>${names.join('')}</g>`);
  }
  return out.join('');
}

/** A connection's handshake: a dotted line to the accepting side with a small ring, or a cross where it was refused. */
function tlsShape(e: SequenceEntry, y: number, from: number | undefined, to: number | undefined, ev: boolean): string {
  const refused = e.kind === 'tls-error';
  const colour = refused ? FAIL : MUTED;
  const text = refused ? `TLS refused${e.reason ? `: ${e.reason}` : ''}` : (e.label ?? `TLS ${e.tlsProtocol ?? ''}`);
  const end = to ?? from;
  if (end === undefined) return `<text class="sq-note" x="${laneX(0) - 60}" y="${y + 3}" font-size="9">${h(truncate(`${e.from} → ${e.to}: ${text}`, 120))}</text>`;
  const x2 = laneX(end);
  const mark = refused
    ? `<path class="sq-tcross" d="M${x2 - 3} ${y - 3} l6 6 m0 -6 l-6 6" stroke="${colour}" stroke-width="1.6"/>`
    : `<circle class="sq-tring" cx="${x2}" cy="${y}" r="2.5" fill="#fff" stroke="${colour}"/>`;
  const dash = e.harness ? '3 3' : '1 2';
  if (from === undefined || to === undefined || from === to) {
    // One known end (a server that saw a connection from an address): the mark alone, the text before it
    // (the right of the last lane is the harness bracket's).
    return `${mark}<text class="sq-tlabel" x="${x2 - 7}" y="${y + 3}" text-anchor="end" font-size="9" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${h(truncate(text, 40))}</text>`;
  }
  const x1 = laneX(from);
  const max = Math.max(12, Math.floor(Math.abs(x2 - x1) / 5));
  return `<line class="sq-tline" x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="${colour}" stroke-width="${ev ? 2.4 : 1}" stroke-dasharray="${dash}"/>${mark}<text class="sq-tlabel" x="${(x1 + x2) / 2}" y="${y + 3}" text-anchor="middle" font-size="9" fill="${colour}" stroke="#fff" stroke-width="3" paint-order="stroke">${h(truncate(text, max))}</text>`;
}

function messageShape(e: SequenceEntry, y: number, from: number | undefined, to: number | undefined): string {
  const small = e.harness ? ' font-size="11"' : '';
  if (from === undefined || to === undefined) {
    // Harness notes and unknown parties: a line of text across the diagram, not an arrow.
    return `<text class="sq-note" x="${laneX(0) - 60}" y="${y + 4}"${small}>${h(truncate(`${e.from} → ${e.to}: ${entryLabel(e)}`, 120))}</text>`;
  }
  const dash = e.harness ? ' stroke-dasharray="4 3"' : '';
  if (from === to) {
    const x = laneX(from);
    return `<path class="sq-line" d="M${x} ${y - 6} h24 v12 h-24"${dash}/><polygon class="sq-head-arrow" points="${x},${y + 6} ${x + 8},${y + 2} ${x + 8},${y + 10}"/><text class="sq-label" x="${x + 30}" y="${y + 4}"${small}>${h(truncate(entryLabel(e), 40))}</text>`;
  }
  const x1 = laneX(from);
  const x2 = laneX(to);
  const dir = x2 > x1 ? 1 : -1;
  const tipX = x2 - dir * 1;
  const head =
    e.kind === 'error'
      ? `<path class="sq-cross" d="M${tipX - 5} ${y - 5} l10 10 m0 -10 l-10 10"/>`
      : `<polygon class="sq-head-arrow" points="${tipX},${y} ${tipX - dir * 9},${y - 4} ${tipX - dir * 9},${y + 4}"/>`;
  // A label may run past the ends of a short arrow: its row has no other text.
  const max = Math.max(12, Math.floor(Math.max(Math.abs(x2 - x1), 330) / (e.harness ? 5.8 : 6.3)));
  return `<line class="sq-line" x1="${x1}" y1="${y}" x2="${tipX}" y2="${y}"${dash}/>${head}<text class="sq-label" x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle"${small}>${h(truncate(entryLabel(e), max))}</text>`;
}

/**
 * The approach's steps left to right in their expected order, each a bar over the rows it occurred in: a run
 * in order is a staircase going down to the right; a step out of order stands out of it (red when an
 * ordering requirement about it FAILed). A step never observed has its heading struck through.
 */
function stepColumn(flow: FlowReport, steps: readonly string[], rows: readonly SequenceEntry[], ys: readonly number[], height: number, broken: Set<string>): string {
  if (!steps.length) return '';
  const out: string[] = [`<text class="sq-stephead" x="${STEP_X0}" y="30" font-size="10" fill="#656d76">steps ${h(flow.approach)}.n</text>`];
  steps.forEach((s, k) => {
    const x = STEP_X0 + k * STEP_W + STEP_W / 2;
    const at = rows.map((e, n) => (e.step === s ? ys[n]! : -1)).filter((y) => y >= 0);
    const colour = broken.has(s) ? FAIL : STEP_FILL;
    const num = s.slice(2);
    out.push(`<text class="sq-stepnum" x="${x}" y="48" text-anchor="middle" font-size="9" fill="${at.length ? colour : MUTED}"${at.length ? '' : ' text-decoration="line-through"'}>${h(num)}<title>${h(at.length ? `step ${s}` : `step ${s}: not observed`)}</title></text>`);
    out.push(`<line class="sq-steprule" x1="${x}" y1="${TOP - 2}" x2="${x}" y2="${height - 6}" stroke="#d0d7de" stroke-width="0.5"/>`);
    if (!at.length) return;
    const y1 = Math.min(...at);
    const y2 = Math.max(...at);
    // A step of handshakes only (step 1) happens on every connection: its dots, no span.
    const span = rows.some((e) => e.step === s && !isTls(e)) ? `<rect x="${x - 2}" y="${y1 - 4}" width="4" height="${y2 - y1 + 8}" rx="2" fill="${colour}" fill-opacity="0.3"/>` : '';
    out.push(
      `<g class="sq-step${broken.has(s) ? ' sq-step-broken' : ''}"><title>${h(`step ${s}: ${at.length} events`)}</title>${span}${at.map((y) => `<circle cx="${x}" cy="${y}" r="2.2" fill="${colour}"/>`).join('')}</g>`,
    );
  });
  return out.join('');
}

/**
 * Each FAILed ordering requirement as a red connector in the right gutter between its evidence rows: for a
 * happens-before pair from the event of the step that should have been first to the event of the step that
 * started too early (so the arrow points up, against time), named by the requirement id.
 */
function violationMarks(drawn: Array<{ v: SequenceViolation; rows: number[] }>, rows: readonly SequenceEntry[], ys: readonly number[]): { svg: string; bottom: number } {
  const out: string[] = [];
  let labelFloor = 0;
  let bottom = 0;
  const unplaced: SequenceViolation[] = [];
  const x0 = GUTTER_X + 6;
  drawn.forEach(({ v, rows: at }, k) => {
    if (!at.length) {
      unplaced.push(v);
      return;
    }
    const ends = pairEnds(v, at, rows) ?? { first: at[0]!, then: at.at(-1)!, directed: false };
    const ya = ys[ends.first]!;
    const yb = ys[ends.then]!;
    const bx = x0 + 28 + k * 12;
    const leaders = [...new Set(at)].map((n) => `<line x1="${rightEdge(rows[n]!)}" y1="${ys[n]}" x2="${x0}" y2="${ys[n]}" stroke="${FAIL}" stroke-width="0.8" stroke-dasharray="2 3"/><circle cx="${x0}" cy="${ys[n]}" r="2.5" fill="${FAIL}"/>`).join('');
    const curve = ya === yb ? '' : `<path d="M${x0} ${ya} C${bx} ${ya} ${bx} ${yb} ${x0 + 2} ${yb}" fill="none" stroke="${FAIL}" stroke-width="1.8"/>`;
    const arrow = ends.directed && ya !== yb ? `<polygon points="${x0 + 1},${yb} ${x0 + 9},${yb + (yb < ya ? 6 : -6)} ${x0 + 11},${yb + (yb < ya ? -1 : 1)}" fill="${FAIL}"/>` : '';
    const seqs = ends.directed ? `#${rows[ends.first]!.seq} (${rows[ends.first]!.step}) should precede #${rows[ends.then]!.seq} (${rows[ends.then]!.step})` : `evidence ${at.map((n) => `#${rows[n]!.seq}`).join(', ')}`;
    // Labels stack downwards when two edges would put theirs at the same height.
    const ly = Math.max((ya + yb) / 2 - 8, labelFloor);
    const lx = bx + 8;
    const room = Math.floor((WIDE - lx - 4) / 6);
    const lines = [v.requirementId, ...(v.title ? [truncate(v.title, room)] : []), truncate(seqs, room)];
    labelFloor = ly + lines.length * 12 + 6;
    bottom = Math.max(bottom, labelFloor);
    const text = lines.map((l, i) => `<text x="${lx}" y="${ly + i * 12}" font-size="${i ? 10 : 11}"${i ? '' : ' font-weight="700"'} fill="${FAIL}" stroke="#fff" stroke-width="3" paint-order="stroke">${h(l)}</text>`).join('');
    out.push(`<g class="sq-violation"><title>${h(`${v.requirementId} FAILED${v.title ? `: ${v.title}` : ''} (${seqs})`)}</title>${leaders}${curve}${arrow}${text}</g>`);
  });
  if (unplaced.length) {
    // Evidence outside this flow's rows (or none): named all the same, below the last row.
    const y = (ys.at(-1) ?? TOP) + 24;
    out.push(`<text class="sq-violation-note" x="${laneX(0) - 60}" y="${y}" font-size="11" fill="${FAIL}">${h(`Also FAILED, evidence not in this diagram: ${unplaced.map((v) => v.requirementId).join(', ')}`)}</text>`);
    bottom = Math.max(bottom, y + 4);
  }
  return { svg: out.join(''), bottom };
}

/** For `ORD-X-Y`: the last evidence row of step X and the first of step Y, when the rows carry those steps. */
function pairEnds(v: SequenceViolation, at: number[], rows: readonly SequenceEntry[]): { first: number; then: number; directed: true } | undefined {
  const pair = orderedPair(v.requirementId);
  if (!pair) return undefined;
  const [before, after] = pair.map(stepFamily);
  const first = at.filter((n) => before.includes(rows[n]!.step ?? '')).at(-1);
  const then = at.find((n) => after.includes(rows[n]!.step ?? ''));
  return first === undefined || then === undefined ? undefined : { first, then, directed: true };
}

/** Where a row's drawing ends on the right, for the leader to the gutter. */
function rightEdge(e: SequenceEntry): number {
  const lanes = [laneOf(e.from), laneOf(e.to)].filter((i): i is number => i !== undefined);
  return lanes.length ? laneX(Math.max(...lanes)) + 4 : laneX(LANES.length - 1);
}
