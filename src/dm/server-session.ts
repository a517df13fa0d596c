import { http, HttpResponse, type RequestHandler } from 'msw';
import { MAX_BODY_BYTES, MEDIA, SYNCML } from '../profile.js';
import { buildSyncML, parseSyncML, SyncMLError } from '../syncml/codec.js';
import { ALERT, STATUS } from '../syncml/codes.js';
import { credFor, credTypeOf, newNonce, verifyCred, type AuthType } from '../syncml/auth.js';
import { HMAC_HEADER, hmacHeader, verifyHmac } from '../syncml/hmac.js';
import type { AlertCommand, Command, ResultsCommand, StatusCommand, SyncMLMessage } from '../syncml/model.js';
import { reasonHeader, refusal } from '../transport/https-endpoint.js';
import { sameMediaType } from '../transport/media-type.js';
import { NOT_UTF8 } from '../transport/utf8.js';
import { mediaOf, syncmlBytes, syncmlText, type SyncmlEncoding } from '../syncml/encoding.js';
import { WbxmlError } from '../syncml/wbxml.js';
import { asksNextMessage, maxMsgSizeOf, nextMessageAlert, splitToFit } from '../syncml/split.js';
import type { BatchReply, NewCommand } from './commands.js';

/** What a DM server knows about a device it manages (its DMAcc credentials, seen from the server). */
export interface DeviceCredentials {
  devId: string;
  /** CLCRED: what the client presents to us (AAuthType DIGEST when not said). */
  client: { name: string; secret: string; nonce: Buffer; type?: AuthType };
  /** SRVCRED: what we present to the client (and sign Package #0 with). */
  server: { name: string; secret: string; nonce: Buffer; type?: AuthType };
}

/** A client message as it came: its bytes and the x-syncml-hmac header, which an HMAC account's MAC covers. */
interface Arrival {
  bytes: Buffer;
  hmac?: string;
}

export interface SessionStart {
  devId: string;
  sessionId: string;
  /** 1200 (answering Package #0) or 1201 (client-initiated). */
  alert: string;
  devInfo: Record<string, string>;
  /** The MaxMsgSize the client declared in package 1, if any. */
  maxMsgSize?: number;
}

/**
 * A session script: yields batches of commands, receives the client's answers, returns when done.
 * Returning ends the session with a package that holds only statuses and Final.
 */
export type SessionScript = (start: SessionStart) => AsyncGenerator<NewCommand[], void, BatchReply>;

export interface SessionOutcome {
  start: SessionStart;
  /** Every client message of the session, parsed. */
  received: SyncMLMessage[];
  error?: string;
}

interface Session {
  devId: string;
  sessionId: string;
  authenticated: boolean;
  msgId: number;
  start?: SessionStart;
  script?: AsyncGenerator<NewCommand[], void, BatchReply>;
  /** Commands of ours awaiting the client's Status, each with the MsgID of the message that carried it. */
  pending: Array<{ command: Command; msgId: string }>;
  /** Every command of the script's current batch, sent or not: the client may close its package early. */
  batch: Command[];
  /** The rest of our package, for the messages the client asks for with Alert 1222. */
  outbox: Command[];
  /** The client's messages of the package under way (one, unless it spans several). */
  inbox: SyncMLMessage[];
  /** The largest message the client takes (its SyncHdr MaxMsgSize). */
  maxMsgSize?: number;
  encoding: SyncmlEncoding;
  credSent: boolean;
  received: SyncMLMessage[];
  done: (o: SessionOutcome) => void;
  /** Ends a challenged session whose client never sends package 1 again. */
  retry?: ReturnType<typeof setTimeout>;
  /** Sign our credentials with a wrong secret (the tester's case against a client). */
  wrongServerCredential?: boolean;
  /** A header field to forge in the message that carries the script's next batch (the tester's cases). */
  forge?: ForgedHeader;
  /** Batches of the script sent so far. */
  batches: number;
}

/**
 * A SyncHdr forged by the tester: a SessionID of another session, or a MsgID this server already used. It
 * applies to the message carrying the script's batch number `batch` (1: the first, in package 2).
 */
export interface ForgedHeader {
  batch: number;
  sessionId?: string;
  /** Number the message as the one before it. */
  repeatMsgId?: boolean;
}

/** Options of a session the tester starts. */
export interface TesterSessionOptions {
  wrongServerCredential?: boolean;
  forge?: ForgedHeader;
}

