import { LINKS, ROLE_NAMES, type LinkId, type Role } from '../model/roles.js';

/**
 * What the harness can see in a run: the traffic of a link (recorded at a mock end or by a recording
 * proxy), the Package #0 push itself, the harness's own DMS-2 probe session, the client's final tree, and the
 * tester's own connections to an endpoint.
 */
export type Channel = LinkId | 'push' | 'probe' | 'final-tree' | 'tester';

export type TreeSource = 'mock' | 'protocol' | 'driver' | 'none';

export interface ChannelView {
  observed: boolean;
  /** How it is observed, or why it is not. */
  how: string;
}

export type Observability = Record<Channel, ChannelView>;

export interface RoleAssignment {
  roles: Record<Role, 'mock' | 'real'>;
  /** Recording proxies between two real implementations: the link, and the side they stand in for. */
  proxies: ReadonlyArray<{ link: LinkId; to: Role }>;
  /** A real client whose Package #0 goes through a driver rather than over HTTPS. */
  pushByDriver: boolean;
  treeSource: TreeSource;
}

/** The server sides of a link's connections: a proxy is needed in front of each to see all its traffic. */
const SERVER_SIDES: Record<LinkId, Role[]> = {
  'dms1-dms2': ['dms1', 'dms2'],
  'dms1-client': ['dms1', 'client'],
  'dms2-client': ['dms2', 'client'],
  'client-bootstrap': ['bootstrap'],
  'dms2-bootstrap': ['bootstrap'],
};

const ENDS: Record<LinkId, [Role, Role]> = {
  'dms1-dms2': ['dms1', 'dms2'],
  'dms1-client': ['dms1', 'client'],
  'dms2-client': ['dms2', 'client'],
  'client-bootstrap': ['client', 'bootstrap'],
  'dms2-bootstrap': ['dms2', 'bootstrap'],
};

/** Works out, from who is real, which channels this run can observe. */
export function observability(a: RoleAssignment): Observability {
  const out = {} as Observability;
  for (const link of LINKS) {
    const [x, y] = ENDS[link];
    const mockEnd = [x, y].find((r) => a.roles[r] === 'mock');
    if (mockEnd) out[link] = { observed: true, how: `recorded by the ${ROLE_NAMES[mockEnd]} mock` };
    else {
      const lacking = SERVER_SIDES[link].filter((to) => !a.proxies.some((p) => p.link === link && p.to === to));
      out[link] = !lacking.length
        ? { observed: true, how: 'recorded by the recording proxy' }
        : {
            observed: false,
            how: `${ROLE_NAMES[x]} and ${ROLE_NAMES[y]} are both real implementations; recording proxies on ${link} towards ${SERVER_SIDES[link].join(' and ')} (config "proxies") would observe it${lacking.length < SERVER_SIDES[link].length ? ` (missing: towards ${lacking.join(', ')})` : ''}`,
          };
    }
  }
  out.push = a.pushByDriver
    ? { observed: true, how: "the harness built the Package #0 and handed it to the client's trigger driver; the session it opens is on the wire" }
    : { observed: true, how: 'Package #0 over HTTPS' };
  out.probe =
    a.roles.dms2 === 'mock'
      ? { observed: true, how: "the harness's DMS-2 probes the client after the delegation" }
      : { observed: false, how: "DMS-2 is a real implementation, so the harness's DMS-2 probe (an unauthorised Replace) cannot run" };
  out.tester = { observed: true, how: 'the harness connects to the endpoint itself' };
  out['final-tree'] =
    a.treeSource === 'none'
      ? { observed: false, how: 'no way to read the real client\'s tree: no mock server holds an account on it and no readTree driver is configured' }
      : { observed: true, how: { mock: 'the reference client\'s tree', protocol: 'read over the protocol (Get, ?prop=ACL)', driver: 'read by the readTree driver' }[a.treeSource] };
  return out;
}

export type Observation = { ok: true; unobserved: Channel[] } | { ok: false; reason: string };

/** Whether a requirement can be judged: all its channels (or, for an "any" requirement, at least one). */
export function observe(o: Observability, needs: readonly Channel[], mode: 'all' | 'any' = 'all'): Observation {
  const missing = needs.filter((c) => !o[c].observed);
  if (!missing.length) return { ok: true, unobserved: [] };
  if (mode === 'any' && missing.length < needs.length) return { ok: true, unobserved: missing };
  return { ok: false, reason: `not observable with this role assignment: ${missing.map((c) => `${c} (${o[c].how})`).join('; ')}` };
}
