import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { http, HttpResponse } from 'msw';
import type { AppAuth, DmAccount } from '../../src/model/account.js';
import { linkBetween, type LinkId, type Role } from '../../src/model/roles.js';
import { MEDIA, PATHS, SYNCML } from '../../src/profile.js';
import { AUTH_TYPES, credFor, credTypeOf, newNonce, verifyCred, type AuthType } from '../../src/syncml/auth.js';
import { HMAC_HEADER, hmacHeader, verifyHmac } from '../../src/syncml/hmac.js';
import { buildSyncML, parseSyncML } from '../../src/syncml/codec.js';
import { encodingOf, mediaOf, syncmlBytes, syncmlText, type SyncmlEncoding } from '../../src/syncml/encoding.js';
import { ALERT, STATUS } from '../../src/syncml/codes.js';
import { asksNextMessage, maxMsgSizeOf, nextMessageAlert, splitToFit } from '../../src/syncml/split.js';
import type { Command, StatusCommand, SyncMLMessage } from '../../src/syncml/model.js';
import { credFields, package1, type DevInfo } from '../../src/syncml/package1.js';
import { decodeNotification, sessionIdHex, SPECIAL_NONCE, verifyNotification } from '../../src/syncml/notification.js';
import { readBootConfigUrls } from '../../src/tree/bootconfig.js';
import { findAccountByServerId, readAccounts, storeNonce, writeAccountLocal } from '../../src/tree/dmacc.js';
import type { DmTree } from '../../src/tree/tree.js';
import { HttpsEndpoint, refusal as refuse } from '../../src/transport/https-endpoint.js';
import { KeptConnection } from '../../src/transport/https-post.js';
import { LEGACY_SYNCML, sameMediaType } from '../../src/transport/media-type.js';
import { mockEndpoint, send, type MockEnv } from '../common/env.js';
import { execute } from './command-executor.js';

export type { DevInfo };

export interface MockClientOptions {
  env: MockEnv;
  tree: DmTree;
  devInfo: DevInfo;
  /** How it encodes SyncML (XML by default); it reads an answer in whichever encoding the answer names. */
  encoding?: SyncmlEncoding;
  /** Which role a ServerID belongs to, for labelling links in the trace. */
  roleOfServerId: (serverId: string) => Role | 'unknown';
  /**
   * Which role serves a DM URL, when the run knows (its servers' and proxies' URLs). Sessions are labelled
   * by the server they are sent to; without this, the device's own accounts tell (see `serverAt`).
   */
  roleOfAddr?: (addr: string) => Role | 'unknown';
  scrubOnAccountDelete?: boolean;
  /** Most packages a session may take before the client gives up (a server that never ends). */
  maxPackages?: number;
  /** The MaxMsgSize it declares: the largest message it takes (default 20000 bytes). */
  maxMsgSize?: number;
  /** Behaviour switches for deliberately broken variants. */
  quirks?: ClientQuirks;
}

