/**
 * The README is a front door and docs/ holds the rest (issue 16): every relative link in them
 * must lead somewhere (the file, and the heading when it names one), every repository path they
 * name in backticks must exist, and the README must stay short.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const README_LIMIT = 12 * 1024;
const PAGES = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** The text outside fenced code blocks (links and paths inside them are examples, not claims). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading = ''] of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

/** Targets of inline links and images, `[text](target)` / `![alt](target)`, outside code. */
function linkTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] ?? '');
}

/** Repository paths named in inline code (`src/…`, `test/…`, …), without globs or placeholders. */
function namedPaths(markdown: string): string[] {
  const spans = [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
  return spans.filter((span) => /^(src|workers|test|scripts|public|examples|bench)\/[^\s*<>]*$/.test(span) && !span.startsWith('bench/out'));
}

/** Broken links of one page, as "target: why". */
function brokenLinks(page: string): string[] {
  const markdown = readFileSync(path.join(ROOT, page), 'utf8');
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:: not relative
    const [file = '', anchor] = target.split('#');
    const resolved = file === '' ? path.join(ROOT, page) : path.resolve(path.dirname(path.join(ROOT, page)), decodeURIComponent(file));
    if (!resolved.startsWith(ROOT) || !existsSync(resolved)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(decodeURIComponent(anchor))) {
      broken.push(`${target}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
    }
  }
  return broken;
}

describe('README and docs/', () => {
  it('finds the pages and their links (the checks below have something to check)', () => {
    expect(PAGES).toContain('README.md');
    expect(PAGES.length).toBeGreaterThan(5);
    expect(linkTargets(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).filter((t) => t.startsWith('docs/')).length).toBeGreaterThan(5);
  });

  it.each(PAGES)('%s: every relative link resolves, to its heading too', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  it.each(PAGES)('%s: every repository path it names exists', (page) => {
    const missing = namedPaths(readFileSync(path.join(ROOT, page), 'utf8')).filter((p) => !existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  it(`README.md is a front door: under ${README_LIMIT} bytes`, () => {
    expect(statSync(path.join(ROOT, 'README.md')).size).toBeLessThan(README_LIMIT);
  });
});

describe('the link checker itself', () => {
  it('slugs headings as GitHub does', () => {
    const slugs = anchors('# The fast route: the browser’s own encoders (WebCodecs)\n## `encoder.call(file, preset, { signal? })`\n## Tests\n## Tests\n```\n# not a heading\n```\n');
    expect([...slugs]).toEqual(['the-fast-route-the-browsers-own-encoders-webcodecs', 'encodercallfile-preset--signal-', 'tests', 'tests-1']);
  });

  it('reads links outside code only', () => {
    expect(linkTargets('[a](docs/a.md) ![b](x.png "t") `[c](no.md)`\n```\n[d](no.md)\n```\n[e](https://x.y/#z)')).toEqual(['docs/a.md', 'x.png', 'https://x.y/#z']);
  });
});
