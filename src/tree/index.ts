export * from './acl.js';
export * from './tree.js';
export * from './dmacc.js';
export * from './bootconfig.js';
