import { archSecondServerManages, archTwoServersOneClient } from './architecture-checks.js';
import { basicClient, hmacClient, hmacServer } from './auth-type-checks.js';
import { bootstrapCaseRefused } from './bootstrap-case-checks.js';
import type { Check } from './check.js';
import { pkg0DigestRefused, serverAuthRefused, tlsClientCaseRefused } from './client-case-checks.js';
import { aclGrammarRefused, forgedHeaderRefused } from './client-session-checks.js';
import { delegationApiRefused } from './delegation-api-checks.js';
import { dmAuthRefused } from './dm-auth-checks.js';
import {
  finalAclDelegated,
  finalAclSyntax,
  finalDms1Kept,
  finalDms1Removed,
  finalDms2Account,
  finalDms2AccountAcl,
  finalNoOvergrant,
  finalOthersPreserved,
  finalPermanentHandover,
} from './final-checks.js';
import { messageSize } from './message-size-checks.js';
import { nonceClientFollows, nonceServerFollows } from './nonce-checks.js';
import { order } from './order-checks.js';
import { peerIdentityRefused } from './peer-identity-checks.js';
import { oncePerDelegation } from './once-checks.js';
import { sessionAcl425, sessionCredentials, sessionIdKept, sessionMsgId, sessionPkg0Digest, sessionPkg1Alert, sessionPkg1DevInfo, sessionStatus } from './session-checks.js';
import { stepContent, stepObserved } from './step-checks.js';
import { tlsCaseRefused, tlsMutual, tlsOnLink, tlsTrustAnchor, tlsVersion } from './tls-checks.js';
import { wireContentType, wireResponses, wireSchemaValid, wireSessionId } from './wire-checks.js';

/** Every check by id. The coverage gate holds this against the catalogue. */
export const CHECKS: ReadonlyMap<string, Check> = new Map(
  [
    stepObserved, stepContent, order,
    tlsMutual, tlsVersion, tlsTrustAnchor, tlsOnLink, tlsCaseRefused, tlsClientCaseRefused, pkg0DigestRefused, serverAuthRefused, bootstrapCaseRefused, peerIdentityRefused,
    dmAuthRefused, delegationApiRefused, aclGrammarRefused, forgedHeaderRefused,
    sessionPkg1Alert, sessionPkg1DevInfo, sessionIdKept, sessionMsgId, sessionStatus, sessionCredentials, sessionAcl425, sessionPkg0Digest, nonceClientFollows, nonceServerFollows, hmacClient, hmacServer, basicClient, messageSize,
    finalDms2Account, finalAclDelegated, finalOthersPreserved, finalAclSyntax, finalDms1Removed, finalDms1Kept,
    finalNoOvergrant, finalDms2AccountAcl, finalPermanentHandover,
    wireContentType, wireSchemaValid, wireSessionId, wireResponses,
    oncePerDelegation,
    archTwoServersOneClient, archSecondServerManages,
  ].map((c) => [c.id, c]),
);
