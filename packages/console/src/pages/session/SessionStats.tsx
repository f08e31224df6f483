import type { Task } from '@codevf/protocol';
import type { SessionView } from '@codevf/protocol/shared';
import { DriverPill } from '../../components/DriverPill';
import { UntrustedText } from '../../components/UntrustedText';
import { formatElapsed, plural } from '../../lib/format';

interface FiguresProps {
  task: Task;
  state: SessionView;
  ended: boolean;
  elapsedMs: number;
}

/** The figures over the engineer's session: customer, who leads it (when the AI does), status, elapsed time, credits, open requests. */
export function SessionStats({ task, state, ended, elapsedMs }: FiguresProps) {
  const waiting = Object.values(state.requests).filter((r) => r.state === 'pending').length;
  return (
    <dl className="session-stats">
      <div>
        <dt>Customer</dt>
        <dd>
          <UntrustedText text={task.customerName ?? 'Customer'} />
          <DriverPill driver={task.driver} />
          {state.customerConnected === null ? null : (
            <span className={state.customerConnected ? 'muted' : 'presence-away'} data-testid="customer-presence">
              {' '}
              · {state.customerConnected ? 'connected' : 'disconnected'}
            </span>
          )}
        </dd>
      </div>
      {state.engineerKind === 'ai' && state.engineer && state.engineerConnected ? (
        <div>
          <dt>Led by</dt>
          <dd data-testid="led-by">
            <span className="pill pill-ai">AI</span> <UntrustedText text={state.engineer.name} />
            {state.engineer.title ? (
              <span className="muted">
                {' '}
                · <UntrustedText text={state.engineer.title} />
              </span>
            ) : null}
          </dd>
        </div>
      ) : null}
      <SessionFigures task={task} state={state} ended={ended} elapsedMs={elapsedMs} />
      <div>
        <dt>Waiting on customer</dt>
        <dd>{plural(waiting, 'request')}</dd>
      </div>
    </dl>
  );
}

/** Status, elapsed time, and credits with the rate that applies now: what both sides of a session see. */
export function SessionFigures({ task, state, ended, elapsedMs }: FiguresProps) {
  return (
    <>
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
          {state.billing ? (
            <span className="muted">
              {' '}
              · {state.billing.ratePerMinute}/min{state.billing.help === 'ai' ? ' (AI)' : ''}
            </span>
          ) : null}
        </dd>
      </div>
    </>
  );
}
