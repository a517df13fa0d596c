import type { Command, ItemCommand, StatusCommand, SyncMLMessage } from '../syncml/model.js';
import type { TraceEvent } from '../trace/events.js';
import { ACL_GRAMMAR_CASE, clientRequestsOf, FORGED_HEADER_CASES, serverAnswersOf, syncmlOf } from '../runner/client-session-cases.js';
import { fail, pass, silence, type Check, type JudgeContext, type Outcome } from './check.js';
import { watchedCase } from './client-case-checks.js';

/** How the tester's session of a case went; `unplayable` says why it could not be (no node to use, no Package #0 handed over). */
function caseOf(ctx: JudgeContext, id: string) {
  const c = watchedCase(ctx, id);
  return { ...c, unplayable: c.evs.find((e) => e.kind === 'note' && e.reason === 'NOT_PLAYABLE') ?? c.undelivered };
}

const NOT_PLAYED: Outcome = { verdict: 'NOT_OBSERVABLE', reason: "no harness DM server holds an account on the client after the flow (DMS-2 is a real implementation, or no delegation completed)", evidence: [] };

const commandsOf = (m: SyncMLMessage): Command[] => m.body.filter((c) => c.kind !== 'Status' && c.kind !== 'Results');
const statusFor = (m: SyncMLMessage, msgRef: string, cmdRef: string) => m.body.find((c): c is StatusCommand => c.kind === 'Status' && c.msgRef === msgRef && c.cmdRef === cmdRef);
const resultFor = (m: SyncMLMessage, msgRef: string, cmdRef: string) => m.body.find((c) => c.kind === 'Results' && c.msgRef === msgRef && c.cmdRef === cmdRef);
/** The client's first request after `e` in the case. */
const answerTo = (requests: TraceEvent[], e: TraceEvent) => requests.find((r) => r.seq > e.seq);

/**
 * NEG-CLIENT-ACL-GRAMMAR: each Replace of an ACL that breaks the TND grammar is refused with a non-2xx
 * Status, and the ACL read back at the end of the same package is the one read before.
 */
export const aclGrammarRefused: Check = {
  id: 'client-acl-grammar-refused',
  title: 'A DM client refuses an ACL that breaks the ACL grammar and keeps the one it had',
  requirements: [ACL_GRAMMAR_CASE],
  run(ctx): Outcome {
    const expected = 'every Replace of an ACL that breaks the TND ACL grammar is refused (RepPro 400 Bad request) and the node keeps its ACL';
    const c = caseOf(ctx, ACL_GRAMMAR_CASE);
    if (!c.played) return NOT_PLAYED;
    if (c.unplayable) return { verdict: 'NOT_OBSERVABLE', reason: c.unplayable.note!.replace(/^tester: [^:]*: /, ''), evidence: [c.unplayable.seq] };
    const answers = serverAnswersOf(c.evs, ACL_GRAMMAR_CASE);
    const requests = clientRequestsOf(c.evs, ACL_GRAMMAR_CASE);
    const replaces = answers.find((a) => commandsOf(syncmlOf(a)!).some((x) => x.kind === 'Replace'));
    const reads = answers.find((a) => commandsOf(syncmlOf(a)!).some((x) => x.kind === 'Get'));
    if (!replaces || !reads) return silence(expected, `the session never reached the ACL Replaces${c.watched ? ` (${c.watched.note!.replace(/^tester: [^:]*: /, '')})` : ''}`, c.evs);
    const answer = answerTo(requests, replaces);
    if (!answer) return silence(expected, `the client sent no answer to the package with the ACL Replaces (seq ${replaces.seq})`, [replaces]);
    const sent = syncmlOf(replaces)!;
    const got = syncmlOf(answer)!;
    const before = dataOf(syncmlOf(answerTo(requests, reads)!), syncmlOf(reads)!);
    const cmds = commandsOf(sent) as ItemCommand[];
    const problems: string[] = [];
    const codes: string[] = [];
    for (const r of cmds.filter((x) => x.kind === 'Replace')) {
      const code = statusFor(got, sent.hdr.msgId, r.cmdId)?.data ?? 'no Status';
      codes.push(code);
      if (code.startsWith('2')) problems.push(`Replace of ${r.items[0]?.target} with "${r.items[0]?.data}" answered ${code}`);
    }
    const after = dataOf(got, sent);
    if (before !== undefined && after !== undefined && after !== before) problems.push(`the ACL read back is "${after}", it was "${before}"`);
    if (problems.length) return fail(expected, `${problems.join('; ')} (seq ${answer.seq})`, [replaces, answer]);
    const readBack = after === undefined ? 'the ACL could not be read back' : `the ACL read back unchanged ("${after}")`;
    return pass(expected, `${codes.length} invalid ACLs refused (Status ${[...new Set(codes)].join(', ')}); ${readBack} (seq ${answer.seq})`, [replaces, answer]);
  },
};

