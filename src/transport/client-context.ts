import { createSecureContext, type SecureContext } from 'node:tls';
import type { KeyPair } from '../pki/pki.js';
import type { TlsPolicy } from './https-endpoint.js';

const contexts = new Map<string, SecureContext>();

/**
 * One TLS client context per identity, trust anchors and version policy, made once and reused: building
 * one (parsing keys and certificates) costs about as much as a handshake. Facts are still read per
 * connection.
 */
export function clientContext(o: { identity?: KeyPair; trustAnchors: readonly string[]; tls?: TlsPolicy }): SecureContext {
  const min = o.tls?.minVersion ?? 'TLSv1.2';
  const key = [o.identity?.cert ?? '', o.trustAnchors.join('\n'), min, o.tls?.maxVersion ?? '', o.tls?.ciphers ?? ''].join('\u0000');
  let made = contexts.get(key);
  if (!made) {
    made = createSecureContext({ key: o.identity?.key, cert: o.identity?.cert, ca: [...o.trustAnchors], minVersion: min, maxVersion: o.tls?.maxVersion, ciphers: o.tls?.ciphers });
    contexts.set(key, made);
  }
  return made;
}
