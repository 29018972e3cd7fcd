import type { CliOutput } from '../cli/cli-io';
import { formatDuration, oneLine, padEnd } from './format';
import type { Style } from './terminal-style';

interface RunningTask {
  taskId: string;
  agent: string;
  attempt: number;
  startedAtMs: number;
  activity: string;
}

export interface LiveProgressOptions {
  output: CliOutput;
  style: Style;
  /** Least time between two redraws. @default 100 */
  throttleMs?: number;
  /** How often elapsed times are refreshed while nothing else happens. @default 1000 */
  tickMs?: number;
  /** @default Date.now */
  now?: () => number;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The live block on a terminal: one line per running task (agent, elapsed time, latest
 * activity), redrawn in place with ANSI cursor movement, at most every `throttleMs`.
 * Permanent lines go above it through {@link LiveProgress.print}.
 */
export class LiveProgress {
  readonly #output: CliOutput;
  readonly #style: Style;
  readonly #throttleMs: number;
  readonly #now: () => number;
  readonly #tasks = new Map<string, RunningTask>();
  #drawnLines = 0;
  #lastDrawMs = 0;
  #frame = 0;
  #pendingTimer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #counts = { done: 0, failed: 0, total: 0 };

  constructor(options: LiveProgressOptions) {
    this.#output = options.output;
    this.#style = options.style;
    this.#throttleMs = options.throttleMs ?? 100;
    this.#now = options.now ?? Date.now;
    this.#ticker = setInterval(() => {
      if (this.#tasks.size > 0) this.draw();
    }, options.tickMs ?? 1000);
    this.#ticker.unref?.();
  }

  setTotals(total: number): void {
    this.#counts.total = total;
  }

  start(task: { taskId: string; agent: string; attempt: number; startedAtMs: number }): void {
    this.#tasks.set(task.taskId, { ...task, activity: 'starting' });
    this.#schedule();
  }

  activity(taskId: string, activity: string): void {
    const task = this.#tasks.get(taskId);
    if (!task || !activity) return;
    task.activity = activity;
    this.#schedule();
  }

  end(taskId: string, outcome: 'done' | 'failed' | 'other'): void {
    this.#tasks.delete(taskId);
    if (outcome === 'done') this.#counts.done += 1;
    if (outcome === 'failed') this.#counts.failed += 1;
    this.#schedule();
  }

  /** Writes permanent text above the live block (which is redrawn under it). */
  print(text: string): void {
    this.#clear();
    this.#output.write(text.endsWith('\n') ? text : `${text}\n`);
    this.draw();
  }

  /** Redraws now. */
  draw(): void {
    if (this.#pendingTimer) {
      clearTimeout(this.#pendingTimer);
      this.#pendingTimer = undefined;
    }
    this.#clear();
    this.#lastDrawMs = this.#now();
    if (this.#tasks.size === 0) return;
    const width = Math.max(40, (this.#output.columns ?? 100) - 1);
    const now = this.#now();
    this.#frame = (this.#frame + 1) % SPINNER.length;
    const spinner = SPINNER[this.#frame]!;
    const { done, failed, total } = this.#counts;
    const lines = [this.#style.dim(oneLine(`running ${this.#tasks.size}${total ? ` · ${done}/${total} done` : ` · ${done} done`}${failed ? ` · ${failed} failed` : ''}`, width))];
    const idWidth = Math.min(24, Math.max(...[...this.#tasks.keys()].map((id) => id.length)));
    const agentWidth = Math.min(16, Math.max(...[...this.#tasks.values()].map((task) => task.agent.length + 2)));
    for (const task of this.#tasks.values()) {
      const elapsed = padEnd(formatDuration(now - task.startedAtMs), 7);
      const head = `${spinner} ${padEnd(oneLine(task.taskId, idWidth), idWidth)}  ${padEnd(`[${oneLine(task.agent, agentWidth - 2)}]`, agentWidth)}  ${elapsed}${task.attempt > 1 ? ` try ${task.attempt}` : ''}  `;
      // Never wider than the terminal: a wrapped line would break the cursor arithmetic.
      const visibleHead = head.length > width - 1 ? `${head.slice(0, width - 1)}…` : head;
      const room = width - visibleHead.length;
      const activity = room >= 2 ? oneLine(task.activity, room) : '';
      lines.push(`${this.#style.cyan(visibleHead)}${activity}`);
    }
    this.#output.write(`${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  /** Removes the live block and stops redrawing. */
  stop(): void {
    if (this.#pendingTimer) clearTimeout(this.#pendingTimer);
    if (this.#ticker) clearInterval(this.#ticker);
    this.#pendingTimer = undefined;
    this.#ticker = undefined;
    this.#tasks.clear();
    this.#clear();
  }

  #schedule(): void {
    if (this.#pendingTimer) return;
    const wait = Math.max(0, this.#lastDrawMs + this.#throttleMs - this.#now());
    this.#pendingTimer = setTimeout(() => {
      this.#pendingTimer = undefined;
      this.draw();
    }, wait);
    this.#pendingTimer.unref?.();
  }

  #clear(): void {
    if (this.#drawnLines === 0) return;
    // Up to the first line of the block, then erase to the end of the screen.
    this.#output.write(`\u001B[${this.#drawnLines}A\r\u001B[0J`);
    this.#drawnLines = 0;
  }
}
