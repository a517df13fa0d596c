import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { placeholdersOf, runDriver } from '../../src/drivers/driver.js';
import { TraceRecorder } from '../../src/trace/recorder.js';

const NASTY = [`it's a "test"`, '$(echo pwned) `echo pwned` $HOME ; echo pwned', 'two  spaces\tand\nnewline', '*', ''];

describe('command driver', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dmdc-driver-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('shell-dangerous values arrive literally, each as one argument', async () => {
    const vars = Object.fromEntries(NASTY.map((v, i) => [`v${i}`, v]));
    const command = `printf '[%s]' ${NASTY.map((_, i) => `{v${i}}`).join(' ')}`;
    const r = await runDriver({ command }, vars, { name: 'trigger', budgetMs: 5000, cwd: dir });
    expect(r).toMatchObject({ ok: true, detail: 'exit 0' });
    expect(r.output).toBe(NASTY.map((v) => `[${v}]`).join(''));
  });

  test('shell ${...} expansion is not a placeholder; the command runs in cwd', async () => {
    const r = await runDriver({ command: 'X=lit; printf %s "${X}:"; pwd' }, {}, { name: 'setup', budgetMs: 5000, cwd: dir });
    expect(r.ok).toBe(true);
    expect(r.output.trim()).toBe(`lit:${dir}`);
  });

  test('a non-zero exit is not ok, and the detail keeps the stderr tail', async () => {
    const r = await runDriver({ command: 'echo out; echo first >&2; echo "last words" >&2; exit 3' }, {}, { name: 'reset', budgetMs: 5000 });
    expect(r.ok).toBe(false);
    expect(r.output).toBe('out\n');
    expect(r.detail).toBe('exit 3: first | last words');
  });

  test('a command past its budget is killed with its process group', async () => {
    const budgetMs = 1000;
    const t0 = Date.now();
    // The shell reports its background child, then waits: both must die.
    const r = await runDriver({ command: 'sleep 30 & echo $!; wait' }, {}, { name: 'setup', budgetMs });
    expect(Date.now() - t0).toBeLessThan(budgetMs + 2000);
    expect(r).toMatchObject({ ok: false, detail: `timed out after ${budgetMs} ms` });
    const pid = Number(r.output.trim());
    expect(pid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 2000, interval: 20 });
  });

  test('the spec timeout overrides the budget', async () => {
    const t0 = Date.now();
    const r = await runDriver({ command: 'sleep 30', timeoutMs: 300 }, {}, { name: 'reset', budgetMs: 60_000 });
    expect(r.detail).toBe('timed out after 300 ms');
    expect(Date.now() - t0).toBeLessThan(300 + 2000);
  });

  test('an unknown placeholder is refused before anything runs', async () => {
    const marker = join(dir, 'ran');
    const trace = new TraceRecorder();
    const r = await runDriver({ command: 'touch {marker} && echo {nope} {other.x}' }, { marker }, { name: 'trigger', budgetMs: 5000, trace });
    expect(r.ok).toBe(false);
    expect(r.detail).toBe('unknown placeholders {nope}, {other.x}');
    expect(existsSync(marker)).toBe(false);
    expect(trace.events().map((e) => [e.kind, e.note])).toEqual([['note', 'driver trigger: unknown placeholders {nope}, {other.x}']]);
  });

  test('what a driver did is a note in the trace, never wire evidence', async () => {
    const trace = new TraceRecorder();
    await runDriver({ command: 'true' }, {}, { name: 'reset', budgetMs: 5000, trace });
    const [e] = trace.events();
    expect(e).toMatchObject({ kind: 'note', note: 'driver reset: exit 0', from: 'harness', observer: { role: 'harness', side: 'none' } });
  });

  test('placeholdersOf lists the names a spec uses', () => {
    expect(placeholdersOf({ command: 'send {pkg0Hex} {serverId} {pkg0Hex} ${HOME} {proxy.dms1-dms2}' })).toEqual(['pkg0Hex', 'serverId', 'proxy.dms1-dms2']);
    expect(
      placeholdersOf({ http: { url: '{base}/devices/{devId}', headers: { authorization: 'Bearer {token}' }, body: '{"devId":"{devId}","n":{count}}' } }),
    ).toEqual(['base', 'devId', 'token', 'count']);
  });
});

describe('http driver', () => {
  interface Seen {
    method?: string;
    url?: string;
    headers: IncomingMessage['headers'];
    body: string;
  }
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (req.url?.startsWith('/hang')) return; // never answers
        if (req.url?.startsWith('/fail')) {
          res.writeHead(500, { 'content-type': 'text/plain' }).end('device busy');
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('substitutes method, URL, headers and body; the body stays valid JSON', async () => {
    const devId = 'IMEI:35 "x"/ü?&';
    const note = 'quote " backslash \\ newline \n tab \t {braces}';
    const r = await runDriver(
      { http: { method: 'PUT', url: `${base}/devices/{devId}?q={note}`, headers: { 'x-token': 'Bearer {token}' }, body: '{"devId":"{devId}","note":"{note}"}' } },
      { devId, note, token: 'abc def' },
      { name: 'reset', budgetMs: 5000 },
    );
    expect(r).toMatchObject({ ok: true, detail: 'HTTP 202', output: '{"accepted":true}' });
    const s = seen.at(-1)!;
    expect(s.method).toBe('PUT');
    expect(s.url).toBe(`/devices/${encodeURIComponent(devId)}?q=${encodeURIComponent(note)}`);
    expect(s.headers['x-token']).toBe('Bearer abc def');
    expect(JSON.parse(s.body)).toEqual({ devId, note });
  });

  test('a value that starts the URL is its base; the method defaults to POST with a body, GET without', async () => {
    const withBody = await runDriver({ http: { url: '{base}/trigger', body: 'go' } }, { base }, { name: 'trigger', budgetMs: 5000 });
    expect(withBody.ok).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/trigger', body: 'go' });
    const without = await runDriver({ http: { url: '{base}/tree' } }, { base }, { name: 'readTree', budgetMs: 5000 });
    expect(without.ok).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/tree' });
  });

  test('a non-2xx answer is not ok', async () => {
    const r = await runDriver({ http: { url: `${base}/fail` } }, {}, { name: 'reset', budgetMs: 5000 });
    expect(r).toMatchObject({ ok: false, detail: 'HTTP 500: device busy', output: 'device busy' });
  });

  test('a server that never answers runs out of the budget', async () => {
    const budgetMs = 500;
    const t0 = Date.now();
    const r = await runDriver({ http: { url: `${base}/hang`, body: '{}' } }, {}, { name: 'setup', budgetMs });
    expect(r).toMatchObject({ ok: false, detail: `timed out after ${budgetMs} ms` });
    expect(Date.now() - t0).toBeLessThan(budgetMs + 2000);
  });

  test('a refused connection is not ok and says so', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await runDriver({ http: { url: `http://127.0.0.1:${port}/x` } }, {}, { name: 'setup', budgetMs: 5000 });
    expect(r.ok).toBe(false);
    expect(r.detail).toBe(`connection refused: http://127.0.0.1:${port}`);
  });
});

/** Gone, or a zombie nobody reaped yet (PID 1 of a container may not reap). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}
