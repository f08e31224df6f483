#!/usr/bin/env node

/** Replaced by tsup at build time (see tsup.config.ts). */
declare const __CODEVF_VERSION__: string;

// `codevf --version` answers before anything else is loaded; the rest of the CLI (and any
// command's dependencies) comes in by dynamic import, in its own chunk.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v' || argv[0] === '-V')) {
  process.stdout.write(`${__CODEVF_VERSION__}\n`);
} else {
  // V8's compiled code for our chunks and the live screen's libraries, cached on disk by Node
  // (in the OS temp dir) so a later run does not parse and compile them again: a large part of
  // the time before `codevf fix` shows anything. Only this process; child processes are unaffected.
  const { enableCompileCache } = await import('node:module');
  enableCompileCache?.();
  const { runProcess } = await import('./core/runProcess');
  process.exitCode = await runProcess(argv);
}

// Top-level await needs this file to be a module; it has no static imports on purpose.
export {};
