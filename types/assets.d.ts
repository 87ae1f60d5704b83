// Query sources are inlined into the bundle as text by esbuild (see scripts/build.mjs).
declare module '*.scm' {
  const source: string;
  export default source;
}

// The rule catalogue, generated at build time from rules/*/rule.ts.
declare module 'headroom:rules' {
  import type { RuleModule } from '../server/src/engine/rule-api';
  const rules: RuleModule[];
  export default rules;
}

// Every test module under rules/ and server/test/, generated at build time.
declare module 'headroom:tests' {}

// The library, framework and convention models, generated at build time from models/**/*.json.
declare module 'headroom:models' {
  import type { ModelFile } from '../server/src/model/library';
  const files: { path: string; content: ModelFile }[];
  export default files;
}
