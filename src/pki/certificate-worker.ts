/**
 * A worker thread that makes certificates (pki.ts sends it the calls once offCertificateThread() is on):
 * generating them costs tens of milliseconds each, on a core the run otherwise leaves idle.
 */
import { parentPort } from 'node:worker_threads';
import { makeCa, makeLeaf, type CertificateCall } from './pki.js';

// Loaded now, while the run that started this thread still loads its own modules.
void import('selfsigned').catch(() => {});

parentPort!.on('message', (call: CertificateCall & { id: number }) => {
  (call.op === 'ca' ? makeCa(call.o) : makeLeaf(call.ca, call.commonName, call.o)).then(
    (identity) => parentPort!.postMessage({ id: call.id, identity }),
    (err: Error) => parentPort!.postMessage({ id: call.id, error: err?.stack ?? String(err) }),
  );
});
