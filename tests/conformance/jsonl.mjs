// Shared JSONL helpers for the conformance corpus.
//
// Every corpus line is one JSON string. We write our own serializer (instead of
// JSON.stringify) so that the files are safe for line-oriented readers:
//   * all C0/C1 control characters (U+0000-001F, U+007F-009F) are escaped,
//     including U+0085 NEXT LINE, which some "splitlines" functions treat as a
//     line break;
//   * U+2028, U+2029 and U+FEFF are escaped too;
//   * everything else (all other non-ASCII, including astral characters) is
//     written raw as UTF-8, so a reader never needs surrogate-pair escapes.
// The short escapes \" \\ \b \f \n \r \t are used where JSON has them.

const SHORT = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

export function jsonString(s) {
  if (!s.isWellFormed()) throw new Error('string contains a lone surrogate');
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (SHORT[c] !== undefined) out += SHORT[c];
    else if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff)
      out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

export function toJsonl(strings) {
  return strings.map(jsonString).join('\n') + '\n';
}

// Reads a corpus file back: one JSON string per line.
export function parseJsonl(text) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l, i) => {
    const v = JSON.parse(l);
    if (typeof v !== 'string') throw new Error(`line ${i + 1} is not a JSON string`);
    return v;
  });
}
