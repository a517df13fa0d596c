/**
 * XML codec of the delegation messages (binding profile v1). The one place that knows the XML form, so the
 * real XSD can replace the profile here without touching the mocks or the checks.
 *
 * Parsing goes XML → wire object (every value a string, keys = TypeScript field names) → JSON Schema check →
 * message. Every rejection names the offending element or attribute by its path in the document.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { WIRE_VERSION } from '../profile.js';
import { HandOn } from '../syncml/hand-on.js';
import { MESSAGE_TYPES, type DelegationMessage, type DelegationMessageType } from './messages.js';
import { validateWire } from './schemas.js';

export const DELEGATION_NS = 'urn:dmdc:delegation:1.0';
export const DELEGATION_ROOT = 'Delegation';

export type ParseResult =
  | { ok: true; message: DelegationMessage }
  | { ok: false; code: 'MALFORMED' | 'INVALID'; reason: string };

// ---------------------------------------------------------------------------------------------------------------
// Layout: where each wire field sits in the XML. Order here is the order the builder writes.

type Field =
  | { kind: 'text' | 'texts'; key: string; tag: string }
  | { kind: 'attr'; key: string; name: string }
  | { kind: 'object' | 'objects'; key: string; tag: string; fields: readonly Field[] };

const text = (key: string, tag: string): Field => ({ kind: 'text', key, tag });
const texts = (key: string, tag: string): Field => ({ kind: 'texts', key, tag });
const attr = (key: string, name: string): Field => ({ kind: 'attr', key, name });
const object = (key: string, tag: string, fields: readonly Field[]): Field => ({ kind: 'object', key, tag, fields });
const objects = (key: string, tag: string, fields: readonly Field[]): Field => ({ kind: 'objects', key, tag, fields });

const SESSION_ID = text('sessionId', 'SessionId');
const DEVICE = object('device', 'Device', [text('devId', 'DevId'), text('man', 'Man'), text('mod', 'Mod')]);
const ACCOUNT = object('account', 'Account', [
  text('serverId', 'ServerId'),
  text('name', 'Name'),
  text('addr', 'Addr'),
  text('addrType', 'AddrType'),
  text('portNbr', 'PortNbr'),
  text('aauthPref', 'AAuthPref'),
  objects('appAuth', 'AppAuth', [
    text('level', 'Level'),
    text('type', 'Type'),
    text('name', 'Name'),
    text('secret', 'Secret'),
    text('data', 'Data'),
  ]),
]);

const LAYOUTS: Readonly<Record<DelegationMessageType, readonly Field[]>> = {
  DelegationInitiationRequest: [
    SESSION_ID,
    text('delegatorServerId', 'DelegatorServerId'),
    text('delegateeServerId', 'DelegateeServerId'),
    DEVICE,
    object('delegationType', 'DelegationType', [attr('scope', 'scope'), attr('duration', 'duration')]),
    texts('subtrees', 'Subtree'),
    text('approach', 'Approach'),
  ],
  DelegationInitiationResponse: [SESSION_ID, text('accepted', 'Accepted'), text('reason', 'Reason')],
  BootstrapServerUrlRequest: [SESSION_ID],
  BootstrapServerUrlResponse: [SESSION_ID, text('url', 'Url')],
  AccountRequest: [SESSION_ID],
  AccountResponse: [SESSION_ID, ACCOUNT],
  BootstrapOrder: [SESSION_ID, DEVICE, ACCOUNT],
  BootstrapComplete: [SESSION_ID],
  ClientPrepared: [SESSION_ID],
  DelegationComplete: [SESSION_ID, text('result', 'Result'), text('reason', 'Reason')],
  Ack: [SESSION_ID, text('of', 'Of')],
  Error: [SESSION_ID, text('code', 'Code'), text('reason', 'Reason')],
};

/** Wire form: the message with every leaf value as the string the XML carries. */
type WireValue = string | WireObject | WireValue[];
interface WireObject {
  [key: string]: WireValue;
}

function toWire(msg: DelegationMessage): WireObject {
  const plain = msg.type === 'DelegationInitiationResponse' ? { ...msg, accepted: String(msg.accepted) } : msg;
  return plain as unknown as WireObject;
}

