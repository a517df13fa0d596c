import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('Negative cases: what an implementation must refuse', (e) => e.category === 'negative');
