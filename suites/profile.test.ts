import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('Binding profile on the wire', (e) => e.category === 'profile');
