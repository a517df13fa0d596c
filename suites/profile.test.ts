import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Binding profile on the wire', (e) => e.category === 'profile');
