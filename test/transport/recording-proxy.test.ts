import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { http, HttpResponse } from 'msw';
import { createPki, type Pki } from '../../src/pki/pki.js';
import type { BodyParser } from '../../src/transport/body-parser.js';
import { HttpsEndpoint, REASON_HEADER, connectionOf } from '../../src/transport/https-endpoint.js';
import { headerReason } from '../../src/transport/reason-header.js';
import { postHttps, TransportError } from '../../src/transport/https-post.js';
import { RecordingProxy } from '../../src/transport/recording-proxy.js';
import { TraceRecorder } from '../../src/trace/recorder.js';

const MEDIA = 'application/vnd.dm.delegation+xml';
const parseBody: BodyParser = (contentType, raw) => ({ codec: 'none', summary: `${contentType}: ${raw.length} bytes` });

let pki: Pki;
let upstreamTrace: TraceRecorder;
let upstream: HttpsEndpoint;
const proxies: RecordingProxy[] = [];

/** What the upstream saw of each request, to check the proxy forwarded it unchanged. */
const received: Array<{ url: string; contentType: string | null; body: string; peer?: string }> = [];

beforeAll(async () => {
  pki = await createPki();
  upstreamTrace = new TraceRecorder();
  upstream = await new HttpsEndpoint({
    role: 'dms2',
    identity: pki.roles.dms2,
    trustAnchors: [pki.ca.cert],
    mutual: true,
    fixedPeer: { peer: 'dms1', link: 'dms1-dms2' },
    classify: () => ({ peer: 'dms1', link: 'dms1-dms2' }),
    trace: upstreamTrace,
    handlers: [
      http.post('*/delegation', async ({ request }) => {
        const body = await request.text();
        received.push({ url: request.url, contentType: request.headers.get('content-type'), body, peer: connectionOf(request)?.tls.peerSubject });
        return new HttpResponse(`<Ack>${body}</Ack>`, { status: 201, headers: { 'content-type': `${MEDIA}; charset=utf-8` } });
      }),
      http.post('*/empty', () => new HttpResponse(null, { status: 204 })),
      // Never answers: the proxy's budget must end the wait.
      http.post('*/hang', () => new Promise<Response>(() => {})),
    ],
  }).start();
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await upstream.close();
});

async function startProxy(target: string, o: { budgetMs?: number; pin?: string } = {}): Promise<{ proxy: RecordingProxy; trace: TraceRecorder }> {
  const trace = new TraceRecorder();
  const proxy = await new RecordingProxy({
    link: 'dms1-dms2',
    from: 'dms1',
    to: 'dms2',
    upstream: target,
    identity: pki.roles.dms2,
    trustAnchors: [pki.ca.cert],
    upstreamIdentity: pki.roles.dms1,
    mutual: true,
    trace,
    parseBody,
    budgetMs: o.budgetMs ?? 5000,
    pin: o.pin,
  }).start();
  proxies.push(proxy);
  return { proxy, trace };
}

const postVia = (proxy: RecordingProxy, path: string, body: string, withCertificate = true) =>
  postHttps({
    url: `${proxy.url}${path}`,
    body,
    contentType: MEDIA,
    identity: withCertificate ? pki.roles.dms1 : undefined,
    trustAnchors: [pki.ca.cert],
    timeoutMs: 5000,
    from: 'dms1',
    to: 'dms2',
    link: 'dms1-dms2',
  });

