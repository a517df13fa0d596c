import { STATUS } from '../../src/syncml/codes.js';
import type { Command, Item, ItemCommand, ResultsCommand, StatusCommand } from '../../src/syncml/model.js';
import { findAccountByServerId, readAccounts } from '../../src/tree/dmacc.js';
import type { DmTree } from '../../src/tree/tree.js';

export interface ExecutionContext {
  tree: DmTree;
  /** The ServerID the session is authenticated as: every ACL check is made for it. */
  serverId: string;
  msgId: string;
  /**
   * Deleting a DMAcc account deletes its Server Identifier, so the device scrubs it from every ACL
   * (TND §8.3.7.1.4; profile switch, spec-digest §6 item 7).
   */
  scrubOnAccountDelete: boolean;
  /** Where the device keeps its DMAcc accounts (TREE.dmAccRoot when absent). */
  dmAccRoot?: string;
  /** Mutants only: act as if the server held every right / store ACLs unchecked. */
  ignoreAcls?: boolean;
  acceptInvalidAcl?: boolean;
}

export interface Executed {
  statuses: StatusCommand[];
  results: ResultsCommand[];
}

const PROP = /^(.*)\?prop=([A-Za-z]+)$/;

/** Runs the management commands of one server message against the tree, ACLs enforced, in order. */
export function execute(commands: Command[], ctx: ExecutionContext): Executed {
  const out: Executed = { statuses: [], results: [] };
  for (const c of commands) runOne(c, ctx, out);
  return out;
}

function runOne(c: Command, ctx: ExecutionContext, out: Executed): void {
  switch (c.kind) {
    case 'Status':
    case 'Results':
      return;
    case 'Alert':
      out.statuses.push(status(c.cmdId, 'Alert', ctx.msgId, STATUS.OK));
      return;
    case 'Sequence':
      out.statuses.push(status(c.cmdId, 'Sequence', ctx.msgId, STATUS.OK));
      for (const inner of c.commands) runOne(inner, ctx, out);
      return;
    case 'Atomic': {
      // All or nothing: a dry run on a copy decides; only then do the commands touch the real tree.
      const dry: Executed = { statuses: [], results: [] };
      const copy = { ...ctx, tree: ctx.tree.clone() };
      for (const cmd of c.commands) runOne(cmd, copy, dry);
      const ok = dry.statuses.every((s) => s.data.startsWith('2'));
      const inner: Executed = { statuses: [], results: [] };
      if (ok) for (const cmd of c.commands) runOne(cmd, ctx, inner);
      out.statuses.push(status(c.cmdId, 'Atomic', ctx.msgId, ok ? STATUS.OK : STATUS.ATOMIC_FAILED));
      for (const s of ok ? inner.statuses : dry.statuses) out.statuses.push(ok ? s : { ...s, data: STATUS.ATOMIC_ROLLBACK_OK });
      out.results.push(...inner.results);
      return;
    }
    default:
      itemCommand(c, ctx, out);
  }
}

function itemCommand(c: ItemCommand, ctx: ExecutionContext, out: Executed): void {
  ctx.tree.enforceAcls = !ctx.ignoreAcls;
  ctx.tree.lenientAcls = !!ctx.acceptInvalidAcl;
  const codes: string[] = [];
  const resultItems: Item[] = [];
  for (const item of c.items) {
    const uri = item.target ?? '';
    const m = PROP.exec(uri);
    const path = m ? m[1] : uri;
    const prop = m?.[2];
    switch (c.kind) {
      case 'Get': {
        if (prop) {
          const r = ctx.tree.getProperty(ctx.serverId, path, prop);
          codes.push(r.status);
          if (r.status === STATUS.OK) resultItems.push({ source: uri, meta: { format: 'chr' }, data: r.value ?? '' });
        } else {
          const r = ctx.tree.get(ctx.serverId, path);
          codes.push(r.status);
          if (r.status === STATUS.OK) {
            resultItems.push({ source: uri, meta: { format: r.format ?? 'chr', ...(r.type ? { type: r.type } : {}) }, data: r.value ?? '' });
          }
        }
        break;
      }
      case 'Replace':
        if (prop === 'ACL' && ctx.acceptInvalidAcl && ctx.tree.has(path)) {
          ctx.tree.forceAcl(path, item.data ?? '');
          codes.push(STATUS.OK);
          break;
        }
        codes.push(
          prop
            ? ctx.tree.replaceProperty(ctx.serverId, path, prop, item.data ?? '')
            : ctx.tree.replace(ctx.serverId, path, item.data ?? '', { format: item.meta?.format ?? c.meta?.format }),
        );
        break;
      case 'Add':
        codes.push(
          prop
            ? STATUS.NOT_ALLOWED
            : ctx.tree.add(ctx.serverId, path, {
                format: item.meta?.format ?? c.meta?.format,
                type: item.meta?.type ?? c.meta?.type,
                value: item.data,
              }),
        );
        break;
      case 'Delete':
        codes.push(prop ? STATUS.NOT_ALLOWED : deleteNode(ctx, path));
        break;
      default:
        // Exec and Copy are optional features this client does not offer.
        codes.push(STATUS.OPTIONAL_FEATURE_NOT_SUPPORTED);
    }
  }
  const code = codes.find((x) => !x.startsWith('2')) ?? codes[0] ?? STATUS.BAD_REQUEST;
  const s = status(c.cmdId, c.kind, ctx.msgId, code);
  s.targetRefs = c.items.map((i) => i.target ?? '').filter(Boolean);
  out.statuses.push(s);
  if (c.kind === 'Get' && resultItems.length) {
    out.results.push({ kind: 'Results', cmdId: '', msgRef: ctx.msgId, cmdRef: c.cmdId, items: resultItems });
  }
}

function deleteNode(ctx: ExecutionContext, path: string): string {
  // Accounts that live at or under the deleted node: their Server Identifiers go with them.
  const gone = readAccounts(ctx.tree, ctx.dmAccRoot)
    .filter((a) => a.path === path || a.path.startsWith(`${path}/`))
    .map((a) => a.account.serverId);
  const code = ctx.tree.delete(ctx.serverId, path);
  if (code === STATUS.OK && ctx.scrubOnAccountDelete) {
    for (const id of gone) if (!findAccountByServerId(ctx.tree, id, ctx.dmAccRoot)) ctx.tree.deleteServerId(id);
  }
  return code;
}

function status(cmdRef: string, cmd: string, msgRef: string, data: string): StatusCommand {
  return { kind: 'Status', cmdId: '', msgRef, cmdRef, cmd, targetRefs: [], sourceRefs: [], data, items: [] };
}
