/**
 * SyncML DM (XML encoding) parser and builder. fast-xml-parser runs in ordered mode so the command order of
 * SyncBody survives, with value parsing off so every value stays the string on the wire.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import type {
  AlertCommand, Command, ContainerCommand, Cred, Item, ItemCommand, ItemCommandKind, Meta, ResultsCommand,
  StatusCommand, SyncHdr, SyncMLMessage,
} from './model.js';
import { HandOn } from './hand-on.js';

export type SyncMLErrorCode =
  | 'MALFORMED_XML' | 'NOT_SYNCML' | 'MISSING_ELEMENT' | 'BAD_VALUE' | 'UNKNOWN_COMMAND' | 'MISPLACED_ELEMENT';

export class SyncMLError extends Error {
  override readonly name = 'SyncMLError';
  constructor(
    readonly code: SyncMLErrorCode,
    message: string,
    /** Path of the offending element, e.g. `SyncML/SyncBody/Replace[2]`. */
    readonly element?: string,
  ) {
    super(message);
  }
}

const SYNCML_NS = 'SYNCML:SYNCML1.2';
const METINF_NS = 'syncml:metinf';
const ITEM_KINDS: ReadonlySet<string> = new Set<ItemCommandKind>(['Add', 'Replace', 'Delete', 'Get', 'Exec', 'Copy']);

// trimValues stays off: whitespace inside Item Data is content. Whitespace between elements is dropped below.
// htmlEntities decodes numeric character references (&#65;), which processEntities alone leaves as they are.
// jPath off: no callback reads the element path, so it is not rendered as text for every element and value.
// Shared with the WBXML codec, so nested Data markup serialises to the same text in both encodings.
export const orderedXmlParser = new XMLParser({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false,
  parseAttributeValue: false, trimValues: false, processEntities: true, htmlEntities: true, jPath: false,
});
export const orderedXmlBuilder = new XMLBuilder({
  preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true,
  format: false, processEntities: true,
});

/** One node of fast-xml-parser's ordered form: `{ Tag: [children], ':@': { attrs } }` or `{ '#text': 'v' }`. */
export type XNode = Record<string, unknown>;

/** Element view of the ordered tree, with a path for error messages. */
interface El { name: string; path: string; text: string; kids: El[]; raw: XNode[] }

// ---------------------------------------------------------------- parse

const handedOn = new HandOn<SyncMLMessage>();

/** Parses a SyncML DM message (XML); a SyncMLError says why it is none. Takes the trace's parse of the same text, handed on. */
export function parseSyncML(xml: string): SyncMLMessage {
  return handedOn.take(xml) ?? readSyncML(xml);
}

/** parseSyncML for the trace: the message is handed on to the endpoint that parses the same text next. */
export function parseSyncMLHandingOn(xml: string): SyncMLMessage {
  return handedOn.keep(xml, parseSyncML(xml));
}

function readSyncML(xml: string): SyncMLMessage {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    const { line, col, msg } = valid.err;
    const at = col === undefined ? `line ${line}` : `line ${line}, column ${col}`;
    throw new SyncMLError('MALFORMED_XML', `malformed XML at ${at}: ${msg}`);
  }
  let tree: XNode[];
  try {
    tree = orderedXmlParser.parse(xml) as XNode[];
  } catch (e) {
    throw new SyncMLError('MALFORMED_XML', `malformed XML: ${(e as Error).message}`);
  }
  const roots = toEls(tree.filter((n) => elementName(n) !== undefined), '');
  if (roots.length !== 1) throw new SyncMLError('NOT_SYNCML', `expected one root element, found ${roots.length}`);
  const root = roots[0]!;
  if (root.name !== 'SyncML') {
    throw new SyncMLError('NOT_SYNCML', `root element is <${root.name}>, expected <SyncML>`, root.path);
  }
  const hdr = parseHdr(req(root, 'SyncHdr'));
  const bodyEl = req(root, 'SyncBody');
  rejectCred(bodyEl);
  const body: Command[] = [];
  let final = false;
  for (const kid of bodyEl.kids) {
    if (kid.name === 'Final') {
      emptyFlag(kid);
      final = true;
    } else {
      body.push(parseCommand(kid));
    }
  }
  return { hdr, body, final };
}

