import { expect, it } from 'vitest';
import * as tree from '../../src/tree/index.js';
import { parseAcl } from '../../src/tree/acl.js';
import { DmTree } from '../../src/tree/tree.js';

it('re-exports the tree modules', () => {
  expect(tree.parseAcl).toBe(parseAcl);
  expect(tree.DmTree).toBe(DmTree);
  expect(typeof tree.writeAccountLocal).toBe('function');
  expect(typeof tree.readBootConfigUrls).toBe('function');
});
