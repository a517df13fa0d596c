import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { http, HttpResponse } from 'msw';
import { createCa, createPki, issueLeaf, type Identity, type Pki } from '../../src/pki/pki.js';
import { HttpsEndpoint, connectionOf } from '../../src/transport/https-endpoint.js';
import { KeptConnection, postHttps, TransportError } from '../../src/transport/https-post.js';
import { TraceRecorder } from '../../src/trace/recorder.js';

let pki: Pki;
let foreign: Identity;
let trace: TraceRecorder;
let server: HttpsEndpoint;

beforeAll(async () => {
  pki = await createPki();
  const otherCa = await createCa({ caName: 'foreign CA' });
  foreign = await issueLeaf(otherCa, 'intruder');
  trace = new TraceRecorder();
  server = await new HttpsEndpoint({
    role: 'dms2',
    identity: pki.roles.dms2,
    trustAnchors: [pki.ca.cert],
    mutual: true,
    fixedPeer: { peer: 'dms1', link: 'dms1-dms2' },
    classify: () => ({ peer: 'dms1', link: 'dms1-dms2' }),
    trace,
    maxBodyBytes: 1024,
    handlers: [
      http.post('*/echo', async ({ request }) => {
        const conn = connectionOf(request);
        return HttpResponse.text(`${conn?.tls.peerSubject} says ${await request.text()}`);
      }),
      http.post('*/boom', () => {
        throw new Error('kaboom');
      }),
    ],
  }).start();
});
afterAll(() => server.close());

const post = (path: string, body: string, identity?: Identity, extra: Partial<Parameters<typeof postHttps>[0]> = {}) =>
  postHttps({
    url: `${server.url}${path}`,
    body,
    contentType: 'text/plain',
    identity,
    trustAnchors: [pki.ca.cert],
    timeoutMs: 5000,
    from: 'dms1',
    to: 'dms2',
    link: 'dms1-dms2',
    ...extra,
  });

describe('mutual TLS endpoint', () => {
  test('accepts a client certificate from the run CA and records the TLS facts', async () => {
    const r = await post('/echo', 'hello', pki.roles.dms1);
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('CN=dmdc dms1 says hello');
    expect(['TLSv1.2', 'TLSv1.3']).toContain(r.tls.protocol);
    const req = trace.events().findLast((e) => e.kind === 'request')!;
    expect(req.tls?.authorized).toBe(true);
    expect(req.tls?.peerFingerprint256).toBe(pki.roles.dms1.fingerprint256);
    expect(req.link).toBe('dms1-dms2');
  });

  test('requests sent one after another with a kept connection go on one TLS connection, each with its facts', async () => {
    const keep = new KeptConnection();
    const before = trace.events().length;
    try {
      for (const word of ['one', 'two', 'three']) expect((await post('/echo', word, pki.roles.dms1, { keep })).body.toString()).toContain(`says ${word}`);
    } finally {
      keep.close();
    }
    const mine = trace.events().slice(before);
    expect(mine.filter((e) => e.kind === 'tls')).toHaveLength(1);
    const requests = mine.filter((e) => e.kind === 'request');
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((e) => e.connection)).size).toBe(1);
    for (const q of requests) expect(q.tls?.peerFingerprint256).toBe(pki.roles.dms1.fingerprint256);
  });

  test('two requests at once with a kept connection: one goes on it, the other opens its own', async () => {
    const keep = new KeptConnection();
    const before = trace.events().length;
    try {
      await post('/echo', 'first', pki.roles.dms1, { keep });
      const answers = await Promise.all(['a', 'b'].map((word) => post('/echo', word, pki.roles.dms1, { keep })));
      expect(answers.map((a) => a.body.toString())).toEqual([expect.stringContaining('says a'), expect.stringContaining('says b')]);
    } finally {
      keep.close();
    }
    const requests = trace.events().slice(before).filter((e) => e.kind === 'request');
    expect(requests).toHaveLength(3);
    expect(requests[1].connection === requests[0].connection || requests[2].connection === requests[0].connection).toBe(true);
    expect(requests[1].connection).not.toBe(requests[2].connection);
  });

  test('refuses a client without a certificate and records why', async () => {
    const before = trace.events().length;
    await expect(post('/echo', 'hi')).rejects.toBeInstanceOf(TransportError);
    const refusal = await trace.waitFor((e) => e.seq > before && e.kind === 'tls-error', 2000, 'tls-error');
    expect(refusal.reason).toMatch(/no(ne)? .*certificate|certificate required/i);
  });

  test('refuses a certificate from a foreign CA and records the verification error', async () => {
    const before = trace.events().length;
    await expect(post('/echo', 'hi', foreign)).rejects.toBeInstanceOf(TransportError);
    const refusal = await trace.waitFor((e) => e.seq > before && e.kind === 'tls-error', 2000, 'tls-error');
    expect(refusal.reason).toMatch(/refused: .*(unable|verify|issuer)/i);
    expect(refusal.tls?.peerSubject).toContain('intruder');
  });

  test('a client offering only TLS 1.1 never gets a connection', async () => {
    await expect(
      post('/echo', 'old', pki.roles.dms1, { tls: { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } }),
    ).rejects.toBeInstanceOf(TransportError);
  });

  test('answers 413 to an oversized body and records it', async () => {
    const r = await post('/echo', 'x'.repeat(5000), pki.roles.dms1).catch((e: TransportError) => e);
    // The server answers 413 then closes; depending on timing the client sees the 413 or a reset.
    if (r instanceof TransportError) expect(r.code).toMatch(/ECONNRESET|EPIPE/);
    else expect(r.status).toBe(413);
    const rec = trace.events().findLast((e) => e.kind === 'request')!;
    expect(rec.reason).toMatch(/larger than 1024/);
  });

  test('a throwing handler gives 500 with the reason, and the endpoint keeps serving', async () => {
    const r = await post('/boom', 'x', pki.roles.dms1);
    expect(r.status).toBe(500);
    expect(trace.events().findLast((e) => e.kind === 'response')!.reason).toMatch(/kaboom/);
    expect((await post('/echo', 'still here', pki.roles.dms1)).status).toBe(200);
  });

  test('an unknown path gets 404', async () => {
    expect((await post('/nowhere', 'x', pki.roles.dms1)).status).toBe(404);
  });
});
