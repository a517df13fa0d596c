import { randomBytes } from 'node:crypto';
import { buildDelegation } from '../delegation/codec.js';
import type { DelegationMessage } from '../delegation/messages.js';
import { ROLE_NAMES, type Role } from '../model/roles.js';
import { issueLeaf, type KeyPair } from '../pki/pki.js';
import { MEDIA } from '../profile.js';
import { parseBody } from '../trace/parse-body.js';
import { postHttps } from '../transport/https-post.js';
import type { ServerEndpoint, TesterOptions } from './tls-server-cases.js';

/** The roles that serve a mutually authenticated delegation endpoint. */
export type MutualRole = 'dms1' | 'dms2' | 'bootstrap';

/** How the harness, authenticated with a certificate that verifies, is not the endpoint's configured peer. */
export type PeerVariant = 'other-role' | 'third-server' | 'foreign-server-id';

/**
 * The tester's peer-identity cases against a mutual delegation endpoint (DESIGN.md §8): everything valid,
 * only who the harness is departs from the configured peer. Data, apart from the mechanism that plays them.
 */
export interface PeerIdentityCase {
  id: string;
  /** One connection each; one case, so a server that checks no identity is one red id. */
  variants: readonly PeerVariant[];
  /** Where it is played: the ServerID case only where the messages name their sender. */
  roles: readonly MutualRole[];
  /** A refusal in the handshake passes too: a certificate can be refused there, a message's content cannot. */
  tlsRefusalPasses: boolean;
  /** What the harness presents, for the verdict text. */
  presents: string;
}

/** A ServerID no configured peer has. */
export const STRANGER_SERVER_ID = 'dms3.stranger.invalid';

export const PEER_IDENTITY_CASES: readonly PeerIdentityCase[] = [
  {
    id: 'NEG-DMS-PEER-CERT',
    variants: ['other-role', 'third-server'],
    roles: ['dms1', 'dms2', 'bootstrap'],
    tlsRefusalPasses: true,
    presents: "a client certificate of the run's CA that is not the configured peer's",
  },
  {
    id: 'NEG-DMS-PEER-SERVERID',
    variants: ['foreign-server-id'],
    roles: ['dms2', 'bootstrap'],
    tlsRefusalPasses: false,
    presents: `the configured peer's certificate with a message naming ${STRANGER_SERVER_ID} as its sender`,
  },
];

/** A role of the run with a certificate for mutual TLS that never calls this endpoint. */
const OTHER_ROLE: Readonly<Record<MutualRole, Role>> = { dms1: 'bootstrap', dms2: 'bootstrap', bootstrap: 'dms1' };

/** What a variant presents to an endpoint of `role`, for the verdict text. */
export function variantText(variant: PeerVariant, role: Role): string {
  if (variant === 'other-role') return `the certificate of the run's ${ROLE_NAMES[OTHER_ROLE[role as MutualRole]]}`;
  return variant === 'third-server' ? "a fresh certificate of the run's CA for a third DM server" : `the sender ServerID ${STRANGER_SERVER_ID}`;
}

export interface PeerIdentityOptions extends TesterOptions {
  serverIds: { dms1: string; dms2: string };
  /** The DevId the messages name: one of no device, so nothing of the run is disturbed (never the flow's). */
  devId: string;
}

/**
 * What each endpoint is sent: a message it would act on from its real peer, naming `sender` where the
 * messages name one (DelegatorServerId; the ordered account's ServerId). DMS-1 takes only messages of a
 * delegation under way: the peer is checked first (binding profile §2.2), so a stranger's gets 403 REJECTED
 * where the real peer's would get 404 UNKNOWN_SESSION.
 */
