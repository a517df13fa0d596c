import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { EndpointLimits } from '../config/limits.js';
import { headerReason, REASON_HEADER } from './reason-header.js';

/** An answer to a request no handler will see: Node's HTTP parser gave up on it, it is a CONNECT, or it expects what is not met. */
export interface ParserRefusal {
  status: number;
  reason: string;
  headers?: Record<string, string>;
}

/** Every endpoint of the profile serves POST only (binding profile §2): another method is refused with 405. */
export const methodNotAllowed = (method: string): ParserRefusal => ({ status: 405, reason: `method ${method} not allowed: this endpoint serves POST only`, headers: { allow: 'POST' } });

/** An Expect other than 100-continue: none is met here (RFC 9110 §10.1.1). */
export const expectationFailed = (expect: string | undefined): ParserRefusal => ({ status: 417, reason: `expectation "${expect ?? ''}" cannot be met: only 100-continue is` });

/** What to answer a request Node's parser refused (its `clientError`), with the reason. */
export function parserRefusal(err: Error & { code?: string; rawPacket?: Buffer }, limits: EndpointLimits): ParserRefusal {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: `REQUEST_TIMEOUT: the request was not complete within ${limits.headersMs} ms (headers) or ${limits.requestMs} ms (whole request)` };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, reason: 'HPE_HEADER_OVERFLOW: request headers larger than 16 KiB' };
    case 'HPE_INVALID_METHOD': {
      // A token the parser does not know as a method (FOO, TRACK) is a method still; bytes that are none are a bad request.
      const method = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}(?= )/.exec(err.rawPacket?.toString('latin1') ?? '')?.[0];
      if (method) return methodNotAllowed(method);
    }
  }
  return { status: 400, reason: `${err.code ?? 'BAD_REQUEST'}: ${err.message}` };
}

/** Writes `r` straight on a socket whose HTTP parser is done with it and closes the connection; false when it could not. */
export function answerRaw(socket: Duplex, r: ParserRefusal): boolean {
  if (!socket.writable) {
    socket.destroy();
    return false;
  }
  const body = Buffer.from(r.reason);
  const head = [`HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}`, 'connection: close', 'content-type: text/plain', `content-length: ${body.length}`, `${REASON_HEADER}: ${headerReason(r.reason)}`, ...Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}`)];
  socket.write(Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`), body]));
  closeSoon(socket);
  return true;
}

/** Ends a connection once what was written is out; a peer that never reads does not hold it open. */
export function closeSoon(socket: Duplex): void {
  socket.end();
  setTimeout(() => socket.destroy(), 1_000).unref();
}
