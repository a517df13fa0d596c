import type { Command, Item, ItemCommand, ResultsCommand, StatusCommand } from '../syncml/model.js';

/** A command a script wants sent; the session engine numbers it. */
export type NewCommand = Omit<ItemCommand, 'cmdId'>;

export const get = (uri: string): NewCommand => ({ kind: 'Get', items: [{ target: uri }] });
export const del = (uri: string): NewCommand => ({ kind: 'Delete', items: [{ target: uri }] });
export const replace = (uri: string, data: string, format = 'chr'): NewCommand => ({
  kind: 'Replace',
  meta: { format },
  items: [{ target: uri, data }],
});
/** Add of a leaf (with data) or an interior node (`format: 'node'`, no data). */
export const add = (uri: string, format: string, data?: string): NewCommand => ({
  kind: 'Add',
  meta: { format },
  items: [{ target: uri, ...(data === undefined ? {} : { data }) }],
});

/** What a client answered to one batch: the Status and Results of each command, by the command we sent. */
export interface BatchReply {
  /** One entry per command of the batch, in order. */
  outcomes: Array<{ command: Command; status?: StatusCommand; results?: ResultsCommand }>;
}

export function statusOf(reply: BatchReply, i: number): string | undefined {
  return reply.outcomes[i]?.status?.data;
}

export function resultData(reply: BatchReply, i: number): string | undefined {
  const items: Item[] = reply.outcomes[i]?.results?.items ?? [];
  return items[0]?.data;
}

/** A URI's `?prop=ACL` address. */
export const aclUri = (uri: string) => `${uri}?prop=ACL`;
