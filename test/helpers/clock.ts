import type { Clock } from '../../src/clock.js';

/** A clock tests move by hand, to expire leases without sleeping. */
export class ManualClock implements Clock {
  private current = Date.now();

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
