import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('DM session rules', (e) => e.category === 'session');
