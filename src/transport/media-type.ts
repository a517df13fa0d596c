/**
 * Content-Type values as RFC 9110 §8.3.1 defines them:
 *
 *   media-type = type "/" subtype *( OWS ";" OWS [ parameter ] )
 *   parameter  = token "=" ( token / quoted-string )
 *
 * Type, subtype and parameter names are case-insensitive; parameter values are kept as sent (a quoted
 * string unquoted). No library in the tree parses this, and the grammar is small.
 */

/** The media type SyncML DM 1.1 clients still send; not the profile's type (application/vnd.syncml.dm+xml). */
export const LEGACY_SYNCML = 'application/vnd.syncml+xml';

export interface MediaType {
  /** Lower-cased. */
  type: string;
  /** Lower-cased. */
  subtype: string;
  /** `type/subtype`, lower-cased. */
  essence: string;
  /** By lower-cased name; the first of a repeated name wins. */
  parameters: Record<string, string>;
}

export type ParsedMediaType = { ok: true; media: MediaType } | { ok: false; reason: string };

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const isTchar = (c: string | undefined) => c !== undefined && TCHAR.test(c);
const isOws = (c: string | undefined) => c === ' ' || c === '\t';
// qdtext and the octet after a backslash: HTAB, SP, visible ASCII, obs-text.
const isQuotedChar = (c: string) => c === '\t' || (c >= ' ' && c !== '\x7f');

export function parseMediaType(header: string | null | undefined): ParsedMediaType {
  // Whitespace around a field value is not part of it (RFC 9110 §5.5).
  const s = (header ?? '').replace(/^[ \t]+|[ \t]+$/g, '');
  if (!s) return { ok: false, reason: 'no media type' };
  let i = 0;
  const token = () => {
    const start = i;
    while (isTchar(s[i])) i++;
    return s.slice(start, i);
  };
  const bad = (what: string): ParsedMediaType => ({ ok: false, reason: `${what} at offset ${i} of "${s}"` });

  const type = token();
  if (!type) return bad('expected a type');
  if (s[i] !== '/') return bad("expected '/'");
  i++;
  const subtype = token();
  if (!subtype) return bad('expected a subtype');

  const parameters: Record<string, string> = {};
  for (;;) {
    while (isOws(s[i])) i++;
    if (i === s.length) break;
    if (s[i] !== ';') return bad("expected ';'");
    i++;
    while (isOws(s[i])) i++;
    // An empty parameter (";;" or a trailing ";") is allowed by the grammar.
    if (i === s.length || s[i] === ';') continue;
    const name = token().toLowerCase();
    if (!name) return bad('expected a parameter name');
    if (s[i] !== '=') return bad("expected '='");
    i++;
    let value: string;
    if (s[i] === '"') {
      i++;
      value = '';
      for (;;) {
        const c = s[i];
        if (c === undefined) return bad('unterminated quoted string');
        if (c === '"') break;
        if (c === '\\') {
          const next = s[i + 1];
          if (next === undefined || !isQuotedChar(next)) return bad('bad quoted pair');
          value += next;
          i += 2;
          continue;
        }
        if (!isQuotedChar(c)) return bad('bad character in quoted string');
        value += c;
        i++;
      }
      i++;
    } else {
      value = token();
      if (!value) return bad('expected a parameter value');
    }
    if (!(name in parameters)) parameters[name] = value;
  }
  const t = type.toLowerCase();
  const st = subtype.toLowerCase();
  return { ok: true, media: { type: t, subtype: st, essence: `${t}/${st}`, parameters } };
}

/**
 * Whether a Content-Type value names exactly `expected` (type and subtype, case-insensitive), whatever
 * parameters it carries. A value that does not parse names nothing.
 */
export function sameMediaType(header: string | null | undefined, expected: string): boolean {
  const got = parseMediaType(header);
  const want = parseMediaType(expected);
  return got.ok && want.ok && got.media.essence === want.media.essence;
}
