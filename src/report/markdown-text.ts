/** Text for Markdown outputs (summary.md, the test sheets). */

/**
 * Escapes text for Markdown: inline HTML (`<X>` would vanish as a tag), emphasis, code, links,
 * table pipes and entities; an underscore inside a word (DM_Server_Delegation) is left as it reads.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\\`*[\]<>|]/g, (c) => `\\${c}`)
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'))
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/^(\s*)([#+-]|\d+\.)(\s)/gm, '$1\\$2$3');
}
