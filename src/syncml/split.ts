/**
 * Multi-message packages (DM 1.2.1 Protocol §2.1): a package that would not fit the receiver's MaxMsgSize
 * ("the maximum byte size of any response message", MetInf) goes out over several messages. Every message
 * but the last has no Final; the receiver asks for the next one with Alert 1222.
 */
import { ALERT } from './codes.js';
import type { AlertCommand, Command, SyncMLMessage } from './model.js';

/** Alert 1222: "send the next message of your package". */
export const nextMessageAlert = (): AlertCommand => ({ kind: 'Alert', cmdId: '', data: ALERT.NEXT_MESSAGE, items: [] });

export const asksNextMessage = (m: SyncMLMessage): boolean => m.body.some((c) => c.kind === 'Alert' && c.data === ALERT.NEXT_MESSAGE);

/** The MaxMsgSize a peer declared in its SyncHdr, in bytes (undefined when it declared none or nonsense). */
export function maxMsgSizeOf(m: SyncMLMessage): number | undefined {
  const n = Number(m.hdr.meta?.maxMsgSize);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Splits `commands` into the bodies of consecutive messages, each within `maxBytes` as `sizeOf` measures a
 * message with that body (as the last, Final, message: the larger). The first `head` commands (the statuses
 * answering the message received) stay in the first message. Every message carries at least one command
 * beyond them, so a package always gets on; one too large for any message goes alone (Large Object
 * Handling is not spoken). Without a limit the package is one message.
 */
export function splitToFit(commands: Command[], maxBytes: number | undefined, sizeOf: (body: Command[]) => number, head = 0): Command[][] {
  if (maxBytes === undefined || commands.length <= head || sizeOf(commands) <= maxBytes) return [commands];
  const out: Command[][] = [];
  let current = commands.slice(0, head);
  let taken = false;
  for (const c of commands.slice(head)) {
    if (taken && sizeOf([...current, c]) > maxBytes) {
      out.push(current);
      current = [];
    }
    current.push(c);
    taken = true;
  }
  out.push(current);
  return out;
}
