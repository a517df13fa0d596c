import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('Architecture: two DM servers, one DM client, authority handed over', (e) => e.category === 'architecture');