function parseHdr(el: El): SyncHdr {
  const hdr: SyncHdr = {
    verDTD: reqText(el, 'VerDTD'),
    verProto: reqText(el, 'VerProto'),
    sessionId: reqText(el, 'SessionID'),
    msgId: reqText(el, 'MsgID'),
    target: reqText(req(el, 'Target'), 'LocURI'),
    source: reqText(req(el, 'Source'), 'LocURI'),
  };
  const sourceName = optText(req(el, 'Source'), 'LocName');
  if (sourceName !== undefined) hdr.sourceName = sourceName;
  const respUri = optText(el, 'RespURI');
  if (respUri !== undefined) hdr.respUri = respUri;
  const credEl = one(el, 'Cred');
  if (credEl) hdr.cred = parseCred(credEl);
  const metaEl = one(el, 'Meta');
  if (metaEl) hdr.meta = parseMeta(metaEl);
  return hdr;
}

function parseCred(el: El): Cred {
  const metaEl = one(el, 'Meta');
  return { meta: metaEl ? parseMeta(metaEl) : {}, data: reqText(el, 'Data') };
}

const META_FIELDS: Record<string, keyof Meta> = {
  Format: 'format', Type: 'type', NextNonce: 'nextNonce', MaxMsgSize: 'maxMsgSize', MaxObjSize: 'maxObjSize',
  Mark: 'mark',
};

function parseMeta(el: El): Meta {
  const meta: Meta = {};
  for (const [tag, field] of Object.entries(META_FIELDS)) {
    const value = optText(el, tag);
    if (value !== undefined) meta[field] = value;
  }
  return meta; // other MetInf elements (Size, EMI, ...) are not modelled
}

function parseItem(el: El): Item {
  const item: Item = {};
  const target = one(el, 'Target');
  if (target) item.target = reqText(target, 'LocURI');
  const source = one(el, 'Source');
  if (source) {
    item.source = reqText(source, 'LocURI');
    const name = optText(source, 'LocName');
    if (name !== undefined) item.sourceName = name;
  }
  const metaEl = one(el, 'Meta');
  if (metaEl) item.meta = parseMeta(metaEl);
  const dataEl = one(el, 'Data');
  if (dataEl) item.data = rawData(dataEl);
  return item;
}

function parseItems(el: El): Item[] {
  return el.kids.filter((k) => k.name === 'Item').map(parseItem);
}

function parseCommand(el: El): Command {
  if (el.name === 'Status') return parseStatus(el);
  if (el.name === 'Results') return parseResults(el);
  if (el.name === 'Alert') return parseAlert(el);
  if (el.name === 'Atomic' || el.name === 'Sequence') return parseContainer(el, el.name);
  if (ITEM_KINDS.has(el.name)) return parseItemCommand(el, el.name as ItemCommandKind);
  throw new SyncMLError('UNKNOWN_COMMAND', `unknown command <${el.name}> in ${parentPath(el)}`, el.path);
}

function parseItemCommand(el: El, kind: ItemCommandKind): ItemCommand {
  const cmd: ItemCommand = { kind, cmdId: reqText(el, 'CmdID'), items: parseItems(el) };
  const noResp = one(el, 'NoResp');
  if (noResp) {
    emptyFlag(noResp);
    cmd.noResp = true;
  }
  const metaEl = one(el, 'Meta');
  if (metaEl) cmd.meta = parseMeta(metaEl);
  return cmd;
}

function parseAlert(el: El): AlertCommand {
  return { kind: 'Alert', cmdId: reqText(el, 'CmdID'), data: reqText(el, 'Data'), items: parseItems(el) };
}

const CONTAINER_OWN = new Set(['CmdID', 'NoResp', 'Meta']);

function parseContainer(el: El, kind: 'Atomic' | 'Sequence'): ContainerCommand {
  const cmdId = reqText(el, 'CmdID');
  return { kind, cmdId, commands: el.kids.filter((k) => !CONTAINER_OWN.has(k.name)).map(parseCommand) };
}

function parseStatus(el: El): StatusCommand {
  const status: StatusCommand = {
    kind: 'Status',
    cmdId: reqText(el, 'CmdID'),
    msgRef: reqText(el, 'MsgRef'),
    cmdRef: reqText(el, 'CmdRef'),
    cmd: reqText(el, 'Cmd'),
    targetRefs: el.kids.filter((k) => k.name === 'TargetRef').map(leaf),
    sourceRefs: el.kids.filter((k) => k.name === 'SourceRef').map(leaf),
    data: reqText(el, 'Data'),
    items: parseItems(el),
  };
  const chal = one(el, 'Chal');
  if (chal) {
    const metaEl = one(chal, 'Meta');
    status.chal = metaEl ? parseMeta(metaEl) : {};
  }
  return status;
}

