import { linkBetween } from '../model/roles.js';
import { MEDIA, SYNCML } from '../profile.js';
import { buildSyncML } from '../syncml/codec.js';
import { ALERT } from '../syncml/codes.js';
import { sessionIdHex } from '../syncml/notification.js';
import { package1, type DevInfo } from '../syncml/package1.js';
import { isTesterEvent, type TraceEvent } from '../trace/events.js';
import { parseBody } from '../trace/parse-body.js';
import type { TraceRecorder } from '../trace/recorder.js';
import { postHttps } from '../transport/https-post.js';

/**
 * The tester's cases against a Bootstrap Server (stand-alone, or inside DMS-2), played after a flow in
 * which the client fetched its bootstrap: the bootstrap request of a device nobody ordered one for, and the
 * client's own request once more. Neither may be answered with a bootstrap: it carries the account's secrets.
 */
export const BOOTSTRAP_CASES = [
  { id: 'NEG-BS-UNKNOWN-DEVICE', devId: 'tester-unknown-device', asks: 'the bootstrap of a device no BootstrapOrder named' },
  { id: 'NEG-BS-REPLAY', devId: undefined, asks: "the client's bootstrap once more, after it was served" },
] as const;

/** The bootstrap URL the client used in this flow, from its own request on the wire. */
export function bootstrapUrlOf(events: readonly TraceEvent[]): string | undefined {
  const request = events.find((e) => !isTesterEvent(e) && e.kind === 'request' && e.link === 'client-bootstrap' && e.from === 'client');
  const url = request?.http?.url ?? (request?.body?.parsed?.codec === 'syncml' ? (request.body.parsed.value as { hdr: { target: string } }).hdr.target : undefined);
  return url && /^https:/.test(url) ? url : undefined;
}

let counter = 0;

/** One bootstrap request per case, as the client's own is made (package 1 with Alert 1201 and DevInfo). */
export function playBootstrapCases(url: string, devInfo: DevInfo, o: { trace: TraceRecorder; trustAnchors: string[]; pin?: string; timeoutMs: number }): Promise<unknown> {
  return Promise.all(
    BOOTSTRAP_CASES.map((c) => {
      const devId = c.devId ?? devInfo.devId;
      const hdr = { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId: sessionIdHex(0xfe00 + (++counter % 0x100)), msgId: '1', target: url, source: devId };
      return postHttps({
        url,
        body: buildSyncML(package1(hdr, ALERT.CLIENT_INITIATED_MGMT, { ...devInfo, devId })),
        contentType: MEDIA.syncml,
        trustAnchors: o.trustAnchors,
        pin: o.pin,
        timeoutMs: o.timeoutMs,
        from: 'client',
        to: 'bootstrap',
        link: linkBetween('client', 'bootstrap')!,
        trace: o.trace,
        parseBody,
        probe: c.id,
      }).catch(() => undefined);
    }),
  );
}
