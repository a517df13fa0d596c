/** What a run's and a fleet's junit.xml are written with: the builder, XML-safe text, attributes, timestamps. */
import { XMLBuilder } from 'fast-xml-parser';

export const junitBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
  suppressEmptyNode: true,
  // Otherwise a value of "true" is written as a bare attribute, which is not XML.
  suppressBooleanAttributes: false,
  processEntities: true,
});

/** XML 1.0 forbids most control characters and lone surrogates; a raw body could carry them. */
export function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Parsers turn a newline inside an attribute into a space, so attributes are kept on one line on purpose. */
export function attr(s: string, max = 500): string {
  const one = xmlSafe(s).replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

/** ISO 8601 in UTC without a zone designator: the form Ant and Surefire write and Jenkins reads. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '');
}
