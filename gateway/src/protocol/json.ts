/**
 * Client bytes to JSON, bounded. The body's size is bounded by the HTTP server (`http.maxBodyBytes`); this bounds
 * its nesting before anything parses or serializes it: `JSON.parse` copes with deep input, but every recursive walk
 * afterwards (`JSON.stringify` of a forwarded message, `String()` of a nested array) would overflow the stack.
 */

/** Does the JSON text in `buf` nest objects and arrays deeper than `max`? A linear scan, strings skipped. */
export function nestingExceeds(buf: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
