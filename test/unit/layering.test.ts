// SPDX-License-Identifier: MIT
// The import rules of docs/architecture.md, checked on the source text: only
// src/backends/native.ts loads the addon (or node-gyp-build), and src/engine/ imports nothing
// from outside src/engine/.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

/** Every .ts file under `dir`, as paths relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** The specifiers of static imports, re-exports, dynamic imports and require() calls. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1] ?? '');
}

function loadsAddon(file: string): boolean {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return (
    importsOf(file).some((spec) => spec === 'node-gyp-build' || spec.endsWith('.node') || /\bbuild\/(Release|Debug)\b/.test(spec)) ||
    /\bprocess\.dlopen\s*\(/.test(text)
  );
}

describe('layering', () => {
  const files = sources(SRC);

  it('finds the sources it checks', () => {
    expect(files).toContain('src/backends/native.ts');
  });

  it('loads the addon only from src/backends/native.ts', () => {
    expect(files.filter(loadsAddon)).toEqual(['src/backends/native.ts']);
  });

  it('keeps src/engine/ free of imports from outside it', () => {
    const outside = files
      .filter((file) => file.startsWith('src/engine/'))
      .flatMap((file) =>
        importsOf(file)
          .filter((spec) => spec.startsWith('node:') || !resolve(ROOT, dirname(file), spec).startsWith(join(SRC, 'engine')))
          .map((spec) => `${file} -> ${spec}`),
      );
    expect(outside).toEqual([]);
  });
});
