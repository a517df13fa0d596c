/**
 * The ACL property grammar of OMA DM TND 1.2.1 §8.3.7.1 (spec-digest §3.1):
 *
 *   acl        ::= acl-value | "No value"
 *   acl-value  ::= acl-entry | acl-value & acl-entry
 *   acl-entry  ::= command = server-ids
 *   server-ids ::= server-id | server-id + server-ids
 *   server-id  ::= * | printable characters except '=', '&', '*', '+' and white-space
 *   command    ::= Add | Delete | Exec | Get | Replace
 *
 * An ACL is kept as an ordered record so that serialising it gives back the commands in the order they were
 * written; conformance evidence compares ACL strings, so a stable order matters.
 */

export const ACL_COMMANDS = ['Add', 'Delete', 'Exec', 'Get', 'Replace'] as const;

export type AclCommand = (typeof ACL_COMMANDS)[number];

/** Server identifiers per command, in order. `'*'` stands for any authenticated server. */
export type Acl = Partial<Record<AclCommand, string[]>>;

/** Any authenticated Server Identifier. */
export const ANY_SERVER = '*';

export class AclSyntaxError extends Error {
  constructor(
    /** The offending `command=ids` entry, as written. */
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`ACL entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'AclSyntaxError';
  }
}

export function isAclCommand(s: string): s is AclCommand {
  return (ACL_COMMANDS as readonly string[]).includes(s);
}

const PLAIN_SERVER_ID = /^[^\s\p{C}=&*+]+$/u;

/** Why `id` is not a legal server identifier, or undefined when it is. `'*'` is legal. */
export function serverIdProblem(id: string): string | undefined {
  if (id === '') return 'empty server identifier';
  if (id === ANY_SERVER) return undefined;
  // Most identifiers are plain: one test of the whole; the walk below only to name what is wrong.
  if (PLAIN_SERVER_ID.test(id)) return undefined;
  for (const ch of id) {
    if (/\s/u.test(ch)) return `server identifier ${JSON.stringify(id)} contains white-space`;
    // \p{C}: control, format, surrogate, private-use and unassigned code points are not "printable".
    if (/\p{C}/u.test(ch)) {
      const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      return `server identifier ${JSON.stringify(id)} contains the non-printable character U+${cp}`;
    }
    if (ch === '=' || ch === '&' || ch === '*' || ch === '+') {
      return `server identifier ${JSON.stringify(id)} contains the illegal character '${ch}'`;
    }
  }
  return undefined;
}

/** Parses an ACL value; `''` is "No value" and gives `{}`. Throws AclSyntaxError. */
export function parseAcl(s: string): Acl {
  const acl: Acl = {};
  if (s === '') return acl;
  for (const entry of s.split('&')) {
    if (entry === '') throw new AclSyntaxError(entry, "empty entry (stray '&')");
    const eq = entry.indexOf('=');
    if (eq < 0) throw new AclSyntaxError(entry, "missing '=' between command and server identifiers");
    const cmd = entry.slice(0, eq);
    const list = entry.slice(eq + 1);
    if (!isAclCommand(cmd)) {
      throw new AclSyntaxError(entry, `unknown command ${JSON.stringify(cmd)} (expected ${ACL_COMMANDS.join(', ')})`);
    }
    if (acl[cmd] !== undefined) throw new AclSyntaxError(entry, `duplicate command ${cmd}`);
    if (list === '') throw new AclSyntaxError(entry, `command ${cmd} has no server identifier`);
    const ids = list.split('+');
    for (const id of ids) {
      const problem = serverIdProblem(id);
      if (problem !== undefined) throw new AclSyntaxError(entry, problem);
    }
    acl[cmd] = ids;
  }
  return acl;
}

/**
 * The entries of `s` that parse on their own, the first of a command kept: how a client that stores ACLs
 * unchecked (a mutant) reads them back, so a broken ACL costs it the broken entries, not its session.
 */
export function parseAclLeniently(s: string): Acl {
  const acl: Acl = {};
  for (const entry of s.split('&')) {
    try {
      for (const [cmd, ids] of Object.entries(parseAcl(entry)) as Array<[AclCommand, string[]]>) acl[cmd] ??= ids;
    } catch (e) {
      if (!(e instanceof AclSyntaxError)) throw e;
    }
  }
  return acl;
}

export function validateAcl(s: string): { ok: true } | { ok: false; reason: string } {
  try {
    parseAcl(s);
    return { ok: true };
  } catch (e) {
    if (e instanceof AclSyntaxError) return { ok: false, reason: e.message };
    throw e;
  }
}

/** `Add=a+b&Get=*`, commands in the record's order; commands with no ids are left out. */
export function serializeAcl(acl: Acl): string {
  const parts: string[] = [];
  for (const [cmd, ids] of Object.entries(acl) as Array<[string, string[] | undefined]>) {
    if (ids === undefined || ids.length === 0) continue;
    const entry = `${cmd}=${ids.join('+')}`;
    if (!isAclCommand(cmd)) throw new AclSyntaxError(entry, `unknown command ${JSON.stringify(cmd)}`);
    for (const id of ids) {
      const problem = serverIdProblem(id);
      if (problem !== undefined) throw new AclSyntaxError(entry, problem);
    }
    parts.push(entry);
  }
  return parts.join('&');
}

/** Whether `acl` lets `serverId` perform `cmd`; `*` grants any authenticated server. */
export function aclGrants(acl: Acl | string, cmd: AclCommand, serverId: string): boolean {
  const ids = (typeof acl === 'string' ? parsedForReading(acl) : acl)[cmd];
  return ids !== undefined && (ids.includes(ANY_SERVER) || ids.includes(serverId));
}

/** ACL strings already parsed for a rights check: a tree checks the same few ACLs on every command. */
const readOnlyAcls = new Map<string, Readonly<Acl>>();
function parsedForReading(s: string): Readonly<Acl> {
  let acl = readOnlyAcls.get(s);
  if (acl === undefined) {
    acl = parseAcl(s); // an ACL that does not parse throws before it is kept
    if (readOnlyAcls.size >= 1024) readOnlyAcls.clear();
    readOnlyAcls.set(s, acl);
  }
  return acl;
}

/** Every server identifier named anywhere in the ACL (including `*`). */
export function aclServers(acl: Acl): Set<string> {
  const out = new Set<string>();
  for (const ids of Object.values(acl) as Array<string[] | undefined>) for (const id of ids ?? []) out.add(id);
  return out;
}

/**
 * A copy of `acl` granting `cmds` to `serverId`. Commands already granted through `*` are left alone (the
 * spec says `*` SHOULD stand alone); granting `*` itself replaces the command's list.
 */
export function withServer(acl: Acl, cmds: AclCommand | readonly AclCommand[], serverId: string): Acl {
  const problem = serverIdProblem(serverId);
  if (problem !== undefined) throw new AclSyntaxError(serverId, problem);
  const out = copyAcl(acl);
  for (const cmd of typeof cmds === 'string' ? [cmds] : cmds) {
    const ids = out[cmd] ?? [];
    if (serverId === ANY_SERVER) out[cmd] = [ANY_SERVER];
    else if (!ids.includes(ANY_SERVER) && !ids.includes(serverId)) out[cmd] = [...ids, serverId];
    else out[cmd] = ids;
  }
  return out;
}

/** A copy of `acl` with every reference to `serverId` removed; a command left with no ids is dropped. */
export function withoutServer(acl: Acl, serverId: string): Acl {
  const out: Acl = {};
  for (const [cmd, ids] of Object.entries(acl) as Array<[AclCommand, string[] | undefined]>) {
    const kept = (ids ?? []).filter((id) => id !== serverId);
    if (kept.length > 0) out[cmd] = kept;
  }
  return out;
}

function copyAcl(acl: Acl): Acl {
  const out: Acl = {};
  for (const [cmd, ids] of Object.entries(acl) as Array<[AclCommand, string[] | undefined]>) {
    if (ids !== undefined && ids.length > 0) out[cmd] = [...ids];
  }
  return out;
}
