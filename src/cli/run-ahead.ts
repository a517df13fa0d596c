/**
 * What `dmdc run` starts before its own modules load: the certificate thread, and on it the run's default
 * PKI, so that the certificates are made while the harness loads on this thread. A run with a PKI of its
 * configuration leaves the default one unused; the options that end a run before it needs certificates
 * start nothing (the thread would hold the process until they were made).
 */
import { createPki, offCertificateThread, type Pki } from '../pki/pki.js';

const ENDS_EARLY = /^--(help|list|dry-run|list-mutants|fleet|concurrency)(=|$)/;

let ahead: Promise<Pki> | undefined;

export function startRunAhead(argv: readonly string[]): void {
  if (argv.some((a) => ENDS_EARLY.test(a))) return;
  offCertificateThread();
  ahead = createPki();
  // Awaited by the run that uses it; one that does not must not see an unhandled rejection.
  ahead.catch(() => {});
}

/** The run's default PKI: the one started ahead, or made now. */
export function defaultPki(): Promise<Pki> {
  return ahead ?? createPki();
}
