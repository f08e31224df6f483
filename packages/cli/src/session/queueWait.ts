import type { SessionCore } from './sessionCore';

/** Waiting for an engineer: after a while the customer is asked whether to keep waiting. */
export function createQueueWait(core: SessionCore, cancel: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  core.onFinish(() => clearTimeout(timer));

  function arm() {
    clearTimeout(timer);
    const after = core.options.queuePromptAfterMs ?? 3 * 60_000;
    timer = setTimeout(() => core.dispatch({ type: 'askKeepWaiting' }), after);
    timer.unref();
  }

  function disarm() {
    clearTimeout(timer);
  }

  function answer(keepWaiting: boolean) {
    if (!core.state().askKeepWaiting) return;
    if (keepWaiting) {
      core.dispatch({ type: 'keepWaiting' });
      arm();
    } else void cancel();
  }

  return { arm, disarm, answer };
}