function parseResults(el: El): ResultsCommand {
  const results: ResultsCommand = {
    kind: 'Results',
    cmdId: reqText(el, 'CmdID'),
    msgRef: reqText(el, 'MsgRef'),
    cmdRef: reqText(el, 'CmdRef'),
    items: parseItems(el),
  };
  const metaEl = one(el, 'Meta');
  if (metaEl) results.meta = parseMeta(metaEl);
  return results;
}

/** Cred is only allowed in SyncHdr (RepPro §4.1.1.6); Data content is opaque and not searched. */
function rejectCred(el: El): void {
  for (const kid of el.kids) {
    if (kid.name === 'Cred') {
      throw new SyncMLError('MISPLACED_ELEMENT', `Cred is only allowed in SyncHdr, found in ${el.path}`, kid.path);
    }
    if (kid.name !== 'Data') rejectCred(kid);
  }
}

// ---------------------------------------------------------------- tree helpers

function elementName(node: XNode): string | undefined {
  const key = Object.keys(node).find((k) => k !== ':@');
  return key === undefined || key === '#text' || key.startsWith('?') ? undefined : key;
}

function toEls(nodes: XNode[], parent: string): El[] {
  const named = nodes.map((n) => [n, elementName(n)] as const).filter((p): p is [XNode, string] => p[1] !== undefined);
  const total = new Map<string, number>();
  for (const [, name] of named) total.set(name, (total.get(name) ?? 0) + 1);
  const seen = new Map<string, number>();
  return named.map(([node, qname]) => {
    const index = (seen.get(qname) ?? 0) + 1;
    seen.set(qname, index);
    const step = total.get(qname)! > 1 ? `${qname}[${index}]` : qname;
    const path = parent ? `${parent}/${step}` : step;
    const raw = node[qname] as XNode[];
    const text = raw.map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('');
    // Namespace prefixes are not resolved by the parser; match on the local name.
    return { name: qname.slice(qname.indexOf(':') + 1), path, text, kids: toEls(raw, path), raw };
  });
}

function parentPath(el: El): string {
  return el.path.slice(0, el.path.lastIndexOf('/'));
}

function one(el: El, name: string): El | undefined {
  const found = el.kids.filter((k) => k.name === name);
  if (found.length > 1) throw new SyncMLError('BAD_VALUE', `${el.path} has ${found.length} <${name}> elements`, el.path);
  return found[0];
}

function req(el: El, name: string): El {
  const found = one(el, name);
  if (!found) throw new SyncMLError('MISSING_ELEMENT', `missing <${name}> in ${el.path}`, `${el.path}/${name}`);
  return found;
}

/** Text of a value element, trimmed (pretty-printed input must not change a MsgID or a code). */
function leaf(el: El): string {
  if (el.kids.length > 0) throw new SyncMLError('BAD_VALUE', `<${el.name}> must hold text, not elements`, el.path);
  return el.text.trim();
}

function optText(el: El, name: string): string | undefined {
  const found = one(el, name);
  return found ? leaf(found) : undefined;
}

function reqText(el: El, name: string): string {
  return leaf(req(el, name));
}

/** Item Data as carried: untrimmed; embedded markup (e.g. an inline TNDS tree) is returned as XML text. */
function rawData(el: El): string {
  return el.kids.length > 0 ? orderedXmlBuilder.build(el.raw) : el.text;
}

function emptyFlag(el: El): void {
  if (el.kids.length > 0 || el.text.trim() !== '') {
    throw new SyncMLError('BAD_VALUE', `<${el.name}> must be empty`, el.path);
  }
}

// ---------------------------------------------------------------- build

/**
 * The element trees of the latest messages built, by their XML text: the WBXML encoder writes a message
 * of ours from its tree instead of parsing the text back (a text it did not come from is parsed, as any).
 */
export const builtTrees = new HandOn<XNode[]>(8);

export function buildSyncML(msg: SyncMLMessage): string {
  const body = msg.body.map(buildCommand);
  if (msg.final) body.push(node('Final', []));
  const doc: XNode[] = [
    { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } },
    { SyncML: [buildHdr(msg.hdr), node('SyncBody', body)], ':@': { '@_xmlns': SYNCML_NS } },
  ];
  const xml = orderedXmlBuilder.build(doc) as string;
  builtTrees.keep(xml, doc);
  return xml;
}

function node(name: string, children: XNode[], attrs?: Record<string, string>): XNode {
  return attrs ? { [name]: children, ':@': attrs } : { [name]: children };
}

function text(name: string, value: string, attrs?: Record<string, string>): XNode {
  return node(name, [{ '#text': value }], attrs);
}

/** Appends `text(name, value)` only when value is present. */
function opt(out: XNode[], name: string, value: string | undefined): void {
  if (value !== undefined) out.push(text(name, value));
}

