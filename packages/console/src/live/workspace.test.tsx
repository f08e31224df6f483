// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { fakeApi } from '../testing/fakeApi';
import { fakeEventSource } from '../testing/fakeEventSource';
import { fakeWebSocket } from '../testing/fakeWebSocket';
import { render, settle } from '../testing/render';
import { EngineerWorkspace } from './workspace';

const held = { tasks: [{ id: 't1', status: 'active', description: 'Login fails' }] };

describe('EngineerWorkspace', () => {
  it('holds the sessions the engineer already has, unless it stopped before the list came', async () => {
    fakeEventSource();
    const sockets = fakeWebSocket();
    let answer!: (body: unknown) => void;
    const late = new Promise<unknown>((resolve) => (answer = resolve));
    fakeApi({ 'GET /v1/tasks': async () => ({ body: await late }) });
    // Signed out (or the session expired) while the list was on its way.
    const first = render(<EngineerWorkspace>page</EngineerWorkspace>);
    await settle();
    first.unmount();
    await act(async () => answer(held));
    await settle();
    expect(sockets).toHaveLength(0);

    // A workspace still there when the list comes holds them.
    fakeApi({ 'GET /v1/tasks': { body: held } });
    render(<EngineerWorkspace>page</EngineerWorkspace>);
    await settle();
    expect(sockets.map((s) => s.url)).toEqual([expect.stringContaining('/v1/tasks/t1/ws')]);
  });
});
