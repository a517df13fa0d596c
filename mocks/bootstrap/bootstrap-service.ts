import { http, HttpResponse, type RequestHandler } from 'msw';
import type { DeviceIdentity } from '../../src/delegation/messages.js';
import type { DmAccount } from '../../src/model/account.js';
import { MEDIA, PATHS, SYNCML, TREE, type TreeLayout } from '../../src/profile.js';
import { buildSyncML, parseSyncML } from '../../src/syncml/codec.js';
import type { ItemCommand } from '../../src/syncml/model.js';
import { accountNodeName, accountNodes } from '../../src/tree/dmacc.js';
import { refusal as refuse } from '../../src/transport/https-endpoint.js';
import { NOT_UTF8 } from '../../src/transport/utf8.js';
import { encodingOf, mediaOf, syncmlBytes, syncmlText } from '../../src/syncml/encoding.js';
import { withDefect, type BootstrapDefect } from './bootstrap-quirks.js';

export interface BootstrapOrderRecord {
  sessionId: string;
  device: DeviceIdentity;
  account: DmAccount;
}

/**
 * Serves DM-profile bootstraps: a client POSTs a SyncML request naming its DevId to the Bootstrap Server
 * URL and receives a SyncML message that Adds the ordered DMAcc account. Shared by the stand-alone
 * Bootstrap Server and a DMS-2 that hosts its own.
 */
export class BootstrapService {
  readonly orders = new Map<string, BootstrapOrderRecord>();
  /** Devices served, in order (a bootstrap is served once per order). */
  readonly served: string[] = [];

  constructor(
    private readonly selfUrl: () => string,
    private readonly defect?: BootstrapDefect,
    private readonly serves: 'once' | 'again' | 'anyone' = 'once',
    /** Where the device keeps its accounts: the bootstrap adds the ordered one there. */
    private readonly layout: TreeLayout = TREE,
  ) {}

  /** SessionIds of every order taken, served or not (one order per delegation). */
  readonly ordered = new Set<string>();

  order(o: BootstrapOrderRecord): void {
    this.orders.set(o.device.devId, o);
    this.ordered.add(o.sessionId);
  }

  /** Forgets every order and what was served (between flows of one long-running mock). */
  reset(): void {
    this.orders.clear();
    this.ordered.clear();
    this.served.length = 0;
  }

  handler(): RequestHandler {
    return http.post(`*${PATHS.bootstrap}`, async ({ request }) => {
      const type = request.headers.get('content-type') ?? '';
      // The legacy SyncML type is taken so the flow goes on; PRF-CONTENT-TYPE judges it from the trace.
      const encoding = encodingOf(type);
      if (!encoding) return refuse(415, `expected ${MEDIA.syncml} or ${MEDIA.syncmlWbxml}, got ${type || 'none'}`);
      let devId: string;
      let sessionId: string;
      try {
        const text = syncmlText(await request.arrayBuffer(), encoding);
        if (text === undefined) return refuse(400, NOT_UTF8);
        const m = parseSyncML(text);
        devId = m.hdr.source;
        sessionId = m.hdr.sessionId;
      } catch (err) {
        return refuse(400, (err as Error).message);
      }
      const order = this.orders.get(devId) ?? (this.serves === 'anyone' ? [...this.orders.values()].at(-1) : undefined);
      // A client ahead of DMS-2's order is refused, not kept waiting: the reason is in the trace. So is a
      // second request: the device is known by its DevId alone, so an order is served once (profile §4.2).
      if (!order) {
        const why = this.served.includes(devId) ? `the bootstrap ordered for device ${devId} was served already` : `no BootstrapOrder for device ${devId || '(no DevId in the request)'} has reached this Bootstrap Server`;
        return refuse(404, why);
      }
      if (this.serves === 'once') this.orders.delete(devId);
      this.served.push(devId);
      const base = `${this.layout.dmAccRoot}/${accountNodeName(order.account.serverId)}`;
      const adds: ItemCommand[] = accountNodes(base, order.account).map((n, i) => ({
        kind: 'Add',
        cmdId: String(i + 1),
        meta: { format: n.format },
        items: [{ target: n.path, ...(n.value === undefined ? {} : { data: n.value }) }],
      }));
      const body = buildSyncML({
        hdr: { verDTD: SYNCML.verDTD, verProto: SYNCML.verProto, sessionId, msgId: '1', target: devId, source: this.selfUrl() },
        body: this.defect ? withDefect(adds, this.defect) : adds,
        final: true,
      });
      // Answered in the encoding the device asked in.
      return new HttpResponse(syncmlBytes(body, encoding), { status: 200, headers: { 'content-type': mediaOf(encoding) } });
    });
  }
}
