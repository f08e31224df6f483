import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cpuCalibrationMs, schedulingPolicyOf, stealMeter, yieldOnWakeup } from './machine.mjs';

const dir = mkdtempSync(join(tmpdir(), 'codevf-steal-'));
const stat = join(dir, 'stat');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The first line of /proc/stat: user nice system idle iowait irq softirq steal guest guest_nice.
const write = (user, idle, steal, guest = 0) =>
  writeFileSync(stat, `cpu  ${user} 0 0 ${idle} 0 0 0 ${steal} ${guest} 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`);

describe('stealMeter', () => {
  it('sums the stolen share over several intervals and leaves out the time between them', () => {
    const meter = stealMeter(stat);
    write(100, 100, 10);
    meter.start();
    write(150, 140, 20); // +50 user +40 idle +10 steal: 10 of 100
    meter.stop();
    write(1000, 1000, 500); // between intervals: not counted
    meter.start();
    write(1060, 1030, 510, 60); // +60 user (guest is part of it) +30 idle +10 steal: 10 of 100
    meter.stop();
    expect(meter.share).toBeCloseTo(20 / 200, 10);
  });

  it('is null when the file cannot be read or nothing was measured', () => {
    const missing = stealMeter(join(dir, 'absent'));
    missing.start();
    missing.stop();
    expect(missing.share).toBeNull();
    expect(stealMeter(stat).share).toBeNull();
  });
});

describe('cpuCalibrationMs', () => {
  it('times the fixed workload', () => {
    const ms = cpuCalibrationMs();
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
  });
});

describe('yieldOnWakeup', () => {
  it.runIf(process.platform === 'linux')(
    'puts another process under SCHED_BATCH and leaves this one alone',
    async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10_000)'], { stdio: 'ignore' });
      try {
        await new Promise((resolve) => child.once('spawn', resolve));
        expect(schedulingPolicyOf(child.pid)).toBe(0);
        expect(yieldOnWakeup(child.pid)).toBe(true);
        expect(schedulingPolicyOf(child.pid)).toBe(3);
        expect(schedulingPolicyOf(process.pid)).toBe(0);
      } finally {
        child.kill();
      }
    },
  );

  it('says false, without throwing, for a process that does not exist', () => {
    expect(yieldOnWakeup(2 ** 22 + 1)).toBe(false);
    expect(schedulingPolicyOf(2 ** 22 + 1)).toBeNull();
  });
});
