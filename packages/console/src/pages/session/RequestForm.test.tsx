// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { typeInto } from '../../testing/dom';
import { recordingSend } from '../../testing/recordingSend';
import { type Rendered, render } from '../../testing/render';
import { RequestForm } from './RequestForm';

function input(v: Rendered, label: string): HTMLInputElement {
  const l = [...v.container.querySelectorAll('label')].find((x) => x.textContent === label);
  const el = l ? v.container.querySelector<HTMLInputElement>(`#${l.htmlFor}`) : null;
  if (!el) throw new Error(`no input labelled ${label}`);
  return el;
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

    typeInto(input(view, 'Command'), '  npm test ');
    typeInto(input(view, 'Reason'), ' see which test fails ');
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

    typeInto(input(view, 'Path'), 'src/auth.js');
    await submit(view);

    expect(sent).toEqual([{ type: 'request_file', payload: { path: 'src/auth.js', reason: '' } }]);
  });

  it('sends nothing for a blank target', async () => {
    const { sent, send } = recordingSend();
    const view = render(<RequestForm kind="file" send={send} />);
    typeInto(input(view, 'Path'), '   ');
    await submit(view);
    expect(sent).toEqual([]);
  });

  it('shows the refusal next to the form and keeps what was typed', async () => {
    const { send } = recordingSend('Command is too long.');
    const view = render(<RequestForm kind="command" send={send} />);
    typeInto(input(view, 'Command'), 'npm test');
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
    typeInto(input(view, 'Command'), 'npm test');
    typeInto(input(view, 'Folder (optional, inside the project)'), ' packages/api ');
    typeInto(input(view, 'Time limit in seconds (optional, 1–3600)'), '120');
    await submit(view);
    typeInto(input(view, 'Command'), 'ls');
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
