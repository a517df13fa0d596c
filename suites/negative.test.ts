import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Negative cases: what an implementation must refuse', (e) => e.category === 'negative');
