import { conformanceSuite } from './support/conformance-suite.js';

conformanceSuite('TLS setup of every link', (e) => e.category === 'tls');