function locNode(name: string, uri: string, locName?: string): XNode {
  const kids = [text('LocURI', uri)];
  opt(kids, 'LocName', locName);
  return node(name, kids);
}

function buildHdr(h: SyncHdr): XNode {
  const kids = [
    text('VerDTD', h.verDTD), text('VerProto', h.verProto), text('SessionID', h.sessionId), text('MsgID', h.msgId),
    locNode('Target', h.target), locNode('Source', h.source, h.sourceName),
  ];
  opt(kids, 'RespURI', h.respUri);
  if (h.cred) kids.push(node('Cred', [buildMeta(h.cred.meta), text('Data', h.cred.data)]));
  if (h.meta) kids.push(buildMeta(h.meta));
  return node('SyncHdr', kids);
}

/** MetInf DTD order; each child carries its own namespace, as DM RepPro examples do. */
const META_ORDER: [keyof Meta, string][] = [
  ['format', 'Format'], ['type', 'Type'], ['mark', 'Mark'], ['nextNonce', 'NextNonce'],
  ['maxMsgSize', 'MaxMsgSize'], ['maxObjSize', 'MaxObjSize'],
];

function buildMeta(m: Meta): XNode {
  const kids: XNode[] = [];
  for (const [field, tag] of META_ORDER) {
    const value = m[field];
    if (value !== undefined) kids.push(text(tag, value, { '@_xmlns': METINF_NS }));
  }
  return node('Meta', kids);
}

function buildItem(item: Item): XNode {
  const kids: XNode[] = [];
  if (item.target !== undefined) kids.push(locNode('Target', item.target));
  if (item.source !== undefined) kids.push(locNode('Source', item.source, item.sourceName));
  else if (item.sourceName !== undefined) throw new SyncMLError('BAD_VALUE', 'Item sourceName needs a source URI');
  if (item.meta) kids.push(buildMeta(item.meta));
  opt(kids, 'Data', item.data);
  return node('Item', kids);
}

function buildCommand(c: Command): XNode {
  const kids = [text('CmdID', c.cmdId)];
  switch (c.kind) {
    case 'Alert':
      kids.push(text('Data', c.data), ...c.items.map(buildItem));
      break;
    case 'Atomic':
    case 'Sequence':
      kids.push(...c.commands.map(buildCommand));
      break;
    case 'Status':
      kids.push(text('MsgRef', c.msgRef), text('CmdRef', c.cmdRef), text('Cmd', c.cmd));
      kids.push(...c.targetRefs.map((r) => text('TargetRef', r)), ...c.sourceRefs.map((r) => text('SourceRef', r)));
      if (c.chal) kids.push(node('Chal', [buildMeta(c.chal)]));
      kids.push(text('Data', c.data), ...c.items.map(buildItem));
      break;
    case 'Results':
      kids.push(text('MsgRef', c.msgRef), text('CmdRef', c.cmdRef));
      if (c.meta) kids.push(buildMeta(c.meta));
      kids.push(...c.items.map(buildItem));
      break;
    default:
      if (c.noResp) kids.push(node('NoResp', []));
      if (c.meta) kids.push(buildMeta(c.meta));
      kids.push(...c.items.map(buildItem));
  }
  return node(c.kind, kids);
}

// ---------------------------------------------------------------- traces

/** One-line summary for traces, e.g. `Replace#3 ./Vendor/Apps?prop=ACL`. */
export function describeCommand(c: Command): string {
  const head = `${c.kind}#${c.cmdId}`;
  switch (c.kind) {
    case 'Alert':
      return [head, c.data, ...itemUris(c.items)].join(' ');
    case 'Atomic':
    case 'Sequence':
      return `${head} {${c.commands.map((sub) => `${sub.kind}#${sub.cmdId}`).join(', ')}}`;
    case 'Status':
      return [`${head} ${c.data} for ${c.cmd} (msg ${c.msgRef}, cmd ${c.cmdRef})`, ...c.targetRefs].join(' ');
    case 'Results':
      return [`${head} for msg ${c.msgRef}, cmd ${c.cmdRef}`, ...itemUris(c.items)].join(' ');
    default:
      return [head, ...itemUris(c.items)].join(' ');
  }
}

const MAX_URIS = 3;

function itemUris(items: Item[]): string[] {
  const uris = items.map((i) => i.target ?? i.source ?? '(no URI)');
  return uris.length > MAX_URIS ? [...uris.slice(0, MAX_URIS), `(+${uris.length - MAX_URIS} more)`] : uris;
}
