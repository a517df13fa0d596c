import { isUtf8 } from 'node:buffer';
import type { ParsedBody } from '../trace/events.js';

/** Decodes a body for the trace by content type. Installed by the engine (see src/trace/parse-body.ts). */
export type BodyParser = (contentType: string | undefined, raw: Buffer) => ParsedBody | undefined;

/** Text bodies are kept as UTF-8, anything else (Package #0 is binary, a text that is not UTF-8) as base64. */
export function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  return /xml|json|text|html/i.test(contentType);
}

export function traceBody(contentType: string | undefined, raw: Buffer, parse?: BodyParser) {
  // A body that is not UTF-8 as text would lose the very bytes that were refused.
  const textual = isTextual(contentType) && isUtf8(raw);
  return {
    contentType,
    bytes: raw.length,
    encoding: textual ? ('utf8' as const) : ('base64' as const),
    raw: textual ? raw.toString('utf8') : raw.toString('base64'),
    parsed: raw.length ? parse?.(contentType, raw) : undefined,
  };
}
