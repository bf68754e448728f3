// The SLA clock's pure rules at scale: how far a burst of identical reminders is spread (never
// later than due, never the breach), and how the worker's cache and concurrency follow the memory
// it is given (runtime/worker.ts) and the configuration keys that set them.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config.js';
import { DEFAULT_BUSINESS_CALENDAR } from '../../../domain/sla-calendar.js';
import {
  CACHED_WORKFLOW_KB,
  WORKER_BASE_MB,
  heapLimitAdvice,
  workerHeapLimitMb,
  workerTuning,
} from '../../../runtime/worker.js';
import { alertAt, spreadOf, startClock, type SlaClock } from '../../../domain/sla-clock.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('spreading identical reminders', () => {
  it('sends a 24 h clock’s warnings up to ten minutes early, the same for the same request', () => {
    const start = Date.parse('2026-12-07T08:00:00Z');
    const spreads = Array.from({ length: 10_000 }, (_, i) => spreadOf(`request-${i}`, start, start + 18 * HOUR));
    expect(Math.min(...spreads)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...spreads)).toBeLessThan(10 * MINUTE);
    // Spread over the window, not bunched: every minute of it gets some.
    const perMinute = new Set(spreads.map((s) => Math.floor(s / MINUTE)));
    expect(perMinute.size).toBe(10);
    expect(spreadOf('request-7', start, start + 18 * HOUR)).toBe(spreads[7]);
  });

  it('keeps within 5 % of the time to the reminder on short targets, and none without time', () => {
    const start = 1_000_000;
    for (let i = 0; i < 1000; i++) expect(spreadOf(`r${i}`, start, start + 900_000)).toBeLessThan(45_000);
    expect(spreadOf('r', start, start)).toBe(0);
  });

  it('never sends a warning after its instant, and the breach exactly at the maximum', () => {
    const clock = startClock('request-1', Date.parse('2026-11-20T16:30:00Z'), {
      calendar: DEFAULT_BUSINESS_CALENDAR,
      targetMs: 24 * HOUR,
      maxMs: 48 * HOUR,
    });
    expect(clock.spreadMs).toBeGreaterThanOrEqual(0);
    expect(alertAt(clock, 'reminder')).toBe(clock.reminderAt - clock.spreadMs!);
    expect(alertAt(clock, 'pre-breach')).toBe(clock.preBreachAt - clock.spreadMs!);
    expect(alertAt(clock, 'breach')).toBe(clock.maxAt);
  });

  it('leaves a clock from before the spread (none recorded) on its instants', () => {
    const old: SlaClock = {
      requestId: 'r',
      startedAt: 0,
      reminderAt: 75,
      targetAt: 100,
      preBreachAt: 175,
      maxAt: 200,
      sent: [],
    };
    expect([alertAt(old, 'reminder'), alertAt(old, 'pre-breach'), alertAt(old, 'breach')]).toEqual([75, 175, 200]);
  });
});

describe('worker sizing', () => {
  it('caches what fits in the memory after the base, with concurrency within the cache', () => {
    const tuning = workerTuning({ memoryMb: 1024, workflowTasks: 100, activities: 200 });
    expect(tuning.maxCachedWorkflows).toBe(Math.floor(((1024 - WORKER_BASE_MB) * 1024) / CACHED_WORKFLOW_KB));
    expect(tuning.maxConcurrentWorkflowTaskExecutions).toBe(100);
    expect(tuning.maxConcurrentActivityTaskExecutions).toBe(200);
    expect(tuning.maxConcurrentLocalActivityExecutions).toBe(200);
    const bigger = workerTuning({ memoryMb: 4096, workflowTasks: 100, activities: 200 });
    expect(bigger.maxCachedWorkflows).toBeGreaterThan(tuning.maxCachedWorkflows!);
  });

  it('keeps a floor on a small budget and obeys an explicit cache size', () => {
    expect(workerTuning({ memoryMb: 256, workflowTasks: 100, activities: 10 }).maxCachedWorkflows).toBe(100);
    const small = workerTuning({ memoryMb: 1024, cachedWorkflows: 20, workflowTasks: 100, activities: 10 });
    expect(small.maxCachedWorkflows).toBe(20);
    expect(small.maxConcurrentWorkflowTaskExecutions).toBe(20);
    const off = workerTuning({ memoryMb: 1024, cachedWorkflows: 0, workflowTasks: 100, activities: 10 });
    expect(off.maxConcurrentWorkflowTaskExecutions).toBe(100);
  });

  it('reads the keys from the configuration, with defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.WORKER_MEMORY_MB).toBe(1024);
    expect(defaults.WORKER_CACHED_WORKFLOWS).toBeUndefined();
    const set = loadConfig({ WORKER_MEMORY_MB: '2048', WORKER_CACHED_WORKFLOWS: '500', WORKER_ACTIVITIES: '50' });
    expect([set.WORKER_MEMORY_MB, set.WORKER_CACHED_WORKFLOWS, set.WORKER_ACTIVITIES]).toEqual([2048, 500, 50]);
    expect(() => loadConfig({ WORKER_MEMORY_MB: '12' })).toThrow(/WORKER_MEMORY_MB/);
  });

  it('bounds V8’s heap within the budget, and says so when a worker runs without the bound', () => {
    const heapLimit = (flags: string[]) =>
      Number(
        execFileSync(process.execPath, [...flags, '-p', 'require("node:v8").getHeapStatistics().heap_size_limit'], {
          encoding: 'utf8',
        }),
      );
    for (const memoryMb of [512, 1024, 4096]) {
      const bounded = heapLimit([`--max-old-space-size=${workerHeapLimitMb(memoryMb)}`]);
      expect(bounded / 1048576).toBeLessThan(memoryMb * 0.75);
      expect(heapLimitAdvice(memoryMb, bounded)).toBeUndefined();
    }
    // A heap sized for a bigger machine (Node's default is about a quarter of its memory).
    expect(heapLimitAdvice(512, heapLimit(['--max-old-space-size=2048']))).toMatch(/--max-old-space-size=307/);
  });

  it('refuses a WORKER_MEMORY_MB that is not a number before starting node', () => {
    const run = spawnSync('sh', ['scripts/start-worker.sh'], {
      encoding: 'utf8',
      env: { ...process.env, WORKER_MEMORY_MB: '1g' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/WORKER_MEMORY_MB must be a whole number of megabytes/);
  });
});
