/**
 * Values grouped by key where nearly every key holds one value (record indices by identity or by
 * unique value, rows by key value): a key holds its value itself, and an array only from its
 * second value on, so a bulk of 50 000 records makes no 50 000 one-element arrays.
 */
export class Groups<K, V extends object | number> {
  private readonly map = new Map<K, V | V[]>();
  /** The keys that hold two values or more, in the order they got their second. */
  private readonly several: K[] = [];

  add(key: K, value: V): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(key, value);
    else if (Array.isArray(held)) held.push(value);
    else {
      this.map.set(key, [held, value]);
      this.several.push(key);
    }
  }

  get size(): number {
    return this.map.size;
  }

  /** Calls `visit` per key, in the order the keys were first added, with its value when it holds one, else with all of them. */
  each(visit: (key: K, one: V | undefined, several: readonly V[] | undefined) => void): void {
    this.map.forEach((held, key) => (Array.isArray(held) ? visit(key, undefined, held) : visit(key, held as V, undefined)));
  }

  /** The value of `key` when it holds exactly one; undefined when none, null when several (one lookup). */
  only(key: K): V | null | undefined {
    const held = this.map.get(key);
    return Array.isArray(held) ? null : held;
  }

  /** The first value of `key`. */
  first(key: K): V | undefined {
    const held = this.map.get(key);
    return Array.isArray(held) ? held[0] : held;
  }

  /** Calls `visit` with each value of `key`, in the order they were added. */
  forEach(key: K, visit: (value: V) => void): void {
    const held = this.map.get(key);
    if (held === undefined) return;
    if (Array.isArray(held)) held.forEach((v) => visit(v));
    else visit(held);
  }

  /** The keys that hold two values or more, with their values (in the order the keys got their second value). */
  multiples(): [K, readonly V[]][] {
    return this.several.map((key) => [key, this.map.get(key) as V[]]);
  }
}
