import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Approach A steps', (e) => e.category === 'step' && e.approach === 'A');