describe('recording proxy', () => {
  test('forwards a POST and returns the answer unchanged', async () => {
    const { proxy } = await startProxy(upstream.url);
    const r = await postVia(proxy, '/delegation?session=7', '<Init/>');
    expect(r.status).toBe(201);
    expect(r.headers['content-type']).toBe(`${MEDIA}; charset=utf-8`);
    expect(r.body.toString()).toBe('<Ack><Init/></Ack>');
    expect(received.at(-1)).toEqual({ url: `${upstream.url}/delegation?session=7`, contentType: MEDIA, body: '<Init/>', peer: 'CN=dmdc dms1' });
  });

  test('records the request and response once, on the link, with the TLS facts of the inbound connection', async () => {
    const { proxy, trace } = await startProxy(upstream.url);
    await postVia(proxy, '/delegation', '<Complete/>');
    const events = trace.events();
    expect(events.filter((e) => e.kind !== 'tls').every((e) => e.observer.side === 'server' && e.observer.role === 'dms2')).toBe(true);
    const requests = events.filter((e) => e.kind === 'request');
    const responses = events.filter((e) => e.kind === 'response');
    expect(requests).toHaveLength(1);
    expect(responses).toHaveLength(1);
    const [req] = requests;
    const [res] = responses;
    expect(req).toMatchObject({ link: 'dms1-dms2', from: 'dms1', to: 'dms2', http: { method: 'POST', path: '/delegation' } });
    expect(req.body).toMatchObject({ contentType: MEDIA, raw: '<Complete/>', parsed: { summary: `${MEDIA}: 11 bytes` } });
    expect(['TLSv1.2', 'TLSv1.3']).toContain(req.tls?.protocol);
    expect(req.tls).toMatchObject({ authorized: true, peerCertificate: true, peerFingerprint256: pki.roles.dms1.fingerprint256 });
    expect(res).toMatchObject({ link: 'dms1-dms2', from: 'dms2', to: 'dms1', exchange: req.exchange, http: { status: 201 } });
    expect(res.body?.raw).toBe('<Ack><Complete/></Ack>');
    // The inbound handshake, and the upstream one that shows the implementation's own certificate.
    const [inbound, upstreamTls] = events.filter((e) => e.kind === 'tls');
    expect(inbound.observer).toEqual({ role: 'dms2', side: 'server' });
    expect(upstreamTls).toMatchObject({ observer: { role: 'proxy', side: 'client' }, from: 'dms1', to: 'dms2', tls: { authorized: true, peerFingerprint256: pki.roles.dms2.fingerprint256 } });
    expect(events.filter((e) => e.kind === 'tls')).toHaveLength(2);
  });

  test('an upstream that is not the pinned certificate is refused, recorded as a tls-error with its facts', async () => {
    const { proxy, trace } = await startProxy(upstream.url, { pin: pki.roles.dms1.fingerprint256 });
    const r = await postVia(proxy, '/delegation', '<Pinned/>');
    expect(r.status).toBe(502);
    const refused = trace.events().find((e) => e.kind === 'tls-error')!;
    expect(refused).toMatchObject({ observer: { role: 'proxy', side: 'client' }, to: 'dms2', tls: { authorized: true, peerFingerprint256: pki.roles.dms2.fingerprint256 } });
    expect(refused.reason).toMatch(/^PIN_MISMATCH: /);
    expect(received.some((x) => x.body === '<Pinned/>')).toBe(false);
  });

  test('a response without a body passes through', async () => {
    const { proxy } = await startProxy(upstream.url);
    const r = await postVia(proxy, '/empty', 'x');
    expect(r.status).toBe(204);
    expect(r.body.length).toBe(0);
  });

  test('on a mutual link a client without a certificate is refused and the refusal recorded', async () => {
    const { proxy, trace } = await startProxy(upstream.url);
    await expect(postVia(proxy, '/delegation', 'x', false)).rejects.toBeInstanceOf(TransportError);
    const refused = await trace.waitFor((e) => e.kind === 'tls-error', 2000, 'tls-error');
    expect(refused).toMatchObject({ link: 'dms1-dms2', from: 'dms1', to: 'dms2' });
    expect(refused.reason).toMatch(/certificate required/);
  });

  test('an unreachable upstream gives 502 with the reason and a note', async () => {
    const { proxy, trace } = await startProxy(`https://127.0.0.1:${await closedPort()}`);
    const r = await postVia(proxy, '/delegation', '<Init/>');
    expect(r.status).toBe(502);
    expect(r.headers[REASON_HEADER]).toMatch(/^proxy: upstream https:\/\/127\.0\.0\.1:\d+\/delegation failed: .*ECONNREFUSED/);
    const note = trace.events().find((e) => e.kind === 'note')!;
    expect(note).toMatchObject({ link: 'dms1-dms2', from: 'harness' });
    expect(note.note).toMatch(/^proxy dms1-dms2: upstream .* failed: .*ECONNREFUSED/);
    // The whole reason is in the trace (and the body); the header carries it bounded and in ASCII.
    expect(trace.events().find((e) => e.kind === 'response')).toMatchObject({ http: { status: 502 }, reason: r.body.toString() });
    expect(headerReason(r.body.toString())).toBe(r.headers[REASON_HEADER]);
  });

  test('an upstream that does not answer within the budget gives 502', async () => {
    const { proxy, trace } = await startProxy(upstream.url, { budgetMs: 300 });
    const r = await postVia(proxy, '/hang', '<Init/>');
    expect(r.status).toBe(502);
    expect(r.headers[REASON_HEADER]).toMatch(/TIMEOUT: no response within 300 ms/);
    expect(trace.events().some((e) => e.kind === 'note' && /TIMEOUT/.test(e.note ?? ''))).toBe(true);
  });

  test('a method other than POST is refused, not forwarded', async () => {
    const { proxy } = await startProxy(upstream.url);
    const before = received.length;
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${proxy.url}/delegation`);
      httpsRequest(
        { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname, ca: [pki.ca.cert], key: pki.roles.dms1.key, cert: pki.roles.dms1.cert, agent: false },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(status).toBe(405);
    expect(received.length).toBe(before);
  });
});

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}
