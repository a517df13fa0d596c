/**
 * JSON Schemas (draft 2020-12) of the delegation messages in their wire form: the object the codec reads out of
 * the XML before any type conversion, so every value is a string (`accepted` is "true" | "false").
 * Keys are the TypeScript field names; the codec maps them to element names when it reports an error.
 *
 * `hint` is an annotation of ours: the phrase an error report uses when a pattern, format or count is not met,
 * so a vendor reads "must be 1 to 64 characters …" rather than a regular expression.
 */
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import { ERROR_CODES, NOTIFICATION_TYPES, type DelegationMessageType } from './messages.js';
import { validatorFor, type ValidatorSpec } from '../validators/precompiled.js';

export const SESSION_ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
/** ACL-legal Server Identifier: printable, no white space, none of `= & * +` (TND §8.3.7.1). */
export const SERVER_ID_PATTERN = '^[^\\s=&*+\\p{C}]+$';
/** Relative DM URI rooted at `.`, no trailing `/`, no `.` or `..` segments, no property suffix (TND §8.1). */
export const DM_URI_PATTERN = '^\\.(?:/(?!\\.{1,2}(?:/|$))[^/?\\p{C}]+)*$';

const sessionId = {
  type: 'string',
  pattern: SESSION_ID_PATTERN,
  hint: 'must be 1 to 64 characters from A-Z a-z 0-9 . _ -',
};
const serverId = {
  type: 'string',
  pattern: SERVER_ID_PATTERN,
  hint: 'must be a non-empty Server Identifier of printable characters without white space or = & * +',
};
const text = { type: 'string', minLength: 1, hint: 'must not be empty' };
const decimalPort = {
  type: 'string',
  pattern: '^(?:[0-9]|[1-9][0-9]{1,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$',
  hint: 'must be a decimal port number 0 to 65535',
};
/** AAuthType values of the DMAcc MO (DM 1.2.1 StdObj). */
const authType = {
  enum: ['HTTP-BASIC', 'HTTP-DIGEST', 'BASIC', 'DIGEST', 'HMAC', 'X509', 'SECURID', 'SAFEWORD', 'DIGIPASS', 'TRANSPORT'],
};

const device = {
  type: 'object',
  additionalProperties: false,
  required: ['devId', 'man', 'mod'],
  properties: { devId: text, man: text, mod: text },
};

const appAuth = {
  type: 'object',
  additionalProperties: false,
  required: ['level', 'type'],
  properties: {
    level: { enum: ['CLCRED', 'SRVCRED', 'OBEX', 'HTTP'] },
    type: authType,
    name: { type: 'string' },
    secret: { type: 'string' },
    data: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', hint: 'must be base64' },
  },
};

/** The address format follows AddrType, as in the DMAcc MO. */
const account = {
  type: 'object',
  additionalProperties: false,
  required: ['serverId', 'addr', 'addrType', 'appAuth'],
  properties: {
    serverId,
    name: { type: 'string' },
    addr: text,
    addrType: { enum: ['URI', 'IPv4', 'IPv6'] },
    portNbr: decimalPort,
    aauthPref: authType,
    appAuth: { type: 'array', items: appAuth },
  },
  allOf: [
    addrFormat('URI', 'uri', 'must be an absolute URI'),
    addrFormat('IPv4', 'ipv4', 'must be an IPv4 address'),
    addrFormat('IPv6', 'ipv6', 'must be an IPv6 address'),
  ],
};

function addrFormat(addrType: string, format: string, hint: string): SchemaObject {
  return {
    if: { type: 'object', required: ['addrType'], properties: { addrType: { const: addrType } } },
    then: { properties: { addr: { type: 'string', format, hint } } },
  };
}

