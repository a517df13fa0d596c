import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('DM session rules', (e) => e.category === 'session');
