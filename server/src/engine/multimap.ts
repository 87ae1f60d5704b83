/**
 * Adds a value to the list a map keeps under a key. Lists grow in place: copying the list on every
 * add (`[...list, v]`) is quadratic, and keys like `id` collect thousands of entries in one file.
 */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
