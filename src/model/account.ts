/**
 * A DM account (DMAcc `<X>` of DM 1.2.1 StdObj §7.1.3.1) as the harness passes it around: what DMS-2 hands
 * DMS-1 in approach A, what the Bootstrap Server provisions in approach B, and what the client keeps.
 */
export interface AppAuth {
  /** CLCRED (client's credentials towards the server), SRVCRED (server's towards the client), OBEX, HTTP. */
  level: 'CLCRED' | 'SRVCRED' | 'OBEX' | 'HTTP';
  /** BASIC (syncml:auth-basic), DIGEST (syncml:auth-md5), HMAC, X509, TRANSPORT ... */
  type: string;
  name?: string;
  secret?: string;
  /** Nonce, base64 as carried in the tree (AAuthData is `bin`). */
  data?: string;
}

export interface DmAccount {
  serverId: string;
  /** Display name (Name node). */
  name?: string;
  /** Server DM URL (AppAddr/<X>/Addr). */
  addr: string;
  addrType: 'URI' | 'IPv4' | 'IPv6';
  portNbr?: string;
  aauthPref?: string;
  appAuth: AppAuth[];
}