export const ACTED_ON: Readonly<Record<MutualRole, (sessionId: string, sender: string, o: PeerIdentityOptions) => DelegationMessage>> = {
  dms1: (sessionId) => ({ type: 'BootstrapComplete', sessionId }),
  dms2: (sessionId, sender, o) => ({
    type: 'DelegationInitiationRequest',
    sessionId,
    delegatorServerId: sender,
    delegateeServerId: o.serverIds.dms2,
    device: device(o),
    delegationType: { scope: 'full', duration: 'temporary' },
    subtrees: [],
    approach: 'B',
  }),
  // An order for a device of its own: one a Bootstrap Server keeps is for no device anyone asks for
  // (NEG-BS-UNKNOWN-DEVICE asks for `o.devId`).
  bootstrap: (sessionId, sender, o) => ({
    type: 'BootstrapOrder',
    sessionId,
    device: device({ devId: `${o.devId}-${sessionId}` }),
    account: { serverId: sender, addr: 'https://tester.invalid/dm', addrType: 'URI', appAuth: [] },
  }),
};

const device = (o: Pick<PeerIdentityOptions, 'devId'>) => ({ devId: o.devId, man: 'dmdc tester', mod: 'no device' });

const thirdServers = new Map<string, Promise<KeyPair>>();

/** The certificate a variant presents to `ep`. */
function certificateFor(variant: PeerVariant, ep: ServerEndpoint, o: PeerIdentityOptions): KeyPair | Promise<KeyPair> {
  if (variant === 'foreign-server-id') return o.identityOf(ep.peer);
  if (variant === 'other-role') return o.identityOf(OTHER_ROLE[ep.role as MutualRole]);
  return thirdServerCertificate(o.ca);
}

/** A third DM server's certificate, issued by the run's CA: made once per run CA, every flow presents the same. */
export function thirdServerCertificate(ca: KeyPair): Promise<KeyPair> {
  let made = thirdServers.get(ca.cert);
  if (!made) thirdServers.set(ca.cert, (made = issueLeaf(ca, 'dmdc dms3')));
  return made;
}

/**
 * Plays every case against the mutual endpoints of `targets`, all at once: one POST per variant, with a
 * fresh SessionId, recorded into `o.trace` with the probe `<case id>/<variant>`. The caller stamps the trace
 * `tls-probe`: no step of the delegation.
 */
export function playPeerIdentityCases(targets: readonly ServerEndpoint[], o: PeerIdentityOptions): Promise<unknown> {
  const plays = PEER_IDENTITY_CASES.flatMap((c) =>
    targets
      .filter((ep) => ep.mutual && c.roles.includes(ep.role as MutualRole))
      .flatMap((ep) =>
        c.variants.map(async (variant) => {
          const sender = variant === 'foreign-server-id' ? STRANGER_SERVER_ID : o.serverIds[ep.peer as 'dms1' | 'dms2'];
          const message = ACTED_ON[ep.role as MutualRole](testerSessionId(), sender, o);
          await postAsPeer(ep, o, { body: buildDelegation(message), contentType: MEDIA.delegation, identity: await certificateFor(variant, ep, o), probe: `${c.id}/${variant}` });
        }),
      ),
  );
  return Promise.all(plays);
}

/** A SessionId of the tester's own, which no delegation of the run has. */
export const testerSessionId = () => `tester-${randomBytes(6).toString('hex')}`;

/**
 * One POST of a tester case to a mutual endpoint, as its peer (under `identity`, the peer's own
 * certificate unless given), recorded with the case's probe. Resolves with the HTTP status, or undefined
 * when no answer came.
 */
export function postAsPeer(ep: ServerEndpoint, o: TesterOptions, r: { body: string | Buffer; contentType?: string; identity?: KeyPair; probe: string }): Promise<number | undefined> {
  const trust = o.trustOf(ep.role);
  return postHttps({
    url: ep.url,
    body: r.body,
    contentType: r.contentType,
    identity: r.identity ?? o.identityOf(ep.peer),
    trustAnchors: trust.anchors,
    pin: trust.pin,
    timeoutMs: o.timeoutMs,
    from: ep.peer,
    to: ep.role,
    link: ep.link,
    trace: o.trace,
    parseBody,
    probe: r.probe,
  }).then(
    (res) => res.status,
    () => undefined,
  );
}
