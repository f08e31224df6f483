import { Box, Text } from 'ink';
import { formatBytes } from '../core/formatBytes';
import { formatDuration, masked } from './format';
import type { CommandRequest, FileRequest, Request } from './sessionState';
import { Untrusted } from './Untrusted';

const OUTPUT_LINES = 6;

/**
 * The last lines of a command's output (as sent, secrets masked), in a dim box. Output is
 * shown with the same markers as engineer text: a hostile file or program cannot drive the
 * customer's terminal either. A CR ending a line hides nothing and is dropped.
 */
function OutputTail({ text }: { text: string }) {
  if (!text) return null;
  const lines = text.replace(/\n$/, '').split('\n').slice(-OUTPUT_LINES);
  return (
    <Box flexDirection="column" marginLeft={2} borderStyle="single" borderColor="gray" paddingX={1}>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: lines of an output tail have no identity; the box is redrawn whole
        <Text key={i} dimColor wrap="truncate-end">
          <Untrusted text={line.replace(/\r$/, '')} />
        </Text>
      ))}
    </Box>
  );
}

function CommandLine({ r }: { r: CommandRequest }) {
  switch (r.status) {
    case 'checking':
      return (
        <Text color="yellow">
          ? Engineer requests to run: <Untrusted text={r.command} /> (checking its folder…)
        </Text>
      );
    case 'refused':
      return (
        <Text color="red">
          ✗ Refused <Untrusted text={r.command} />: <Untrusted text={r.refusedReason ?? ''} />
        </Text>
      );
    case 'pending':
      return (
        <Text color="yellow">
          ? Engineer requests to run: <Untrusted text={r.command} />
        </Text>
      );
    case 'approved':
      return (
        <Text color="cyan">
          ▶ Approved{r.scope === 'session' ? ' (allowed for this session)' : ''}: <Untrusted text={r.command} />
        </Text>
      );
    case 'running':
      return (
        <Box flexDirection="column">
          <Text color="cyan">
            ▶ Running: <Untrusted text={r.command} />
          </Text>
          <OutputTail text={r.outputTail} />
        </Box>
      );
    case 'completed': {
      const how = r.timedOut
        ? `timed out, stopped (${r.signal ?? 'killed'})`
        : r.signal
          ? `killed by ${r.signal}`
          : `exit ${r.exitCode}`;
      const ok = r.exitCode === 0;
      // The tail stays after the command ends: for a failing command its last lines are what
      // the customer wants to see too (the engineer has the whole output).
      return (
        <Box flexDirection="column">
          <Text color={ok ? 'green' : 'yellow'}>
            {ok ? '✓' : '!'} <Untrusted text={r.command} /> — {how} in {formatDuration(r.durationMs ?? 0)}, output sent
            {r.truncated ? ' (truncated at the output cap)' : ''}
            {masked(r.redactions)}
          </Text>
          <OutputTail text={r.outputTail} />
        </Box>
      );
    }
    case 'failed':
      return (
        <Text color="red">
          ✗ Could not run <Untrusted text={r.command} />: <Untrusted text={r.error ?? ''} />
        </Text>
      );
    case 'denied':
      return (
        <Text color="red">
          ✗ Command denied by you: <Untrusted text={r.command} />
        </Text>
      );
    case 'expired':
      return (
        <Text color="gray">
          ⌛ Request expired (denied): <Untrusted text={r.command} />
          {r.error ? (
            <>
              {' — '}
              <Untrusted text={r.error} />
            </>
          ) : null}
        </Text>
      );
  }
}

function FileLine({ r }: { r: FileRequest }) {
  switch (r.status) {
    case 'checking':
      return (
        <Text color="yellow">
          ? Engineer requests file: <Untrusted text={r.path} /> (checking…)
        </Text>
      );
    case 'pending':
      return (
        <Text color="yellow">
          ? Engineer requests file: <Untrusted text={r.path} />
        </Text>
      );
    case 'approved':
      return (
        <Text color="cyan">
          ▶ Sending <Untrusted text={r.path} />…
        </Text>
      );
    case 'completed':
      return (
        <Text color="green">
          ✓ Sent <Untrusted text={r.path} /> ({formatBytes(r.size ?? 0)}){masked(r.redactions)}
        </Text>
      );
    case 'refused':
      return (
        <Text color="red">
          ✗ Refused <Untrusted text={r.path} />: <Untrusted text={r.refusedReason ?? ''} />
        </Text>
      );
    case 'denied':
      return (
        <Text color="red">
          ✗ File denied by you: <Untrusted text={r.path} />
        </Text>
      );
    case 'expired':
      return (
        <Text color="gray">
          ⌛ Request expired (denied): <Untrusted text={r.path} />
        </Text>
      );
    case 'failed':
      return (
        <Text color="red">
          ✗ Could not send <Untrusted text={r.path} />: <Untrusted text={r.error ?? ''} />
        </Text>
      );
  }
}

/** One engineer request as it appears in the chat history, with its current outcome. */
export function RequestLine({ request }: { request: Request }) {
  return request.kind === 'command' ? <CommandLine r={request} /> : <FileLine r={request} />;
}
