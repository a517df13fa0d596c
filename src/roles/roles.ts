import type { Role } from '../model/roles.js';
import type { AuthType } from '../syncml/auth.js';
import type { BootstrapAdapter, ClientAdapter, Dms1Adapter, Dms2Adapter, RoleAdapter } from './adapter.js';
import { bootstrapAdapter } from './bootstrap.js';
import { clientAdapter, type ClientWiring } from './client.js';
import { dms1Adapter } from './dms1.js';
import { dms2Adapter } from './dms2.js';
import type { RoleContext } from './role-context.js';

/** The four roles of one flow (no stand-alone Bootstrap Server unless the flow has one). */
export interface FlowRoles {
  dms1: Dms1Adapter;
  dms2: Dms2Adapter;
  bootstrap?: BootstrapAdapter;
  client: ClientAdapter;
  /** Every adapter, in the order they start. */
  all: RoleAdapter[];
  of(role: Role): RoleAdapter | undefined;
}

export function createRoles(ctx: RoleContext, o: { separate: boolean; authType?: AuthType; client: Omit<ClientWiring, 'dms1DmUrl'> }): FlowRoles {
  const dms1 = dms1Adapter(ctx);
  const client = clientAdapter(ctx, { ...o.client, dms1DmUrl: () => dms1.dmUrl });
  const dms2 = dms2Adapter(ctx, { separate: o.separate, devId: ctx.setup.devInfo.devId, client: () => client, authType: o.authType });
  const bootstrap = o.separate ? bootstrapAdapter(ctx) : undefined;
  // The client starts last: its tree points at DMS-1's DM URL.
  const all: RoleAdapter[] = [dms1, dms2, ...(bootstrap ? [bootstrap] : []), client];
  const byRole = new Map<Role, RoleAdapter>(all.map((a) => [a.role, a]));
  return { dms1, dms2, bootstrap, client, all, of: (role) => byRole.get(role) };
}

