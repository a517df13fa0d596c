/**
 * How a handler's reason for a refusal travels: bounded and printable in a response header for the peer,
 * whole to the endpoint, which records it in the trace. A reason quotes what the peer sent (an element name
 * of 100 KB, control characters) and must never make the answer itself fail.
 */

/** Response header a handler sets to explain a refusal. */
export const REASON_HEADER = 'x-dmdc-reason';
/** The whole reason, percent-encoded, from a handler to its endpoint; the endpoint never sends it. */
const FULL_REASON_HEADER = 'x-dmdc-full-reason';
/** Longest reason on the wire: far below any peer's header limit (Node's is 16 KiB for all headers). */
export const MAX_HEADER_REASON = 200;

/** A reason as a header value: printable ASCII, cut to MAX_HEADER_REASON with "..." where it is cut. */
export function headerReason(reason: string): string {
  const ascii = reason.replace(/→/g, '->').replace(/[^\x20-\x7e]/g, '?');
  return ascii.length > MAX_HEADER_REASON ? `${ascii.slice(0, MAX_HEADER_REASON - 3)}...` : ascii;
}

/** Lone surrogates cannot be percent-encoded; they become U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** The headers that carry a refusal's reason. */
export function reasonHeader(reason: string | undefined): Record<string, string> {
  return reason ? { [REASON_HEADER]: headerReason(reason), [FULL_REASON_HEADER]: encodeURIComponent(wellFormed(reason)) } : {};
}

/**
 * The reason of an answer for the trace, taken out of its headers, which keep the bounded one for the wire.
 * A REASON_HEADER set some other way is bounded too.
 */
export function takeReason(headers: Record<string, string>): string | undefined {
  const full = headers[FULL_REASON_HEADER];
  delete headers[FULL_REASON_HEADER];
  const reason = full !== undefined ? decodeURIComponent(full) : headers[REASON_HEADER];
  if (reason !== undefined) headers[REASON_HEADER] = headerReason(reason);
  return reason;
}

/** A plain-text refusal whose reason also travels in REASON_HEADER, so it lands in the trace. */
export function refusal(status: number, reason: string, headers: Record<string, string> = {}): Response {
  return new Response(reason, { status, headers: { 'content-type': 'text/plain', ...headers, ...reasonHeader(reason) } });
}
