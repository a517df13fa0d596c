import { http, type RequestHandler } from 'msw';
import { buildDelegation, parseDelegation } from '../../src/delegation/codec.js';
import type { DelegationMessage, DeviceIdentity } from '../../src/delegation/messages.js';
import { DmServer, type DeviceCredentials, type SessionOutcome, type SessionScript, type TesterSessionOptions } from '../../src/dm/server-session.js';
import { linkBetween, type LinkId, type Role } from '../../src/model/roles.js';
import { MEDIA, PATHS } from '../../src/profile.js';
import { encodeNotification, sessionIdHex, SPECIAL_NONCE } from '../../src/syncml/notification.js';
import { encodingOf, mediaOf } from '../../src/syncml/encoding.js';
import { HttpsEndpoint, refusal, type Classified, type TlsPolicy } from '../../src/transport/https-endpoint.js';
import { withBudget } from '../../src/trace/recorder.js';
import { traceBody } from '../../src/transport/body-parser.js';
import { KeptConnections } from '../../src/transport/https-post.js';
import { mockEndpoint, send, type MockEnv } from './env.js';
import { acceptingAny } from './accept-any.js';
import { DelegationRefusal, delegationHandler, delegationTooLarge } from './delegation-api.js';
import type { ConnectionInfo } from '../../src/transport/https-endpoint.js';

/** A device a DM server manages: who it is, how to push to it, the credentials of its account. */
export interface DeviceRecord extends DeviceIdentity {
  /** The client's Package #0 endpoint (HTTPS). */
  pushUrl?: string;
  /** Or hand the Package #0 to something else that delivers it (a real client's trigger driver). */
  deliver?: (pkg0: Buffer) => Promise<void>;
  credentials: DeviceCredentials;
}

/** Another DM server we have a contract with: its delegation API and pinned certificate. */
export interface PeerServer {
  role: Role;
  serverId: string;
  delegationUrl: string;
  fingerprint256?: string;
}

export interface ServerRoleOptions {
  role: 'dms1' | 'dms2';
  serverId: string;
  env: MockEnv;
  /** Budget for a whole DM session after a Package #0 (the client may be slow to call back). */
  sessionBudgetMs: number;
  /** Extra handlers on the DM (server-auth TLS) endpoint, e.g. a co-located Bootstrap Server. */
  extraDmHandlers?: RequestHandler[];
  /** Classifies requests on the DM endpoint that are not DM sessions (the co-located bootstrap path). */
  classifyExtra?: (path: string) => Classified | undefined;
  /** Sign Package #0 with a wrong password (mutants only). */
  badPkg0Digest?: boolean;
  /** Content type put on delegation messages (mutants only). */
  delegationContentType?: string;
  /** The DM endpoint never answers, or answers every request with this HTTP status (verdict tests). */
  dmAnswer?: 'silent' | number;
  /** Answer this delegation message type with malformed XML (mutants only). */
  malformedAnswerTo?: string;
  /** Challenge the first package 1 of every session, as a server that always asks may (verdict tests). */
  challengeFirst?: boolean;
  /** The DM endpoint authenticates any credentials or none (mutants only). */
  acceptAnyCredentials?: boolean;
  /** Keep signing with the provisioned server nonce, whatever NextNonce the client hands over (mutants only). */
  ignoreClientNonces?: boolean;
  /** Hand an HMAC client the same nonce with every message (mutants only). */
  reuseHmacNonce?: boolean;
  /** The MaxMsgSize the DM endpoint declares (default: the request body limit). */
  maxMsgSize?: number;
  /** Send every package as one message, whatever MaxMsgSize the client declared (mutants only). */
  ignoreMaxMsgSize?: boolean;
  /** Sign HMAC messages with a wrong secret (mutants only). */
  wrongMac?: boolean;
  /** The delegation endpoint does not require a client certificate, so pins none (mutants only). */
  clientCertificateOptional?: boolean;
  /** The delegation endpoint takes any client certificate, verified or not (mutants only). */
  clientCertificateUnverified?: boolean;
  /** TLS policy of the delegation endpoint alone (mutants only: e.g. an API that speaks only TLS 1.1). */
  delegationServerTls?: TlsPolicy;
  /** Take any peer whose certificate verifies: no certificate pinned, no sender ServerID checked (mutants only). */
  acceptAnyPeer?: boolean;
  /** The delegation API answers 200 whatever its configured peer sends: any body, content type or order (mutants only). */
  acceptAnyDelegationMessage?: boolean;
}

