import { ROLES, type Role } from '../src/model/roles.js';
import type { Variation } from '../src/roles/variation.js';
import type { Acl } from '../src/tree/acl.js';

/**
 * Deliberately non-conformant variants of the reference mocks. Each names the flow it runs in and the
 * requirements it must make FAIL; `npm test` proves every check is failed by at least one of them.
 */
export interface Mutant {
  id: string;
  description: string;
  /** Scenario id (approach-scope-duration) the mutant runs in. */
  scenario: string;
  variation: Variation;
  /** Requirement ids that must FAIL. */
  kills: string[];
  /** Run the flow with (true) or without (false) DMS-1's optional account removal, where not the default. */
  removeAccount?: boolean;
  /** A mutant that only goes silent: these ids must be INCONCLUSIVE, and nothing may FAIL (DESIGN.md §7). */
  silent?: string[];
}

const weakTls = { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;
const acceptWeak = { minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } as const;

/** Keeps only the delegator and the delegatee: everyone else's entries are dropped. */
const dropOthers = (acl: Acl, delegator: string, delegatee: string): Acl => {
  const out: Acl = {};
  for (const [cmd, ids] of Object.entries(acl) as Array<[keyof Acl, string[]]>) if (ids.includes(delegator)) out[cmd] = [delegator, delegatee];
  return out;
};

export const MUTANTS: Mutant[] = [
  { id: 'skip-acl-update', description: 'DMS-1 never updates the ACLs (step B.8 skipped)', scenario: 'B-partial-temporary', variation: { dms1: { skipAclUpdate: true } }, kills: ['B.8', 'FIN-ACL-DELEGATED'] },
  { id: 'prepared-before-acl', description: 'DMS-1 reports the client prepared before updating the ACLs (B.9 before B.8)', scenario: 'B-full-temporary', variation: { dms1: { preparedBeforeAcl: true } }, kills: ['ORD-B.8-B.9'] },
  { id: 'prepared-before-account', description: 'approach A: ClientPrepared before DMS-2\'s account and ACLs are on the client', scenario: 'A-partial-temporary', variation: { dms1: { preparedBeforeAcl: true } }, kills: ['ORD-A.4-A.6'] },
  { id: 'acl-before-bootstrap-complete', description: 'DMS-1 updates ACLs before DMS-2 reports the bootstrap complete', scenario: 'B-partial-permanent', variation: { dms1: { aclBeforeBootstrapComplete: true } }, kills: ['ORD-B-NO-ACL-BEFORE-B.7', 'ORD-B.7-B.8'] },
  { id: 'wrong-delegatee', description: 'ACLs name a wrong ServerID instead of DMS-2', scenario: 'B-partial-temporary', variation: { dms1: { wrongDelegatee: 'dms3.example' } }, kills: ['B.8', 'FIN-ACL-DELEGATED'] },
  { id: 'drop-others', description: "the ACL Replace drops other servers' entries", scenario: 'A-full-temporary', variation: { dms1: { rewriteAcl: dropOthers } }, kills: ['FIN-OTHERS-PRESERVED'] },
  { id: 'remove-in-temporary', description: "DMS-1's account removed in a temporary delegation", scenario: 'B-full-temporary', variation: { dms1: { alwaysRemoveAccount: true } }, kills: ['FIN-DMS1-KEPT'] },
  { id: 'keep-in-permanent', description: 'DMS-1 keeps its account in a permanent delegation that removes it', scenario: 'A-partial-permanent', variation: { dms1: { neverRemoveAccount: true } }, kills: ['A.5', 'FIN-DMS1-REMOVED'] },
  { id: 'skip-account-add', description: "approach A: DMS-1 never adds DMS-2's account", scenario: 'A-full-permanent', variation: { dms1: { skipAccountAdd: true } }, kills: ['FIN-DMS2-ACCOUNT', 'A.4'] },
  { id: 'malformed-first', description: 'DMS-1 first sends a malformed delegation XML', scenario: 'B-full-permanent', variation: { dms1: { sendMalformedFirst: true } }, kills: ['PRF-SCHEMA'] },
  { id: 'ack-wrong-type', description: 'DMS-1 acknowledges BootstrapComplete with an Ack of another message', scenario: 'B-partial-temporary', variation: { dms1: { ackWrongType: true } }, kills: ['PRF-RESPONSES', 'B.7'] },
  { id: 'invalid-acl', description: 'DMS-1 writes an ACL with an empty server list, and the client stores it unchecked', scenario: 'A-partial-temporary', variation: { dms1: { aclText: (a) => `${a}&Exec=` }, client: { acceptInvalidAcl: true } }, kills: ['FIN-ACL-SYNTAX', 'A.4'] },
  { id: 'complete-before-prepared', description: 'DMS-2 sends DelegationComplete before DMS-1 reports the client prepared', scenario: 'B-full-temporary', variation: { dms2: { completeBeforePrepared: true } }, kills: ['ORD-B.9-B.10'] },
  { id: 'stray-session-id', description: 'DMS-2 also sends its notifications under another session id', scenario: 'A-full-temporary', variation: { dms2: { straySessionId: true } }, kills: ['PRF-SESSION-ID'] },
  { id: 'wrong-content-type', description: 'DMS-2 sends delegation messages as application/xml', scenario: 'B-partial-permanent', variation: { server: { dms2: { delegationContentType: 'application/xml' } } }, kills: ['PRF-CONTENT-TYPE'] },
  { id: 'bootstrap-content-type', description: "the stand-alone Bootstrap Server acknowledges DMS-2's BootstrapOrder as application/xml", scenario: 'B-partial-temporary', variation: { bootstrap: { orderAckContentType: 'application/xml' } }, kills: ['PRF-CONTENT-TYPE'] },
  { id: 'malformed-initiation-response', description: 'DMS-2 answers the DelegationInitiationRequest with malformed XML', scenario: 'A-full-temporary', variation: { server: { dms2: { malformedAnswerTo: 'DelegationInitiationRequest' } } }, kills: ['PRF-SCHEMA'] },
  { id: 'skip-account-acl', description: "approach A: DMS-1 adds DMS-2's account but leaves it the ACL it inherits", scenario: 'A-full-temporary', variation: { dms1: { skipAccountAcl: true } }, kills: ['FIN-DMS2-ACCOUNT-ACL'] },
  { id: 'client-no-w7-acl', description: 'the client stores a bootstrapped account without its w7 ACL', scenario: 'B-full-temporary', variation: { client: { noW7Acl: true } }, kills: ['FIN-DMS2-ACCOUNT-ACL'] },
  { id: 'keep-rights-in-permanent', description: 'a permanent delegation without account removal: DMS-1 keeps its rights on the delegated subtrees', scenario: 'A-partial-permanent', removeAccount: false, variation: { dms1: { keepRightsInPermanent: true } }, kills: ['FIN-PERMANENT-HANDOVER'] },
  { id: 'dms2-accepts-tls11', description: 'DMS-2 accepts TLS 1.1 on its DM endpoint and its delegation API', scenario: 'A-full-temporary', variation: { tls: { dms2: acceptWeak } }, kills: ['NEG-TLS-V11'] },
  { id: 'client-accepts-tls10', description: "the client's Package #0 endpoint accepts TLS 1.0", scenario: 'B-full-temporary', variation: { tls: { client: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } } }, kills: ['NEG-TLS-V10', 'NEG-TLS-V11'] },
  { id: 'dms2-unverified-client-cert', description: "DMS-2's delegation API requires a client certificate but takes one that does not verify", scenario: 'B-full-temporary', variation: { server: { dms2: { clientCertificateUnverified: true } } }, kills: ['NEG-TLS-CLIENT-CERT'] },
  { id: 'client-trusts-any-server', description: 'the client goes on with a DM server certificate that does not verify (foreign CA, expired, other host)', scenario: 'A-full-temporary', variation: { trustAnyServer: { client: true } }, kills: ['NEG-TLS-SERVER-CERT'] },
  { id: 'dms1-trusts-any-server', description: "DMS-1 calls DMS-2's delegation API whatever certificate it presents", scenario: 'B-partial-temporary', variation: { trustAnyServer: { dms1: true } }, kills: ['NEG-TLS-SERVER-CERT'] },
  { id: 'client-accepts-bad-pkg0', description: 'the client opens a session for a Package #0 whose digest does not verify', scenario: 'B-full-permanent', variation: { client: { acceptBadPkg0Digest: true } }, kills: ['NEG-PKG0-DIGEST'] },
  { id: 'dms1-accepts-tls11', description: 'DMS-1 takes TLS 1.1, as server and as client', scenario: 'A-partial-permanent', variation: { tls: { dms1: acceptWeak } }, kills: ['NEG-TLS-V11'] },
  { id: 'dms1-any-peer', description: "DMS-1's delegation API takes any certificate of the CA, its peer's or not", scenario: 'A-full-temporary', variation: { server: { dms1: { acceptAnyPeer: true } } }, kills: ['NEG-DMS-PEER-CERT'] },
  { id: 'dms2-any-peer', description: "DMS-2's delegation API takes any certificate of the CA and any delegator ServerID", scenario: 'B-partial-temporary', variation: { server: { dms2: { acceptAnyPeer: true } } }, kills: ['NEG-DMS-PEER-CERT', 'NEG-DMS-PEER-SERVERID'] },
  { id: 'bootstrap-any-peer', description: 'the stand-alone Bootstrap Server takes orders from any certificate of the CA, for any ServerID', scenario: 'B-partial-temporary', variation: { bootstrap: { acceptAnyPeer: true } }, kills: ['NEG-DMS-PEER-CERT', 'NEG-DMS-PEER-SERVERID'] },
  { id: 'dms2-accepts-any-message', description: "DMS-2's delegation API answers 200 whatever DMS-1 sends: any body, any content type, any order", scenario: 'A-full-temporary', variation: { server: { dms2: { acceptAnyDelegationMessage: true } } }, kills: ['NEG-DLG-MALFORMED', 'NEG-DLG-CONTENT-TYPE', 'NEG-DLG-ORDER'] },
  { id: 'bootstrap-accepts-any-order', description: "the stand-alone Bootstrap Server's order endpoint answers 200 whatever DMS-2 sends: any body, any content type, an order again", scenario: 'B-partial-permanent', variation: { bootstrap: { acceptAnyDelegationMessage: true } }, kills: ['NEG-DLG-MALFORMED', 'NEG-DLG-CONTENT-TYPE', 'NEG-DLG-ORDER'] },
  { id: 'dms1-accepts-any-credentials', description: "DMS-1's DM endpoint authenticates any client, with wrong credentials or none", scenario: 'A-full-temporary', variation: { server: { dms1: { acceptAnyCredentials: true } } }, kills: ['NEG-DM-AUTH'] },
  { id: 'dms2-accepts-any-credentials', description: "DMS-2's DM endpoint authenticates any client, with wrong credentials or none", scenario: 'B-full-permanent', variation: { server: { dms2: { acceptAnyCredentials: true } } }, kills: ['NEG-DM-AUTH'] },
  { id: 'dms2-allows-renegotiation', description: 'DMS-2 goes through with a client-initiated TLS renegotiation', scenario: 'A-partial-temporary', variation: { tls: { dms2: { allowRenegotiation: true } } }, kills: ['NEG-TLS-RENEGOTIATION'] },
  { id: 'client-trusts-server-credentials', description: "the client runs a server's commands without checking the server's credentials", scenario: 'A-partial-permanent', variation: { client: { trustServerCredentials: true } }, kills: ['NEG-DM-SERVER-AUTH'] },
  { id: 'bootstrap-serves-twice', description: 'the stand-alone Bootstrap Server serves the ordered bootstrap every time the device asks', scenario: 'B-partial-temporary', variation: { bootstrap: { serves: 'again' } }, kills: ['NEG-BS-REPLAY'] },
  { id: 'bootstrap-serves-anyone', description: 'the stand-alone Bootstrap Server serves the latest ordered bootstrap to any DevId', scenario: 'B-partial-permanent', variation: { bootstrap: { serves: 'anyone' } }, kills: ['NEG-BS-UNKNOWN-DEVICE', 'NEG-BS-REPLAY'] },
  { id: 'dms1-silent-complete', description: 'DMS-1 never answers DelegationComplete', scenario: 'A-full-temporary', variation: { dms1: { silentOn: 'DelegationComplete' } }, kills: [], silent: ['A.8'] },
  { id: 'dms1-silent-bootstrap-complete', description: 'DMS-1 never answers BootstrapComplete', scenario: 'B-full-temporary', variation: { dms1: { silentOn: 'BootstrapComplete' } }, kills: [], silent: ['B.7'] },
  { id: 'tls11-only-dms2', description: 'DMS-2 speaks only TLS 1.1', scenario: 'B-full-temporary', variation: { tls: { dms2: weakTls } }, kills: ['TLS-VERSION'] },
  { id: 'dms1-delegation-api-tls11', description: "DMS-1's delegation API speaks only TLS 1.1 (its DM endpoint and its calls are fine)", scenario: 'A-partial-temporary', variation: { server: { dms1: { delegationServerTls: weakTls } } }, kills: ['TLS-VERSION'] },
  { id: 'dms1-optional-client-cert', description: "DMS-1's delegation API does not require a client certificate", scenario: 'A-full-temporary', variation: { server: { dms1: { clientCertificateOptional: true } } }, kills: ['TLS-DMS-MUTUAL', 'NEG-TLS-CLIENT-CERT'] },
  { id: 'bootstrap-optional-client-cert', description: "the stand-alone Bootstrap Server takes DMS-2's orders without a client certificate", scenario: 'B-partial-temporary', variation: { bootstrap: { clientCertificateOptional: true } }, kills: ['TLS-DMS-BS', 'NEG-TLS-CLIENT-CERT'] },
  { id: 'no-client-certificate', description: 'DMS-1 calls DMS-2 without a client certificate', scenario: 'B-full-permanent', variation: { omitClientCertificate: { dms1: true } }, kills: ['B.1', 'TLS-DMS-MUTUAL'] },
  { id: 'foreign-certificate', description: 'DMS-1 presents a certificate from a CA DMS-2 does not trust', scenario: 'A-full-permanent', variation: { foreignCertificate: { dms1: true } }, kills: ['TLS-TRUST-ANCHOR', 'A.1'] },
  { id: 'tls11-dms', description: 'DMS-1 offers only TLS 1.1 and DMS-2 accepts it', scenario: 'A-partial-permanent', variation: { tls: { dms1: weakTls, dms2: acceptWeak } }, kills: ['TLS-VERSION'] },
  { id: 'tls11-bootstrap', description: 'the client and the Bootstrap Server agree on TLS 1.1', scenario: 'B-partial-temporary', variation: { tls: { client: acceptWeak, bootstrap: weakTls } }, kills: ['TLS-CLIENT-BS', 'TLS-VERSION'] },
  { id: 'tls11-client-server', description: 'the client and DMS-1 agree on TLS 1.1', scenario: 'A-full-temporary', variation: { tls: { client: weakTls, dms1: acceptWeak } }, kills: ['TLS-CLIENT-SERVER'] },
  { id: 'bad-pkg0-digest', description: 'DMS-1 signs Package #0 with a wrong secret', scenario: 'A-full-temporary', variation: { server: { dms1: { badPkg0Digest: true } } }, kills: ['SES-PKG0-DIGEST'] },
  { id: 'client-alert-1201', description: 'the client answers Package #0 with Alert 1201', scenario: 'B-full-temporary', variation: { client: { alwaysAlert1201: true } }, kills: ['SES-PKG1-ALERT'] },
  { id: 'client-no-devinfo', description: 'the client leaves DevInfo out of package 1', scenario: 'A-full-temporary', variation: { client: { omitDevInfo: true } }, kills: ['SES-PKG1-DEVINFO'] },
  { id: 'client-session-id', description: 'the client answers Package #0 under another SessionID', scenario: 'A-partial-temporary', variation: { client: { sessionIdMismatch: true } }, kills: ['SES-SESSIONID'] },
  { id: 'client-msgid', description: 'the client numbers every message 1', scenario: 'B-full-permanent', variation: { client: { repeatMsgId: true } }, kills: ['SES-MSGID'] },
  { id: 'client-drops-status', description: 'the client sends no Status for Get commands', scenario: 'B-partial-temporary', variation: { client: { dropGetStatus: true } }, kills: ['SES-STATUS'] },
  { id: 'client-no-credentials', description: 'the client sends no credentials', scenario: 'A-full-temporary', variation: { client: { noCredentials: true } }, kills: ['SES-CRED'] },
  { id: 'client-ignores-acls', description: 'the client executes commands without checking ACLs', scenario: 'B-full-temporary', variation: { client: { ignoreAcls: true } }, kills: ['SES-ACL-425'] },
  { id: 'client-wrong-mac', description: 'the client computes the x-syncml-hmac mac of its HMAC account with a wrong password', scenario: 'B-full-temporary', variation: { client: { wrongMac: true } }, kills: ['SES-HMAC-CLIENT'] },
  { id: 'client-ignores-auth-type', description: "the client sends syncml:auth-md5 credentials whatever its account's AAuthType", scenario: 'A-partial-temporary', variation: { client: { alwaysDigest: true } }, kills: ['SES-AUTH-BASIC'] },
  { id: 'dms2-wrong-mac', description: 'DMS-2 signs its messages to an HMAC client with a wrong secret', scenario: 'B-partial-permanent', variation: { server: { dms2: { wrongMac: true } } }, kills: ['SES-HMAC-SERVER'] },
  { id: 'dms2-reuses-hmac-nonce', description: 'DMS-2 hands an HMAC client the same nonce with every message instead of a new one', scenario: 'A-full-permanent', variation: { server: { dms2: { reuseHmacNonce: true } } }, kills: ['SES-HMAC-SERVER'] },
  { id: 'dms1-ignores-max-msg-size', description: 'DMS-1 sends every package as one message, larger than the MaxMsgSize 1024 the client declared', scenario: 'A-full-permanent', variation: { clientMaxMsgSize: 1024, server: { dms1: { ignoreMaxMsgSize: true } } }, kills: ['SES-MAXMSGSIZE'] },
  { id: 'client-ignores-max-msg-size', description: 'the client sends every package as one message, larger than the MaxMsgSize 1024 DMS-2 declared', scenario: 'B-full-temporary', variation: { server: { dms2: { maxMsgSize: 1024 } }, client: { ignoreMaxMsgSize: true } }, kills: ['SES-MAXMSGSIZE'] },
  { id: 'client-keeps-nonces', description: 'the client keeps its provisioned nonces: it signs every session with the nonce it started with, whatever NextNonce the server gives', scenario: 'A-partial-temporary', variation: { client: { noNonceRotation: true } }, kills: ['SES-NONCE-CLIENT'] },
  { id: 'dms1-ignores-client-nonce', description: "DMS-1 keeps signing its credentials and Package #0 with its provisioned nonce, whatever NextNonce the client hands it", scenario: 'B-full-temporary', variation: { server: { dms1: { ignoreClientNonces: true } } }, kills: ['SES-NONCE-SERVER'] },
  { id: 'client-stores-invalid-acl', description: 'the client stores an ACL without checking its grammar', scenario: 'A-full-permanent', variation: { client: { acceptInvalidAcl: true } }, kills: ['NEG-CLIENT-ACL-GRAMMAR'] },
  { id: 'client-ignores-session-id', description: "the client executes a server message whatever its SessionID", scenario: 'B-partial-permanent', variation: { client: { ignoreServerSessionId: true } }, kills: ['NEG-CLIENT-SESSIONID'] },
  { id: 'client-ignores-msg-id', description: 'the client executes a server message whose MsgID the server already used', scenario: 'A-partial-permanent', variation: { client: { ignoreServerMsgId: true } }, kills: ['NEG-CLIENT-MSGID'] },
  { id: 'client-no-scrub', description: "the client keeps a deleted account's ServerID in its ACLs", scenario: 'B-full-permanent', variation: { client: { noScrub: true } }, kills: ['FIN-DMS1-REMOVED'] },
  { id: 'delete-account-first', description: 'DMS-1 deletes its own account first and goes on sending commands', scenario: 'B-full-permanent', variation: { dms1: { removeAccountFirst: true } }, kills: ['ORD-8B-LAST'] },
  { id: 'dms2-skips-session', description: 'approach A: DMS-2 reports the delegation complete without ever opening a session with the client (A.7 skipped): only DMS-1 ever manages it', scenario: 'A-partial-temporary', variation: { dms2: { skipFirstSession: true } }, kills: ['A.7', 'ARCH-ROLES'] },
  { id: 'client-legacy-content-type', description: 'the client sends its SyncML as the DM 1.1 type application/vnd.syncml+xml', scenario: 'B-partial-temporary', variation: { client: { legacyContentType: true } }, kills: ['PRF-CONTENT-TYPE'] },
  { id: 'delegation-type-suffix', description: 'DMS-2 sends delegation messages as application/vnd.dm.delegation+xmlx', scenario: 'B-full-temporary', variation: { server: { dms2: { delegationContentType: 'application/vnd.dm.delegation+xmlx' } } }, kills: ['PRF-CONTENT-TYPE'] },
  { id: 'wrong-account-addr', description: "approach A: DMS-2's AccountResponse gives an Addr that is not its DM URL", scenario: 'A-partial-permanent', variation: { dms2: { accountAddr: 'https://127.0.0.1:1/dm' } }, kills: ['A.3'] },
  { id: 'order-after-url', description: 'DMS-2 returns the Bootstrap Server URL before it orders the bootstrap from the stand-alone Bootstrap Server', scenario: 'B-partial-temporary', variation: { dms2: { bootstrapOrder: 'after-url' } }, kills: ['ORD-B-ORDER-BEFORE-URL'] },
  { id: 'over-grant', description: 'DMS-1 grants DMS-2 all five ACL commands, also those it did not hold itself', scenario: 'B-partial-permanent', variation: { dms1: { grantAllCommands: true } }, kills: ['FIN-NO-OVERGRANT'] },
  { id: 'grant-outside', description: 'DMS-1 also grants DMS-2 rights on a subtree that is not delegated', scenario: 'A-partial-temporary', variation: { dms1: { aclAlsoOn: ['./Vendor/Conn'] } }, kills: ['FIN-NO-OVERGRANT'] },
  { id: 'complete-twice', description: 'DMS-2 sends DelegationComplete twice', scenario: 'B-full-permanent', variation: { dms2: { completeTwice: true } }, kills: ['PRF-ONCE-PER-DELEGATION'] },
];

/**
 * The part of a variation that changes one role's mock (its quirks, TLS policy, certificate and server
 * switches), for running that mock alone; undefined when the variation leaves the role as it is.
 */
export function variationFor(v: Variation, role: Role): Variation | undefined {
  const only = <T>(r?: Partial<Record<Role, T>>): Partial<Record<Role, T>> | undefined => (r?.[role] === undefined ? undefined : { [role]: r[role] });
  const server = role === 'dms1' || role === 'dms2' ? v.server?.[role] : undefined;
  const out: Variation = {
    ...(v[role] === undefined ? {} : { [role]: v[role] }),
    ...(only(v.tls) ? { tls: only(v.tls) } : {}),
    ...(only(v.omitClientCertificate) ? { omitClientCertificate: only(v.omitClientCertificate) } : {}),
    ...(only(v.foreignCertificate) ? { foreignCertificate: only(v.foreignCertificate) } : {}),
    ...(only(v.trustAnyServer) ? { trustAnyServer: only(v.trustAnyServer) } : {}),
    ...(server ? { server: { [role]: server } } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** The roles whose mock a variation changes. */
export function rolesOf(v: Variation): Role[] {
  return ROLES.filter((r) => variationFor(v, r));
}
