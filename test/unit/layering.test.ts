// SPDX-License-Identifier: MIT
// The import rules of docs/architecture.md ("Imports run one way"), checked on the source text.
// The allowed imports are read from the table in that section, so the doc is the one place they
// are written: every import of every file under src/ (static, type-only, re-exports, dynamic
// import() and require(), as TypeScript's own pre-processor finds them) must be an edge of the
// table, every edge of the table must be used by some file (the table says what the code does),
// and the table's graph has no cycle. Beside the table: pool/core.ts is imported only from
// pool/, src/engine/ imports no Node module, and only src/backends/native.ts loads the addon (or
// node-gyp-build, the one package src/ may import).

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const ARCHITECTURE = join(ROOT, 'docs/architecture.md');

/** Every .ts file under `dir`, as paths relative to the repository root. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
    .sort();
}

/** The specifiers a file imports, in every form (comments and strings are not imports). */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

/**
 * The layer a path under src/ belongs to, as the table names it: `pool/` for anything in
 * src/pool/, `constants.ts` for src/constants.ts; undefined outside src/.
 */
function unitOf(path: string): string | undefined {
  const inside = relative(SRC, path);
  if (inside.startsWith('..') || inside === '') return undefined;
  const [first, ...rest] = inside.split('/');
  return rest.length === 0 ? (first ?? '').replace(/\.js$/, '.ts') : `${first}/`;
}

/** One import of a file under src/, resolved: `target` is the src/-relative path it names. */
interface Import {
  readonly file: string;
  readonly spec: string;
  readonly target: string | undefined;
}

/** The table of "Imports run one way": each row's layer and the layers it may import. */
function documentedEdges(markdown: string): Map<string, Set<string>> {
  const section = /^## Layers\n([\s\S]*?)(?=^## )/m.exec(markdown)?.[1] ?? '';
  const table = /^\| from \| imports[^\n]*\n\|[-| ]+\|\n((?:\|[^\n]*\|\n)+)/m.exec(section)?.[1] ?? '';
  const edges = new Map<string, Set<string>>();
  for (const row of table.trimEnd().split('\n')) {
    const [from = '', to = ''] = row.split('|').slice(1, -1).map((cell) => cell.trim());
    const name = /^`([^`]+)`$/.exec(from)?.[1];
    if (name === undefined) throw new Error(`docs/architecture.md, Layers table: a row whose first cell is not one \`layer\`: ${row}`);
    edges.set(name, new Set([...to.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? '')));
  }
  return edges;
}

/** Pairs `[from, to]` of the table, in a stable order. */
function pairs(edges: Map<string, Set<string>>): string[] {
  return [...edges].flatMap(([from, tos]) => [...tos].map((to) => `${from} -> ${to}`)).sort();
}

/** A cycle of the graph as `a -> b -> a`, or undefined. */
function cycleOf(edges: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node].join(' -> ');
    state.set(node, 'open');
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const found = visit(next);
      if (found !== undefined) return found;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const found = visit(node);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The imports of `files` (name to source text) that the table does not allow, each as
 * `file -> spec (from may import only ...)`, and the table's edges that no import uses.
 */
function checkLayering(files: ReadonlyMap<string, string>, edges: Map<string, Set<string>>): { forbidden: string[]; unused: string[] } {
  const imports: Import[] = [...files].flatMap(([file, text]) =>
    importsOf(text).map((spec) => ({
      file,
      spec,
      target: spec.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), spec)) : undefined,
    })),
  );
  const used = new Set<string>();
  const forbidden: string[] = [];
  for (const { file, spec, target } of imports) {
    if (target === undefined) continue; // node: modules and packages: the rules below the table
    const from = unitOf(join(ROOT, file)) ?? file;
    const to = unitOf(join(ROOT, target)) ?? target;
    if (from === to) continue;
    const allowed = edges.get(from);
    if (allowed?.has(to) === true) {
      used.add(`${from} -> ${to}`);
    } else {
      const rule =
        allowed === undefined ? 'has no row in the table' : allowed.size === 0 ? 'may import nothing' : `may import only ${[...allowed].join(', ')}`;
      forbidden.push(`${file} -> ${spec} (${from} ${rule})`);
    }
  }
  return { forbidden, unused: pairs(edges).filter((edge) => !used.has(edge)) };
}

