import { conformanceSuite } from './support/conformance-suite.js';

await conformanceSuite('TLS setup of every link', (e) => e.category === 'tls');