/** The data of the Results for the (last) Get of `sent`, as `got` answered it. */
function dataOf(got: SyncMLMessage | undefined, sent: SyncMLMessage): string | undefined {
  const g = [...commandsOf(sent)].reverse().find((x) => x.kind === 'Get');
  const r = got && g ? resultFor(got, sent.hdr.msgId, g.cmdId) : undefined;
  return r && 'items' in r ? (r.items[0]?.data ?? '') : undefined;
}

/**
 * NEG-CLIENT-SESSIONID and NEG-CLIENT-MSGID: the client executes nothing of a server message whose SyncHdr
 * carries a SessionID of another session or a MsgID the server already used. A refusal in its next package
 * or no next package (for as long as the tester watched) is the pass.
 */
export const forgedHeaderRefused: Check = {
  id: 'client-forged-header-refused',
  title: 'A DM client executes nothing of a message that is not its session\'s next one',
  requirements: FORGED_HEADER_CASES.map((c) => c.id),
  run(ctx, req): Outcome {
    const k = FORGED_HEADER_CASES.find((x) => x.id === req.id)!;
    const expected = `the client executes none of the commands of a server message with ${k.forged}`;
    const c = caseOf(ctx, k.id);
    if (!c.played) return NOT_PLAYED;
    const forged = serverAnswersOf(c.evs, k.id).filter((a) => commandsOf(syncmlOf(a)!).some((x) => x.kind === 'Get'))[k.batch - 1];
    if (!forged) return silence(expected, c.unplayable?.note ?? `the session never reached the forged message${c.watched ? ` (${c.watched.note!.replace(/^tester: [^:]*: /, '')})` : ''}`, c.evs);
    const sent = syncmlOf(forged)!;
    const header = `SessionID ${sent.hdr.sessionId}, MsgID ${sent.hdr.msgId}`;
    const answer = answerTo(clientRequestsOf(c.evs, k.id), forged);
    if (!answer) {
      if (!c.watched) return silence(expected, 'the tester did not finish watching', [forged]);
      return pass(expected, `the client sent nothing more after the message with ${header} (${c.watched.note!.replace(/^.*watched for the client's answer: /, '')})`, [forged, c.watched]);
    }
    const got = syncmlOf(answer)!;
    const get = commandsOf(sent).find((x) => x.kind === 'Get')!;
    const status = statusFor(got, sent.hdr.msgId, get.cmdId);
    if (resultFor(got, sent.hdr.msgId, get.cmdId) || status?.data.startsWith('2')) {
      return fail(expected, `the client ran the Get of the message with ${header} (Status ${status?.data ?? 'none'}, seq ${answer.seq})`, [forged, answer]);
    }
    const hdr = got.body.find((x): x is StatusCommand => x.kind === 'Status' && x.cmd === 'SyncHdr');
    const aborted = got.body.some((x) => x.kind === 'Alert' && x.data === '1223');
    return pass(expected, `nothing executed of the message with ${header}: SyncHdr Status ${hdr?.data ?? 'none'}${aborted ? ', session aborted (Alert 1223)' : ''} (seq ${answer.seq})`, [forged, answer]);
  },
};