function loadsAddon(text: string): boolean {
  return (
    importsOf(text).some((spec) => spec === 'node-gyp-build' || spec.endsWith('.node') || /\bbuild\/(Release|Debug)\b/.test(spec)) ||
    /\bprocess\.dlopen\s*\(/.test(text)
  );
}

describe('layering', () => {
  const files = new Map(sources(SRC).map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
  const edges = documentedEdges(readFileSync(ARCHITECTURE, 'utf8'));

  it('reads a row for every folder and root file of src/, and for nothing else', () => {
    const units = new Set([...files.keys()].map((file) => unitOf(join(ROOT, file))));
    expect([...edges.keys()].sort()).toEqual([...units].sort());
    const named = new Set([...edges.values()].flatMap((tos) => [...tos]));
    expect([...named].filter((unit) => !edges.has(unit))).toEqual([]);
  });

  it('has no cycle in the table: imports run one way', () => {
    expect(cycleOf(edges)).toBeUndefined();
  });

  it('finds every import of src/ allowed by the table, and every edge of the table used', () => {
    expect(checkLayering(files, edges)).toEqual({ forbidden: [], unused: [] });
  });

  it('fails on an import the table forbids, and on an edge no file uses', () => {
    // trace/ importing pool/ (the diagram once drew it), engine/ importing validate.ts, a new folder.
    const planted = new Map([
      ['src/engine/planted.ts', "export { describe } from '../validate.js';\n"],
      ['src/threads/planted.ts', "import { createPool } from '../pool/pool.js';\n"],
      ['src/trace/planted.ts', "import type { Pool } from '../pool/pool.js';\nconst later = import('../pool/pool.js');\n"],
    ]);
    expect(checkLayering(planted, edges).forbidden).toEqual([
      'src/engine/planted.ts -> ../validate.js (engine/ may import nothing)',
      'src/threads/planted.ts -> ../pool/pool.js (threads/ has no row in the table)',
      'src/trace/planted.ts -> ../pool/pool.js (trace/ may import only constants.ts, format.ts)',
      'src/trace/planted.ts -> ../pool/pool.js (trace/ may import only constants.ts, format.ts)',
    ]);
    const unplugged = new Map([...files].filter(([file]) => !file.startsWith('src/viz/')));
    expect(checkLayering(unplugged, edges).unused).toEqual(['viz/ -> constants.ts', 'viz/ -> format.ts', 'viz/ -> pool-stats.ts', 'viz/ -> pool/', 'viz/ -> validate.ts']);
  });

  it('keeps pool/core.ts private to pool/ (compat and viz reach the core through coreOf)', () => {
    const outside = [...files]
      .filter(([file]) => !file.startsWith('src/pool/'))
      .flatMap(([file, text]) =>
        importsOf(text)
          .filter((spec) => spec.startsWith('.') && relative(ROOT, resolve(ROOT, dirname(file), spec)) === 'src/pool/core.js')
          .map((spec) => `${file} -> ${spec}`),
      );
    expect(outside).toEqual([]);
  });

  it('keeps src/engine/ free of Node modules and packages', () => {
    const outside = [...files]
      .filter(([file]) => file.startsWith('src/engine/'))
      .flatMap(([file, text]) => importsOf(text).filter((spec) => !spec.startsWith('.')).map((spec) => `${file} -> ${spec}`));
    expect(outside).toEqual([]);
  });

  it('loads the addon only from src/backends/native.ts, the one file importing a package', () => {
    expect([...files].filter(([, text]) => loadsAddon(text)).map(([file]) => file)).toEqual(['src/backends/native.ts']);
    const packages = [...files].flatMap(([file, text]) =>
      importsOf(text)
        .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))
        .map((spec) => `${file} -> ${spec}`),
    );
    expect(packages).toEqual(['src/backends/native.ts -> node-gyp-build']);
  });
});
