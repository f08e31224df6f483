import type { Task } from '../../src/api';

/**
 * A task as the API answers it: queued for a human engineer, created now, nobody on it yet,
 * nothing spent or rated. `over` gives the fields a test is about. The CLI's fake server and
 * the console's page tests build their tasks from it, so a field added to Task is added here once.
 */
export function taskFixture(over: Partial<Task> = {}): Task {
  return {
    id: 't1',
    description: 'Login returns 500',
    mode: 'human',
    status: 'queued',
    customerId: 'c1',
    projectId: null,
    engineer: null,
    createdAt: new Date().toISOString(),
    claimedAt: null,
    endedAt: null,
    endedBy: null,
    endReason: null,
    maxCredits: null,
    creditsUsed: 0,
    rating: null,
    ...over,
  };
}
