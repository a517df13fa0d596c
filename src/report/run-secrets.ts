/**
 * The values a run's reports must not show a customer, and their removal. The secrets are found where the
 * protocol puts them: the credentials the harness holds (each flow's facts), every account secret and
 * nonce written to a device (an Item whose target is an AAuthSecret or AAuthData leaf, in XML or decoded
 * WBXML), every NextNonce handed over, basic credentials, and the same leaves in the observed trees. Each is
 * then removed wherever it recurs, whatever carries it.
 */
import { createReadStream, createWriteStream, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { FlowResult } from '../runner/run-flow.js';
import { decodeWbxml } from '../syncml/wbxml.js';
import { bodyBytes, type TraceEvent } from '../trace/events.js';
import { releaseTraceFile } from '../trace/recorder.js';

export const REDACTED = '[redacted]';
/** Shorter values would match by chance in other text; no secret or nonce the harness sees is this short. */
const MIN_LENGTH = 6;

const SECRET_LEAF = /\/AAuth(?:Secret|Data)$/;
const ITEM_SECRET = /<Item>(?:(?!<\/Item>)[\s\S])*?<LocURI>[^<]*\/AAuth(?:Secret|Data)<\/LocURI>(?:(?!<\/Item>)[\s\S])*?<Data>([^<]*)<\/Data>/g;
// With or without its namespace (xmlns="syncml:metinf" on the harness's own messages and decoded WBXML).
const NEXT_NONCE = /<NextNonce\b[^>]*>([^<]*)<\/NextNonce>/g;
const BASIC_CRED = /<Cred>(?:(?!<\/Cred>)[\s\S])*?syncml:auth-basic(?:(?!<\/Cred>)[\s\S])*?<Data>([^<]*)<\/Data>/g;

const printable = (s: string) => /^[\x20-\x7e]+$/.test(s);
const isBase64 = (s: string) => /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0;

/** A base64 value, and what it decodes to when that is text (a nonce is written either way). */
function withDecoded(value: string): string[] {
  const decoded = isBase64(value) ? Buffer.from(value, 'base64').toString('latin1') : '';
  return printable(decoded) ? [value, decoded] : [value];
}

/** A body as text: XML as sent, WBXML decoded. */
function bodyText(e: TraceEvent): string {
  if (!e.body?.raw) return '';
  if (e.body.encoding !== 'base64') return e.body.raw;
  try {
    return decodeWbxml(bodyBytes(e));
  } catch {
    return '';
  }
}

/** Every secret value of a run's flows. */
export function runSecrets(flows: readonly FlowResult[]): Set<string> {
  const found = new Set<string>();
  const add = (...values: Array<string | undefined>) => {
    for (const v of values) if (v && v.trim().length >= MIN_LENGTH && v !== REDACTED) found.add(v.trim());
  };
  for (const f of flows) {
    for (const c of Object.values(f.facts.serverCredentials ?? {})) add(c.secret, ...withDecoded(c.nonce));
    for (const c of Object.values(f.facts.clientCredentials ?? {})) add(c.secret);
    for (const tree of [f.initialTree, f.finalTree]) for (const n of tree.nodes) if (SECRET_LEAF.test(n.path)) add(...withDecoded(n.value ?? ''));
    for (const e of f.events) {
      const text = bodyText(e);
      if (!text) continue;
      for (const m of text.matchAll(ITEM_SECRET)) add(...withDecoded(m[1]!));
      for (const m of text.matchAll(NEXT_NONCE)) add(...withDecoded(m[1]!));
      for (const m of text.matchAll(BASIC_CRED)) {
        const pair = withDecoded(m[1]!);
        add(m[1]!, pair[1]?.split(':').slice(1).join(':'));
      }
    }
  }
  return found;
}

/**
 * Replaces every secret in a text; longest first, so a secret containing another goes whole. A text is
 * searched for each secret as it is (a plain substring search), not through one regular expression of all.
 */
function redactor(secrets: ReadonlySet<string>): (text: string) => string {
  if (!secrets.size) return (t) => t;
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  return (text) => {
    if (text.length < MIN_LENGTH) return text;
    let out = text;
    for (const s of longestFirst) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };
}

/** The byte strings to mask in a binary body: each secret as text, and the bytes a base64 secret stands for. */
function byteNeedles(secrets: ReadonlySet<string>): Buffer[] {
  // WBXML carries a nonce as opaque bytes.
  return [...secrets].flatMap((s) => [Buffer.from(s, 'utf8'), ...(isBase64(s) ? [Buffer.from(s, 'base64')] : [])]).filter((n) => n.length >= MIN_LENGTH);
}

/** Masks the needles in binary bytes (a WBXML body) with as many '*': the message keeps its length and shape. */
function maskBytes(bytes: Buffer, needles: readonly Buffer[]): Buffer {
  const out = Buffer.from(bytes);
  for (const needle of needles) {
    for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, at + needle.length)) out.fill(0x2a, at, at + needle.length);
  }
  return out;
}

