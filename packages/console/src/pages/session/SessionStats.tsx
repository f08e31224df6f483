import type { Task } from '@codevf/protocol';
import type { SessionView } from '@codevf/protocol/shared';
import { UntrustedText } from '../../components/UntrustedText';
import { formatElapsed, plural } from '../../lib/format';

/** The figures over the session: customer, status, elapsed time, credits, open requests. */
export function SessionStats({
  task,
  state,
  ended,
  elapsedMs,
}: {
  task: Task;
  state: SessionView;
  ended: boolean;
  elapsedMs: number;
}) {
  const waiting = Object.values(state.requests).filter((r) => r.state === 'pending').length;
  return (
    <dl className="session-stats">
      <div>
        <dt>Customer</dt>
        <dd>
          <UntrustedText text={task.customerName ?? 'Customer'} />
          {state.customerConnected === null ? null : (
            <span className={state.customerConnected ? 'muted' : 'presence-away'} data-testid="customer-presence">
              {' '}
              · {state.customerConnected ? 'connected' : 'disconnected'}
            </span>
          )}
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd data-testid="session-status">{ended ? 'ended' : (state.status ?? task.status)}</dd>
      </div>
      <div>
        <dt>Elapsed</dt>
        <dd data-testid="elapsed">{formatElapsed(elapsedMs)}</dd>
      </div>
      <div>
        <dt>Credits used</dt>
        <dd data-testid="credits-used">
          {state.billing?.creditsUsed ?? task.creditsUsed}
          {state.billing ? <span className="muted"> · {state.billing.ratePerMinute}/min</span> : null}
        </dd>
      </div>
      <div>
        <dt>Waiting on customer</dt>
        <dd>{plural(waiting, 'request')}</dd>
      </div>
    </dl>
  );
}
