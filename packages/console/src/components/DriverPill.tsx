import type { Task } from '@codevf/protocol';

/**
 * Marks a task driven by the customer's coding agent. The engineer must know: their requests
 * go to an agent that carries them out with its own tools, under its user's permission prompts
 * (or declines them), not to a terminal where the customer approves each one.
 */
export function DriverPill({ driver }: { driver: Task['driver'] }) {
  if (driver !== 'agent') return null;
  // Led by a space: it follows another pill or a name, and must not leave a trailing one when absent.
  return (
    <>
      {' '}
      <span
        className="pill pill-agent"
        data-testid="driver-agent"
        title="The customer works through a coding agent: your requests reach the agent, which runs them with its own tools under the customer's permission prompts, or declines them."
      >
        agent-driven
      </span>
    </>
  );
}
