/**
 * An open-addressing hash map from non-negative integers (< 2^53) to non-negative int32 values, kept in typed
 * arrays: 16 bytes per slot (key and value side by side: one cache line per probe), at most half full. Far smaller and faster than a `Map` for the indexes of
 * `MemoryStore`.
 */
export class IntMap {
  /** Slots of [key, value]; key -1 is empty. */
  private slots: Float64Array;
  private mask: number;
  private count = 0;

  public constructor(capacity = 16) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Float64Array(size * 2).fill(-1);
    this.mask = size - 1;
  }

  public get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1. */
  public get(key: number): number {
    const slots = this.slots;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = slots[i * 2];
      if (k === key) return slots[i * 2 + 1] ?? -1;
      if (k === -1) return -1;
      i = (i + 1) & this.mask;
    }
  }

  public set(key: number, value: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = hash(key) & this.mask;
    for (;;) {
      const k = slots[i * 2];
      if (k === key) {
        slots[i * 2 + 1] = value;
        return;
      }
      if (k === -1) {
        slots[i * 2] = key;
        slots[i * 2 + 1] = value;
        this.count++;
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  /** Bytes held by the backing arrays. */
  public get byteLength(): number {
    return this.slots.byteLength;
  }

  private grow(): void {
    const old = this.slots;
    const size = (this.mask + 1) * 2;
    this.slots = new Float64Array(size * 2).fill(-1);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i] ?? -1;
      if (k !== -1) this.set(k, old[i + 1] ?? 0);
    }
  }
}

/**
 * Keys are `node * 65536 + name`. The hash keeps the keys of one node in one block of 8 slots (128 bytes), so the
 * relations of an entity cost one cache miss together, not one each.
 */
function hash(key: number): number {
  const node = Math.floor(key / 65536);
  const lo = node >>> 0;
  const hi = (node / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return ((h << 3) | (key & 7)) >>> 0;
}
