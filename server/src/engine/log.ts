/**
 * The engine's logger. The language server points it at the LSP console, the CLI at stderr.
 * Errors from rule code are logged once per rule and message, so a broken rule cannot flood the log.
 */
export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}

const stderrLogger: Logger = {
  error: (m) => process.stderr.write(`[headroom] error: ${m}\n`),
  warn: (m) => process.stderr.write(`[headroom] warning: ${m}\n`),
  info: () => undefined,
};

let current: Logger = stderrLogger;
const seen = new Set<string>();

export const log: Logger & { once(key: string, message: string): void } = {
  error: (m) => current.error(m),
  warn: (m) => current.warn(m),
  info: (m) => current.info(m),
  /** Logs an error the first time a key is seen (e.g. `rule-id: message`). */
  once(key, message) {
    if (seen.has(key)) return;
    seen.add(key);
    current.error(message);
  },
};

export function setLogger(logger: Logger): void {
  current = logger;
}