export interface DmServerOptions {
  serverId: string;
  /** This server's DM URL (Target of the client's messages). */
  url: () => string;
  /** The credentials of a device this server manages, by DevId. */
  credentialsOf: (devId: string) => DeviceCredentials | undefined;
  /** Script for a client-initiated session (1201), e.g. after a bootstrap. */
  onClientInitiated?: SessionScript;
  /** Called when any session ends. */
  onSessionEnd?: (o: SessionOutcome) => void;
  /** Challenge every session's first package 1, whatever its credentials (a server that always asks). */
  challengeFirst?: boolean;
  /** Authenticate every package 1, whatever its credentials or none (mutants only). */
  acceptAnyCredentials?: boolean;
  /** How long a challenged session waits for package 1 again before it ends (default 10 s). */
  retryWindowMs?: number;
  /** Take no nonce the client hands over (mutants only). */
  ignoreClientNonces?: boolean;
  /** Hand an HMAC client the nonce it already holds with every message, never a new one (mutants only). */
  reuseHmacNonce?: boolean;
  /** The MaxMsgSize we declare: the largest message we take from a client (default: the request body limit). */
  maxMsgSize?: number;
  /** Send every package as one message, whatever MaxMsgSize the client declared (mutants only). */
  ignoreMaxMsgSize?: boolean;
  /** Compute the x-syncml-hmac of our messages with a wrong secret (mutants only). */
  wrongMac?: boolean;
}

/** Signs a message of ours for a client whose SRVCRED is HMAC: the x-syncml-hmac value over its bytes. */
type Signer = (bytes: Buffer) => string;

/** Our answer, in the encoding the client's message came in, signed when the account asks for it. */
const answerIn = (encoding: SyncmlEncoding, sign?: () => Signer | undefined) => (body: string, status = 200, reason?: string) => {
  const bytes = syncmlBytes(body, encoding);
  const signer = sign?.();
  return new HttpResponse(bytes, {
    status,
    headers: { 'content-type': mediaOf(encoding), ...(signer ? { [HMAC_HEADER]: signer(bytes) } : {}), ...reasonHeader(reason) },
  });
};

/**
 * The server side of OMA DM sessions (packages 2 and 4), driven by scripts. It authenticates the client
 * (syncml:auth-md5 or basic, challenging with 407/401), authenticates itself with SRVCRED, answers every
 * client package, numbers commands and messages, and pairs each command with the client's Status/Results.
 */
export class DmServer {
  private readonly sessions = new Map<string, Session>();
  /**
   * The nonces in effect with each device, by its credentials record: the provisioned ones until a session
   * moves them. Kept here, never written into the record, so a record configured again starts afresh.
   */
  private nonces = new WeakMap<DeviceCredentials, { client: Buffer; server: Buffer }>();
  private readonly expected = new Map<string, { script: SessionScript; done: (o: SessionOutcome) => void } & TesterSessionOptions>();

  constructor(private readonly o: DmServerOptions) {}

  /** Registers a script for the session the device will open after our Package #0 with `sessionId`. */
  expect(devId: string, sessionId: string, script: SessionScript, o: TesterSessionOptions = {}): Promise<SessionOutcome> {
    return new Promise((done) => this.expected.set(`${devId}#${sessionId.toUpperCase()}`, { script, done, ...o }));
  }

  /** Gives up a session (expected or under way), so nothing of it outlives the case that asked for it. */
  abandon(devId: string, sessionId: string): void {
    const key = `${devId}#${sessionId.toUpperCase()}`;
    this.expected.get(key)?.done({ start: { devId, sessionId, alert: '', devInfo: {} }, received: [], error: 'abandoned' });
    this.expected.delete(key);
    const s = this.sessions.get(key);
    if (s) this.finish(s, 'abandoned');
  }

  handler(path = '*/dm'): RequestHandler {
    return http.post(path, ({ request }) => this.respond(request));
  }

