import { randomBytes } from 'node:crypto';
import { cpSync, lstatSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * DIR/latest names the newest run: a relative symbolic link, replaced in one rename so a reader never sees
 * it missing; where links are not allowed, a copy.
 */
export function pointLatestAt(root: string, runId: string): string {
  const latest = join(root, 'latest');
  const next = join(root, `.latest-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    rmSync(next, { force: true });
    symlinkSync(runId, next);
    // A directory left by an older dmdc (a copy) cannot be renamed over.
    if (!lstatSync(latest, { throwIfNoEntry: false })?.isSymbolicLink()) rmSync(latest, { recursive: true, force: true });
    renameSync(next, latest);
  } catch {
    rmSync(next, { force: true });
    rmSync(latest, { recursive: true, force: true });
    cpSync(join(root, runId), latest, { recursive: true });
  }
  return latest;
}
