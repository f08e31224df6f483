import { interrupted } from '../core/errors';
import type { IO } from '../core/io';
import type { Prompter } from './initAnswers';

/**
 * The wizard's questions through @inquirer/prompts, drawn on stderr (stdout stays for data and
 * --json). Loaded with `await import()` by `codevf init` only, so no other command pays for it.
 * Ctrl+C (or Ctrl+D) during a question ends the command as interrupted (exit 130).
 */
export async function createInquirerPrompter(io: IO, signal: AbortSignal): Promise<Prompter> {
  const prompts = await import('@inquirer/prompts');
  const context = { input: io.stdin, output: io.stderr, signal, clearPromptOnDone: false };
  const ask = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      const name = (err as Error | undefined)?.name;
      if (name === 'ExitPromptError' || name === 'AbortPromptError' || name === 'CancelPromptError')
        throw interrupted();
      throw err;
    }
  };
  return {
    confirm: (message, defaultValue) => ask(() => prompts.confirm({ message, default: defaultValue }, context)),
    input: (message, defaultValue) => ask(() => prompts.input({ message, default: defaultValue }, context)),
    select: (message, choices, defaultValue) =>
      ask(() => prompts.select({ message, choices, default: defaultValue, pageSize: 12 }, context)),
    checkbox: (message, choices) => ask(() => prompts.checkbox({ message, choices }, context)),
  };
}
