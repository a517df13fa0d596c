const decoder = new TextDecoder('utf-8', { fatal: true });

/** Why a body that is not UTF-8 is refused (every text body of the profile is UTF-8). */
export const NOT_UTF8 = 'the body is not valid UTF-8';

/**
 * Bytes as UTF-8 text, or undefined when they are not valid UTF-8: replacement characters would hide what
 * the peer sent, and a message read that way could be taken for one it never sent.
 */
export function utf8(bytes: ArrayBuffer | Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
