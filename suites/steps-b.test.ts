import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Approach B steps', (e) => e.category === 'step' && e.approach === 'B');
