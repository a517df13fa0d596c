/**
 * Node 25 and later define a global `localStorage` that prints an ExperimentalWarning when first read without
 * --localstorage-file. msw's cookie store reads it as msw loads, so every dmdc process on Node 26 printed that
 * warning. The harness keeps nothing in browser storage: the global is made absent, as on Node 20, before
 * msw loads. Imported first by each entry point that loads msw (the CLI, a fleet worker, the tests' setup).
 */
const storage = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
if (storage?.get) Object.defineProperty(globalThis, 'localStorage', { value: undefined, writable: true, configurable: true });