  /** Answers one client message (what handler() does for each request it takes). */
  async respond(request: Request): Promise<Response> {
    const type = request.headers.get('content-type') ?? '';
    const encoding = sameMediaType(type, MEDIA.syncml) ? 'xml' : sameMediaType(type, MEDIA.syncmlWbxml) ? 'wbxml' : undefined;
    if (!encoding) return refusal(415, `expected ${MEDIA.syncml} or ${MEDIA.syncmlWbxml}, got ${type || 'none'}`);
    let msg: SyncMLMessage;
    const arrival: Arrival = { bytes: Buffer.from(await request.arrayBuffer()), hmac: request.headers.get(HMAC_HEADER) ?? undefined };
    try {
      const text = syncmlText(arrival.bytes, encoding);
      if (text === undefined) return refusal(400, NOT_UTF8);
      msg = parseSyncML(text);
    } catch (err) {
      const reason = err instanceof SyncMLError || err instanceof WbxmlError ? err.message : String(err);
      return refusal(400, reason);
    }
    return this.onMessage(msg, arrival, encoding);
  }

  private async onMessage(msg: SyncMLMessage, arrival: Arrival, encoding: SyncmlEncoding): Promise<Response> {
    let signed: Session | undefined;
    const xml = answerIn(encoding, () => signed && this.signer(signed));
    const devId = msg.hdr.source;
    const key = `${devId}#${msg.hdr.sessionId}`;
    const alert = msg.body.find((c): c is AlertCommand => c.kind === 'Alert');
    const opens = !!alert && (alert.data === ALERT.SERVER_INITIATED_MGMT || alert.data === ALERT.CLIENT_INITIATED_MGMT);
    // A device keeps one session with us at a time: a message under another SessionID without a session
    // Alert continues the device's open session. The changed SessionID is the client's fault, judged from
    // the trace; going on keeps the rest of the flow judgeable.
    let s = this.sessions.get(key) ?? (opens ? undefined : this.onlySessionOf(devId));
    clearTimeout(s?.retry);
    if (!s) {
      if (!opens) {
        const reason = 'first message of a session carries no Alert 1200/1201';
        return xml(this.build(msg, 1, [this.hdrStatus(msg, STATUS.BAD_REQUEST)]), 200, reason);
      }
      // A session answering our Package #0 under another SessionID is still that trigger's session.
      const expKey = this.expected.has(key) ? key : alert.data === ALERT.SERVER_INITIATED_MGMT ? [...this.expected.keys()].find((k) => k.startsWith(`${devId}#`)) : undefined;
      const exp = expKey ? this.expected.get(expKey) : undefined;
      if (expKey) this.expected.delete(expKey);
      s = {
        devId,
        sessionId: msg.hdr.sessionId,
        authenticated: false,
        msgId: 0,
        pending: [],
        batch: [],
        outbox: [],
        inbox: [],
        encoding,
        credSent: false,
        received: [],
        done: exp?.done ?? (() => {}),
        wrongServerCredential: exp?.wrongServerCredential,
        forge: exp?.forge,
        batches: 0,
      };
      const script = exp?.script ?? (alert.data === ALERT.CLIENT_INITIATED_MGMT ? this.o.onClientInitiated : undefined);
      s.start = { devId, sessionId: msg.hdr.sessionId, alert: alert.data, devInfo: devInfoOf(msg), maxMsgSize: maxMsgSizeOf(msg) };
      s.script = (script ?? emptyScript)(s.start);
      this.sessions.set(key, s);
    }
    s.received.push(msg);
    signed = s;
    try {
      const { body, reason } = await this.answer(s, msg, arrival);
      return xml(body, 200, reason);
    } catch (err) {
      const reason = String((err as Error).message ?? err);
      this.finish(s, reason);
      return xml(this.build(msg, ++s.msgId, [this.hdrStatus(msg, STATUS.COMMAND_FAILED), abortAlert()]), 200, `session aborted: ${reason}`);
    }
  }

