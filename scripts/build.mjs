// Bundles the language server, the CLI, its scan worker and the test suite with esbuild.
// Usage: node scripts/build.mjs [--watch] [--tests | --only-tests] [--bench] [--fuzz] [--production]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
// `--out=DIR` puts the test bundle elsewhere, so that several people can build and test one checkout at once.
const testOut = [...args].find((a) => a.startsWith('--out='))?.slice('--out='.length) ?? 'out/test';

// Native bindings stay outside the bundle: node-gyp-build finds their per-platform prebuilds
// (linux/darwin/win32 × x64/arm64) next to each package at run time.
const external = ['tree-sitter', 'tree-sitter-python', 'tree-sitter-go', 'tree-sitter-typescript', 'vscode'];

function ruleDirs() {
  return fs
    .readdirSync(path.join(root, 'rules'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(root, 'rules', d.name, 'rule.ts')))
    .map((d) => d.name)
    .sort();
}

function walk(dir, pred, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}

/** `headroom:rules` is every rules/<id>/rule.ts; `headroom:models` every models/**.json; `headroom:tests` every test module. */
const virtualModules = {
  name: 'headroom-virtual',
  setup(build) {
    build.onResolve({ filter: /^headroom:(rules|tests|models)$/ }, (a) => ({ path: a.path, namespace: 'headroom' }));
    build.onLoad({ filter: /.*/, namespace: 'headroom' }, (a) => {
      if (a.path === 'headroom:models') {
        const files = walk(path.join(root, 'models'), (p) => p.endsWith('.json'));
        const imports = files.map((f, i) => `import m${i} from ${JSON.stringify(f)};`);
        const entries = files.map((f, i) => `{ path: ${JSON.stringify(path.relative(root, f))}, content: m${i} }`);
        return { contents: `${imports.join('\n')}\nexport default [${entries.join(', ')}];\n`, resolveDir: root, watchDirs: [path.join(root, 'models')] };
      }
      if (a.path === 'headroom:rules') {
        const dirs = ruleDirs();
        const imports = dirs.map((d, i) => `import r${i} from ${JSON.stringify(path.join(root, 'rules', d, 'rule.ts'))};`);
        return {
          contents: `${imports.join('\n')}\nexport default [${dirs.map((_, i) => `r${i}`).join(', ')}];\n`,
          resolveDir: root,
          watchDirs: [path.join(root, 'rules')],
        };
      }
      const tests = [
        ...walk(path.join(root, 'server', 'test'), (p) => p.endsWith('.test.ts')),
        ...walk(path.join(root, 'rules'), (p) => p.endsWith('.test.ts')),
      ];
      return {
        contents: tests.map((t) => `import ${JSON.stringify(t)};`).join('\n'),
        resolveDir: root,
        watchDirs: [path.join(root, 'rules'), path.join(root, 'server', 'test')],
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  external,
  // jsonc-parser's UMD build hides its requires from esbuild; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  loader: { '.scm': 'text' },
  plugins: [virtualModules],
  logLevel: 'warning',
};

const builds = args.has('--only-tests') ? [] : [
  { ...common, entryPoints: { server: 'server/src/lsp/main.ts', cli: 'server/src/cli/main.ts', 'scan-worker': 'server/src/cli/scan-worker.ts', client: 'client/src/extension.ts' }, outdir: 'dist' },
];
if (args.has('--tests') || args.has('--only-tests')) {
  // The TypeScript compiler (used by the tests to double-check fixed code) is loaded from node_modules.
  builds.push({ ...common, external: [...external, 'typescript'], sourcemap: true, minify: false, entryPoints: { tests: 'server/test/index.ts' }, outdir: testOut });
}

if (args.has('--editor-tests')) {
  // The extension-host suite: loaded by VS Code's extension host, so `vscode` is external and mocha comes from node_modules.
  builds.push({ ...common, external: [...external, 'mocha'], sourcemap: true, minify: false, entryPoints: { index: 'client/test/suite/index.ts' }, outdir: 'out/ext-test' });
}
if (args.has('--bench')) {
  builds.push({ ...common, sourcemap: false, entryPoints: { bench: 'scripts/bench/bench.ts', 'parse-worker': 'scripts/bench/parse-worker.ts' }, outdir: 'out/bench' });
}

if (args.has('--fuzz')) {
  // The protocol fuzzer (npm run fuzz): drives dist/server.js, so it is built alongside it.
  builds.push({ ...common, sourcemap: true, minify: false, entryPoints: { fuzz: 'server/test/fuzz/cli.ts' }, outdir: 'out/fuzz' });
}

process.chdir(root);
if (args.has('--watch')) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching…');
} else {
  const t0 = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.map((b) => b.outdir).join(', ')} in ${Date.now() - t0} ms`);
}