function fromWire(wire: WireObject): DelegationMessage {
  if (wire.type === 'DelegationInitiationResponse') {
    return { ...wire, accepted: wire.accepted === 'true' } as unknown as DelegationMessage;
  }
  return wire as unknown as DelegationMessage;
}

// ---------------------------------------------------------------------------------------------------------------
// Building

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: true,
  indentBy: '  ',
  processEntities: true,
});

type OrderedNode = Record<string, unknown>;

function element(tag: string, children: OrderedNode[], attrs: Record<string, string> = {}): OrderedNode {
  return Object.keys(attrs).length > 0 ? { [tag]: children, ':@': attrs } : { [tag]: children };
}

function textElement(tag: string, value: WireValue): OrderedNode {
  const s = String(value);
  return element(tag, s === '' ? [] : [{ '#text': s }]);
}

function writeFields(value: WireObject, tag: string, fields: readonly Field[]): OrderedNode {
  const children: OrderedNode[] = [];
  const attrs: Record<string, string> = {};
  for (const field of fields) {
    const v = value[field.key];
    if (v === undefined) continue;
    switch (field.kind) {
      case 'attr':
        attrs[`@_${field.name}`] = String(v);
        break;
      case 'text':
        children.push(textElement(field.tag, v));
        break;
      case 'texts':
        for (const item of v as WireValue[]) children.push(textElement(field.tag, item));
        break;
      case 'object':
        children.push(writeFields(v as WireObject, field.tag, field.fields));
        break;
      case 'objects':
        for (const item of v as WireObject[]) children.push(writeFields(item, field.tag, field.fields));
        break;
    }
  }
  return element(tag, children, attrs);
}