  /** Our next package, and why when it refuses at the SyncML level (a challenge: 401/407 in the SyncHdr Status). */
  private async answer(s: Session, msg: SyncMLMessage, arrival: Arrival): Promise<{ body: string; reason?: string }> {
    const device = this.o.credentialsOf(s.devId);
    const type = device?.client.type ?? 'DIGEST';
    const out: Command[] = [];
    // An HMAC account authenticates every message (DM 1.2.1 Security §5.1.3): there is no 212 for the session.
    if (!s.authenticated || type === 'HMAC') {
      const check = this.o.acceptAnyCredentials
        ? { ok: true }
        : !device
        ? { ok: false, reason: `unknown device ${s.devId}` }
        : this.o.challengeFirst && s.received.length === 1
          ? { ok: false, reason: 'first package 1 always challenged' }
        : type === 'HMAC'
          ? verifyHmac(arrival.hmac, arrival.bytes, { username: device.client.name, password: device.client.secret, nonce: this.noncesOf(device).client })
        : !msg.hdr.cred
          ? { ok: false, reason: 'no credentials' }
          : verifyCred(msg.hdr.cred, { username: device.client.name, password: device.client.secret, nonce: this.noncesOf(device).client, type });
      if (!check.ok) {
        const code = (type === 'HMAC' ? arrival.hmac : msg.hdr.cred) ? STATUS.UNAUTHORIZED : STATUS.MISSING_CREDENTIALS;
        // Every challenge carries a new nonce (DM 1.2.1 Security: after a failure, a new challenge with a new
        // nonce); an unknown device is challenged like any other, nothing tells it apart.
        out.push({ ...this.hdrStatus(msg, code), chal: this.chal(type, device) });
        // An HMAC message that does not verify mid-session ends the session: nothing of it is executed.
        if (s.authenticated) {
          this.finish(s, `authentication failed: ${check.reason}`);
          return { body: this.build(msg, ++s.msgId, out, true), reason: `authentication failed (${code}): ${check.reason}` };
        }
        // The client answers a challenge by sending package 1 again; an unknown device gets nothing more.
        if (!device || s.received.length > 2) this.finish(s, `authentication failed: ${check.reason}`);
        else this.awaitRetry(s, check.reason);
        return { body: this.build(msg, ++s.msgId, out, true), reason: `authentication failed (${code}): ${check.reason}` };
      }
      s.authenticated = true;
      // The nonce for the client's next session goes with the 212, a new one every session; an HMAC message
      // is accepted with 200 and the nonce its next message's MAC uses. Basic credentials take no nonce.
      out.push({ ...this.hdrStatus(msg, type === 'HMAC' ? STATUS.OK : STATUS.AUTH_ACCEPTED), ...(type === 'BASIC' ? {} : { chal: this.chal(type, device) }) });
    } else {
      out.push(this.hdrStatus(msg, STATUS.OK));
    }
    const refusedUs = this.takeServerNonce(s, msg, device);
    s.maxMsgSize = maxMsgSizeOf(msg) ?? s.maxMsgSize;
    // Status for every client command that is not itself a Status or Results (Alert 1222 included).
    for (const c of msg.body) {
      if (c.kind === 'Status' || c.kind === 'Results') continue;
      out.push(this.status(msg, c.cmdId, c.kind, STATUS.OK));
    }
    // A client that aborts gets only statuses (DM 1.2.1 Protocol §2.3.1), and the script goes no further.
    if (msg.body.some((c) => c.kind === 'Alert' && c.data === ALERT.SESSION_ABORT)) {
      this.finish(s, 'the client aborted the session (Alert 1223)');
      return { body: this.build(msg, ++s.msgId, out, true) };
    }
    // A client that refused our credentials executed nothing: the same commands again, with credentials
    // signed with the nonce it gave.
    if (refusedUs && s.pending.length) {
      s.outbox = [...s.pending.map((p) => p.command), ...s.outbox];
      s.pending = [];
      s.inbox = [];
      return this.sendNext(s, msg, out, device);
    }
    // Multi-message packages (DM 1.2.1 Protocol §2.1): the client asks for the next message of ours, or
    // sends its own package in several, and we ask for its next message.
    if (s.outbox.length && asksNextMessage(msg)) {
      s.inbox.push(msg);
      return this.sendNext(s, msg, out, device);
    }
    if (!msg.final) {
      s.inbox.push(msg);
      return { body: this.build(msg, ++s.msgId, [...out, nextMessageAlert()], false) };
    }
    // A client that closes its package before asking for the rest of ours leaves those commands unanswered.
    const reply = pairReply(s.batch, s.pending, [...s.inbox, msg]);
    s.inbox = [];
    const next = await s.script!.next(reply);
    if (next.done || next.value.length === 0) {
      this.finish(s);
      return { body: this.build(msg, ++s.msgId, out, true, this.credOnce(s, device)) };
    }
    s.pending = [];
    s.batch = next.value.map((c) => ({ ...c, cmdId: '' }) as Command);
    s.outbox = [...s.batch];
    const forged = s.forge?.batch === ++s.batches ? s.forge : undefined;
    return this.sendNext(s, msg, out, device, forged);
  }

