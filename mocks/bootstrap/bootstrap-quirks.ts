import { getResponse, http, type RequestHandler } from 'msw';
import type { ItemCommand } from '../../src/syncml/model.js';

/** Deliberate deviations of the stand-alone Bootstrap Server, for mutants only. */
export interface BootstrapQuirks {
  /** Answer DMS-2's BootstrapOrder with this content type instead of the delegation media type. */
  orderAckContentType?: string;
  /** Acknowledge DMS-2's BootstrapOrder but keep nothing of it. */
  forgetOrders?: boolean;
  /** Do not require a client certificate on the ordering endpoint (and so pin none). */
  clientCertificateOptional?: boolean;
  /** Never answer DMS-2's BootstrapOrder. */
  silentOrders?: boolean;
  /** Serve a bootstrap that departs from the profile's DMAcc layout in one way. */
  servedDefect?: BootstrapDefect;
  /** Take orders from any DM server whose certificate verifies, for an account of any ServerID. */
  acceptAnyPeer?: boolean;
  /** The order endpoint answers 200 whatever DMS-2 sends: any body, content type, a BootstrapOrder again. */
  acceptAnyDelegationMessage?: boolean;
  /** Who gets a bootstrap: each order's device once (the profile), its device every time, or anyone asking. */
  serves?: 'once' | 'again' | 'anyone';
}

export type BootstrapDefect = 'vendor-root' | 'no-appid' | 'wrong-addr' | 'no-credentials' | 'replace';

/** The bootstrap's commands with one deliberate departure from binding profile §4.2. */
export function withDefect(adds: ItemCommand[], defect: BootstrapDefect): ItemCommand[] {
  const target = (c: ItemCommand) => c.items[0]?.target ?? '';
  switch (defect) {
    case 'vendor-root':
      return adds.map((c) => ({ ...c, items: c.items.map((i) => ({ ...i, target: i.target?.replace(/^\.\/DMAcc\//, './Vendor/DMAcc/') })) }));
    case 'no-appid':
      return adds.filter((c) => !target(c).endsWith('/AppID'));
    case 'wrong-addr':
      return adds.map((c) => (target(c).endsWith('/Addr') ? { ...c, items: [{ ...c.items[0], data: 'https://127.0.0.1:1/dm' }] } : c));
    case 'no-credentials':
      return adds.filter((c) => !target(c).includes('/AppAuth'));
    case 'replace':
      return adds.map((c) => ({ ...c, kind: 'Replace' }));
  }
}

/**
 * `inner` with the content type of its answers replaced: the body stays a valid delegation document, so
 * only the content-type rule of the profile is broken.
 */
export function retyped(inner: RequestHandler, path: string, contentType: string): RequestHandler {
  return http.post(`*${path}`, async ({ request }) => {
    const res = await getResponse([inner], request);
    if (!res) return undefined;
    const headers = new Headers(res.headers);
    headers.set('content-type', contentType);
    return new Response(res.body, { status: res.status, headers });
  });
}