export interface ClientQuirks {
  /** Leave DevInfo out of package 1. */
  omitDevInfo?: boolean;
  /** Ignore ACLs: act as if every server held every right. */
  ignoreAcls?: boolean;
  /** Open every session with Alert 1201, even when answering Package #0. */
  alwaysAlert1201?: boolean;
  /** Store a bootstrapped account without the w7 ACL (Get, Replace, Delete for its ServerID). */
  noW7Acl?: boolean;
  /** Open the session after a bootstrap with Alert 1200, as if a server had asked for it. */
  bootstrapSessionAlert1200?: boolean;
  /** Answer Package #0 with a SessionID other than the one it carried. */
  sessionIdMismatch?: boolean;
  /** Number every message 1. */
  repeatMsgId?: boolean;
  /** Leave out the Status of Get commands. */
  dropGetStatus?: boolean;
  /** Send no credentials. */
  noCredentials?: boolean;
  /** Store an ACL without checking its grammar. */
  acceptInvalidAcl?: boolean;
  /** Keep a deleted account's ServerID in the ACLs. */
  noScrub?: boolean;
  /** Send SyncML (sessions and the bootstrap request) as the DM 1.1 type application/vnd.syncml+xml. */
  legacyContentType?: boolean;
  /** Change the SessionID from the second message of a session on. */
  sessionIdChange?: boolean;
  /** Accept the Package #0 connection and request, and never answer it (nor open a session). */
  silentPush?: boolean;
  /** Answer Package #0, then open a TLS connection to the server and never send on it. */
  stallSession?: boolean;
  /** Open a session for a Package #0 whatever its digest. */
  acceptBadPkg0Digest?: boolean;
  /** Take the server's credentials without checking them. */
  trustServerCredentials?: boolean;
  /** Keep every nonce as provisioned: never store a NextNonce, never hand the server a new one. */
  noNonceRotation?: boolean;
  /** Execute a server message whatever its SessionID. */
  ignoreServerSessionId?: boolean;
  /** Execute a server message whatever its MsgID, one already used included. */
  ignoreServerMsgId?: boolean;
  /** Compute the x-syncml-hmac mac of an HMAC account with a wrong password. */
  wrongMac?: boolean;
  /** Send syncml:auth-md5 credentials whatever the account's AAuthType. */
  alwaysDigest?: boolean;
  /** Send every package as one message, whatever MaxMsgSize the server declared. */
  ignoreMaxMsgSize?: boolean;
}

const DEFAULT_MAX_MSG_SIZE = 20_000;

/** Numbers the commands of a message 1, 2, 3 … (CmdIDs are unique within a message). */
function numbered(m: SyncMLMessage): SyncMLMessage {
  m.body.forEach((c, i) => ((c as { cmdId: string }).cmdId = String(i + 1)));
  return m;
}

const credOf = (a: DmAccount, level: AppAuth['level']) => a.appAuth.find((x) => x.level === level);
const nonceOf = (x?: AppAuth) => Buffer.from(x?.data ?? '', 'base64');
/** The account's AAuthType when it is one the client speaks (DIGEST otherwise, as DM 1.2.1 requires of every client). */
const typeOf = (x?: AppAuth): AuthType => (AUTH_TYPES.includes(x?.type as AuthType) ? (x!.type as AuthType) : 'DIGEST');
const clientTypeOf = (x: AppAuth | undefined, q?: ClientQuirks): AuthType => (q?.alwaysDigest ? 'DIGEST' : typeOf(x));

/**
 * The reference DM Client: a real DM tree with ACLs enforced, a Package #0 push endpoint, DM sessions
 * (packages 1 and 3) with syncml:auth-md5 credentials, and processing of Bootstrap Config MO entries by
 * fetching a bootstrap from the Bootstrap Server URL and then opening a session with the new server.
 */
export class MockClient {
  readonly endpoint: HttpsEndpoint;
  private queue: Promise<void> = Promise.resolve();
  private readonly fetched = new Set<string>();
  private sessionCounter = 0;
  private readonly stalled = new Set<TLSSocket>();

  constructor(readonly o: MockClientOptions) {
    const env = o.env;
    this.endpoint = mockEndpoint(env, {
      role: 'client',
      mutual: false,
      classify: ({ body }) => {
        const peer = this.pusher(body);
        return { peer, link: peer === 'unknown' ? 'unknown' : (linkBetween(peer, 'client') ?? 'unknown') };
      },
      handlers: [http.post(`*${PATHS.push}`, ({ request }) => this.onPush(request))],
    });
  }

  get tree(): DmTree {
    return this.o.tree;
  }

  get pushUrl(): string {
    return `${this.endpoint.url}${PATHS.push}`;
  }

  async start(): Promise<this> {
    await this.endpoint.start();
    return this;
  }

  close(): Promise<void> {
    for (const s of this.stalled) s.destroy();
    return this.endpoint.close();
  }

