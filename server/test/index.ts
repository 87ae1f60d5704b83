// The test bundle's entry: every server/test/**/*.test.ts and rules/*/*.test.ts (see scripts/build.mjs).
import 'headroom:tests';
