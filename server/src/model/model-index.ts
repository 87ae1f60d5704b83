import type { ClassModel, FileModel, ImportBinding, ValueBinding } from './file-model';

/**
 * Lookups by name over one file's model. Resolution asks them once per call site, so a linear scan
 * of the file's functions per question made a file of thousands of functions quadratic (a 300 KB
 * file took 42 s). Built on first use; rebuilt if the model's arrays grew since.
 */
export interface ModelIndex {
  importsByLocal: Map<string, ImportBinding[]>;
  bindingsByName: Map<string, ValueBinding[]>;
  /** Top-level named functions (no parent, no class), by name: indices into `functions`. */
  topFunctions: Map<string, number[]>;
  /** Methods by `Class\0name`, and every function of a class by class name: indices. */
  methods: Map<string, number[]>;
  functionsOfClass: Map<string, number[]>;
  classesByName: Map<string, ClassModel[]>;
  /** Functions by `start:end` of their node: indices. */
  functionBySpan: Map<string, number>;
  /** Functions passed inline to a call (a callback), by the call's index: indices. */
  byPassedTo: Map<number, number[]>;
  /** Functions by qualified name: indices. */
  byQualifiedName: Map<string, number[]>;
  /** Every name a parameter or local of some function binds. */
  localNames: Set<string>;
}

const cache = new WeakMap<FileModel, { sizes: string; index: ModelIndex }>();

export function modelIndex(m: FileModel): ModelIndex {
  const sizes = `${m.imports.length},${m.bindings.length},${m.functions.length},${m.classes.length}`;
  const hit = cache.get(m);
  if (hit && hit.sizes === sizes) return hit.index;
  const index = build(m);
  cache.set(m, { sizes, index });
  return index;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function build(m: FileModel): ModelIndex {
  const index: ModelIndex = {
    importsByLocal: new Map(),
    bindingsByName: new Map(),
    topFunctions: new Map(),
    methods: new Map(),
    functionsOfClass: new Map(),
    classesByName: new Map(),
    functionBySpan: new Map(),
    byQualifiedName: new Map(),
    byPassedTo: new Map(),
    localNames: new Set(),
  };
  for (const i of m.imports) push(index.importsByLocal, i.local, i);
  for (const b of m.bindings) push(index.bindingsByName, b.name, b);
  for (const c of m.classes) push(index.classesByName, c.name, c);
  m.functions.forEach((f, k) => {
    if (f.parent === undefined && f.className === undefined) push(index.topFunctions, f.name, k);
    if (f.className !== undefined) {
      push(index.methods, `${f.className}\0${f.name}`, k);
      push(index.functionsOfClass, f.className, k);
    }
    push(index.byQualifiedName, f.qualifiedName, k);
    if (f.passedTo !== undefined) push(index.byPassedTo, f.passedTo, k);
    const span = `${f.start}:${f.end}`;
    if (!index.functionBySpan.has(span)) index.functionBySpan.set(span, k);
    for (const p of f.params) index.localNames.add(p.name);
    for (const l of f.locals) index.localNames.add(l.name);
  });
  return index;
}