  /** Resolves once every queued session and bootstrap has finished. */
  async idle(): Promise<void> {
    let last: Promise<void> | undefined;
    while (last !== this.queue) {
      last = this.queue;
      await last;
    }
  }

  /**
   * Starts over from `tree` (a long-running mock between flows): Bootstrap Config entries already processed
   * are forgotten, so the same entry in a later flow is fetched again. Sessions already queued run on.
   */
  reset(tree: DmTree): void {
    this.o.tree = tree;
    this.fetched.clear();
  }

  /** Opens a client-initiated session (Alert 1201) with the server holding `serverId`. */
  initiate(serverId: string): Promise<void> {
    return this.enqueue(() => this.session(serverId, this.o.quirks?.bootstrapSessionAlert1200 ? ALERT.SERVER_INITIATED_MGMT : ALERT.CLIENT_INITIATED_MGMT, this.newSessionId()));
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const next = this.queue.then(job).catch((err: unknown) => {
      this.o.env.trace.note(`client: ${(err as Error).message}`);
    });
    this.queue = next;
    return next;
  }

  private newSessionId(): string {
    return sessionIdHex(0x100 + ++this.sessionCounter);
  }

  private pusher(body: Buffer): Role | 'unknown' {
    try {
      return this.o.roleOfServerId(decodeNotification(body).serverId);
    } catch {
      return 'unknown';
    }
  }

  private async onPush(request: Request): Promise<Response> {
    if (this.o.quirks?.silentPush) return new Promise<never>(() => {});
    const type = request.headers.get('content-type') ?? '';
    if (!sameMediaType(type, MEDIA.notification)) return refuse(415, `expected ${MEDIA.notification}, got ${type || 'none'}`);
    let n;
    try {
      n = decodeNotification(Buffer.from(await request.arrayBuffer()));
    } catch (err) {
      return refuse(400, `bad Package #0: ${(err as Error).message}`);
    }
    const acc = findAccountByServerId(this.tree, n.serverId, this.o.env.treeLayout?.dmAccRoot);
    if (!acc) return refuse(404, `no DM account for server ${n.serverId}`);
    const srv = credOf(acc.account, 'SRVCRED');
    // A digest that fails with the nonce we hold may be signed with the special nonce: the server resynchronises.
    const verifies = (nonce: Buffer) => !!srv?.secret && verifyNotification(n, { password: srv.secret, nonce });
    if (!this.o.quirks?.acceptBadPkg0Digest && !verifies(nonceOf(srv)) && !verifies(SPECIAL_NONCE)) {
      return refuse(401, `Package #0 digest does not verify for server ${n.serverId}`);
    }
    // Answer the push at once; the session runs after it (the trigger and the session are separate).
    const sessionId = sessionIdHex(this.o.quirks?.sessionIdMismatch ? (n.sessionId + 1) & 0xffff : n.sessionId);
    const alert = this.o.quirks?.alwaysAlert1201 ? ALERT.CLIENT_INITIATED_MGMT : ALERT.SERVER_INITIATED_MGMT;
    void this.enqueue(() => this.session(n.serverId, alert, sessionId));
    return new HttpResponse(null, { status: 200 });
  }

  /** One DM session: package 1, then package 3 answers until the server ends it, on one kept connection. */
  private async session(serverId: string, alert: string, sessionId: string): Promise<void> {
    const keep = new KeptConnection();
    try {
      return await this.sessionOn(keep, serverId, alert, sessionId);
    } finally {
      keep.close();
    }
  }

