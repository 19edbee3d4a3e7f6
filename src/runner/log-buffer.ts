import type { LogLine } from './client.js';

export interface LogBufferOptions {
  send(step: number, lines: LogLine[]): Promise<void>;
  /** Applied to every line before it is kept: nothing unmasked ever waits in the buffer. */
  mask(line: string): string;
  /** A batch that could not be sent (after the client's retries) is dropped: the deployment goes on. */
  onSendError(error: unknown): void;
}

const flushIntervalMs = 500;
const flushAtLines = 200;
/** The protocol's limit per request. */
const maxLinesPerRequest = 1_000;
/** Keeps a request well under the server's body limit whatever the lines hold. */
const maxCharsPerRequest = 512 * 1024;
const maxLineChars = 16 * 1024;

/**
 * Batches a deployment's log lines: sent every half second, or at once when 200 are waiting, one
 * request at a time so the server receives them in order.
 */
export class LogBuffer {
  private pending: { step: number; entry: LogLine }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: LogBufferOptions) {}

  append(step: number, line: string): void {
    const masked = this.options.mask(line);
    const text = masked.length > maxLineChars ? `${masked.slice(0, maxLineChars)}… (line cut at ${maxLineChars} characters)` : masked;
    this.pending.push({ step, entry: { timestamp: new Date().toISOString(), line: text } });
    if (this.pending.length >= flushAtLines) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Resolves once every line appended so far has been sent (or given up on). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sending = this.sending.then(() => this.drain());
    return this.sending;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const step = this.pending[0]!.step;
      let count = 0;
      let chars = 0;
      for (const { step: lineStep, entry } of this.pending) {
        if (lineStep !== step || count === maxLinesPerRequest || (count > 0 && chars + entry.line.length > maxCharsPerRequest)) break;
        count++;
        chars += entry.line.length;
      }
      const batch = this.pending.splice(0, count).map((p) => p.entry);
      try {
        await this.options.send(step, batch);
      } catch (error) {
        this.options.onSendError(error);
      }
    }
  }
}
