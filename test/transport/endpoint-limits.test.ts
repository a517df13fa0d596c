import { connect as tcpConnect, type Socket } from 'node:net';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createPki, type Pki } from '../../src/pki/pki.js';
import { playRenegotiation } from '../../src/runner/tls-renegotiation.js';
import type { TraceEvent } from '../../src/trace/events.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { HttpsEndpoint, refusal, REASON_HEADER } from '../../src/transport/https-endpoint.js';
import { postHttps } from '../../src/transport/https-post.js';
import { MAX_HEADER_REASON } from '../../src/transport/reason-header.js';
import { connectionsOf, figures, sendInput, type Outcome, type FuzzTarget } from '../support/fuzz-run.js';

/**
 * What an endpoint does with a hostile peer before any handler is involved: every case is answered (or the
 * connection closed) within the endpoint's limits, and is in the trace with a reason.
 */
const LIMITS = { headersMs: 300, requestMs: 600, connections: 3 };
const LONG_REASON = `unknown element <${'N'.repeat(100_000)}> \u0007→`;

let pki: Pki;
let trace: TraceRecorder;
let server: HttpsEndpoint;
let target: FuzzTarget;

beforeAll(async () => {
  pki = await createPki();
  trace = new TraceRecorder();
  server = await new HttpsEndpoint({
    role: 'dms2',
    identity: pki.roles.dms2,
    trustAnchors: [pki.ca.cert],
    mutual: false,
    fixedPeer: { peer: 'client', link: 'dms2-client' },
    classify: () => ({ peer: 'client', link: 'dms2-client' }),
    trace,
    limits: LIMITS,
    handlers: [http.post('*/echo', async ({ request }) => HttpResponse.text(await request.text())), http.post('*/why', () => refusal(400, LONG_REASON))],
  }).start();
  target = { name: 'echo', mock: 'dms2', kind: 'delegation', path: '/echo', url: `${server.url}/echo`, trustAnchors: [pki.ca.cert] };
});
afterAll(() => server.close());

const raw = (head: string, body = '') => Buffer.from(`${head}\r\nhost: 127.0.0.1\r\nconnection: close\r\n${body ? `content-length: ${body.length}\r\n` : ''}\r\n${body}`);
const since = (seq: number, match: (e: TraceEvent) => boolean) => trace.events().filter((e) => e.seq > seq && match(e));
const lastSeq = () => trace.events().at(-1)?.seq ?? 0;
const traced = (o: Outcome) => figures([o], connectionsOf([o], trace.events()));

