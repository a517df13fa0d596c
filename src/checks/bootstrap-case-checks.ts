import { BOOTSTRAP_CASES } from '../runner/bootstrap-cases.js';
import type { SyncMLMessage } from '../syncml/model.js';
import { fail, pass, silence, type Check, type Outcome } from './check.js';

/**
 * A Bootstrap Server hands a bootstrap, with the account's secrets, only to the device an order names, and
 * once (NEG-BS-*): judged from its answer to the tester's request, never quoting what it served.
 */
export const bootstrapCaseRefused: Check = {
  id: 'bootstrap-case-refused',
  title: 'A Bootstrap Server serves no bootstrap to a device it has no order for',
  requirements: BOOTSTRAP_CASES.map((c) => c.id),
  run(ctx, req): Outcome {
    const c = BOOTSTRAP_CASES.find((x) => x.id === req.id)!;
    const expected = `a Bootstrap Server answers ${c.asks} with a refusal, never with a bootstrap`;
    const evs = ctx.probes.filter((e) => e.probe === c.id && e.observer.side === 'client' && ctx.judges(e.kind === 'response' ? e.from : e.to));
    const request = evs.find((e) => e.kind === 'request');
    if (!request) return { verdict: 'NOT_OBSERVABLE', reason: 'no bootstrap was fetched in this flow: the tester had no Bootstrap Server URL to ask', evidence: [] };
    const answer = evs.find((e) => e.kind === 'response');
    if (!answer) return silence(expected, `no answer to the tester's request (${evs.find((e) => e.kind !== 'request')?.reason ?? 'none recorded'})`, evs);
    const msg = answer.body?.parsed?.codec === 'syncml' ? (answer.body.parsed.value as SyncMLMessage | undefined) : undefined;
    const root = ctx.flow.facts.treeLayout.dmAccRoot;
    const adds = (msg?.body ?? []).filter((x) => x.kind === 'Add' && 'items' in x && x.items.some((i) => i.target?.startsWith(`${root}/`)));
    if (answer.http?.status === 200 && adds.length) return fail(expected, `it served a bootstrap (${adds.length} Add command(s) under ${root}, secrets included) for ${c.devId ?? 'the client, again'} (seq ${answer.seq})`, [request, answer]);
    return pass(expected, `refused: HTTP ${answer.http?.status}${answer.reason ? ` (${answer.reason})` : ''} (seq ${answer.seq})`, [request, answer]);
  },
};
