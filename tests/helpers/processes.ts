// Guichet's entry points (http-server.ts, worker.ts) as real child processes, run through tsx the
// way `npm run server` and `npm run worker` run them: their output kept for failure messages,
// each in a process group of its own so that tsx and the Node process under it die together.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../../runtime/temporal-dev-server.js';

const TSX = path.join(PROJECT_ROOT, 'node_modules/.bin/tsx');

export type EntryPoint = 'http-server.ts' | 'worker.ts';

export class GuichetProcess {
  output = '';
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private gone = false;

  constructor(
    readonly name: string,
    readonly entry: EntryPoint,
    env: Record<string, string>,
  ) {
    this.child = spawn(TSX, [entry], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => {
      // The end is what explains a failure: keep the last 64 KB.
      this.output = (this.output + chunk.toString()).slice(-65_536);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        this.gone = true;
        resolve({ code, signal });
      }),
    );
  }

  get running(): boolean {
    return !this.gone;
  }

  describe(): string {
    return `--- ${this.name} (${this.entry}) output (end) ---\n${this.output.slice(-6000)}`;
  }

  /** Waits until `ready()` says so; throws with the output if the process exits or time runs out. */
  async waitUntil(ready: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`${this.name} exited before it was ready\n${this.describe()}`);
      if (await ready()) return;
      if (Date.now() > deadline) throw new Error(`${this.name} not ready within ${timeoutMs} ms\n${this.describe()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** A signal to the whole group (tsx and the Node process it started). */
  signal(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined || !this.running) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  /** Whether the process `pid` belongs to this process's group (tsx's Node child does). */
  async owns(pid: number): Promise<boolean> {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may hold spaces) are: state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return this.child.pid !== undefined && Number(fields[2]) === this.child.pid;
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      this.signal('SIGKILL');
      await this.exited;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