  private async sessionOn(keep: KeptConnection, serverId: string, alert: string, sessionId: string): Promise<void> {
    const acc = findAccountByServerId(this.tree, serverId, this.o.env.treeLayout?.dmAccRoot);
    if (!acc) throw new Error(`no DM account for server ${serverId}`);
    const { account } = acc;
    // The trace names the server the session is sent to, found by the account's Addr, never a guessed role.
    const to = this.serverAt(account.addr);
    const cl = credOf(account, 'CLCRED');
    const srv = credOf(account, 'SRVCRED');
    if (this.o.quirks?.stallSession) return this.stall(account.addr);
    let msgId = 0;
    let message = this.package1(account, alert, sessionId, ++msgId, cl);
    const max = this.o.maxPackages ?? 40;
    let challenged = false;
    let serverVerified = false;
    const serverMsgIds = new Set<string>();
    let serverChallenged = false;

    const srvType = typeOf(srv);
    // The rest of our package when it spans messages, and the largest message the server takes.
    let outbox: Command[] = [];
    let serverMax: number | undefined;
    for (let round = 0; round < max; round++) {
      const bytes = this.encode(message);
      const res = await this.sendToServer(to, { url: account.addr, body: bytes, contentType: this.syncmlType, headers: this.macHeader(cl, bytes), keep });
      if (res.status !== 200) throw new Error(`session ${sessionId} with ${serverId}: HTTP ${res.status}`);
      const reply = this.decode(res);
      // A message under another SessionID than ours, or one whose MsgID the server already used, is not this session's
      // next message (DM 1.2.1 Protocol; RepPro SyncHdr): nothing of it is taken (commands, nonce), the session is aborted.
      const foreign = !this.o.quirks?.ignoreServerSessionId && reply.hdr.sessionId.toUpperCase() !== message.hdr.sessionId.toUpperCase();
      const repeated = !this.o.quirks?.ignoreServerMsgId && serverMsgIds.has(reply.hdr.msgId);
      serverMsgIds.add(reply.hdr.msgId);
      if (foreign || repeated) {
        const refusal: Command[] = [
          { kind: 'Status', cmdId: '1', msgRef: reply.hdr.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [reply.hdr.target], sourceRefs: [reply.hdr.source], data: STATUS.BAD_REQUEST, items: [] },
          { kind: 'Alert', cmdId: '2', data: ALERT.SESSION_ABORT, items: [] },
        ];
        const abort = this.encode({ hdr: this.hdr(account, sessionId, ++msgId), body: refusal, final: true });
        const answer = await this.sendToServer(to, { url: account.addr, body: abort, contentType: this.syncmlType, headers: this.macHeader(cl, abort), keep });
        // The server's answer to the abort may still hand over the nonce our next session uses.
        const next = answer.status === 200 ? this.decode(answer).body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr')?.chal?.nextNonce : undefined;
        if (cl && next) {
          cl.data = next;
          this.keepNonce(acc.path, 'CLCRED', next);
        }
        return;
      }
      const hdrStatus = reply.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');
      // The nonce the server hands over (with a 212, a challenge, or every 200 of an HMAC account) is the one
      // our next credentials use.
      if (cl && hdrStatus?.chal?.nextNonce) {
        cl.data = hdrStatus.chal.nextNonce;
        this.keepNonce(acc.path, 'CLCRED', cl.data);
      }
      if (hdrStatus && (hdrStatus.data === STATUS.UNAUTHORIZED || hdrStatus.data === STATUS.MISSING_CREDENTIALS)) {
        // One retry with the nonce the server challenged with, then give up (DM 1.2.1 Protocol §2.4).
        if (challenged) throw new Error(`session ${sessionId}: server ${serverId} refused our credentials twice`);
        challenged = true;
        message = this.package1(account, alert, sessionId, ++msgId, cl);
        continue;
      }
      if (reply.body.some((c) => c.kind === 'Alert' && c.data === ALERT.SESSION_ABORT)) return;

      // Authenticate the server: from its SRVCRED Cred on its first message that carries one, or from the MAC
      // of every message for an HMAC account; then hand it the nonce its next credentials and Package #0 must
      // use (a new one every session; every message for HMAC).
      let serverAuth: string = STATUS.OK;
      let serverNonce: string | undefined;
      const commands = reply.body.filter((c) => c.kind !== 'Status' && c.kind !== 'Results');
      if (srvType === 'HMAC' || (reply.hdr.cred && !serverVerified)) {
        const expected = { username: srv?.name ?? serverId, password: srv?.secret ?? '', nonce: nonceOf(srv) };
        const verified = srvType === 'HMAC' ? verifyHmac(res.headers[HMAC_HEADER], res.body, expected) : verifyCred(reply.hdr.cred!, { ...expected, type: srvType });
        const ok = this.o.quirks?.trustServerCredentials || (!!srv?.secret && verified.ok);
        // A message with commands is challenged once, with a new nonce (DM 1.2.1 Security): the server may hold
        // an older one. One without (a closing HMAC message) has nothing to send again.
        if (!ok && srv?.secret && !serverChallenged && !this.o.quirks?.noNonceRotation && commands.length) {
          serverChallenged = true;
          const nonce = newNonce().toString('base64');
          srv.data = nonce;
          this.keepNonce(acc.path, 'SRVCRED', nonce);
          const challenge: StatusCommand = { kind: 'Status', cmdId: '1', msgRef: reply.hdr.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [reply.hdr.target], sourceRefs: [reply.hdr.source], data: STATUS.UNAUTHORIZED, items: [], chal: { type: credTypeOf(srvType), format: 'b64', nextNonce: nonce } };
          message = { hdr: this.hdr(account, sessionId, ++msgId), body: [challenge], final: true };
          continue;
        }
        if (!ok) throw new Error(`session ${sessionId}: server ${serverId} credentials do not verify`);
        serverVerified = true;
        serverAuth = srvType === 'HMAC' ? STATUS.OK : STATUS.AUTH_ACCEPTED;
        if (srv && !this.o.quirks?.noNonceRotation) serverNonce = newNonce().toString('base64');
      }
      serverMax = maxMsgSizeOf(reply) ?? serverMax;
      // A package with no commands ends the session; a lone SyncHdr status must not be sent. A message of a
      // package that goes on, or the server asking for our next message, is answered.
      if (commands.length === 0 && reply.final && !outbox.length) {
        await this.afterSession();
        return;
      }
      // Kept only now that it goes to the server, in the Status for its SyncHdr.
      if (serverNonce && srv) {
        srv.data = serverNonce;
        this.keepNonce(acc.path, 'SRVCRED', serverNonce);
      }
      const q = this.o.quirks ?? {};
      const executed = execute(commands, {
        tree: this.tree,
        serverId,
        msgId: reply.hdr.msgId,
        scrubOnAccountDelete: this.scrub,
        dmAccRoot: this.o.env.treeLayout?.dmAccRoot,
        ignoreAcls: q.ignoreAcls,
        acceptInvalidAcl: q.acceptInvalidAcl,
      });
      if (q.dropGetStatus) executed.statuses = executed.statuses.filter((x) => x.cmd !== 'Get');
      const answer: Command[] = [
        { kind: 'Status', cmdId: '', msgRef: reply.hdr.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [reply.hdr.target], sourceRefs: [reply.hdr.source], data: serverAuth, items: [], ...(serverNonce ? { chal: { type: credTypeOf(srvType), format: 'b64', nextNonce: serverNonce } } : {}) },
        ...executed.statuses,
        ...executed.results,
      ];
      const hdr = this.hdr(account, this.o.quirks?.sessionIdChange ? sessionIdHex((parseInt(sessionId, 16) + 1) & 0xffff) : sessionId, ++msgId);
      if (!reply.final && !(outbox.length && asksNextMessage(reply))) {
        // The server's package goes on (DM 1.2.1 Protocol §2.1): the statuses so far, and Alert 1222 for its next message.
        message = numbered({ hdr, body: [...answer, nextMessageAlert()], final: false });
        continue;
      }
      // Our package, over as many messages as the server's MaxMsgSize asks; it asks for each next one with 1222.
      // The first message carries the SyncHdr Status (and, asked for the next, the Status of that Alert 1222).
      const asked = outbox.length > 0;
      const limit = this.o.quirks?.ignoreMaxMsgSize ? undefined : serverMax;
      const [body, ...rest] = splitToFit([...answer, ...outbox], limit, (b) => this.encode(numbered({ hdr, body: b, final: true })).length, asked ? 2 : 1);
      outbox = rest.flat();
      message = numbered({ hdr, body, final: outbox.length === 0 });
    }
    throw new Error(`session ${sessionId} with ${serverId}: no end after ${max} packages`);
  }