/** Serialises a message as a profile 1.0 document. Does not validate: mutants need to send bad values. */
export function buildDelegation(msg: DelegationMessage): string {
  const body = writeFields(toWire(msg), msg.type, LAYOUTS[msg.type]);
  const doc = element(DELEGATION_ROOT, [body], { '@_xmlns': DELEGATION_NS, '@_version': WIRE_VERSION });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build([doc]).trim()}\n`;
}

// ---------------------------------------------------------------------------------------------------------------
// Well-formedness beyond XMLValidator, which accepts several root elements, undefined entities and control
// characters.

function lineCol(xml: string, index: number): string {
  const before = xml.slice(0, index);
  const line = before.split('\n').length;
  const col = index - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

/** Blanks out comments, CDATA and processing instructions (keeping offsets) so markup scans skip them. */
function maskOpaque(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g, (m) => m.replace(/[^\n]+/g, (run) => ' '.repeat(run.length)));
}

function wellFormednessError(xml: string): string | undefined {
  const result = XMLValidator.validate(xml);
  if (result !== true) {
    const { msg, line, col } = result.err;
    return `not well-formed XML (line ${line}${col ? `, column ${col}` : ''}): ${msg}`;
  }
  const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(xml);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return `not well-formed XML (${lineCol(xml, control.index)}): character U+${code} is not allowed in XML`;
  }
  const masked = maskOpaque(xml);
  // Without a DTD only the five predefined entities and character references exist.
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)[^\s<&]{0,20}/.exec(masked);
  if (entity && !/<!DOCTYPE/.test(masked.slice(0, entity.index))) {
    return `not well-formed XML (${lineCol(xml, entity.index)}): undefined entity reference "${entity[0]}"`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  // Values are taken verbatim; white space between elements is dropped below.
  trimValues: false,
  processEntities: true,
  // Needed to decode character references (&#65;); named HTML entities never get here (rejected above).
  htmlEntities: true,
  // No callback reads the element path: it is not rendered as text for every element and value.
  jPath: false,
});

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
type XmlNode = XmlElement | { text: string };

function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

/** Turns fast-xml-parser's ordered output into a small element tree, dropping the declaration and PIs. */
function normalize(nodes: unknown): XmlNode[] {
  const out: XmlNode[] = [];
  if (!Array.isArray(nodes)) return out;
  for (const node of nodes as OrderedNode[]) {
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@' || key.startsWith('?')) continue;
      if (key === '#text') out.push({ text: String(value) });
      else out.push({ name: key, attrs: attributes(node[':@']), children: normalize(value) });
    }
  }
  return out;
}

function attributes(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) out[k.replace(/^@_/, '')] = String(v);
  }
  return out;
}

const elementsOf = (el: XmlElement): XmlElement[] => el.children.filter(isElement);
const textOf = (el: XmlElement): string =>
  el.children.map((c) => ('text' in c ? c.text : '')).join('');

function invalid(reason: string): ParseResult {
  return { ok: false, code: 'INVALID', reason };
}

/** Checks a namespace declaration met on an element; returns false when the attribute is not one. */
function namespaceAttribute(name: string, value: string, path: string, problems: string[]): boolean {
  if (name === 'xmlns') {
    if (value !== DELEGATION_NS) problems.push(`${path} must be in namespace ${DELEGATION_NS}, found "${value}"`);
    return true;
  }
  return name.startsWith('xmlns:');
}

function readText(el: XmlElement, path: string, problems: string[]): string {
  for (const [name, value] of Object.entries(el.attrs)) {
    if (!namespaceAttribute(name, value, path, problems)) problems.push(`${path}/@${name} is not allowed`);
  }
  const child = elementsOf(el)[0];
  if (child) problems.push(`${path} must contain text only, found element ${child.name}`);
  return textOf(el);
}

/** Reads an element into a wire object, recording structural problems; unknown content is reported, not kept. */
function readObject(el: XmlElement, fields: readonly Field[], path: string, problems: string[]): WireObject {
  const out: WireObject = {};
  for (const [name, value] of Object.entries(el.attrs)) {
    if (namespaceAttribute(name, value, path, problems)) continue;
    const field = fields.find((f) => f.kind === 'attr' && f.name === name);
    if (field) out[field.key] = value;
    else problems.push(`${path}/@${name} is not allowed`);
  }
  if (textOf(el).trim() !== '') problems.push(`${path} must not contain text`);

  const counts = new Map<string, number>();
  for (const child of elementsOf(el)) {
    const n = (counts.get(child.name) ?? 0) + 1;
    counts.set(child.name, n);
    const childPath = `${path}/${child.name}`;
    const field = fields.find((f) => f.kind !== 'attr' && f.tag === child.name);
    if (!field || field.kind === 'attr') {
      if (n === 1) problems.push(`${childPath} is not allowed`);
      continue;
    }
    const single = field.kind === 'text' || field.kind === 'object';
    if (single && n > 1) {
      if (n === 2) problems.push(`${childPath} must appear at most once`);
      continue;
    }
    switch (field.kind) {
      case 'text':
        out[field.key] = readText(child, childPath, problems);
        break;
      case 'object':
        out[field.key] = readObject(child, field.fields, childPath, problems);
        break;
      case 'texts':
        ((out[field.key] ??= []) as WireValue[]).push(readText(child, `${childPath}[${n}]`, problems));
        break;
      case 'objects':
        ((out[field.key] ??= []) as WireValue[]).push(readObject(child, field.fields, `${childPath}[${n}]`, problems));
        break;
    }
  }
  // An absent repeated element is an empty list.
  for (const f of fields) {
    if ((f.kind === 'texts' || f.kind === 'objects') && out[f.key] === undefined) out[f.key] = [];
  }
  return out;
}

const handedOn = new HandOn<ParseResult>();

/**
 * Parses and validates a profile 1.0 document. MALFORMED: not well-formed XML; INVALID: not a valid message.
 * Takes the trace's parse of the same text, handed on.
 */
export function parseDelegation(xml: string): ParseResult {
  return handedOn.take(xml) ?? readDelegation(xml);
}

/** parseDelegation for the trace: the result is handed on to the endpoint that parses the same text next. */
export function parseDelegationHandingOn(xml: string): ParseResult {
  return handedOn.keep(xml, parseDelegation(xml));
}

function readDelegation(xml: string): ParseResult {
  const malformed = wellFormednessError(xml);
  if (malformed) return { ok: false, code: 'MALFORMED', reason: malformed };
  const doctype = /<!DOCTYPE/.exec(maskOpaque(xml));
  if (doctype) return invalid(`a DOCTYPE declaration is not allowed (${lineCol(xml, doctype.index)})`);

  let top: XmlNode[];
  try {
    top = normalize(parser.parse(xml));
  } catch (e) {
    return { ok: false, code: 'MALFORMED', reason: `not well-formed XML: ${(e as Error).message}` };
  }
  const roots = top.filter(isElement);
  if (roots.length !== 1) {
    const names = roots.map((r) => r.name).join(', ');
    const reason = `not well-formed XML: ${roots.length} root elements (${names}), XML allows one`;
    return { ok: false, code: 'MALFORMED', reason };
  }
  const root = roots[0]!;

  if (root.name !== DELEGATION_ROOT) return invalid(`root element must be ${DELEGATION_ROOT}, found ${root.name}`);
  const ns = root.attrs.xmlns;
  if (ns !== DELEGATION_NS) {
    const found = ns === undefined ? 'no default namespace' : `"${ns}"`;
    return invalid(`${DELEGATION_ROOT} must be in namespace ${DELEGATION_NS}, found ${found}`);
  }
  const version = root.attrs.version;
  if (version === undefined) return invalid(`${DELEGATION_ROOT}/@version is missing (expected ${WIRE_VERSION})`);
  if (version !== WIRE_VERSION) {
    return invalid(`${DELEGATION_ROOT}/@version must be ${WIRE_VERSION}, found "${version}"`);
  }
  const rootProblems: string[] = [];
  for (const [name, value] of Object.entries(root.attrs)) {
    if (name !== 'version' && !namespaceAttribute(name, value, DELEGATION_ROOT, rootProblems)) {
      rootProblems.push(`${DELEGATION_ROOT}/@${name} is not allowed`);
    }
  }
  if (textOf(root).trim() !== '') rootProblems.push(`${DELEGATION_ROOT} must not contain text`);
  if (rootProblems.length > 0) return invalid(rootProblems.join('; '));

  const bodies = elementsOf(root);
  if (bodies.length !== 1) {
    const found = bodies.length === 0 ? 'none' : `${bodies.length} (${bodies.map((b) => b.name).join(', ')})`;
    return invalid(`${DELEGATION_ROOT} must hold exactly one message element, found ${found}`);
  }
  const body = bodies[0]!;
  const type = MESSAGE_TYPES.find((t) => t === body.name);
  if (!type) {
    return invalid(`${DELEGATION_ROOT}/${body.name} is not a message element of profile ${WIRE_VERSION} ` +
      `(expected one of ${MESSAGE_TYPES.join(', ')})`);
  }

  const problems: string[] = [];
  const wire = { type, ...readObject(body, LAYOUTS[type], type, problems) };
  const reasons = [...problems, ...describeErrors(type, validateWire(type, wire))];
  if (reasons.length > 0) return invalid(unique(reasons).join('; '));
  return { ok: true, message: fromWire(wire) };
}

/** Checks a message object against its schema, with the same element-named reasons the parser gives. */
export function validateDelegation(msg: DelegationMessage): { ok: true } | { ok: false; reason: string } {
  const type = MESSAGE_TYPES.find((t) => t === msg.type);
  if (!type) return { ok: false, reason: `unknown message type "${String(msg.type)}"` };
  const reasons = describeErrors(type, validateWire(type, toWire(msg)));
  return reasons.length > 0 ? { ok: false, reason: unique(reasons).join('; ') } : { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Schema errors → element paths

const unique = (items: string[]): string[] => [...new Set(items)];

/** Keywords whose generic ajv text is replaced by the schema's `hint`. */
const HINTED = new Set(['pattern', 'format', 'minLength', 'minItems', 'uniqueItems']);
/** Values never echoed back in an error. */
const SECRET_KEYS = new Set(['secret', 'data']);

interface Located {
  path: string;
  fields: readonly Field[] | undefined;
  lastKey: string | undefined;
}

/** Maps an ajv instancePath (`/device/devId`, `/subtrees/0`) to the element path (`Device/DevId`, `Subtree[1]`). */
function locate(type: DelegationMessageType, instancePath: string): Located {
  const segments = instancePath === '' ? [] : instancePath.slice(1).split('/').map(
    (s) => s.replace(/~1/g, '/').replace(/~0/g, '~'),
  );
  let path: string = type;
  let fields: readonly Field[] | undefined = LAYOUTS[type];
  let lastKey: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    const key = segments[i]!;
    const field: Field | undefined = fields?.find((f) => f.key === key);
    lastKey = key;
    if (!field) {
      path += `/${key}`;
      fields = undefined;
      continue;
    }
    if (field.kind === 'attr') {
      path += `/@${field.name}`;
      fields = undefined;
      continue;
    }
    path += `/${field.tag}`;
    const next = segments[i + 1];
    if ((field.kind === 'texts' || field.kind === 'objects') && next !== undefined && /^\d+$/.test(next)) {
      path += `[${Number(next) + 1}]`;
      i++;
    }
    fields = field.kind === 'object' || field.kind === 'objects' ? field.fields : undefined;
  }
  return { path, fields, lastKey };
}

function childName(fields: readonly Field[] | undefined, key: string): string {
  const field = fields?.find((f) => f.key === key);
  if (!field) return key;
  return field.kind === 'attr' ? `@${field.name}` : field.tag;
}

function quoted(value: unknown): string {
  const s = JSON.stringify(String(value));
  return s.length > 60 ? `${s.slice(0, 57)}…"` : s;
}

