import type { FastifyBaseLogger } from 'fastify';

/**
 * Runs `job` every `ms` milliseconds: a run still going when the next one is due is skipped (no
 * pile-up behind a slow database), a failure is logged under `name` and the next run happens
 * anyway, nothing runs once `stopped()` says so. The timer is unref'd (it never keeps the process
 * alive) and returned for the caller to clear.
 */
export function every(
  ms: number,
  job: () => Promise<unknown>,
  name: string,
  options: { log: Pick<FastifyBaseLogger, 'error'>; stopped: () => boolean },
): NodeJS.Timeout {
  let running = false;
  const t = setInterval(() => {
    if (running || options.stopped()) return;
    running = true;
    Promise.resolve()
      .then(job)
      .catch((err: unknown) => options.log.error({ err }, `${name} failed`))
      .finally(() => {
        running = false;
      });
  }, ms);
  t.unref();
  return t;
}