describe('an endpoint under hostile peers', () => {
  test('a reason of 100 KB: a bounded, printable header; the whole reason in the body and in the trace', async () => {
    const r = await postHttps({ url: `${server.url}/why`, body: 'x', contentType: 'text/plain', trustAnchors: [pki.ca.cert], timeoutMs: 3000, from: 'client', to: 'dms2', link: 'dms2-client' });
    expect(r.status).toBe(400);
    expect(r.headers[REASON_HEADER]).toMatch(/^[\x20-\x7e]+\.\.\.$/);
    expect(r.headers[REASON_HEADER]).toHaveLength(MAX_HEADER_REASON);
    expect(Object.keys(r.headers).filter((k) => k.startsWith('x-dmdc-'))).toEqual([REASON_HEADER]);
    expect(r.body.toString()).toBe(LONG_REASON);
    expect(trace.events().findLast((e) => e.kind === 'response')!.reason).toBe(LONG_REASON);
  });

  test.for(['TRACE', 'GET', 'DELETE', 'CONNECT', 'FOO', 'TRACK'])('method %s: 405 with a reason, in the trace', async (method) => {
    const o = await sendInput(target, { mutation: method, bytes: raw(`${method} /echo HTTP/1.1`) }, 3000);
    expect(o.status).toBe(405);
    const f = traced(o);
    expect(f.untraced).toEqual([]);
    expect(f.traced).toBe(1);
  });

  test.for([
    { name: 'no Host header', head: 'POST /echo HTTP/1.1\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi', status: 400, reason: /no Host header/ },
    { name: 'an expectation other than 100-continue', head: 'POST /echo HTTP/1.1\r\nhost: x\r\nexpect: 200-ok\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi', status: 417, reason: /expectation "200-ok"/ },
    { name: 'Expect: 100-continue', head: 'POST /echo HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\nconnection: close\r\ncontent-length: 2\r\n\r\nhi', status: 200, reason: undefined },
  ])('$name: answered $status by the endpoint, with its reason, in the trace', async ({ head, status, reason }) => {
    const before = lastSeq();
    const o = await sendInput(target, { mutation: 'headers', bytes: Buffer.from(head) }, 3000);
    expect(o.status).toBe(status);
    const f = traced(o);
    expect(f.untraced).toEqual([]);
    const answer = since(before, (e) => e.kind === 'response').at(-1)!;
    if (reason) expect(answer.reason).toMatch(reason);
  });

  test.for([
    { name: 'headers that stop halfway', bytes: Buffer.from('POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-ty'), within: LIMITS.headersMs },
    { name: 'a body that stops halfway', bytes: Buffer.from('POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n0123456789'), within: LIMITS.requestMs },
    { name: 'nothing after the handshake', bytes: Buffer.alloc(0), within: LIMITS.headersMs },
  ])('$name: 408 within the limit, with a reason, in the trace', async ({ bytes, within }) => {
    const t0 = Date.now();
    const o = await sendInput(target, { mutation: 'stall', bytes, stall: true }, 5000);
    expect(o.status).toBe(408);
    // Node looks for expired requests every headersMs / 4 here.
    expect(Date.now() - t0).toBeLessThan(within + 500);
    expect(traced(o).untraced).toEqual([]);
  });

  test('a peer that never starts its handshake is closed at headersMs and traced', async () => {
    const before = lastSeq();
    const t0 = Date.now();
    const socket = tcpConnect(server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('close', resolve).on('error', () => {}));
    expect(Date.now() - t0).toBeLessThan(LIMITS.headersMs + 500);
    expect(since(before, (e) => e.kind === 'tls-error')[0]?.reason).toMatch(/HANDSHAKE_TIMEOUT|timeout/i);
  });

  test('a connection past the cap is closed at once, and traced', async () => {
    const before = lastSeq();
    const held: Socket[] = [];
    for (let i = 0; i < LIMITS.connections; i++) held.push(tcpConnect(server.port, '127.0.0.1').on('error', () => {}));
    await Promise.all(held.map((s) => new Promise((resolve) => s.once('connect', resolve))));
    const o = await sendInput(target, { mutation: 'one too many', bytes: raw('POST /echo HTTP/1.1', 'hi') }, 3000);
    for (const s of held) s.destroy();
    expect(o.tlsRefused).toBeDefined();
    expect(since(before, (e) => e.kind === 'error')[0]).toMatchObject({ reason: expect.stringMatching(/CONNECTION_LIMIT: 3 connections/), remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    // The endpoint is free again once it has seen them go.
    await vi.waitFor(() => expect(since(before, (e) => e.kind === 'tls-error')).toHaveLength(LIMITS.connections));
  });

  test('a renegotiation is refused, and the refusal is in the endpoint trace', async () => {
    const before = lastSeq();
    const client = new TraceRecorder();
    await playRenegotiation('reneg', { role: 'dms2', peer: 'client', link: 'dms2-client', url: server.url, mutual: false }, { trace: client, trustAnchors: [pki.ca.cert], timeoutMs: 3000 });
    expect(client.events().some((e) => e.kind === 'tls-error')).toBe(true);
    const refused = await trace.waitFor((e) => e.seq > before && e.kind === 'tls-error' && !!e.reason?.startsWith('ERR_TLS_RENEGOTIATION_DISABLED'), 2000, 'the refusal');
    expect(refused).toMatchObject({ from: 'client', to: 'dms2', observer: { side: 'server' }, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
  });
});
