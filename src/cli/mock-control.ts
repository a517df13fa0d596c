import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Approach, DelegationType } from '../delegation/messages.js';
import type { Role } from '../model/roles.js';
import type { TreeSnapshot } from '../tree/tree.js';

/**
 * The upper-tester API of a `dmdc mock` process (`--control`): plain HTTP on the loopback interface, JSON in
 * and out, so a harness that treats the mock as an implementation under test can wire it to its peers,
 * start a delegation, reset it between flows and read the client's tree.
 */

/** A refusal with its HTTP status: 400 bad request, 404 unknown path, 409 not possible for this role. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface PeerSpec {
  serverId: string;
  delegationUrl: string;
}

export interface ConfigureRequest {
  /** The peer DM servers (replaces the current list); their role is the other DMS. */
  peers?: PeerSpec[];
  /** The client's Package #0 endpoint. */
  pushUrl?: string;
  /** (client) DMS-1's DM URL, written into the DMS-1 account. */
  dms1Url?: string;
  /** (dms2) a stand-alone Bootstrap Server; null: back to the one inside DMS-2. */
  bootstrap?: { orderUrl: string; bootstrapUrl: string } | null;
}

export const CONFIGURE_FIELDS = ['peers', 'pushUrl', 'dms1Url', 'bootstrap'] as const satisfies ReadonlyArray<keyof ConfigureRequest>;

export interface DelegateRequest {
  devId?: string;
  delegatee: string;
  approach: Approach;
  delegationType: DelegationType;
  subtrees?: string[];
  removeAccount?: boolean;
  sessionId?: string;
}