function describeErrors(type: DelegationMessageType, errors: readonly ErrorObject[]): string[] {
  const out: string[] = [];
  for (const error of errors) {
    // The if/then wrapper repeats what the inner keyword already says.
    if (error.keyword === 'if') continue;
    const { path, fields, lastKey } = locate(type, error.instancePath);
    const found = lastKey !== undefined && SECRET_KEYS.has(lastKey) ? '' : `, found ${quoted(error.data)}`;
    const hint = (error.parentSchema as { hint?: string } | undefined)?.hint;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        out.push(`${path}/${childName(fields, String(params.missingProperty))} is missing`);
        break;
      case 'additionalProperties':
        out.push(`${path}/${childName(fields, String(params.additionalProperty))} is not allowed`);
        break;
      case 'enum':
        out.push(`${path} must be one of ${(params.allowedValues as unknown[]).join(', ')}${found}`);
        break;
      case 'const':
        out.push(`${path} must be ${String(params.allowedValue)}${found}`);
        break;
      default:
        if (HINTED.has(error.keyword) && hint) {
          const echo = error.keyword === 'pattern' || error.keyword === 'format' ? found : '';
          out.push(`${path} ${hint}${echo}`);
        } else {
          out.push(`${path} ${error.message ?? `fails ${error.keyword}`}`);
        }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Trace summary

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
};

/** One line for traces and reports. Never includes credentials. */
export function delegationSummary(m: DelegationMessage): string {
  const head = `${m.type} sid=${m.sessionId ?? '-'}`;
  switch (m.type) {
    case 'DelegationInitiationRequest': {
      const subtrees = m.subtrees.length > 0 ? ` ${m.subtrees.join(',')}` : '';
      return `${head} ${m.delegationType.scope}/${m.delegationType.duration}${subtrees} ` +
        `approach=${m.approach} ${m.delegatorServerId}->${m.delegateeServerId} devId=${m.device.devId}`;
    }
    case 'DelegationInitiationResponse':
      return `${head} ${m.accepted ? 'accepted' : 'rejected'}${m.reason ? `: ${oneLine(m.reason)}` : ''}`;
    case 'BootstrapServerUrlResponse':
      return `${head} url=${m.url}`;
    case 'AccountResponse':
      return `${head} serverId=${m.account.serverId} addr=${m.account.addr}`;
    case 'BootstrapOrder':
      return `${head} devId=${m.device.devId} serverId=${m.account.serverId} addr=${m.account.addr}`;
    case 'DelegationComplete':
      return `${head} ${m.result}${m.reason ? `: ${oneLine(m.reason)}` : ''}`;
    case 'Ack':
      return `${head} of=${m.of}`;
    case 'Error':
      return `${head} ${m.code}: ${oneLine(m.reason)}`;
    default:
      return head;
  }
}