  /** For an HMAC account, the x-syncml-hmac header of a message: its MAC with the server's last nonce. */
  private macHeader(cl: AppAuth | undefined, body: Buffer): Record<string, string> | undefined {
    if (clientTypeOf(cl, this.o.quirks) !== 'HMAC' || !cl?.secret || this.o.quirks?.noCredentials) return undefined;
    const secret = this.o.quirks?.wrongMac ? `not-${cl.secret}` : cl.secret;
    return { [HMAC_HEADER]: hmacHeader(cl.name ?? this.o.devInfo.devId, secret, nonceOf(cl), body) };
  }

  /** Keeps a nonce a peer gave us (or we gave it) in the account, for the next session. */
  private keepNonce(accountPath: string, level: 'CLCRED' | 'SRVCRED', nonce: string): void {
    if (!this.o.quirks?.noNonceRotation) storeNonce(this.tree, accountPath, level, nonce);
  }

  /** Connects to the server and sends nothing, until the client is closed. */
  private stall(addr: string): Promise<void> {
    const u = new URL(addr);
    return new Promise<void>((resolve) => {
      const socket = tlsConnect({ host: u.hostname, port: Number(u.port || 443), ca: this.o.env.trustAnchors, servername: undefined, rejectUnauthorized: false });
      this.stalled.add(socket);
      socket.once('close', () => {
        this.stalled.delete(socket);
        resolve();
      });
      socket.on('error', () => {});
    });
  }

