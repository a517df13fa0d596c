import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { DriverSpec } from '../config/config.js';
import type { TraceRecorder } from '../trace/recorder.js';

/** What an upper-tester action did. `output` is what it printed (command) or answered (http). */
export interface DriverOutcome {
  ok: boolean;
  output: string;
  /** One line for humans: "exit 0", "HTTP 202", "timed out after 5000 ms", "exit 3: <stderr tail>". */
  detail: string;
  durationMs: number;
}

export interface DriverOptions {
  /** Which driver this is (setup, reset, trigger, ...), for the trace note. */
  name: string;
  /** Used when the spec sets no timeoutMs. */
  budgetMs: number;
  trace?: TraceRecorder;
  /** Working directory of a command (the config file's directory). */
  cwd?: string;
}

const MAX_OUTPUT_BYTES = 1024 * 1024;
const STDERR_TAIL_BYTES = 2048;
const DETAIL_TAIL_CHARS = 400;
/** After SIGTERM, how long a timed-out process group gets before SIGKILL. */
const KILL_GRACE_MS = 1000;
/** After the shell exits, how long its output pipes may take to drain (a background child may hold them). */
const DRAIN_MS = 200;

/**
 * `{name}`: a letter or underscore, then letters, digits, dots, underscores or hyphens (link ids such as
 * `{proxy.dms1-dms2}` have hyphens). `${...}` is shell parameter expansion, never a placeholder.
 */
const PLACEHOLDER = /(?<!\$)\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;

/** Every template string of a spec, with how a value is escaped inside it. */
function templates(spec: DriverSpec): string[] {
  if ('command' in spec) return [spec.command];
  const h = spec.http;
  return [h.url, ...Object.values(h.headers ?? {}), ...(h.body === undefined ? [] : [h.body])];
}

/** The placeholder names a spec uses, each once, in order of appearance (to check a config offline). */
export function placeholdersOf(spec: DriverSpec): string[] {
  const names = new Set<string>();
  for (const t of templates(spec)) for (const m of t.matchAll(PLACEHOLDER)) names.add(m[1]);
  return [...names];
}

function fill(template: string, vars: Record<string, string>, escape: (v: string, at: number) => string): string {
  return template.replace(PLACEHOLDER, (_m, name: string, at: number) => escape(vars[name], at));
}

/** POSIX single quoting: the value reaches the program as one literal argument. */
function shellQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/** Runs an upper-tester action with its placeholders filled; never throws. */
export async function runDriver(spec: DriverSpec, vars: Record<string, string>, o: DriverOptions): Promise<DriverOutcome> {
  const started = performance.now();
  const missing = placeholdersOf(spec).filter((n) => !Object.hasOwn(vars, n));
  let result: Omit<DriverOutcome, 'durationMs'>;
  if (missing.length) {
    // Refused before anything runs: a half-filled command could do harm.
    result = { ok: false, output: '', detail: `unknown placeholder${missing.length > 1 ? 's' : ''} ${missing.map((n) => `{${n}}`).join(', ')}` };
  } else {
    const timeoutMs = spec.timeoutMs ?? o.budgetMs;
    result = 'command' in spec ? await runCommand(spec.command, vars, timeoutMs, o.cwd) : await runHttp(spec.http, vars, timeoutMs);
  }
  const outcome = { ...result, durationMs: Math.round(performance.now() - started) };
  // What a driver reports is the harness's word, not wire evidence: a note, never a message event.
  o.trace?.note(`driver ${o.name}: ${outcome.detail}`);
  return outcome;
}

