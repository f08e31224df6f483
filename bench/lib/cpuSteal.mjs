// CPU time the hypervisor gave to other guests while a benchmark ran ("steal" in /proc/stat,
// Linux only). On a shared VM it is the one disturbance a benchmark cannot see from inside its
// own processes: a run with a lot of it measures the neighbours as much as the code. Latency
// ratios suffer twice: stalls inflate both sides, and a run in which the floor (the raw echo)
// itself took tens of milliseconds says nothing about a 3× target.
import { readFileSync } from 'node:fs';

/** Cumulative [steal, total] clock ticks of all CPUs; null where the file is missing. */
function cpuTicks(statFile) {
  try {
    const fields = readFileSync(statFile, 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return [fields[7] ?? 0, total];
  } catch {
    return null;
  }
}

/**
 * Steal over one or more intervals: start() … stop(), repeated; `share` is the stolen fraction
 * of all CPU time in them (null where it cannot be read).
 */
export function stealMeter(statFile = '/proc/stat') {
  let stolen = 0;
  let total = 0;
  let from = null;
  return {
    start() {
      from = cpuTicks(statFile);
    },
    stop() {
      const to = cpuTicks(statFile);
      if (from && to) {
        stolen += to[0] - from[0];
        total += to[1] - from[1];
      }
      from = null;
    },
    get share() {
      return total > 0 ? stolen / total : null;
    },
  };
}
