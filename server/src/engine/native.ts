import type Parser from 'tree-sitter';

/**
 * The native tree-sitter binding, loaded on first use rather than at start-up: on a machine where
 * it cannot load (an older C++ runtime than the prebuild needs, an unsupported platform) the
 * language server still starts and says why, instead of dying before it can say anything.
 */
export class NativeLoadError extends Error {}

let binding: typeof Parser | undefined;

export function treeSitter(): typeof Parser {
  if (binding) return binding;
  try {
    binding = require('tree-sitter') as typeof Parser;
    return binding;
  } catch (e) {
    throw new NativeLoadError(
      `Headroom cannot load its tree-sitter parser on ${process.platform}-${process.arch} (Node ${process.versions.node}): ${(e as Error).message.split('\n')[0]}`,
    );
  }
}
