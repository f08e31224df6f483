// @vitest-environment jsdom
import type { CommandRequest, FileRequest } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { inlineStyles, type Rendered, render } from '../testing/render';
import { RequestCard } from './RequestCard';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const command = (over: Partial<CommandRequest> = {}): CommandRequest => ({
  kind: 'command',
  requestId: 'r1',
  command: 'npm test',
  reason: 'see the failure',
  expiresAt: new Date(NOW + 95_000).toISOString(),
  requestedAt: new Date(NOW).toISOString(),
  seq: 3,
  state: 'pending',
  output: [],
  ...over,
});

const file = (over: Partial<FileRequest> = {}): FileRequest => ({
  kind: 'file',
  requestId: 'f1',
  path: 'src/auth.ts',
  reason: '',
  expiresAt: null,
  requestedAt: new Date(NOW).toISOString(),
  seq: 4,
  state: 'pending',
  ...over,
});

const status = (v: Rendered) => v.container.querySelector('[data-testid=request-status]');

describe('RequestCard', () => {
  it('shows the command, the reason and a countdown while waiting', () => {
    const view = render(<RequestCard request={command()} now={NOW} />);
    expect(view.container.querySelector('.request-what')?.textContent).toBe('npm test');
    expect(view.container.textContent).toContain('Reason: see the failure');
    expect(status(view)?.textContent).toBe('Waiting for the customer 1:35');
    expect(view.container.querySelector('.terminal, .terminal-empty')).toBeNull();
    view.rerender(<RequestCard request={command()} now={NOW + 90_000} />);
    expect(status(view)?.textContent).toBe('Waiting for the customer 0:05');
  });

  it("shows why the customer's agent declined, its control characters made visible", () => {
    const view = render(
      <RequestCard
        request={command({ state: 'denied', declineReason: 'needs the prod \u001b[2Jdatabase' })}
        now={NOW}
      />,
    );
    expect(status(view)?.textContent).toBe('Denied by the customer');
    const reason = view.container.querySelector('[data-testid=decline-reason]');
    expect(reason?.textContent).toBe('Declined because: needs the prod ␛[2Jdatabase');
    expect(reason?.querySelector('.untrusted-mark')?.textContent).toBe('␛');
    // Approved, or denied without a reason: no such line.
    view.rerender(<RequestCard request={command({ state: 'denied' })} now={NOW} />);
    expect(view.container.querySelector('[data-testid=decline-reason]')).toBeNull();
  });

  it('shows the outcome instead of the countdown once decided', () => {
    const view = render(<RequestCard request={command({ state: 'denied' })} now={NOW} />);
    expect(status(view)?.textContent).toBe('Denied by the customer');
    expect(status(view)?.className).toContain('badge-bad');
    view.rerender(
      <RequestCard
        request={command({
          state: 'completed',
          output: [{ stream: 'stdout', data: 'ok\n' }],
          result: { exitCode: 0, signal: null, durationMs: 40, truncated: false, redactions: 0 },
        })}
        now={NOW}
      />,
    );
    expect(status(view)?.textContent).toBe('Exit code 0');
    expect(view.container.querySelector('.terminal')?.textContent).toBe('ok\n');
  });

  it('shows a received file with line numbers and its masked secret, as text', () => {
    const content = 'const k = "[REDACTED:k]";\n// <img src=x onerror=alert(1)>\n';
    const view = render(
      <RequestCard
        request={file({
          state: 'completed',
          file: { path: 'src/auth.ts', size: content.length, sha256: 'f'.repeat(64), content, redactions: 1 },
        })}
        now={NOW}
      />,
    );
    expect(status(view)?.textContent).toBe('File received');
    expect([...view.container.querySelectorAll('.ln')].map((e) => e.textContent)).toEqual(['1', '2']);
    expect(view.container.querySelector('mark.redacted')?.textContent).toBe('[REDACTED:k]');
    expect(view.container.querySelector('img')).toBeNull();
    expect(view.container.textContent).toContain('<img src=x onerror=alert(1)>');
    expect(view.container.textContent).toContain("1 value redacted by the customer's side");
    expect(inlineStyles(view.container)).toEqual([]);
  });

  it('shows why a file was refused without asking', () => {
    const view = render(
      <RequestCard request={file({ state: 'denied', refusedReason: 'sensitive file (.env)' })} now={NOW} />,
    );
    expect(status(view)?.textContent).toBe('Refused: sensitive file (.env)');
  });

  it('shows the folder and the time limit the engineer set', () => {
    const view = render(<RequestCard request={command({ cwd: 'packages/api', timeoutSeconds: 90 })} now={NOW} />);
    expect(view.container.querySelector('[data-testid=request-place]')?.textContent).toBe(
      'In folder packages/api · time limit 90 s',
    );
    view.rerender(<RequestCard request={command({ timeoutSeconds: 600 })} now={NOW} />);
    expect(view.container.querySelector('[data-testid=request-place]')?.textContent).toBe(
      'In the project root · time limit 10 min',
    );
    view.rerender(<RequestCard request={command()} now={NOW} />);
    expect(view.container.querySelector('[data-testid=request-place]')).toBeNull();
  });
});
