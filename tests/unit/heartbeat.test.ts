// activities/heartbeat.ts: an activity wrapped in whileAlive says it is alive at once and while it
// runs, stops when it ends (success or failure), and a plain call outside an activity just runs.
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it, vi } from 'vitest';
import { whileAlive } from '../../activities/heartbeat.js';

describe('whileAlive', () => {
  it('heartbeats at once and every few seconds while the work runs, then stops', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const env = new MockActivityEnvironment();
      const beats: unknown[] = [];
      env.on('heartbeat', (details: unknown) => beats.push(details));
      let finish!: (value: string) => void;
      const running = env.run(() => whileAlive(() => new Promise<string>((resolve) => (finish = resolve))));
      await vi.waitFor(() => expect(beats).toHaveLength(1));
      vi.advanceTimersByTime(12_000);
      expect(beats).toHaveLength(3);
      finish('done');
      expect(await running).toBe('done');
      vi.advanceTimersByTime(60_000);
      expect(beats).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops beating when the work fails, and passes the failure on', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const env = new MockActivityEnvironment();
      let beats = 0;
      env.on('heartbeat', () => beats++);
      await expect(env.run(() => whileAlive(() => Promise.reject(new Error('Redmine down'))))).rejects.toThrow(
        'Redmine down',
      );
      vi.advanceTimersByTime(60_000);
      expect(beats).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('just runs the work outside an activity', async () => {
    expect(await whileAlive(() => Promise.resolve(42))).toBe(42);
  });
});
