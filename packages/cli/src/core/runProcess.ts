import { ExitCode } from '@codevf/protocol/errors';
import { createProcessIO } from './io';
import { main } from './main';

/** Runs the CLI in this process: real terminal, Ctrl+C wired to the commands' abort signal. */
export async function runProcess(argv: string[]): Promise<number> {
  const controller = new AbortController();
  // First Ctrl+C: let the command stop cleanly (close sockets, print a summary, exit 130).
  // Second: the user means it.
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await main(argv, { io: createProcessIO(), signal: controller.signal });
  } finally {
    process.off('SIGINT', onSigint);
  }
}
