// How much of the machine a benchmark got. On a shared VM two things change from run to run
// and from day to day without a line of code changing, and neither shows inside the
// benchmark's own processes:
// - the CPU time the hypervisor gives to other guests ("steal" in /proc/stat, Linux only): a
//   run with a lot of it measures the neighbours as much as the code, and a latency ratio
//   suffers twice (stalls inflate both sides; a floor that itself took tens of milliseconds
//   says nothing about a 3× target);
// - the speed of what is left: a fixed piece of work, timed, to compare runs of different
//   days by (busy time per message scales with it).
// And one thing a benchmark can set: that its own load generator, on the same cores, does not
// preempt the servers it measures (yieldOnWakeup).

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { percentile } from './stats.mjs';

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

/**
 * Milliseconds a fixed CPU workload (JSON round trips and SHA-256 hashes, the relay's kind of
 * work) takes in this process: the median of five runs, after one to warm up.
 */
export function cpuCalibrationMs() {
  const work = () => {
    const start = performance.now();
    let acc = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = JSON.stringify({ type: 'customer_message', payload: { text: `calibration ${i}` }, seq: i });
      acc += JSON.parse(text).seq;
      acc += createHash('sha256').update(text).digest('hex').length;
    }
    if (acc < 0) throw new Error('unreachable'); // keeps the work observable
    return performance.now() - start;
  };
  work();
  return percentile(
    Array.from({ length: 5 }, work).sort((a, b) => a - b),
    50,
  );
}

/**
 * Puts every thread of process `pid` (by default this one) under Linux's SCHED_BATCH, with
 * util-linux's `chrt`: the same share of the CPU as before, but its wake-ups no longer preempt
 * the thread that is running. For a benchmark's load generator on the cores of the servers it
 * measures: each frame a server writes on loopback wakes the client at once, and the kernel let
 * that client preempt the server in the middle of its work about once per relayed message
 * (BENCHMARKS.md, tenth round) — a cost that clients on other machines never impose. Forked
 * children keep the policy of their parent at the fork, so call it after starting them.
 * Returns whether the policy is now in force (false where chrt or the policy is unavailable).
 */
export function yieldOnWakeup(pid = process.pid) {
  try {
    execFileSync('chrt', ['--all-tasks', '--batch', '--pid', '0', String(pid)], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return schedulingPolicyOf(pid) === SCHED_BATCH;
}

const SCHED_BATCH = 3;

/** The scheduling policy of process `pid` (0 normal, 3 batch …), or null where unknown. */
export function schedulingPolicyOf(pid) {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces; the
    // policy is field 41 of the line, the 39th after the name.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
  } catch {
    return null;
  }
}