/** A JSON value (a report, a trace event) without the secrets: a copy whose string values are redacted. */
export function redactJson<T>(value: T, secrets: ReadonlySet<string>, redact = redactor(secrets)): T {
  // Only inside strings: a secret that reads like a number or a key name leaves the structure alone.
  const copy = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v);
    if (Array.isArray(v)) return v.map(copy);
    if (v && typeof v === 'object') {
      // As JSON has it: toJSON first (a Date), undefined members left out.
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return copy((v as { toJSON: () => unknown }).toJSON());
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (x !== undefined && typeof x !== 'function') out[k] = copy(x);
      return out;
    }
    return v;
  };
  return copy(value) as T;
}

/** Trace files up to this size are redacted in memory; a larger one (a fleet's) line by line from a stream. */
const IN_MEMORY_BYTES = 32 * 1024 * 1024;

/** One trace line without the secrets of its flow. */
function lineRedactor(secretsOf: (flowId: string | undefined) => ReadonlySet<string>): (line: string) => string {
  const plans = new Map<ReadonlySet<string>, { redact: (text: string) => string; spelt: string[]; needles: Buffer[] }>();
  return (line) => {
    const e = JSON.parse(line) as TraceEvent;
    const secrets = secretsOf(e.flow);
    if (!secrets.size) return line;
    let plan = plans.get(secrets);
    if (!plan) {
      plan = { redact: redactor(secrets), spelt: [...secrets].map((x) => JSON.stringify(x).slice(1, -1)), needles: byteNeedles(secrets) };
      plans.set(secrets, plan);
    }
    const binary = e.body?.encoding === 'base64' && !!e.body.raw;
    // A line that holds none of them (as JSON spells them inside a string, or in a binary body) stays as read.
    if (!binary && !plan.spelt.some((x) => line.includes(x))) return line;
    const redacted = redactJson(e, secrets, plan.redact);
    // A binary body is masked byte by byte, never edited as text: it stays valid base64 of as many bytes.
    if (binary) redacted.body!.raw = maskBytes(bodyBytes(e), plan.needles).toString('base64');
    return JSON.stringify(redacted);
  };
}

/**
 * Rewrites a trace file without the secrets: each event with the secrets of its flow, text replaced and
 * binary bodies masked. The file is replaced whole, by a rename.
 */
export async function redactTraceFile(file: string, secretsOf: (flowId: string | undefined) => ReadonlySet<string>): Promise<void> {
  const redactLine = lineRedactor(secretsOf);
  const tmp = `${file}.redacting`;
  try {
    if (statSync(file).size <= IN_MEMORY_BYTES) {
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      writeFileSync(tmp, lines.map((l) => `${redactLine(l)}\n`).join(''));
    } else {
      const sink = createWriteStream(tmp);
      try {
        for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
          if (line && !sink.write(`${redactLine(line)}\n`)) await once(sink, 'drain');
        }
        await new Promise<void>((done, fail) => sink.end((err?: Error | null) => (err ? fail(err) : done())));
      } finally {
        sink.destroy();
      }
    }
  } catch (err) {
    // Nothing half-written is left for the manifest to list; the trace stays as it was and the run says why.
    rmSync(tmp, { force: true });
    throw err;
  }
  releaseTraceFile(file);
  renameSync(tmp, file);
}
