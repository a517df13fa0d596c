/** Placeholders every driver may use (each flow fills them; the URLs are those of this flow's endpoints). */
export const FLOW_PLACEHOLDERS = [
  'flow', 'approach', 'scope', 'duration', 'removeAccount', 'subtrees', 'sessionId', 'devId', 'man', 'mod', 'dms1ServerId', 'dms2ServerId',
  'caFile', 'dms1DmUrl', 'dms1DelegationUrl', 'dms2DmUrl', 'dms2DelegationUrl', 'bootstrapUrl', 'bootstrapOrderUrl', 'clientPushUrl',
] as const;

/** Placeholders a client's trigger driver gets in addition. */
export const TRIGGER_PLACEHOLDERS = ['pkg0Hex', 'pkg0Base64', 'pkg0File', 'serverId'] as const;

/** The placeholder of a recording proxy's URL. */
export const proxyPlaceholder = (p: { link: string; to: string }) => `proxy.${p.link}.${p.to}`;
