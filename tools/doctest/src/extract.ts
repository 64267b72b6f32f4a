import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * One runnable (or deliberately skipped) code block found in a doc comment or a Markdown file.
 *
 * `index` counts the blocks of one file from 0 in source order (skipped blocks included); the skip
 * list (`skip.json`) names a block by `file` and `index`.
 */
export interface DocBlock {
  /** Path relative to the repository root, with `/` separators. */
  file: string;
  /** 0-based position of this block among the blocks of `file`. */
  index: number;
  /** 1-based line of the opening fence (or of the `@example` tag when the fence is missing). */
  line: number;
  /** The declaration the doc comment is attached to, when one could be read. */
  symbol?: string;
  /** The block's source, dedented. */
  code: string;
  /** Set when the fence says `ts skip <reason>`: the block is shown but not run. */
  skip?: string;
  /** Set when the block breaks the example convention (an `@example` with no ```ts fence). */
  error?: string;
}

interface Fence {
  line: number;
  info: string;
  code: string;
}

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})\s*([^`]*)$/;
const RUNNABLE_LANGS = new Set(['ts', 'typescript', 'mts']);

/** Splits a fence's info string (`ts skip needs a GPU adapter`) into language, skip flag and reason. */
export function parseInfo(info: string): { lang: string; skip?: string } {
  const words = info.trim().split(/\s+/);
  const lang = (words[0] ?? '').toLowerCase();
  if (words[1] === 'skip') {
    const reason = words
      .slice(2)
      .join(' ')
      .replace(/^[-:—–]\s*/, '');
    return { lang, skip: reason || 'marked skip' };
  }
  return { lang };
}

/** Fenced code blocks of a Markdown text, with 0-based line numbers of their opening fence. */
export function fences(lines: readonly string[]): Fence[] {
  const out: Fence[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = FENCE_OPEN.exec(lines[i]!.replace(/^\s*(?=(```|~~~))/, ''));
    if (!open) {
      i++;
      continue;
    }
    const indent = /^\s*/.exec(lines[i]!)![0].length;
    const marker = open[2]!;
    const start = i;
    const body: string[] = [];
    i++;
    while (i < lines.length && !lines[i]!.trim().startsWith(marker)) {
      body.push(lines[i]!);
      i++;
    }
    i++; // closing fence
    out.push({ line: start, info: open[3] ?? '', code: dedent(body, indent) });
  }
  return out;
}

function dedent(body: readonly string[], indent: number): string {
  const widths = body.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(indent, ...widths);
  return `${body.map((l) => l.slice(cut)).join('\n')}\n`;
}

/** The ```ts blocks of a Markdown file. */
export function markdownBlocks(file: string, text: string): DocBlock[] {
  const lines = text.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  for (const f of fences(lines)) {
    const { lang, skip } = parseInfo(f.info);
    if (!RUNNABLE_LANGS.has(lang)) continue;
    blocks.push({ file, index: blocks.length, line: f.line + 1, code: f.code, ...(skip ? { skip } : {}) });
  }
  return blocks;
}

const DECLARATION =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const MEMBER =
  /^(?:(?:public|private|protected|static|readonly|async|get|set|override)\s+)*\*?\[?([A-Za-z_$][\w$.]*)\]?\??\s*[(<:=]/;

function symbolAfter(text: string, from: number): string | undefined {
  const rest = text.slice(from).split('\n');
  for (const raw of rest) {
    const l = raw.trim();
    if (l === '' || l.startsWith('//') || l.startsWith('@')) continue;
    const m = DECLARATION.exec(l) ?? MEMBER.exec(l);
    return m?.[1];
  }
  return undefined;
}

/**
 * The `@example` blocks of a TypeScript source: every ```ts fence inside an `@example` section of a
 * `/** ... *\/` comment. An `@example` section without a ```ts fence is returned as a block with
 * `error` set, since the convention asks for a fenced, runnable module.
 */
export function sourceBlocks(file: string, text: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  const comment = /\/\*\*([\s\S]*?)\*\//g;
  for (let m = comment.exec(text); m; m = comment.exec(text)) {
    if (!m[1]!.includes('@example')) continue;
    const firstLine = text.slice(0, m.index).split('\n').length; // 1-based line of `/**`
    const lines = m[1]!.split('\n').map((l) => l.replace(/^\s*\*(?: |$)/, ''));
    const symbol = symbolAfter(text, m.index + m[0].length);
    let i = 0;
    while (i < lines.length) {
      if (!/^\s*@example\b/.test(lines[i]!)) {
        i++;
        continue;
      }
      const tagLine = i;
      let end = i + 1;
      let inFence = false;
      while (end < lines.length) {
        const l = lines[end]!.trim();
        if (/^(```|~~~)/.test(l)) inFence = !inFence;
        else if (!inFence && /^@\w/.test(l)) break;
        end++;
      }
      const section = lines.slice(tagLine + 1, end);
      let found = 0;
      for (const f of fences(section)) {
        const { lang, skip } = parseInfo(f.info);
        if (!RUNNABLE_LANGS.has(lang)) continue;
        found++;
        blocks.push({
          file,
          index: blocks.length,
          line: firstLine + tagLine + 1 + f.line,
          ...(symbol ? { symbol } : {}),
          code: f.code,
          ...(skip ? { skip } : {}),
        });
      }
      if (found === 0) {
        blocks.push({
          file,
          index: blocks.length,
          line: firstLine + tagLine,
          ...(symbol ? { symbol } : {}),
          code: section.join('\n'),
          error: 'an @example without a ```ts fence: fence it (```ts, or ```ts skip <reason>)',
        });
      }
      i = end;
    }
  }
  return blocks;
}

function walk(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

/**
 * Every file the doctest reads, relative to `root`: `packages/* /src/**\/*.ts` (not `.d.ts`),
 * `packages/* /README.md`, `README.md` and `docs/guide/**\/*.md`.
 */
export function docFiles(root: string): string[] {
  const packages = join(root, 'packages');
  const files: string[] = [join(root, 'README.md')];
  for (const pkg of readdirSync(packages).sort()) {
    const dir = join(packages, pkg);
    if (!statSync(dir).isDirectory()) continue;
    files.push(...walk(join(dir, 'src'), (p) => p.endsWith('.ts') && !p.endsWith('.d.ts')));
    files.push(join(dir, 'README.md'));
  }
  files.push(...walk(join(root, 'docs', 'guide'), (p) => p.endsWith('.md')));
  return files.map((f) => relative(root, f).split('\\').join('/'));
}

/** Every block of every file of {@link docFiles}. */
export function collectBlocks(root: string): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const file of docFiles(root)) {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      continue;
    }
    blocks.push(...(file.endsWith('.md') ? markdownBlocks(file, text) : sourceBlocks(file, text)));
  }
  return blocks;
}