  private get syncmlType(): string {
    return this.o.quirks?.legacyContentType ? LEGACY_SYNCML : mediaOf(this.o.encoding ?? 'xml');
  }

  private encode(m: SyncMLMessage): Buffer {
    return syncmlBytes(buildSyncML(m), this.o.quirks?.legacyContentType ? 'xml' : (this.o.encoding ?? 'xml'));
  }

  /** A server's answer, in the encoding its Content-Type names. */
  private decode(res: { headers: Record<string, string>; body: Buffer }): SyncMLMessage {
    const text = syncmlText(res.body, encodingOf(res.headers['content-type']) ?? 'xml');
    if (text === undefined) throw new Error('the server answered with a body that is not UTF-8');
    return parseSyncML(text);
  }

  /**
   * The role serving `addr`: the run's word when it gives one; else the device's own accounts, when the
   * accounts at that address belong to exactly one role's ServerID. Otherwise no role is known to be there.
   */
  private serverAt(addr: string): Role | 'unknown' {
    if (this.o.roleOfAddr) return this.o.roleOfAddr(addr);
    const roles = new Set(readAccounts(this.tree, this.o.env.treeLayout?.dmAccRoot).filter((a) => a.account.addr === addr).map((a) => this.o.roleOfServerId(a.account.serverId)));
    roles.delete('unknown');
    return roles.size === 1 ? [...roles][0] : 'unknown';
  }

