import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('Ordering across links', (e) => e.category === 'ordering');