let pkg0Counter = 0;
const nextSessionNumber = () => 0x200 + (++pkg0Counter % 0xfd00);

/**
 * The DM endpoint's media-type gate: the profile's types (XML or WBXML) match exactly (parameters allowed).
 * The legacy SyncML type is taken too, so a client using it still gets its sessions and the rest of the flow
 * is judged; PRF-CONTENT-TYPE judges the type from the trace. Anything else is refused with 415.
 */
function dmContentType(dm: DmServer, path: string): RequestHandler {
  return http.post(path, async ({ request }) => {
    const type = request.headers.get('content-type') ?? '';
    const encoding = encodingOf(type);
    if (!encoding) return refusal(415, `expected ${MEDIA.syncml} or ${MEDIA.syncmlWbxml}, got ${type || 'none'}`);
    // The session code sees the profile's type of that encoding; the trace keeps what the client sent.
    if (type === mediaOf(encoding)) return dm.respond(request);
    const headers = new Headers(request.headers);
    headers.set('content-type', mediaOf(encoding));
    return dm.respond(new Request(request.url, { method: 'POST', headers, body: await request.arrayBuffer() }));
  });
}

/**
 * What DMS-1 and DMS-2 share: a DM endpoint (TLS, SyncML sessions), a delegation endpoint (mutual TLS),
 * Package #0 triggers, calls to the peer's delegation API, and a device registry.
 */
export abstract class ServerRole {
  readonly dm: DmServer;
  readonly dmEndpoint: HttpsEndpoint;
  readonly delegationEndpoint: HttpsEndpoint;
  readonly devices = new Map<string, DeviceRecord>();
  readonly peers = new Map<string, PeerServer>();
  /** What it started on its own after an answer went out (a notification), until it ends. */
  private readonly background = new Set<Promise<void>>();
  /** Its connections to its peers' delegation APIs and its devices' push endpoints, kept between messages. */
  private readonly kept = new KeptConnections();

  constructor(readonly o: ServerRoleOptions) {
    const env = o.env;
    this.dm = new DmServer({
      serverId: o.serverId,
      url: () => this.dmUrl,
      credentialsOf: (devId) => this.devices.get(devId)?.credentials,
      onClientInitiated: (start) => this.onClientInitiated(start),
      challengeFirst: o.challengeFirst,
      acceptAnyCredentials: o.acceptAnyCredentials,
      ignoreClientNonces: o.ignoreClientNonces,
      reuseHmacNonce: o.reuseHmacNonce,
      maxMsgSize: o.maxMsgSize,
      ignoreMaxMsgSize: o.ignoreMaxMsgSize,
      wrongMac: o.wrongMac,
      // A challenged client answers at once; one that has not within a session's budget never will.
      retryWindowMs: o.sessionBudgetMs,
    });
    this.dmEndpoint = mockEndpoint(env, {
      role: o.role,
      mutual: false,
      // TLS events are labelled with the usual peer; each request is classified on its own path.
      fixedPeer: { peer: 'client', link: linkBetween(o.role, 'client')! },
      classify: ({ path }) => o.classifyExtra?.(path) ?? { peer: 'client', link: linkBetween(o.role, 'client')! },
      handlers: [...(o.dmAnswer ? [http.post(`*${PATHS.dm}`, () => (o.dmAnswer === 'silent' ? new Promise<never>(() => {}) : new Response(null, { status: o.dmAnswer })))] : []), dmContentType(this.dm, `*${PATHS.dm}`), ...(o.extraDmHandlers ?? [])],
    });
    const peerRole: Role = o.role === 'dms1' ? 'dms2' : 'dms1';
    const delegation = delegationHandler(
      (m, conn) => this.onDelegation(m, conn),
      () => (o.clientCertificateOptional || o.acceptAnyPeer ? undefined : [...this.peers.values()].map((p) => p.fingerprint256!).filter(Boolean)),
      undefined,
      o.malformedAnswerTo,
    );
    this.delegationEndpoint = mockEndpoint(o.delegationServerTls ? { ...env, tls: o.delegationServerTls } : env, {
      role: o.role,
      mutual: !o.clientCertificateOptional,
      acceptUnverifiedClient: o.clientCertificateUnverified,
      portOffset: 1,
      tooLarge: delegationTooLarge,
      fixedPeer: { peer: peerRole, link: 'dms1-dms2' },
      classify: () => ({ peer: peerRole, link: 'dms1-dms2' }),
      handlers: [o.acceptAnyDelegationMessage ? acceptingAny(delegation, PATHS.delegation) : delegation, ...this.extraDelegationHandlers()],
    });
  }

