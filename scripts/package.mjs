// `npm run package`: builds the production bundles and packs headroom.vsix with @vscode/vsce from a
// staging folder holding exactly what ships: the bundles, the rule docs, schemas, grammars, and of
// node_modules only what the native tree-sitter bindings load at run time (their N-API prebuilds
// for linux/darwin/win32 on x64/arm64, never a local build/ that would shadow them).
// vsce's own dependency detection runs `npm list`, which rejects tree-sitter-typescript's peer range.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const stage = path.join(root, '.cache', 'vsix-stage');
const out = path.join(root, 'headroom.vsix');

execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production'], { stdio: 'inherit' });
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(stage, { recursive: true });

const copy = (rel) => {
  const from = path.join(root, rel);
  if (!fs.existsSync(from)) throw new Error(`missing ${rel}`);
  fs.cpSync(from, path.join(stage, rel), { recursive: true });
};
const NATIVE = {
  'node-gyp-build': ['package.json', 'index.js', 'node-gyp-build.js'],
  'tree-sitter': ['package.json', 'index.js', 'prebuilds'],
  'tree-sitter-python': ['package.json', 'bindings/node/index.js', 'src/node-types.json', 'prebuilds'],
  'tree-sitter-go': ['package.json', 'bindings/node/index.js', 'src/node-types.json', 'prebuilds'],
  'tree-sitter-typescript': ['package.json', 'bindings/node/index.js', 'typescript/src/node-types.json', 'tsx/src/node-types.json', 'prebuilds'],
};

for (const f of ['README.md', 'LICENSE', 'media', 'schemas', 'syntaxes', 'rules/README.md']) copy(f);
for (const f of ['client.js', 'server.js', 'scan-worker.js', 'cli.js']) copy(`dist/${f}`);
for (const d of fs.readdirSync(path.join(root, 'rules'), { withFileTypes: true })) {
  if (d.isDirectory() && fs.existsSync(path.join(root, 'rules', d.name, 'doc.md'))) copy(`rules/${d.name}/doc.md`);
}
for (const [pkg, files] of Object.entries(NATIVE)) for (const f of files) copy(`node_modules/${pkg}/${f}`);
// Every native package must ship a prebuild for each platform VS Code runs on.
const PLATFORMS = ['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-arm64', 'win32-x64'];
for (const pkg of Object.keys(NATIVE).filter((p) => p.startsWith('tree-sitter'))) {
  for (const platform of PLATFORMS) {
    const dir = path.join(stage, 'node_modules', pkg, 'prebuilds', platform);
    if (!fs.existsSync(dir) || !fs.readdirSync(dir).some((f) => f.endsWith('.node'))) throw new Error(`${pkg} has no prebuild for ${platform}`);
  }
}
const platforms = PLATFORMS;
// Upstream's linux prebuilds of the tree-sitter core need GLIBCXX_3.4.31 (GCC 13's C++ runtime),
// which Debian 12 and Ubuntu 22.04 lack: npm builds it from source there. Ship that build for
// linux-x64 (it needs GLIBCXX_3.4.29); linux-arm64 keeps upstream's (README: Platforms).
const localBuild = path.join(root, 'node_modules', 'tree-sitter', 'build', 'Release', 'tree_sitter_runtime_binding.node');
if (process.platform === 'linux' && process.arch === 'x64' && fs.existsSync(localBuild)) {
  fs.copyFileSync(localBuild, path.join(stage, 'node_modules', 'tree-sitter', 'prebuilds', 'linux-x64', 'tree-sitter.node'));
  console.log('tree-sitter linux-x64: the binding built on this machine (GLIBCXX_3.4.29) replaces the prebuild');
}

// The manifest as it ships: no scripts, no dev dependencies, and as dependencies exactly the
// native packages copied above (everything else is in the bundles). Their staged manifests keep
// only dependencies that ship: tree-sitter-typescript's stale peer range and the build-time
// node-addon-api would make vsce's `npm list` fail.
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
for (const k of ['scripts', 'devDependencies', 'bin']) delete manifest[k];
manifest.dependencies = {};
for (const pkg of Object.keys(NATIVE)) {
  const file = path.join(stage, 'node_modules', pkg, 'package.json');
  const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  manifest.dependencies[pkg] = meta.version;
  delete meta.peerDependencies;
  delete meta.peerDependenciesMeta;
  delete meta.devDependencies;
  meta.dependencies = Object.fromEntries(Object.entries(meta.dependencies ?? {}).filter(([d]) => d in NATIVE));
  fs.writeFileSync(file, `${JSON.stringify(meta, null, 2)}\n`);
}
fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
fs.writeFileSync(path.join(stage, '.vscodeignore'), '# Everything staged by scripts/package.mjs ships.\n');

const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out], { cwd: stage, stdio: 'inherit' });
const size = fs.statSync(out).size;
console.log(`headroom.vsix: ${(size / 1024 / 1024).toFixed(1)} MB, tree-sitter prebuilds for ${platforms.join(', ')}`);