  /**
   * The next message of our package: the statuses `out`, then as many commands of the outbox as fit the
   * client's MaxMsgSize; Final only on the last. Its commands await the client's Status.
   */
  private sendNext(s: Session, msg: SyncMLMessage, out: Command[], device?: DeviceCredentials, forged?: ForgedHeader): { body: string } {
    const cred = this.credOnce(s, device);
    // The message measured last is the one sent when the whole package fits it: built once, not twice.
    let measured: { body: Command[]; xml: string } | undefined;
    const sizeOf = (b: Command[]) => {
      measured = { body: b, xml: this.build(msg, s.msgId + 1, b, true, cred) };
      return syncmlBytes(measured.xml, s.encoding).length;
    };
    const [body, ...rest] = splitToFit([...out, ...s.outbox], this.o.ignoreMaxMsgSize ? undefined : s.maxMsgSize, sizeOf, out.length);
    s.outbox = rest.flat();
    const msgId = forged?.repeatMsgId ? s.msgId : ++s.msgId;
    const final = s.outbox.length === 0;
    const built = !forged && final && measured?.body === body ? measured.xml : this.build(msg, msgId, body, final, cred, forged);
    for (const command of body) if (command.kind !== 'Status') s.pending.push({ command, msgId: String(msgId) });
    return { body: built };
  }

  /** Forgets every session, so no timer outlives the endpoint. */
  close(): void {
    for (const s of this.sessions.values()) clearTimeout(s.retry);
    this.sessions.clear();
  }

  /** Sessions under way (authenticated or waiting for package 1 again after a challenge). */
  get openSessions(): number {
    return this.sessions.size;
  }

  /**
   * A challenged session lasts only while its client may still answer: a hostile client that never comes
   * back leaves nothing behind. The timer does not keep the process alive.
   */
  private awaitRetry(s: Session, reason?: string): void {
    s.retry = setTimeout(() => this.finish(s, `authentication failed: ${reason}; package 1 not sent again`), this.o.retryWindowMs ?? 10_000);
    s.retry.unref();
  }

  /** The session a message without a session Alert continues; only an authenticated one can be continued. */
  private onlySessionOf(devId: string): Session | undefined {
    const open = [...this.sessions.values()].filter((x) => x.devId === devId && x.authenticated);
    return open.length === 1 ? open[0] : undefined;
  }

  /** The nonces in effect with the device whose credentials these are. */
  noncesOf(device: DeviceCredentials): { client: Buffer; server: Buffer } {
    let n = this.nonces.get(device);
    if (!n) this.nonces.set(device, (n = { client: device.client.nonce, server: device.server.nonce }));
    return n;
  }

  /** Back to the provisioned nonces for every device (a long-running mock's reset). */
  forgetNonces(): void {
    this.nonces = new WeakMap();
  }

  /** A challenge of the account's type; a new nonce with it unless the type is basic. */
  private chal(type: AuthType, device?: DeviceCredentials): StatusCommand['chal'] {
    const t = device ? type : 'DIGEST';
    const nonce = this.o.reuseHmacNonce && t === 'HMAC' ? this.noncesOf(device!).client : this.nextClientNonce(device);
    return { type: credTypeOf(t), format: 'b64', ...(t === 'BASIC' ? {} : { nextNonce: nonce.toString('base64') }) };
  }

  /** For a device whose SRVCRED is HMAC: every message of ours carries the MAC, with the client's last nonce. */
  private signer(s: Session): Signer | undefined {
    const device = this.o.credentialsOf(s.devId);
    if (device?.server.type !== 'HMAC') return undefined;
    const secret = s.wrongServerCredential || this.o.wrongMac ? `not-${device.server.secret}` : device.server.secret;
    const nonce = this.noncesOf(device).server;
    return (bytes) => hmacHeader(device.server.name, secret, nonce, bytes);
  }

  /** A new nonce for the client's credentials, kept as the one its next credentials must use. */
  private nextClientNonce(device?: DeviceCredentials): Buffer {
    const nonce = newNonce();
    if (device) this.noncesOf(device).client = nonce;
    return nonce;
  }