  get dmUrl(): string {
    return `${this.dmEndpoint.url}${PATHS.dm}`;
  }

  get delegationUrl(): string {
    return `${this.delegationEndpoint.url}${PATHS.delegation}`;
  }

  async start(): Promise<this> {
    await this.dmEndpoint.start();
    await this.delegationEndpoint.start();
    return this;
  }

  async close(): Promise<void> {
    await this.dmEndpoint.close();
    await this.delegationEndpoint.close();
    this.kept.close();
    this.dm.close();
  }

  /** Runs `task` once the answer at hand has gone out, kept track of until it ends (see settled). */
  protected later(task: () => Promise<unknown>): void {
    const run: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .then(() => undefined, () => undefined)
      .finally(() => this.background.delete(run));
    this.background.add(run);
  }

  /** Resolves once nothing it started on its own is under way: it sends nothing more unasked. */
  async settled(): Promise<void> {
    while (this.background.size) await Promise.all([...this.background]);
  }

  protected extraDelegationHandlers(): RequestHandler[] {
    return [];
  }

  /** Answers one delegation message from a peer; throw DelegationRefusal to refuse it. */
  protected abstract onDelegation(m: DelegationMessage, conn: ConnectionInfo | undefined): Promise<DelegationMessage>;

  /** Script for a session the client opens by itself (Alert 1201). */
  protected async *onClientInitiated(_start: Parameters<SessionScript>[0]): ReturnType<SessionScript> {}

  /** Sends Package #0 to the device and runs `script` in the session it opens; resolves when it ends. */
  async trigger(devId: string, script: SessionScript): Promise<SessionOutcome> {
    const sessionNumber = nextSessionNumber();
    const outcome = this.dm.expect(devId, sessionIdHex(sessionNumber), script);
    await this.sendPackage0(devId, { sessionNumber, badDigest: this.o.badPkg0Digest });
    const result = await withBudget(outcome, this.o.sessionBudgetMs, `DM session with ${devId}`);
    if (result.error) throw new Error(`${this.o.role}: session with ${devId} failed: ${result.error}`);
    return result;
  }

  /**
   * Sends Package #0 for a session of the tester's and returns once it is handed over; `abandon` gives the
   * session up. `wrongServerCredential` signs our credentials in it with a wrong secret; `forge` forges a header.
   */
  async startSession(devId: string, script: SessionScript, o: TesterSessionOptions = {}): Promise<{ abandon: () => void }> {
    const sessionNumber = nextSessionNumber();
    void this.dm.expect(devId, sessionIdHex(sessionNumber), script, o);
    const abandon = () => this.dm.abandon(devId, sessionIdHex(sessionNumber));
    await this.sendPackage0(devId, { sessionNumber }).catch((err: unknown) => {
      abandon();
      throw err;
    });
    return { abandon };
  }

