// SPDX-License-Identifier: MIT
// Text and numbers for the project's SVG documents: escaped XML that is always well-formed, and
// coordinates with at most two decimals.

/**
 * Characters XML 1.0 forbids anywhere in a document, even as a character reference (its `Char`
 * production): C0 controls but tab, LF and CR; U+FFFE and U+FFFF; and, since the `u` flag matches
 * whole code points, only surrogates without their other half.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/**
 * Escapes text for an XML text node or a double-quoted attribute; a character XML cannot hold
 * becomes U+FFFD, the replacement character, so the document stays well-formed.
 */
export function xml(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A coordinate with at most two decimals and no trailing zeros. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}