  /**
   * The client's Status for our SyncHdr may hand us the nonce our next credentials and Package #0 must use;
   * a client that refused our credentials (401/407) gets them again, signed with it. True when it refused.
   */
  private takeServerNonce(s: Session, msg: SyncMLMessage, device?: DeviceCredentials): boolean {
    const st = msg.body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd === 'SyncHdr');
    if (!device || !st) return false;
    if (st.chal?.nextNonce && !this.o.ignoreClientNonces) this.noncesOf(device).server = Buffer.from(st.chal.nextNonce, 'base64');
    const refused = st.data === STATUS.UNAUTHORIZED || st.data === STATUS.MISSING_CREDENTIALS;
    if (refused) s.credSent = false;
    return refused;
  }

  /** SRVCRED goes in our first authenticated message only (in Cred; an HMAC one signs every message instead). */
  private credOnce(s: Session, device?: DeviceCredentials): DeviceCredentials | undefined {
    if (s.credSent || !device || device.server.type === 'HMAC') return undefined;
    s.credSent = true;
    const server = { ...device.server, nonce: this.noncesOf(device).server, ...(s.wrongServerCredential ? { secret: `not-${device.server.secret}` } : {}) };
    return { ...device, server };
  }

  private finish(s: Session, error?: string): void {
    clearTimeout(s.retry);
    this.sessions.delete(`${s.devId}#${s.sessionId}`);
    const outcome: SessionOutcome = { start: s.start!, received: s.received, ...(error ? { error } : {}) };
    s.done(outcome);
    this.o.onSessionEnd?.(outcome);
  }

  private hdrStatus(msg: SyncMLMessage, code: string): StatusCommand {
    return { kind: 'Status', cmdId: '1', msgRef: msg.hdr.msgId, cmdRef: '0', cmd: 'SyncHdr', targetRefs: [msg.hdr.target], sourceRefs: [msg.hdr.source], data: code, items: [] };
  }

  private status(msg: SyncMLMessage, cmdRef: string, cmd: string, code: string): StatusCommand {
    return { kind: 'Status', cmdId: '0', msgRef: msg.hdr.msgId, cmdRef, cmd, targetRefs: [], sourceRefs: [], data: code, items: [] };
  }

  private build(msg: SyncMLMessage, msgId: number, commands: Command[], final = true, device?: DeviceCredentials, forged?: ForgedHeader): string {
    commands.forEach((c, i) => (c.cmdId = String(i + 1)));
    const cred = device ? credFor(device.server.type, device.server.name, device.server.secret, device.server.nonce) : undefined;
    return buildSyncML({
      hdr: {
        verDTD: SYNCML.verDTD,
        verProto: msg.hdr.verProto || SYNCML.verProto,
        sessionId: forged?.sessionId ?? msg.hdr.sessionId,
        msgId: String(msgId),
        target: msg.hdr.source,
        source: this.o.url(),
        ...(cred ? { cred } : {}),
        meta: { maxMsgSize: String(this.o.maxMsgSize ?? MAX_BODY_BYTES) },
      },
      body: commands,
      final,
    });
  }
}

async function* emptyScript(): AsyncGenerator<NewCommand[], void, BatchReply> {}

function abortAlert(): AlertCommand {
  return { kind: 'Alert', cmdId: '0', data: ALERT.SESSION_ABORT, items: [] };
}

/** DevInfo the client sent in package 1 (Replace items with ./DevInfo/... sources). */
function devInfoOf(msg: SyncMLMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of msg.body) {
    if (c.kind !== 'Replace') continue;
    for (const it of c.items) {
      const uri = it.source ?? it.target;
      if (uri?.startsWith('./DevInfo/')) out[uri.slice('./DevInfo/'.length)] = it.data ?? '';
    }
  }
  return out;
}

/** Pairs each command of our last batch with the Status and Results the client sent for it. */
/** Pairs each command of the batch with the Status and Results the client sent for it (none for a command never sent). */
function pairReply(batch: Command[], pending: Session['pending'], received: SyncMLMessage[]): BatchReply {
  const body = received.flatMap((m) => m.body);
  return {
    outcomes: batch.map((command) => {
      const sent = pending.find((p) => p.command === command);
      const ours = (c: { msgRef: string; cmdRef: string }) => !!sent && c.msgRef === sent.msgId && c.cmdRef === command.cmdId;
      return {
        command,
        status: body.find((c): c is StatusCommand => c.kind === 'Status' && c.cmd !== 'SyncHdr' && ours(c)),
        results: body.find((c): c is ResultsCommand => c.kind === 'Results' && ours(c)),
      };
    }),
  };
}