  /**
   * Sends the device a Package #0 and nothing else; `badDigest` signs it with a wrong secret, so its digest
   * verifies with no nonce (the tester's case). Resolves with the push's HTTP status (none when delivered otherwise).
   */
  async sendPackage0(devId: string, o: { sessionNumber?: number; badDigest?: boolean } = {}): Promise<number | undefined> {
    const device = this.devices.get(devId);
    if (!device) throw new Error(`${this.o.role}: unknown device ${devId}`);
    const sessionId = o.sessionNumber ?? nextSessionNumber();
    const trigger = (nonce: Buffer) =>
      encodeNotification({ uiMode: 1, initiator: 1, sessionId, serverId: this.o.serverId }, { password: o.badDigest ? 'not-the-secret' : device.credentials.server.secret, nonce });
    // Signed with the nonce the client handed us last (the provisioned one before any session).
    const nonce = this.dm.noncesOf(device.credentials).server;
    if (device.deliver) {
      // Not on the wire, but built here: recorded as sent, so the session it opens is matched to it and
      // judged (its SessionID, its Alert, the digest) as after a push.
      const pkg0 = trigger(nonce);
      const link = linkBetween(this.o.role, 'client')!;
      this.o.env.trace.record({
        kind: 'handover', link, from: this.o.role, to: 'client', observer: { role: this.o.role, side: 'client' },
        body: traceBody(MEDIA.notification, pkg0, this.o.env.parseBody), reason: "handed to the client's trigger driver",
      });
      return void (await device.deliver(pkg0));
    }
    if (!device.pushUrl) throw new Error(`${this.o.role}: no way to push to ${devId}`);
    const push = (n: Buffer) =>
      send(this.o.env, { from: this.o.role, to: 'client', link: linkBetween(this.o.role, 'client')!, url: device.pushUrl!, body: trigger(n), contentType: MEDIA.notification, keep: this.kept.for(device.pushUrl!) });
    let res = await push(nonce);
    // A client that says our digest does not verify may hold another nonce than ours: the special nonce
    // resynchronises (DM 1.2.1 Notification); the session then hands us the client's.
    if (res.status === 401 && !o.badDigest) res = await push(SPECIAL_NONCE);
    if (res.status !== 200 && !o.badDigest) throw new Error(`${this.o.role}: Package #0 to ${devId} refused: HTTP ${res.status}`);
    return res.status;
  }

  /** POSTs a delegation body as it is (a mutant may send a broken one). */
  callRaw(peer: PeerServer, body: string, link: LinkId = 'dms1-dms2', timeoutMs?: number) {
    return send(this.o.env, {
      from: this.o.role,
      to: peer.role,
      link,
      url: peer.delegationUrl,
      body,
      contentType: this.o.delegationContentType ?? MEDIA.delegation,
      mutual: true,
      timeoutMs,
      keep: this.kept.for(peer.delegationUrl),
    });
  }

  /** POSTs a delegation message to a peer and returns its parsed answer; an Error answer throws. */
  async call(peer: PeerServer, msg: DelegationMessage, link: LinkId = 'dms1-dms2', timeoutMs?: number): Promise<DelegationMessage> {
    const res = await this.callRaw(peer, buildDelegation(msg), link, timeoutMs);
    const parsed = parseDelegation(res.body.toString('utf8'));
    if (!parsed.ok) throw new Error(`${peer.role} answered ${msg.type} with an unreadable body (HTTP ${res.status}): ${parsed.reason}`);
    if (parsed.message.type === 'Error') {
      throw new DelegationRefusal(parsed.message.code, `${peer.role} refused ${msg.type}: ${parsed.message.reason}`, parsed.message.sessionId);
    }
    return parsed.message;
  }
}

export function expectType<T extends DelegationMessage['type']>(m: DelegationMessage, type: T): Extract<DelegationMessage, { type: T }> {
  if (m.type !== type) throw new Error(`expected ${type}, got ${m.type}`);
  return m as Extract<DelegationMessage, { type: T }>;
}