function runCommand(template: string, vars: Record<string, string>, timeoutMs: number, cwd?: string): Promise<Omit<DriverOutcome, 'durationMs'>> {
  const command = fill(template, vars, shellQuote);
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = Buffer.alloc(0);
    let settled = false;
    let drain: NodeJS.Timeout | undefined;
    // Its own process group, so a timeout kills the shell and everything it started.
    const child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

    const output = () => Buffer.concat(out).toString('utf8');
    const settle = (ok: boolean, detail: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drain);
      // A background process the command left running keeps running; our ends of its pipes are closed.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ ok, output: output(), detail });
    };
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };

    child.stdout.on('data', (c: Buffer) => {
      if (outBytes >= MAX_OUTPUT_BYTES) return;
      const part = c.subarray(0, MAX_OUTPUT_BYTES - outBytes);
      out.push(part);
      outBytes += part.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      errTail = Buffer.concat([errTail, c]);
      if (errTail.length > STDERR_TAIL_BYTES) errTail = errTail.subarray(errTail.length - STDERR_TAIL_BYTES);
    });

    const timer = setTimeout(() => {
      killGroup('SIGTERM');
      // Unconditional: the shell may be gone while a child that ignores SIGTERM lives on in the group.
      setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS).unref();
      settle(false, `timed out after ${timeoutMs} ms`);
    }, timeoutMs);

    child.on('error', (err) => settle(false, `could not run /bin/sh${cwd ? ` in ${cwd}` : ''}: ${err.message}`));
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      const tail = stderrTail(errTail);
      if (code === 0) settle(true, 'exit 0');
      else settle(false, `${signal ? `killed by ${signal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`);
    };
    // 'close' waits for the pipes to drain; 'exit' bounds that wait when a background child holds them.
    child.on('close', (code, signal) => finish(code, signal));
    child.on('exit', (code, signal) => {
      if (!settled) drain = setTimeout(() => finish(code, signal), DRAIN_MS);
    });
  });
}

function stderrTail(b: Buffer): string {
  const text = b.toString('utf8').trim().replace(/\s*\n\s*/g, ' | ');
  return text.length > DETAIL_TAIL_CHARS ? `…${text.slice(-DETAIL_TAIL_CHARS)}` : text;
}

type HttpSpec = Extract<DriverSpec, { http: unknown }>['http'];

async function runHttp(h: HttpSpec, vars: Record<string, string>, timeoutMs: number): Promise<Omit<DriverOutcome, 'durationMs'>> {
  // A value that starts the URL is its base (e.g. a mock's URL) and goes in as is; elsewhere it is one component.
  const url = fill(h.url, vars, (v, at) => (at === 0 ? v : encodeURIComponent(v)));
  const headers = Object.fromEntries(Object.entries(h.headers ?? {}).map(([k, t]) => [k, fill(t, vars, (v) => v)]));
  // JSON-string escaping without the quotes, so `"{devId}"` inside a JSON body stays valid JSON.
  const body = h.body === undefined ? undefined : fill(h.body, vars, (v) => JSON.stringify(v).slice(1, -1));
  const method = h.method ?? (body === undefined ? 'GET' : 'POST');
  if (method === 'GET' && body !== undefined) return { ok: false, output: '', detail: 'a GET request cannot carry a body' };
  try {
    const res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const output = await readCapped(res);
    const ok = res.status >= 200 && res.status < 300;
    const snippet = output.trim().replace(/\s+/g, ' ').slice(0, DETAIL_TAIL_CHARS);
    return { ok, output, detail: ok || !snippet ? `HTTP ${res.status}` : `HTTP ${res.status}: ${snippet}` };
  } catch (err) {
    return { ok: false, output: '', detail: fetchFailure(err, url, timeoutMs) };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const part = value.subarray(0, MAX_OUTPUT_BYTES - size);
    chunks.push(part);
    size += part.length;
    if (size >= MAX_OUTPUT_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fetchFailure(err: unknown, url: string, timeoutMs: number): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const code = e?.cause?.code;
  const where = safeOrigin(url);
  if (code === 'ECONNREFUSED') return `connection refused: ${where}`;
  if (code) return `${code}: ${e.cause?.message ?? e.message} (${where})`;
  return `request failed: ${e?.cause?.message ?? e?.message ?? String(err)} (${where})`;
}

/** The origin only: a URL's path or query may carry a filled-in secret. */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid URL';
  }
}
