/** A flow's recorded messages as the report shows them: one entry per event, labelled with its step. */
import { judgeContext } from '../judge/judge.js';
import type { FlowResult } from '../runner/run-flow.js';
import { decodeWbxml } from '../syncml/wbxml.js';
import { bodyBytes, type TraceEvent } from '../trace/events.js';
import type { SequenceEntry } from './model.js';

/** A body as a reader can take it: a WBXML message decoded to its XML (said so), anything else as traced. */
function readableBody(e: TraceEvent): string {
  if (e.body?.parsed?.codec !== 'syncml' || e.body.parsed.encoding !== 'wbxml') return e.body!.raw;
  try {
    return `<!-- WBXML on the wire, ${e.body.bytes} bytes; shown decoded -->\n${decodeWbxml(bodyBytes(e))}`;
  } catch {
    return e.body.raw;
  }
}

export function sequenceOf(f: FlowResult): SequenceEntry[] {
  // Labelled with the steps the judge saw (its connections without a client certificate are none).
  const { steps } = judgeContext(f);
  const stepOf = new Map<number, string>();
  for (const occ of steps.values()) for (const e of occ.events) if (!stepOf.has(e.seq)) stepOf.set(e.seq, occ.step);
  return f.events
    .filter((e) => e.kind !== 'tls')
    .map((e) => ({
      seq: e.seq,
      t: e.t,
      kind: e.kind,
      link: e.link,
      from: e.from,
      to: e.to,
      ...(stepOf.has(e.seq) ? { step: stepOf.get(e.seq) } : {}),
      ...(e.http?.status !== undefined ? { httpStatus: e.http.status } : {}),
      summary: `${e.note ?? e.body?.parsed?.summary ?? e.body?.parsed?.error ?? (`${e.http?.method ?? ''} ${e.http?.path ?? ''}`.trim() || e.kind)}${e.attributedFrom ? ` (recorded during flow ${e.attributedFrom.flow}, seq ${e.attributedFrom.seq})` : ''}`,
      ...(e.body?.raw ? { body: readableBody(e) } : {}),
      ...(e.tls?.protocol ? { tlsProtocol: e.tls.protocol } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
    }));
}
