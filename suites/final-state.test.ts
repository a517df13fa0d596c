import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('Final ACL state of the client', (e) => e.category === 'final-state');
