/**
 * Structured JSON logs, one object per line, as CloudWatch Logs Insights reads them. Info level
 * carries counts, ids and origins, never record contents; debug may carry more.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** Writes a document as it is (an EMF metrics line) to the same sink. */
  raw(document: Record<string, unknown>): void;
}

export function createLogger(
  base: Record<string, unknown> = {},
  level: LogLevel = (process.env.LOG_LEVEL?.toLowerCase() as LogLevel | undefined) ?? 'info',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const emit = (at: LogLevel, message: string, fields: Record<string, unknown> = {}): void => {
    if (ORDER[at] < threshold) return;
    // The line's own keys come last: no field can pass itself off as the level or the message.
    write(JSON.stringify({ ...base, ...fields, level: at, message, timestamp: new Date().toISOString() }));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, level, write),
    raw: (document) => write(JSON.stringify(document)),
  };
}