/** What the control API may do with the mock of this process; an operation the role lacks is absent (409). */
export interface ControlledMock {
  role: Role;
  mutant?: string;
  /** Configure fields this role takes; any other field is a 409. */
  accepts: ReadonlyArray<keyof ConfigureRequest>;
  configure(c: ConfigureRequest): void;
  reset(): Promise<void> | void;
  /** Starts a delegation in the background and returns its SessionId (throws ControlError when it cannot). */
  delegate?(d: DelegateRequest): { sessionId: string };
  tree?(): TreeSnapshot;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

/** Largest control request body; the API takes small JSON documents only. */
const MAX_BODY = 64 * 1024;

/** Listens on 127.0.0.1 only: the API has no authentication, so it must not be reachable from elsewhere. */
export async function startControl(mock: ControlledMock, port = 0): Promise<ControlServer> {
  const server = createServer((req, res) => {
    handle(mock, req)
      .then(({ status, body }) => reply(res, status, body))
      .catch((err: unknown) =>
        err instanceof ControlError ? reply(res, err.status, { error: err.message }) : reply(res, 500, { error: (err as Error).message }),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Answer = { status: number; body: unknown };

const ROUTES: Record<string, { method: 'GET' | 'POST'; run: (mock: ControlledMock, body: () => Promise<Record<string, unknown>>) => Promise<Answer> }> = {
  '/control/health': { method: 'GET', run: async (mock) => ({ status: 200, body: { role: mock.role, ...(mock.mutant ? { mutant: mock.mutant } : {}) } }) },
  '/control/configure': {
    method: 'POST',
    run: async (mock, body) => {
      const c = parseConfigure(await body());
      const refused = (Object.keys(c) as Array<keyof ConfigureRequest>).filter((k) => !mock.accepts.includes(k));
      if (refused.length) {
        throw new ControlError(409, `the ${mock.role} mock does not take ${refused.join(', ')} (it takes ${mock.accepts.join(', ') || 'nothing'})`);
      }
      mock.configure(c);
      return { status: 200, body: { role: mock.role, configured: Object.keys(c) } };
    },
  },
  '/control/reset': {
    method: 'POST',
    run: async (mock, body) => {
      await body(); // a malformed body is still a 400, although reset takes no fields
      await mock.reset();
      return { status: 200, body: { role: mock.role, reset: true } };
    },
  },
  '/control/delegate': {
    method: 'POST',
    run: async (mock, body) => {
      if (!mock.delegate) throw new ControlError(409, `only DMS-1 starts a delegation, not the ${mock.role} mock`);
      return { status: 202, body: mock.delegate(parseDelegate(await body())) };
    },
  },
  '/control/tree': {
    method: 'GET',
    run: async (mock) => {
      if (!mock.tree) throw new ControlError(409, `only the client has a DM tree, not the ${mock.role} mock`);
      return { status: 200, body: mock.tree() };
    },
  },
};

async function handle(mock: ControlledMock, req: IncomingMessage): Promise<Answer> {
  const path = (req.url ?? '/').split('?')[0];
  const route = ROUTES[path];
  if (!route) throw new ControlError(404, `no control route ${req.method} ${path}; routes: ${Object.entries(ROUTES).map(([p, r]) => `${r.method} ${p}`).join(', ')}`);
  if (req.method !== route.method) throw new ControlError(405, `${path} takes ${route.method}, not ${req.method}`);
  return route.run(mock, () => readJson(req));
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request body as a JSON object; an empty body is `{}`. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ControlError(413, `body larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ControlError(400, `body is not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ControlError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

const bad = (why: string) => new ControlError(400, why);

function unknownFields(o: Record<string, unknown>, known: readonly string[]): void {
  // A misspelt field would otherwise be ignored silently and the flow run with a default.
  const extra = Object.keys(o).filter((k) => !known.includes(k));
  if (extra.length) throw bad(`unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (known: ${known.join(', ')})`);
}

function str(o: Record<string, unknown>, key: string, where = ''): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !v) throw bad(`${where}${key} must be a non-empty string`);
  return v;
}

function required(o: Record<string, unknown>, key: string, where = ''): string {
  const v = str(o, key, where);
  if (v === undefined) throw bad(`${where}${key} is missing`);
  return v;
}

function url(o: Record<string, unknown>, key: string, where = ''): string | undefined {
  const v = str(o, key, where);
  if (v !== undefined && !URL.canParse(v)) throw bad(`${where}${key} is not a URL: ${v}`);
  return v;
}

function requiredUrl(o: Record<string, unknown>, key: string, where = ''): string {
  required(o, key, where);
  return url(o, key, where)!;
}

export function parseConfigure(o: Record<string, unknown>): ConfigureRequest {
  unknownFields(o, CONFIGURE_FIELDS);
  const c: ConfigureRequest = {};
  if (o.peers !== undefined) {
    if (!Array.isArray(o.peers)) throw bad('peers must be an array of {serverId, delegationUrl}');
    c.peers = o.peers.map((p: unknown, i) => {
      if (typeof p !== 'object' || p === null) throw bad(`peers[${i}] must be an object {serverId, delegationUrl}`);
      const peer = p as Record<string, unknown>;
      unknownFields(peer, ['serverId', 'delegationUrl']);
      return { serverId: required(peer, 'serverId', `peers[${i}].`), delegationUrl: requiredUrl(peer, 'delegationUrl', `peers[${i}].`) };
    });
  }
  const pushUrl = url(o, 'pushUrl');
  if (pushUrl !== undefined) c.pushUrl = pushUrl;
  const dms1Url = url(o, 'dms1Url');
  if (dms1Url !== undefined) c.dms1Url = dms1Url;
  if (o.bootstrap === null) c.bootstrap = null;
  else if (o.bootstrap !== undefined) {
    if (typeof o.bootstrap !== 'object' || Array.isArray(o.bootstrap)) throw bad('bootstrap must be {orderUrl, bootstrapUrl} or null');
    const b = o.bootstrap as Record<string, unknown>;
    unknownFields(b, ['orderUrl', 'bootstrapUrl']);
    c.bootstrap = { orderUrl: requiredUrl(b, 'orderUrl', 'bootstrap.'), bootstrapUrl: requiredUrl(b, 'bootstrapUrl', 'bootstrap.') };
  }
  return c;
}

/** Also takes the string forms a templated driver body produces ("true", "a,b"). */
export function parseDelegate(o: Record<string, unknown>): DelegateRequest {
  unknownFields(o, ['devId', 'delegatee', 'approach', 'scope', 'duration', 'subtrees', 'removeAccount', 'sessionId']);
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const v = required(o, key);
    if (!(allowed as readonly string[]).includes(v)) throw bad(`${key} must be ${allowed.join(' or ')}, not ${v}`);
    return v as T;
  };
  const d: DelegateRequest = {
    delegatee: required(o, 'delegatee'),
    approach: oneOf('approach', ['A', 'B'] as const),
    delegationType: { scope: oneOf('scope', ['full', 'partial'] as const), duration: oneOf('duration', ['temporary', 'permanent'] as const) },
  };
  const devId = str(o, 'devId');
  if (devId !== undefined) d.devId = devId;
  const sessionId = str(o, 'sessionId');
  if (sessionId !== undefined) d.sessionId = sessionId;
  const s = o.subtrees;
  if (s !== undefined) {
    const list = typeof s === 'string' ? s.split(',') : Array.isArray(s) && s.every((x) => typeof x === 'string') ? (s as string[]) : undefined;
    if (!list) throw bad('subtrees must be an array of strings or a comma-separated string');
    d.subtrees = list.map((x) => x.trim()).filter(Boolean);
  }
  const r = o.removeAccount;
  if (r !== undefined) {
    if (r !== true && r !== false && r !== 'true' && r !== 'false') throw bad(`removeAccount must be true or false, not ${JSON.stringify(r)}`);
    d.removeAccount = r === true || r === 'true';
  }
  return d;
}
