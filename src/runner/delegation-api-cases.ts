import { buildDelegation, DELEGATION_NS, DELEGATION_ROOT } from '../delegation/codec.js';
import type { DelegationMessage, ErrorCode } from '../delegation/messages.js';
import { MAX_BODY_BYTES, MEDIA } from '../profile.js';
import { ACTED_ON, postAsPeer, testerSessionId, type MutualRole, type PeerIdentityOptions } from './peer-identity-cases.js';
import type { ServerEndpoint } from './tls-server-cases.js';

/** The answer binding profile §2.2 gives a request: its HTTP status and `Error/Code`. */
export interface ProfileAnswer {
  status: number;
  code: ErrorCode;
}

/** The messages the tester sends: each names only a SessionId of its own, or no real device. */
export type TesterMessageType = 'BootstrapComplete' | 'ClientPrepared' | 'AccountRequest' | 'BootstrapServerUrlRequest' | 'DelegationComplete' | 'DelegationInitiationRequest' | 'BootstrapOrder';

/**
 * One departure from a request of the configured peer (DESIGN.md §8): everything else is valid, the peer's
 * own certificate, a fresh SessionId, a DevId of no device. Data, apart from the mechanism that plays it.
 */
export interface DelegationApiVariant {
  name: string;
  /** What departs, for the verdict text. */
  says: string;
  /** Where it is played: every mutual endpoint unless given. */
  roles?: readonly MutualRole[];
  /** The message sent, when not the endpoint's plain one (BASE). */
  type?: TesterMessageType;
  /**
   * Sent first, under the same SessionId and on its own connection: the tester's own delegation or order,
   * which the endpoint must answer 200 for the variant to be judged.
   */
  setup?: TesterMessageType;
  /** How the document departs from the profile's form (text or raw bytes). */
  edit?: (doc: string, m: DelegationMessage) => string | Buffer;
  /** The Content-Type sent: the profile's unless given; null sends none. */
  contentType?: string | null;
  answer: ProfileAnswer;
}

export interface DelegationApiCase {
  id: string;
  /** What the variants have in common, for the verdict text. */
  fault: string;
  variants: readonly DelegationApiVariant[];
}

/**
 * Each endpoint's plain message: one of the type it serves that, from its real peer, changes nothing. DMS-1
 * and DMS-2 would answer it 404 UNKNOWN_SESSION; a Bootstrap Server takes only orders, so it gets an order
 * for a device that does not exist.
 */
const BASE: Readonly<Record<MutualRole, TesterMessageType>> = { dms1: 'BootstrapComplete', dms2: 'AccountRequest', bootstrap: 'BootstrapOrder' };

/** Inserts `what` right after the XML declaration, where a comment changes nothing of the document. */
const afterDeclaration = (doc: string, what: string | Buffer): Buffer => {
  const at = doc.indexOf('?>') + 2;
  return Buffer.concat([Buffer.from(doc.slice(0, at)), Buffer.from(what), Buffer.from(doc.slice(at))]);
};

/**
 * One byte over the profile's limit: a receiver that reads up to its limit has then read it all, so no unread
 * rest makes its close reset the connection before the answer is read.
 */
const oversized = (doc: string) => afterDeclaration(doc, `<!--${'x'.repeat(MAX_BODY_BYTES + 1 - Buffer.byteLength(doc) - 7)}-->`);

/** The profile's error answer: an HTTP status and an Error document with this code. */
const refused = (status: number, code: ErrorCode): ProfileAnswer => ({ status, code });

