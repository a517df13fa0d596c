import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Final ACL state of the client', (e) => e.category === 'final-state');
