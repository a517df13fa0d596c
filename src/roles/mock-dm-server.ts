import type { PeerTrust } from '../../mocks/common/env.js';
import type { PeerServer, ServerRole } from '../../mocks/common/server-role.js';
import type { DmServerAdapter } from './adapter.js';

/** What a reference DMS-1 and DMS-2 share behind their adapters: a ServerRole's endpoints and life cycle. */
export class MockDmServerAdapter<R extends 'dms1' | 'dms2'> implements DmServerAdapter {
  readonly mode = 'mock' as const;

  constructor(
    readonly role: R,
    readonly sessions: ServerRole,
    readonly fingerprint256: string,
    readonly trust: PeerTrust,
  ) {}

  get dmUrl(): string {
    return this.sessions.dmUrl;
  }

  get delegationUrl(): string {
    return this.sessions.delegationUrl;
  }

  async start(): Promise<void> {
    await this.sessions.start();
  }

  async prepare(): Promise<void> {}

  settled(): Promise<void> {
    return this.sessions.settled();
  }

  close(): Promise<void> {
    return this.sessions.close();
  }

  knowPeer(peer: PeerServer): void {
    this.sessions.peers.set(peer.serverId, peer);
  }
}
