import { pushTo } from '../engine/multimap';
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
  const index = new LazyIndex(m);
  cache.set(m, { sizes, index });
  return index;
}

/** Items listed by a name of theirs. */
function grouped<T>(items: readonly T[], name: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) pushTo(out, name(x), x);
  return out;
}

/**
 * Each lookup is built when first asked: a keystroke's analysis asks few of them (a file's model
 * is new after every edit), and building all of them cost more than the rest of a keystroke's
 * resolution.
 */
class LazyIndex implements ModelIndex {
  constructor(private readonly m: FileModel) {}

  private imports?: Map<string, ImportBinding[]>;
  get importsByLocal(): Map<string, ImportBinding[]> {
    return (this.imports ??= grouped(this.m.imports, (i) => i.local));
  }

  private bindings?: Map<string, ValueBinding[]>;
  get bindingsByName(): Map<string, ValueBinding[]> {
    return (this.bindings ??= grouped(this.m.bindings, (b) => b.name));
  }

  private classes?: Map<string, ClassModel[]>;
  get classesByName(): Map<string, ClassModel[]> {
    return (this.classes ??= grouped(this.m.classes, (c) => c.name));
  }

  private functionLookups?: Pick<ModelIndex, 'topFunctions' | 'methods' | 'functionsOfClass' | 'byQualifiedName' | 'byPassedTo'>;
  /** The lookups of functions by name: one walk of the functions makes them all. */
  private functions(): NonNullable<LazyIndex['functionLookups']> {
    if (!this.functionLookups) {
      const out = { topFunctions: new Map(), methods: new Map(), functionsOfClass: new Map(), byQualifiedName: new Map(), byPassedTo: new Map() };
      this.m.functions.forEach((f, k) => {
        if (f.parent === undefined && f.className === undefined) pushTo(out.topFunctions, f.name, k);
        if (f.className !== undefined) {
          pushTo(out.methods, `${f.className}\0${f.name}`, k);
          pushTo(out.functionsOfClass, f.className, k);
        }
        pushTo(out.byQualifiedName, f.qualifiedName, k);
        if (f.passedTo !== undefined) pushTo(out.byPassedTo, f.passedTo, k);
      });
      this.functionLookups = out;
    }
    return this.functionLookups;
  }

  get topFunctions(): Map<string, number[]> {
    return this.functions().topFunctions;
  }

  get methods(): Map<string, number[]> {
    return this.functions().methods;
  }

  get functionsOfClass(): Map<string, number[]> {
    return this.functions().functionsOfClass;
  }

  get byQualifiedName(): Map<string, number[]> {
    return this.functions().byQualifiedName;
  }

  get byPassedTo(): Map<number, number[]> {
    return this.functions().byPassedTo;
  }

  private spans?: Map<string, number>;
  get functionBySpan(): Map<string, number> {
    if (!this.spans) {
      this.spans = new Map();
      this.m.functions.forEach((f, k) => {
        const span = `${f.start}:${f.end}`;
        if (!this.spans!.has(span)) this.spans!.set(span, k);
      });
    }
    return this.spans;
  }

  private locals?: Set<string>;
  get localNames(): Set<string> {
    if (!this.locals) {
      this.locals = new Set();
      for (const f of this.m.functions) {
        for (const p of f.params) this.locals.add(p.name);
        for (const l of f.locals) this.locals.add(l.name);
      }
    }
    return this.locals;
  }
}
