/**
 * MaxMsgSize and multi-message packages (DM 1.2.1 Protocol §2.1; MetInf MaxMsgSize, "the maximum byte size of
 * any response message"): no message is larger than its receiver declared, and the answer to a message
 * that is not the last of its package (no Final) asks for the next one with Alert 1222.
 */
import { ALERT } from '../syncml/codes.js';
import { maxMsgSizeOf } from '../syncml/split.js';
import type { WireMessage } from '../judge/wire.js';
import { allOf, type Check, type Outcome } from './check.js';

const hasAlert = (m: WireMessage, code: string) => !!m.syncml?.body.some((c) => c.kind === 'Alert' && c.data === code);

export const messageSize: Check = {
  id: 'message-size-and-next-message',
  title: "Messages fit the receiver's MaxMsgSize; a package goes on only after Alert 1222",
  requirements: ['SES-MAXMSGSIZE'],
  run(ctx): Outcome {
    const expected = 'every message is at most the MaxMsgSize its receiver declared last in the session; the answer to a message without Final carries Alert 1222 (or 1223) and no Final';
    const problems: string[] = [];
    const judged: WireMessage[] = [];
    let declared = false;
    for (const s of ctx.sessions) {
      const messages = s.messages.filter((m) => m.syncml).sort((a, b) => a.seq - b.seq);
      const roleOf = (m: WireMessage) => (m.direction === 'request' ? 'client' : s.server);
      const limit: Record<string, number | undefined> = {};
      messages.forEach((m, i) => {
        const sender = roleOf(m);
        const receiver = sender === 'client' ? s.server : 'client';
        const max = limit[receiver];
        if (max !== undefined && ctx.judges(sender)) {
          judged.push(m);
          const bytes = m.event.body?.bytes ?? 0;
          if (bytes > max) problems.push(`seq ${m.seq}: ${sender}'s message of ${bytes} bytes exceeds the MaxMsgSize ${max} the ${receiver} declared`);
        }
        limit[sender] = maxMsgSizeOf(m.syncml!) ?? limit[sender];
        declared ||= limit[sender] !== undefined;
        // A message without Final that asks for the next message is no package going on: its answer continues the other's.
        if (m.syncml!.final || hasAlert(m, ALERT.NEXT_MESSAGE)) return;
        const answer = messages.slice(i + 1).find((x) => x.direction !== m.direction);
        if (!answer || !ctx.judges(receiver)) return;
        judged.push(answer);
        if (hasAlert(answer, ALERT.SESSION_ABORT)) return;
        if (!hasAlert(answer, ALERT.NEXT_MESSAGE)) problems.push(`seq ${answer.seq}: the ${receiver} answered message ${m.syncml!.hdr.msgId} (no Final: its package goes on) without Alert 1222`);
        else if (answer.syncml!.final) problems.push(`seq ${answer.seq}: the ${receiver} asked for the next message with Alert 1222 and closed its own package (Final)`);
      });
    }
    if (!declared || !judged.length) {
      return { verdict: 'NOT_OBSERVABLE', reason: 'not observable: no DM message was sent to a side that declared a MaxMsgSize', evidence: [] };
    }
    return allOf(expected, problems, judged, `${judged.length} messages within the declared MaxMsgSize, packages continued with Alert 1222`);
  },
};
