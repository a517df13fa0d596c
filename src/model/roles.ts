/** The four roles of a delegation and the links between them. */
export const ROLES = ['dms1', 'dms2', 'bootstrap', 'client'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  dms1: 'DMS-1',
  dms2: 'DMS-2',
  bootstrap: 'Bootstrap Server',
  client: 'DM Client',
};

/** A link is an unordered pair of roles; its id names the pair in a fixed order. */
export const LINKS = ['dms1-dms2', 'dms1-client', 'dms2-client', 'client-bootstrap', 'dms2-bootstrap'] as const;
export type LinkId = (typeof LINKS)[number];

/** The links that carry delegation messages: DMS-1↔DMS-2, and DMS-2's orders to a stand-alone Bootstrap Server. */
export const DELEGATION_LINKS: ReadonlySet<string> = new Set<LinkId>(['dms1-dms2', 'dms2-bootstrap']);

export function linkBetween(a: Role, b: Role): LinkId | undefined {
  return LINKS.find((l) => l === `${a}-${b}` || l === `${b}-${a}`);
}

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}
