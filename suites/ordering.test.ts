import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Ordering across links', (e) => e.category === 'ordering');
