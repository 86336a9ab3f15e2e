/**
 * Issue 10: "Types ship with the package (TSDoc on every export, with a short example each)."
 * Reads src/index.ts with the TypeScript compiler and checks every export it offers, following
 * re-exports to the declaration a site's editor shows.
 */
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ENTRY = path.resolve(import.meta.dirname, '../../src/index.ts');
/** `ffbatch/uppy` (issue 20): the same standard. */
const UPPY_ENTRY = path.resolve(import.meta.dirname, '../../src/uppy/index.ts');

function publicExports(entryFile = ENTRY): { name: string; documented: boolean; hasExample: boolean }[] {
  const program = ts.createProgram([entryFile], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  });
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(entryFile);
  const moduleSymbol = entry && checker.getSymbolAtLocation(entry);
  if (!moduleSymbol) throw new Error(`${entryFile} is not a module`);
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return {
      name: exported.name,
      documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim().length > 0,
      hasExample: target.getJsDocTags(checker).some((tag) => tag.name === 'example'),
    };
  });
}

describe('the public entry (src/index.ts)', () => {
  it('documents every export with TSDoc and a short example', () => {
    const exports = publicExports();
    // The API the issue names, and the session the page is built on, are all there.
    for (const name of ['createEncoder', 'upload', 'PRESETS', 'JobFailedError', 'openBatchSession', 'BatchSession']) expect(exports.map((e) => e.name)).toContain(name);
    expect(exports.filter((e) => !e.documented).map((e) => e.name), 'exports without TSDoc').toEqual([]);
    expect(exports.filter((e) => !e.hasExample).map((e) => e.name), 'exports without an @example').toEqual([]);
  }, 60_000);
});

describe('the Uppy entry (src/uppy/index.ts)', () => {
  it('documents every export with TSDoc and a short example', () => {
    const exports = publicExports(UPPY_ENTRY);
    expect(exports.map((e) => e.name).sort()).toEqual(['FfbatchTranscode', 'FfbatchTranscodeMeta', 'FfbatchTranscodeOptions']);
    expect(exports.filter((e) => !e.documented).map((e) => e.name), 'exports without TSDoc').toEqual([]);
    expect(exports.filter((e) => !e.hasExample).map((e) => e.name), 'exports without an @example').toEqual([]);
  }, 60_000);
});
