// Go's sort.Slice (pattern-defeating quicksort), step for step. ESC sorts diagnostics with it, and
// it is not stable: diagnostics at the same position come out in the order this algorithm leaves
// them, so matching ESC's output means sorting exactly as it does.

type Less = (i: number, j: number) => boolean;

const maxInsertion = 12;
const shortestNinther = 50;
const maxSwaps = 4 * 3;
const maxPartialSteps = 5;
const shortestShifting = 50;

const enum Hint {
  Unknown,
  Increasing,
  Decreasing,
}

/** Sorts `items` in place as Go's sort.Slice(items, less) would. */
export function goSortSlice<T>(items: T[], less: (a: T, b: T) => boolean): void {
  const sorter = new Sorter((i, j) => less(items[i]!, items[j]!), (i, j) => {
    const held = items[i]!;
    items[i] = items[j]!;
    items[j] = held;
  });
  sorter.pdqsort(0, items.length, bitLength(items.length));
}

const bitLength = (n: number) => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);

class Sorter {
  constructor(
    private readonly less: Less,
    private readonly swap: (i: number, j: number) => void,
  ) {}

  pdqsort(a: number, b: number, limit: number): void {
    let wasBalanced = true;
    let wasPartitioned = true;
    for (;;) {
      const length = b - a;
      if (length <= maxInsertion) {
        this.insertionSort(a, b);
        return;
      }
      if (limit === 0) {
        this.heapSort(a, b);
        return;
      }
      if (!wasBalanced) {
        this.breakPatterns(a, b);
        limit--;
      }
      let [pivot, hint] = this.choosePivot(a, b);
      if (hint === Hint.Decreasing) {
        this.reverseRange(a, b);
        pivot = b - 1 - (pivot - a);
        hint = Hint.Increasing;
      }
      if (wasBalanced && wasPartitioned && hint === Hint.Increasing && this.partialInsertionSort(a, b)) return;
      if (a > 0 && !this.less(a - 1, pivot)) {
        a = this.partitionEqual(a, b, pivot);
        continue;
      }
      const [mid, alreadyPartitioned] = this.partition(a, b, pivot);
      wasPartitioned = alreadyPartitioned;
      const leftLength = mid - a;
      const rightLength = b - mid;
      const balanceThreshold = Math.floor(length / 8);
      if (leftLength < rightLength) {
        wasBalanced = leftLength >= balanceThreshold;
        this.pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        wasBalanced = rightLength >= balanceThreshold;
        this.pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  }

  private insertionSort(a: number, b: number): void {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.less(j, j - 1); j--) this.swap(j, j - 1);
    }
  }

  private siftDown(lo: number, hi: number, first: number): void {
    let root = lo;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && this.less(first + child, first + child + 1)) child++;
      if (!this.less(first + root, first + child)) return;
      this.swap(first + root, first + child);
      root = child;
    }
  }

  private heapSort(a: number, b: number): void {
    const hi = b - a;
    for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) this.siftDown(i, hi, a);
    for (let i = hi - 1; i >= 0; i--) {
      this.swap(a, a + i);
      this.siftDown(0, i, a);
    }
  }

  private partition(a: number, b: number, pivot: number): [number, boolean] {
    this.swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    while (i <= j && this.less(i, a)) i++;
    while (i <= j && !this.less(j, a)) j--;
    if (i > j) {
      this.swap(j, a);
      return [j, true];
    }
    this.swap(i, j);
    i++;
    j--;
    for (;;) {
      while (i <= j && this.less(i, a)) i++;
      while (i <= j && !this.less(j, a)) j--;
      if (i > j) break;
      this.swap(i, j);
      i++;
      j--;
    }
    this.swap(j, a);
    return [j, false];
  }

  private partitionEqual(a: number, b: number, pivot: number): number {
    this.swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    for (;;) {
      while (i <= j && !this.less(a, i)) i++;
      while (i <= j && this.less(a, j)) j--;
      if (i > j) return i;
      this.swap(i, j);
      i++;
      j--;
    }
  }

  private partialInsertionSort(a: number, b: number): boolean {
    let i = a + 1;
    for (let step = 0; step < maxPartialSteps; step++) {
      while (i < b && !this.less(i, i - 1)) i++;
      if (i === b) return true;
      if (b - a < shortestShifting) return false;
      this.swap(i, i - 1);
      if (i - a >= 2) {
        for (let j = i - 1; j >= 1; j--) {
          if (!this.less(j, j - 1)) break;
          this.swap(j, j - 1);
        }
      }
      if (b - i >= 2) {
        for (let j = i + 1; j < b; j++) {
          if (!this.less(j, j - 1)) break;
          this.swap(j, j - 1);
        }
      }
    }
    return false;
  }

  /** Swaps a few elements by Go's xorshift sequence, seeded with the length. */
  private breakPatterns(a: number, b: number): void {
    const length = b - a;
    if (length < 8) return;
    const mask64 = (1n << 64n) - 1n;
    let random = BigInt(length);
    const modulus = BigInt(2 ** bitLength(length));
    for (let index = a + Math.floor(length / 4) * 2 - 1; index <= a + Math.floor(length / 4) * 2 + 1; index++) {
      random ^= (random << 13n) & mask64;
      random ^= random >> 7n;
      random ^= (random << 17n) & mask64;
      let other = Number(random & (modulus - 1n));
      if (other >= length) other -= length;
      this.swap(index, a + other);
    }
  }

  private choosePivot(a: number, b: number): [number, Hint] {
    const length = b - a;
    const counter = { swaps: 0 };
    let i = a + Math.floor(length / 4);
    let j = a + Math.floor(length / 4) * 2;
    let k = a + Math.floor(length / 4) * 3;
    if (length >= 8) {
      if (length >= shortestNinther) {
        i = this.median(i - 1, i, i + 1, counter);
        j = this.median(j - 1, j, j + 1, counter);
        k = this.median(k - 1, k, k + 1, counter);
      }
      j = this.median(i, j, k, counter);
    }
    if (counter.swaps === 0) return [j, Hint.Increasing];
    if (counter.swaps === maxSwaps) return [j, Hint.Decreasing];
    return [j, Hint.Unknown];
  }

  private order2(a: number, b: number, counter: { swaps: number }): [number, number] {
    if (this.less(b, a)) {
      counter.swaps++;
      return [b, a];
    }
    return [a, b];
  }

  private median(a: number, b: number, c: number, counter: { swaps: number }): number {
    [a, b] = this.order2(a, b, counter);
    [b, c] = this.order2(b, c, counter);
    [a, b] = this.order2(a, b, counter);
    return b;
  }

  private reverseRange(a: number, b: number): void {
    for (let i = a, j = b - 1; i < j; i++, j--) this.swap(i, j);
  }
}