export const DELEGATION_API_CASES: readonly DelegationApiCase[] = [
  {
    id: 'NEG-DLG-MALFORMED',
    fault: 'a body that is not a valid profile 1.0 message it serves',
    variants: [
      { name: 'not-well-formed', says: 'the end tag of the root element missing', edit: (d) => d.replace(`</${DELEGATION_ROOT}>`, ''), answer: refused(400, 'MALFORMED') },
      // 0xC3 opens a two-byte sequence that 0x28 does not continue (XML 1.0 §4.3.3: a fatal error).
      { name: 'invalid-utf8', says: 'the bytes 0xC3 0x28, not UTF-8, in a comment', edit: (d) => afterDeclaration(d, Buffer.concat([Buffer.from('<!--'), Buffer.from([0xc3, 0x28]), Buffer.from('-->')])), answer: refused(400, 'MALFORMED') },
      { name: 'missing-element', says: 'the message without its SessionId', edit: (d) => d.replace(/\s*<SessionId>[^<]*<\/SessionId>/, ''), answer: refused(400, 'INVALID') },
      { name: 'wrong-namespace', says: 'the root in namespace urn:dmdc:delegation:2.0', edit: (d) => d.replace(`xmlns="${DELEGATION_NS}"`, 'xmlns="urn:dmdc:delegation:2.0"'), answer: refused(400, 'INVALID') },
      { name: 'wrong-version', says: 'version="2.0" on the root', edit: (d) => d.replace(/(<Delegation\b[^>]*\bversion=")1\.0"/, '$12.0"'), answer: refused(400, 'INVALID') },
      { name: 'unknown-type', says: 'a message element DelegationCancel, which profile 1.0 does not have', edit: (d, m) => d.replaceAll(`<${m.type}>`, '<DelegationCancel>').replaceAll(`</${m.type}>`, '</DelegationCancel>'), answer: refused(400, 'INVALID') },
      { name: 'not-served', says: 'a valid BootstrapOrder, which a delegation API does not serve', roles: ['dms1', 'dms2'], type: 'BootstrapOrder', answer: refused(400, 'UNSUPPORTED') },
      { name: 'not-served', says: 'a valid BootstrapComplete, which an order endpoint does not serve', roles: ['bootstrap'], type: 'BootstrapComplete', answer: refused(400, 'UNSUPPORTED') },
      { name: 'oversized', says: `a valid message padded to ${MAX_BODY_BYTES + 1} bytes`, edit: oversized, answer: refused(413, 'UNSUPPORTED') },
    ],
  },
  {
    id: 'NEG-DLG-CONTENT-TYPE',
    fault: 'a valid message without the profile media type',
    variants: [
      { name: 'application-xml', says: 'sent as application/xml', contentType: 'application/xml', answer: refused(415, 'UNSUPPORTED') },
      { name: 'no-content-type', says: 'sent with no Content-Type', contentType: null, answer: refused(415, 'UNSUPPORTED') },
    ],
  },
  {
    id: 'NEG-DLG-ORDER',
    fault: 'a valid message that its delegation, unknown, ended or at another step, does not allow',
    variants: [
      { name: 'bootstrap-complete-unknown-session', says: 'BootstrapComplete for a SessionId never initiated', roles: ['dms1'], type: 'BootstrapComplete', answer: refused(404, 'UNKNOWN_SESSION') },
      { name: 'delegation-complete-unknown-session', says: 'DelegationComplete for a SessionId never initiated', roles: ['dms1'], type: 'DelegationComplete', answer: refused(404, 'UNKNOWN_SESSION') },
      { name: 'url-request-unknown-session', says: 'BootstrapServerUrlRequest for a SessionId never initiated', roles: ['dms2'], type: 'BootstrapServerUrlRequest', answer: refused(404, 'UNKNOWN_SESSION') },
      { name: 'account-request-unknown-session', says: 'AccountRequest for a SessionId never initiated', roles: ['dms2'], type: 'AccountRequest', answer: refused(404, 'UNKNOWN_SESSION') },
      { name: 'client-prepared-unknown-session', says: 'ClientPrepared for a SessionId never initiated', roles: ['dms2'], type: 'ClientPrepared', answer: refused(404, 'UNKNOWN_SESSION') },
      { name: 'client-prepared-too-early', says: "ClientPrepared right after the tester's own DelegationInitiationRequest", roles: ['dms2'], setup: 'DelegationInitiationRequest', type: 'ClientPrepared', answer: refused(409, 'OUT_OF_ORDER') },
      { name: 'initiation-replayed', says: "the tester's own DelegationInitiationRequest, answered 200, sent again", roles: ['dms2'], setup: 'DelegationInitiationRequest', type: 'DelegationInitiationRequest', answer: refused(409, 'OUT_OF_ORDER') },
      { name: 'order-replayed', says: "the tester's own BootstrapOrder, answered 200, sent again", roles: ['bootstrap'], setup: 'BootstrapOrder', type: 'BootstrapOrder', answer: refused(409, 'OUT_OF_ORDER') },
    ],
  },
];

const ALL: readonly MutualRole[] = ['dms1', 'dms2', 'bootstrap'];

/** The variants of `c` played against an endpoint of `role`. */
export const variantsFor = (c: DelegationApiCase, role: string): DelegationApiVariant[] => c.variants.filter((v) => (v.roles ?? ALL).includes(role as MutualRole));

/** The tester's message of `type` under `sessionId`, as the configured peer would send it. */
function messageOf(type: TesterMessageType, sessionId: string, o: PeerIdentityOptions): DelegationMessage {
  if (type === 'DelegationInitiationRequest') return ACTED_ON.dms2(sessionId, o.serverIds.dms1, o);
  if (type === 'BootstrapOrder') return ACTED_ON.bootstrap(sessionId, o.serverIds.dms2, o);
  if (type === 'DelegationComplete') return { type, sessionId, result: 'success' };
  return { type, sessionId };
}

/**
 * Plays every case against the mutual endpoints of `targets`, all at once: per variant its setup message
 * (only when it has one) and then the message judged, each on a fresh connection under the configured
 * peer's certificate, recorded into `o.trace` with the probe `<case id>/<variant>`. A setup not answered 200
 * leaves its variant there: what follows would mean nothing. The caller stamps the trace `tls-probe`.
 */
export function playDelegationApiCases(targets: readonly ServerEndpoint[], o: PeerIdentityOptions): Promise<unknown> {
  const plays = DELEGATION_API_CASES.flatMap((c) =>
    targets
      .filter((ep) => ep.mutual)
      .flatMap((ep) =>
        variantsFor(c, ep.role).map(async (v) => {
          const sessionId = testerSessionId();
          const probe = `${c.id}/${v.name}`;
          if (v.setup && (await postAsPeer(ep, o, { body: buildDelegation(messageOf(v.setup, sessionId, o)), contentType: MEDIA.delegation, probe })) !== 200) return;
          const m = messageOf(v.type ?? BASE[ep.role as MutualRole], sessionId, o);
          const doc = buildDelegation(m);
          await postAsPeer(ep, o, { body: v.edit ? v.edit(doc, m) : doc, contentType: v.contentType === null ? undefined : (v.contentType ?? MEDIA.delegation), probe });
        }),
      ),
  );
  return Promise.all(plays);
}
