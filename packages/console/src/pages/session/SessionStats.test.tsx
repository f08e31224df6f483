// @vitest-environment jsdom
import type { Task } from '@codevf/protocol';
import { initialSessionView } from '@codevf/protocol/shared';
import { describe, expect, it } from 'vitest';
import { render } from '../../testing/render';
import { SessionStats } from './SessionStats';

describe('SessionStats', () => {
  it("shows the customer's own name with its invisible characters made visible", () => {
    const task = { customerName: 'Ann\u202E\u200bnimda', creditsUsed: 0, status: 'active' } as Task;
    const view = render(<SessionStats task={task} state={initialSessionView()} ended={false} elapsedMs={0} />);
    const text = view.container.querySelector('dd')?.textContent;
    expect(text).toBe('Ann<U+202E><U+200B>nimda');
  });
});
