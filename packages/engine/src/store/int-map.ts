/**
 * An open-addressing hash map from non-negative integers (< 2^53) to non-negative int32 values, kept in typed
 * arrays: 12 bytes per slot, at most half full. Far smaller and faster than a `Map` for the indexes of
 * `MemoryStore`.
 */
export class IntMap {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private count = 0;

  public constructor(capacity = 16) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Float64Array(size).fill(-1);
    this.values = new Int32Array(size);
    this.mask = size - 1;
  }

  public get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  public get(key: number): number {
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === key) return this.values[i] ?? -1;
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  public set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.keys.length) this.grow();
    const keys = this.keys;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === key) {
        this.values[i] = value;
        return;
      }
      if (k === -1) {
        keys[i] = key;
        this.values[i] = value;
        this.count++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Bytes held by the backing arrays. */
  public get byteLength(): number {
    return this.keys.byteLength + this.values.byteLength;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const size = oldKeys.length * 2;
    this.keys = new Float64Array(size).fill(-1);
    this.values = new Int32Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] ?? -1;
      if (k !== -1) this.set(k, oldValues[i] ?? 0);
    }
  }
}

function hash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
