import { splitForWire } from '../safety/splitForWire';

type Stream = 'stdout' | 'stderr';
type SendOutput = (stream: Stream, data: string) => void;

/**
 * Streams one command's output as `command_output` frames. Chunks that arrive in the same
 * tick are merged (a chatty command would otherwise cost one persisted event per line), but
 * nothing waits longer than that: the engineer sees output as it comes.
 */
export function createOutputSender(send: SendOutput) {
  const buffers: Record<Stream, string> = { stdout: '', stderr: '' };
  const order: Stream[] = [];
  let scheduled: NodeJS.Immediate | undefined;

  function flush() {
    scheduled = undefined;
    // Keep the interleaving of stdout and stderr as far as one tick allows.
    for (const stream of order.splice(0)) {
      const data = buffers[stream];
      buffers[stream] = '';
      for (const piece of splitForWire(data)) send(stream, piece);
    }
  }

  return {
    write(stream: Stream, data: string) {
      if (!data) return;
      if (!buffers[stream]) order.push(stream);
      buffers[stream] += data;
      scheduled ??= setImmediate(flush);
    },
    /** Sends whatever is buffered now (call before the result frame). */
    end() {
      if (scheduled) clearImmediate(scheduled);
      flush();
    },
  };
}
