import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('Architecture: two DM servers, one DM client, authority handed over', (e) => e.category === 'architecture');
