import type { RegisteredCommand } from '../core/command';

/**
 * Every `codevf` command, in the order `codevf --help` lists them.
 *
 * To add a command:
 *   1. Create `commands/<verb>.ts` (or `commands/<noun>/<verb>.ts`) whose default export is
 *      `defineCommand({ description, args, flags, json, examples, handler, human })`
 *      (see core/command.ts; whoami.ts is a short example). Handlers return their result;
 *      with --json the runner prints it as `{"ok":true,"data":…}`, otherwise `human()` does.
 *      Throw `CodevfError` for failures: the runner maps it to the envelope and exit code.
 *   2. Add one line below: name, one-line summary, and a `load` that imports the file.
 *
 * Keep start-up fast: the module is imported only when its command runs, but whatever it
 * imports at the top is loaded then too. Import heavy libraries (Ink/React, prompts, ws,
 * tar) with `await import()` inside the handler, so tsup puts them in their own chunk.
 */
export const COMMANDS: RegisteredCommand[] = [
  { name: 'login', summary: 'Log in to CodeVF in the browser (device code).', load: () => import('./login') },
  { name: 'whoami', summary: 'Show who is logged in, checked with the server.', load: () => import('./whoami') },
  {
    name: 'init',
    summary: 'Set up CodeVF in this project (wizard; --yes for defaults).',
    load: () => import('./init'),
  },
  {
    name: 'sync',
    summary: "Share the 'codevf' branch's commit (and bundle) with engineers.",
    load: () => import('./sync'),
  },
  {
    name: 'fix',
    summary: 'Get live help (AI at once, a human engineer when needed): chat, approve requests.',
    load: () => import('./fix'),
  },
  {
    name: 'status',
    summary: 'Logged in? Server reachable? Open tasks of this project.',
    load: () => import('./status'),
  },
  { name: 'tasks', summary: 'List your tasks (history, newest first).', load: () => import('./tasks') },
  {
    name: 'ask',
    summary: 'Ask for help without a screen (agents, scripts): create a task, return at once.',
    load: () => import('./ask'),
  },
  {
    name: 'messages',
    summary: "A task's new events after a seq, waiting up to --wait seconds.",
    load: () => import('./messages'),
  },
  { name: 'reply', summary: 'Send a chat message on a task.', load: () => import('./reply') },
  {
    name: 'share-output',
    summary: "Answer an engineer's command request with captured output (redacted).",
    load: () => import('./shareOutput'),
  },
  {
    name: 'share-file',
    summary: "Answer an engineer's file request with the file (checked, redacted).",
    load: () => import('./shareFile'),
  },
  { name: 'decline', summary: "Decline an engineer's request.", load: () => import('./decline') },
  { name: 'end', summary: 'End a task and rate the help.', load: () => import('./end') },
  {
    name: 'mcp',
    summary: 'MCP server for coding agents (stdio); `mcp install --client …` configures one.',
    load: () => import('./mcp'),
  },
  {
    name: 'logout',
    summary: 'Log out: revoke the login and delete it from this machine.',
    load: () => import('./logout'),
  },
];
