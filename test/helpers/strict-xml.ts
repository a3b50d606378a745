// SPDX-License-Identifier: MIT
// A strict XML 1.0 well-formedness check for the SVG the project writes. fast-xml-parser's
// XMLValidator checks the structure but lets through characters that XML 1.0 forbids (U+0007,
// U+FFFE, a lone surrogate, or `&#7;`), which browsers refuse ("Invalid character U+0007"), so
// this adds the Char production of the XML 1.0 spec (section 2.2) to its verdict.

import { XMLValidator } from 'fast-xml-parser';

/** A code point outside XML 1.0's `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function isXmlChar(codePoint: number): boolean {
  return !FORBIDDEN.test(String.fromCodePoint(codePoint));
}

/** Why `text` is not well-formed XML 1.0, or undefined when it is. */
export function strictXmlProblem(text: string): string | undefined {
  const raw = FORBIDDEN.exec(text);
  if (raw !== null) return `character U+${raw[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')} at index ${raw.index}`;
  for (const match of text.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const digits = match[1] ?? '';
    const codePoint = digits.startsWith('x') ? Number.parseInt(digits.slice(1), 16) : Number(digits);
    if (!(codePoint <= 0x10ffff) || !isXmlChar(codePoint)) return `character reference ${match[0]} at index ${match.index}`;
  }
  const verdict = XMLValidator.validate(text);
  return verdict === true ? undefined : `${verdict.err.msg} (line ${verdict.err.line})`;
}
