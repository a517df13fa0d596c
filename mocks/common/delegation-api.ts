import { http, HttpResponse, type RequestHandler } from 'msw';
import { buildDelegation, parseDelegation } from '../../src/delegation/codec.js';
import type { DelegationMessage, ErrorCode } from '../../src/delegation/messages.js';
import { MEDIA, PATHS } from '../../src/profile.js';
import { connectionOf, reasonHeader, type ConnectionInfo } from '../../src/transport/https-endpoint.js';
import { sameMediaType } from '../../src/transport/media-type.js';
import { NOT_UTF8, utf8 } from '../../src/transport/utf8.js';

/** A refusal of a delegation message, answered as an Error document. */
export class DelegationRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly sessionId?: string,
  ) {
    super(message);
  }
}

const HTTP_STATUS: Record<ErrorCode, number> = {
  MALFORMED: 400,
  INVALID: 400,
  UNSUPPORTED: 400,
  REJECTED: 403,
  UNKNOWN_SESSION: 404,
  OUT_OF_ORDER: 409,
  INTERNAL: 500,
};

export function delegationReply(msg: DelegationMessage, status = 200): Response {
  const reason = msg.type === 'Error' ? `${msg.code}: ${msg.reason}` : undefined;
  return new HttpResponse(buildDelegation(msg), {
    status,
    headers: { 'content-type': MEDIA.delegation, ...reasonHeader(reason) },
  });
}

/** Binding profile §2.2: a body over 256 KiB is answered 413 with an Error document, code UNSUPPORTED. */
export const delegationTooLarge = (reason: string): Response => refusalReply('UNSUPPORTED', reason, undefined, 413);

export function refusalReply(code: ErrorCode, reason: string, sessionId?: string, status = HTTP_STATUS[code]): Response {
  return delegationReply({ type: 'Error', code, reason, ...(sessionId ? { sessionId } : {}) }, status);
}

/**
 * The delegation endpoint's pipeline: content type, parse and validate, check the peer certificate is one we
 * pinned, then hand the message to the role. Every refusal is an Error document with a reason.
 */
export function delegationHandler(
  onMessage: (m: DelegationMessage, conn: ConnectionInfo | undefined) => Promise<DelegationMessage>,
  pinned?: () => string[] | undefined,
  path: string = PATHS.delegation,
  /** Mutants only: answer this message type with an XML document cut short. */
  malformedAnswerTo?: string,
): RequestHandler {
  return http.post(`*${path}`, async ({ request }) => {
    const type = request.headers.get('content-type') ?? '';
    if (!sameMediaType(type, MEDIA.delegation)) {
      return refusalReply('UNSUPPORTED', `content type must be ${MEDIA.delegation}, got ${type || 'none'}`, undefined, 415);
    }
    const conn = connectionOf(request);
    const allowed = pinned?.();
    if (allowed && allowed.length && !allowed.includes(conn?.tls.peerFingerprint256 ?? '')) {
      return refusalReply('REJECTED', `peer certificate ${conn?.tls.peerSubject ?? '(none)'} is not a pinned DM server`);
    }
    const text = utf8(await request.arrayBuffer());
    if (text === undefined) return refusalReply('MALFORMED', NOT_UTF8);
    const parsed = parseDelegation(text);
    if (!parsed.ok) return refusalReply(parsed.code, parsed.reason);
    try {
      const answer = await onMessage(parsed.message, conn);
      if (parsed.message.type === malformedAnswerTo) return new HttpResponse(buildDelegation(answer).slice(0, -20), { headers: { 'content-type': MEDIA.delegation } });
      return delegationReply(answer);
    } catch (err) {
      if (err instanceof DelegationRefusal) return refusalReply(err.code, err.message, err.sessionId);
      return refusalReply('INTERNAL', (err as Error).message);
    }
  });
}
