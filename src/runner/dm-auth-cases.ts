import { linkBetween, type Role } from '../model/roles.js';
import { MEDIA, SYNCML } from '../profile.js';
import { md5Cred, newNonce } from '../syncml/auth.js';
import { buildSyncML } from '../syncml/codec.js';
import { ALERT } from '../syncml/codes.js';
import type { Cred } from '../syncml/model.js';
import { sessionIdHex } from '../syncml/notification.js';
import { credFields, package1, type DevInfo } from '../syncml/package1.js';
import { parseBody } from '../trace/parse-body.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { postHttps } from '../transport/https-post.js';

/** The tester's case against a DM server's DM endpoint: a DM client that authenticates wrongly. */
export const DM_AUTH_CASE = 'NEG-DM-AUTH';

export type DmAuthVariantId = 'no-credentials' | 'wrong-digest' | 'stale-nonce';

/**
 * One way package 1 authenticates wrongly, everything else valid: no Cred at all, or an MD5 digest over the
 * account's user name with one ingredient wrong. A variant with a digest needs the account's credentials.
 */
export interface DmAuthVariant {
  id: DmAuthVariantId;
  digest?: { secret: 'right' | 'wrong'; nonce: 'expected' | 'other' };
  /** What package 1 carries, for the verdict text. */
  offers: string;
}

// One case, three variants: a server that authenticates nobody is one fault, one red id.
export const DM_AUTH_VARIANTS: readonly DmAuthVariant[] = [
  { id: 'no-credentials', offers: 'no Cred' },
  { id: 'wrong-digest', digest: { secret: 'wrong', nonce: 'expected' }, offers: 'an MD5 digest over a wrong secret' },
  // The harness cannot make one of the server's own nonces go stale without a session of its own: "stale"
  // is a nonce the server never issued, which it cannot tell from one it issued and retired.
  { id: 'stale-nonce', digest: { secret: 'right', nonce: 'other' }, offers: 'an MD5 digest over the right secret and a nonce the server did not issue' },
];

/** A DM server's DM endpoint and the device the tester poses as. */
export interface DmAuthTarget {
  role: 'dms1' | 'dms2';
  /** The DM URL (Target of package 1). */
  url: string;
  /** The server's ServerID (package 1 does not carry it; it names the target for the caller). */
  serverId: string;
  devId: string;
  devInfo: Omit<DevInfo, 'devId'>;
  /** The device's CLCRED as the harness knows it (config or fixture); without it only `no-credentials` is played. */
  credentials?: { name: string; secret: string; nonce: Buffer };
}

// Client-initiated SessionIDs of the tester: above the mocks' ranges (client 0x101…, Package #0 up to 0xFEFF),
// a fresh one per case, so no case lands in a session of the flow.
let sessionCounter = 0;
const freshSessionId = () => sessionIdHex(0xff00 + (sessionCounter++ % 0x100));

function credOf(v: DmAuthVariant, c: DmAuthTarget['credentials']): Cred | undefined {
  if (!v.digest || !c) return undefined;
  return md5Cred(c.name, v.digest.secret === 'right' ? c.secret : `not-${c.secret}`, v.digest.nonce === 'expected' ? c.nonce : newNonce());
}

/** The variants that can be played against `t`. */
const variantsFor = (t: DmAuthTarget) => DM_AUTH_VARIANTS.filter((v) => !v.digest || t.credentials);

/**
 * Plays one variant: package 1 with Alert 1201 (client-initiated: 1200 would answer a Package #0 that was
 * never sent, and could be taken for a session the server is waiting for) and the device's DevInfo, in one
 * POST, recorded with the probe `NEG-DM-AUTH/<variant>`. The tester never comes back after the answer.
 */
async function playDmAuthVariant(v: DmAuthVariant, t: DmAuthTarget, o: { trace: TraceRecorder; timeoutMs: number; trust: { anchors: string[]; pin?: string } }): Promise<void> {
  const cred = credOf(v, t.credentials);
  const hdr = { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: freshSessionId(), msgId: '1', target: t.url, source: t.devId, ...(cred ? credFields(t.credentials!.name, cred) : {}) };
  await postHttps({
    url: t.url,
    body: buildSyncML(package1(hdr, ALERT.CLIENT_INITIATED_MGMT, { devId: t.devId, ...t.devInfo })),
    contentType: MEDIA.syncml,
    trustAnchors: o.trust.anchors,
    pin: o.trust.pin,
    timeoutMs: o.timeoutMs,
    from: 'client',
    to: t.role,
    link: linkBetween(t.role, 'client')!,
    trace: o.trace,
    parseBody,
    probe: `${DM_AUTH_CASE}/${v.id}`,
  }).catch(() => undefined);
}

/**
 * Plays every variant against every target, all at once, each within `timeoutMs`. The caller stamps the
 * trace `tls-probe`: no step of the delegation.
 */
export function playDmAuthCases(targets: readonly DmAuthTarget[], o: { trace: TraceRecorder; timeoutMs: number; trustOf: (role: Role) => { anchors: string[]; pin?: string } }): Promise<unknown> {
  return Promise.all(targets.flatMap((t) => variantsFor(t).map((v) => playDmAuthVariant(v, t, { trace: o.trace, timeoutMs: o.timeoutMs, trust: o.trustOf(t.role) }))));
}
