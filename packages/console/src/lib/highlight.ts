import { splitClassedRedactions } from '@codevf/protocol/shared';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';

/**
 * Syntax highlighting for files the customer approved, split into lines for line numbers.
 *
 * highlight.js core with a dozen common languages keeps the bundle small (the full build is
 * ~1 MB). Its HTML output is parsed back into tokens here, so the page renders React text nodes
 * and never assigns file content as HTML: a customer's file is data, not markup.
 */
const LANGUAGES = {
  bash,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  markdown,
  php,
  python,
  ruby,
  rust,
  sql,
  typescript,
  xml,
  yaml,
};
for (const [name, lang] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, lang);

const BY_EXTENSION: Record<string, keyof typeof LANGUAGES> = {
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  json: 'json',
  py: 'python',
  go: 'go',
  rs: 'rust',
  rb: 'ruby',
  java: 'java',
  kt: 'java',
  sh: 'bash',
  bash: 'bash',
  zsh: 'bash',
  yml: 'yaml',
  yaml: 'yaml',
  html: 'xml',
  htm: 'xml',
  xml: 'xml',
  svg: 'xml',
  vue: 'xml',
  css: 'css',
  scss: 'css',
  md: 'markdown',
  toml: 'ini',
  ini: 'ini',
  cfg: 'ini',
  sql: 'sql',
  diff: 'diff',
  patch: 'diff',
  php: 'php',
};

/** Above this size, highlighting costs more than it helps; the file is shown plain. */
export const MAX_HIGHLIGHT_CHARS = 200_000;

export interface CodeToken {
  text: string;
  /** highlight.js scope classes (`hljs-keyword`), '' for plain text. */
  className: string;
  /** Set on a redaction marker (its label, or ''). */
  redacted?: string;
}

export interface HighlightedFile {
  /** Language used, or null when shown as plain text. */
  language: string | null;
  lines: CodeToken[][];
}

export function languageForPath(path: string): string | null {
  const base = path.split(/[\\/]/).pop() ?? '';
  if (/^dockerfile(\..*)?$/i.test(base)) return 'dockerfile';
  if (/^makefile$/i.test(base)) return 'bash';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return null;
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? null;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#x27;': "'",
  '&#39;': "'",
};

function decode(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#x27|#39);/g, (e) => ENTITIES[e] ?? e);
}

/** Parses highlight.js HTML (spans + escaped text only) into per-line tokens. */
function htmlToLines(html: string): CodeToken[][] {
  const lines: CodeToken[][] = [[]];
  const stack: string[] = [];
  const tag = /<span class="([^"]*)">|<\/span>|([^<]+)/g;
  for (const m of html.matchAll(tag)) {
    if (m[1] !== undefined) {
      stack.push(m[1]);
      continue;
    }
    if (m[2] === undefined) {
      stack.pop();
      continue;
    }
    const className = stack.join(' ');
    const pieces = decode(m[2]).split('\n');
    pieces.forEach((piece, i) => {
      if (i > 0) lines.push([]);
      if (piece !== '') (lines[lines.length - 1] as CodeToken[]).push(...splitClassedRedactions(piece, className));
    });
  }
  return lines;
}

function plainLines(content: string): CodeToken[][] {
  return content.split('\n').map((line) => (line === '' ? [] : splitClassedRedactions(line, '')));
}

export function highlightFile(content: string, path: string): HighlightedFile {
  const normalized = content.replace(/\r\n?/g, '\n');
  // A trailing newline ends the last line; it does not start an empty one.
  const body = normalized.endsWith('\n') ? normalized.slice(0, -1) : normalized;
  const language = languageForPath(path);
  if (!language || body.length > MAX_HIGHLIGHT_CHARS) return { language: null, lines: plainLines(body) };
  try {
    const html = hljs.highlight(body, { language, ignoreIllegals: true }).value;
    return { language, lines: htmlToLines(html) };
  } catch {
    return { language: null, lines: plainLines(body) };
  }
}
