// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { type Rendered, render } from '../../testing/render';
import type { LiveSend } from './liveSend';
import { RequestForm } from './RequestForm';

/** Records what the form sends; `refuse` makes the next send fail as the server would. */
function recordingSend(refuse?: string) {
  const sent: { type: string; payload: unknown }[] = [];
  const send = (async (type: string, payload: unknown) => {
    if (refuse) throw new Error(refuse);
    sent.push({ type, payload });
    return { seq: sent.length };
  }) as LiveSend;
  return { sent, send };
}

function input(v: Rendered, label: string): HTMLInputElement {
  const l = [...v.container.querySelectorAll('label')].find((x) => x.textContent === label);
  const el = l ? v.container.querySelector<HTMLInputElement>(`#${l.htmlFor}`) : null;
  if (!el) throw new Error(`no input labelled ${label}`);
  return el;
}

function type(el: HTMLInputElement, value: string) {
  // React tracks the value through the prototype's setter; setting it there makes the input event count.
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(el, value);
  act(() => {
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit(v: Rendered) {
  await act(async () => {
    v.container.querySelector('form')?.requestSubmit();
  });
}

describe('RequestForm', () => {
  it('asks to run a command, trimmed, and clears itself once sent', async () => {
    const { sent, send } = recordingSend();
    const view = render(<RequestForm kind="command" send={send} />);
    expect(view.container.querySelector('h2')?.textContent).toBe('Ask to run a command');
    const button = view.container.querySelector('button');
    expect(button?.textContent).toBe('Request command');
    expect(button?.disabled).toBe(true);

    type(input(view, 'Command'), '  npm test ');
    type(input(view, 'Reason'), ' see which test fails ');
    expect(button?.disabled).toBe(false);
    await submit(view);

    expect(sent).toEqual([
      { type: 'request_command', payload: { command: 'npm test', reason: 'see which test fails' } },
    ]);
    expect(input(view, 'Command').value).toBe('');
    expect(input(view, 'Reason').value).toBe('');
    expect(view.container.querySelector('[role=status]')?.textContent).toBe('Asked. Waiting for the customer.');
  });

  it('asks for a file by its path', async () => {
    const { sent, send } = recordingSend();
    const view = render(<RequestForm kind="file" send={send} />);
    expect(view.container.querySelector('h2')?.textContent).toBe('Ask for a file');
    expect(view.container.querySelector('button')?.textContent).toBe('Request file');

    type(input(view, 'Path'), 'src/auth.js');
    await submit(view);

    expect(sent).toEqual([{ type: 'request_file', payload: { path: 'src/auth.js', reason: '' } }]);
  });

  it('sends nothing for a blank target', async () => {
    const { sent, send } = recordingSend();
    const view = render(<RequestForm kind="file" send={send} />);
    type(input(view, 'Path'), '   ');
    await submit(view);
    expect(sent).toEqual([]);
  });

  it('shows the refusal next to the form and keeps what was typed', async () => {
    const { send } = recordingSend('Command is too long.');
    const view = render(<RequestForm kind="command" send={send} />);
    type(input(view, 'Command'), 'npm test');
    await submit(view);

    expect(view.container.querySelector('[role=alert]')?.textContent).toBe('Command is too long.');
    expect(input(view, 'Command').value).toBe('npm test');
  });

  it('gives each kind its own input ids, so both forms can sit on one page', () => {
    const { send } = recordingSend();
    const view = render(
      <>
        <RequestForm kind="command" send={send} />
        <RequestForm kind="file" send={send} />
      </>,
    );
    const ids = [...view.container.querySelectorAll('input')].map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends the folder and the time limit when given, and leaves them out when empty', async () => {
    const { sent, send } = recordingSend();
    const view = render(<RequestForm kind="command" send={send} />);
    type(input(view, 'Command'), 'npm test');
    type(input(view, 'Folder (optional, inside the project)'), ' packages/api ');
    type(input(view, 'Time limit in seconds (optional, 1–3600)'), '120');
    await submit(view);
    type(input(view, 'Command'), 'ls');
    await submit(view);
    expect(sent).toEqual([
      {
        type: 'request_command',
        payload: { command: 'npm test', reason: '', cwd: 'packages/api', timeoutSeconds: 120 },
      },
      { type: 'request_command', payload: { command: 'ls', reason: '' } },
    ]);
    expect(input(view, 'Folder (optional, inside the project)').value).toBe('');
  });

  it('has no folder or time limit for a file', () => {
    const view = render(<RequestForm kind="file" send={recordingSend().send} />);
    expect(view.container.querySelector('#cmd-cwd, #cmd-timeout')).toBeNull();
  });
});
