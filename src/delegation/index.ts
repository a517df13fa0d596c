/** DMS↔DMS delegation messages of binding profile v1: types, schemas and the XML codec. */
export * from './messages.js';
export { MESSAGE_SCHEMAS, validateWire, SESSION_ID_PATTERN, SERVER_ID_PATTERN, DM_URI_PATTERN } from './schemas.js';
export {
  DELEGATION_NS,
  DELEGATION_ROOT,
  buildDelegation,
  parseDelegation,
  validateDelegation,
  delegationSummary,
  type ParseResult,
} from './codec.js';