  /**
   * A POST to a DM server on its role's link (recorded here only when that role is not a mock of the run).
   * At an address no role is known to serve, nobody else may record it: the client records the exchange
   * itself, on no role's link, rather than lose it.
   */
  private sendToServer(to: Role | 'unknown', m: { url: string; body: Buffer; contentType: string; headers?: Record<string, string>; keep?: KeptConnection }) {
    const link = to === 'unknown' ? undefined : linkBetween('client', to);
    if (to !== 'unknown' && link) return send(this.o.env, { from: 'client', to, link, ...m });
    // The trace has a place for an unknown end; the transport's types name only roles and links.
    return send({ ...this.o.env, recordOutbound: () => true }, { from: 'client', to: 'unknown' as Role, link: 'unknown' as LinkId, ...m });
  }

  private get scrub(): boolean {
    return !this.o.quirks?.noScrub && (this.o.scrubOnAccountDelete ?? true);
  }

  private hdr(account: DmAccount, sessionId: string, msgId: number): SyncMLMessage['hdr'] {
    return {
      verDTD: SYNCML.verDTD,
      verProto: SYNCML.verProto,
      sessionId,
      msgId: this.o.quirks?.repeatMsgId ? '1' : String(msgId),
      target: account.addr,
      source: this.o.devInfo.devId,
      meta: { maxMsgSize: String(this.o.maxMsgSize ?? DEFAULT_MAX_MSG_SIZE) },
    };
  }

  private package1(account: DmAccount, alert: string, sessionId: string, msgId: number, cl?: AppAuth): SyncMLMessage {
    const name = cl?.name ?? this.o.devInfo.devId;
    const cred = cl?.secret && !this.o.quirks?.noCredentials ? credFor(clientTypeOf(cl, this.o.quirks), name, cl.secret, nonceOf(cl)) : undefined;
    const hdr = { ...this.hdr(account, sessionId, msgId), ...(cred ? credFields(name, cred) : {}) };
    return package1(hdr, alert, this.o.quirks?.omitDevInfo ? undefined : this.o.devInfo);
  }

  /**
   * After a session: a new Bootstrap Config MO entry means "fetch a bootstrap from this URL" (approach B
   * step 5); once bootstrapped, open a client-initiated session with the new server (step 6).
   */
  private async afterSession(): Promise<void> {
    for (const { path, url } of readBootConfigUrls(this.tree, this.o.env.treeLayout)) {
      if (this.fetched.has(`${path} ${url}`)) continue;
      this.fetched.add(`${path} ${url}`);
      const serverId = await this.bootstrap(url);
      if (serverId) void this.initiate(serverId);
    }
  }

  /** Requests a bootstrap and applies it device-side. Returns the ServerID it provisioned. */
  private async bootstrap(url: string): Promise<string | undefined> {
    const before = new Set(readAccounts(this.tree, this.o.env.treeLayout?.dmAccRoot).map((a) => a.path));
    const hdr = { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: this.newSessionId(), msgId: '1', target: url, source: this.o.devInfo.devId };
    const request = package1(hdr, ALERT.CLIENT_INITIATED_MGMT, this.o.devInfo);
    const res = await send(this.o.env, {
      from: 'client',
      to: 'bootstrap',
      link: 'client-bootstrap',
      url,
      body: this.encode(request),
      contentType: this.syncmlType,
    });
    if (res.status !== 200) throw new Error(`bootstrap from ${url}: HTTP ${res.status}`);
    const message = this.decode(res);
    for (const c of message.body) {
      if (c.kind !== 'Add' && c.kind !== 'Replace') continue;
      for (const item of c.items) {
        if (!item.target) continue;
        this.tree.setNode(item.target, { format: item.meta?.format ?? c.meta?.format ?? 'chr', ...(item.data !== undefined ? { value: item.data } : {}) });
      }
    }
    // The w7 rule: the new account grants Get, Replace and Delete to its own ServerID.
    const added = readAccounts(this.tree, this.o.env.treeLayout?.dmAccRoot).filter((a) => !before.has(a.path));
    if (!this.o.quirks?.noW7Acl) for (const a of added) writeAccountLocal(this.tree, a.path, a.account, this.tree.acl(a.path));
    return added[0]?.account.serverId;
  }
}
