import { getResponse, http, type RequestHandler } from 'msw';

/** Deliberate deviations of the stand-alone Bootstrap Server, for mutants only. */
export interface BootstrapQuirks {
  /** Answer DMS-2's BootstrapOrder with this content type instead of the delegation media type. */
  orderAckContentType?: string;
  /** Acknowledge DMS-2's BootstrapOrder but keep nothing of it. */
  forgetOrders?: boolean;
  /** Do not require a client certificate on the ordering endpoint (and so pin none). */
  clientCertificateOptional?: boolean;
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