/** Schema of a message with the given fields; `type` is the discriminator the codec sets from the element name. */
function message(
  type: DelegationMessageType,
  properties: Record<string, unknown>,
  required: string[],
  extra: SchemaObject = {},
): SchemaObject {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:dmdc:delegation:1.0:schema:${type}`,
    title: type,
    type: 'object',
    additionalProperties: false,
    required: ['type', ...required],
    properties: { type: { const: type }, ...properties },
    ...extra,
  };
}

export const MESSAGE_SCHEMAS: Readonly<Record<DelegationMessageType, SchemaObject>> = {
  DelegationInitiationRequest: message(
    'DelegationInitiationRequest',
    {
      sessionId,
      delegatorServerId: serverId,
      delegateeServerId: serverId,
      device,
      delegationType: {
        type: 'object',
        additionalProperties: false,
        required: ['scope', 'duration'],
        properties: { scope: { enum: ['full', 'partial'] }, duration: { enum: ['temporary', 'permanent'] } },
      },
      subtrees: {
        type: 'array',
        uniqueItems: true,
        hint: 'must not name the same subtree twice',
        items: {
          type: 'string',
          pattern: DM_URI_PATTERN,
          hint: 'must be a DM URI rooted at "." such as ./Vendor/Apps (no trailing "/", no "." or ".." segments)',
        },
      },
      approach: { enum: ['A', 'B'] },
    },
    ['sessionId', 'delegatorServerId', 'delegateeServerId', 'device', 'delegationType', 'subtrees', 'approach'],
    {
      if: {
        type: 'object',
        required: ['delegationType'],
        properties: { delegationType: { type: 'object', required: ['scope'], properties: { scope: { const: 'partial' } } } },
      },
      then: {
        properties: {
          subtrees: { type: 'array', minItems: 1, hint: 'must appear at least once when DelegationType/@scope is partial' },
        },
      },
    },
  ),
  DelegationInitiationResponse: message(
    'DelegationInitiationResponse',
    { sessionId, accepted: { enum: ['true', 'false'] }, reason: text },
    ['sessionId', 'accepted'],
  ),
  BootstrapServerUrlRequest: message('BootstrapServerUrlRequest', { sessionId }, ['sessionId']),
  BootstrapServerUrlResponse: message(
    'BootstrapServerUrlResponse',
    { sessionId, url: { type: 'string', format: 'uri', pattern: '^https://', hint: 'must be an absolute https URI' } },
    ['sessionId', 'url'],
  ),
  AccountRequest: message('AccountRequest', { sessionId }, ['sessionId']),
  AccountResponse: message('AccountResponse', { sessionId, account }, ['sessionId', 'account']),
  BootstrapOrder: message('BootstrapOrder', { sessionId, device, account }, ['sessionId', 'device', 'account']),
  BootstrapComplete: message('BootstrapComplete', { sessionId }, ['sessionId']),
  ClientPrepared: message('ClientPrepared', { sessionId }, ['sessionId']),
  DelegationComplete: message(
    'DelegationComplete',
    { sessionId, result: { enum: ['success', 'failure'] }, reason: text },
    ['sessionId', 'result'],
  ),
  Ack: message('Ack', { sessionId, of: { enum: [...NOTIFICATION_TYPES] } }, ['sessionId', 'of']),
  Error: message('Error', { sessionId, code: { enum: [...ERROR_CODES] }, reason: text }, ['code', 'reason']),
};

/** A message type's validator spec; `hint` is our annotation, known to ajv as such. */
const specOf = (type: DelegationMessageType): ValidatorSpec => ({
  name: `delegation-${type}`,
  schema: MESSAGE_SCHEMAS[type],
  options: { allErrors: true, verbose: true },
  vocabulary: ['hint'],
});

/** One validator spec per message type (the build writes each ahead). */
export const DELEGATION_VALIDATOR_SPECS: readonly ValidatorSpec[] = (Object.keys(MESSAGE_SCHEMAS) as DelegationMessageType[]).map(specOf);

const validators = new Map<DelegationMessageType, ValidateFunction>();

/** Each message type's validator, loaded when first needed. */
function validatorOf(type: DelegationMessageType): ValidateFunction {
  let validate = validators.get(type);
  if (!validate) validators.set(type, (validate = validatorFor(specOf(type))));
  return validate;
}

/** Validates a wire-form object against the schema of `type`; an empty list means valid. */
export function validateWire(type: DelegationMessageType, value: unknown): readonly ErrorObject[] {
  const validate = validatorOf(type);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
