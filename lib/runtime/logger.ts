import type { LogItem } from '@aws-lambda-powertools/logger';
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * Structured JSON logs, one object per line, written by Powertools for AWS Lambda's Logger: the
 * `injectLambdaContext` middleware (lambda.ts) adds the request id, the function and the
 * cold-start flag to every line. Info level carries counts, ids and origins, never record
 * contents; debug may carry more. The level comes from POWERTOOLS_LOG_LEVEL or LOG_LEVEL (or
 * Lambda's own log-level setting, AWS_LAMBDA_LOG_LEVEL), as Powertools reads them.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/logger/
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The `service` key of every line. */
export const SERVICE_NAME = 'trailwatch';

/** Where lines go instead of stdout (a test keeps them); one JSON document per call. */
export type LogSink = (line: string) => void;

/** The logging port the handlers, the bootstrap and the wide-role refresh write to. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines also carry `fields` (the parent's Lambda context included). */
  child(fields: Record<string, unknown>): Logger;
  /** The Powertools logger underneath, for its middy middleware. */
  readonly powertools: PowertoolsLogger;
  /** Where lines go when not stdout: the invocation's metrics are written to the same place. */
  readonly sink: LogSink | undefined;
}

/** A Powertools Logger that prints to a sink of our own, through its documented extension points. */
class SinkLogger extends PowertoolsLogger {
  readonly #sink: LogSink;

  constructor(options: ConstructorOptions, sink: LogSink) {
    super(options);
    this.#sink = sink;
  }

  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    this.#sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  /** Used by `createChild`: the child prints to the same sink. */
  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new SinkLogger(options ?? {}, this.#sink);
  }
}

function wrap(powertools: PowertoolsLogger, sink: LogSink | undefined): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, fields?: Record<string, unknown>): void => {
      if (fields === undefined) powertools[level](message);
      else powertools[level](message, fields);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(powertools.createChild({ persistentKeys: fields }), sink),
    powertools,
    sink,
  };
}

/**
 * A logger with `base` on every line. `level` overrides the environment's; `sink` takes the lines
 * instead of stdout (tests). Powertools keeps the keys it writes itself (level, message, service,
 * timestamp): a field of the same name is dropped, so no field can pass itself off as one.
 */
export function createLogger(base: Record<string, unknown> = {}, level?: LogLevel, sink?: LogSink): Logger {
  const options: ConstructorOptions = {
    serviceName: SERVICE_NAME,
    persistentKeys: base,
    ...(level === undefined ? {} : { logLevel: level }),
  };
  return wrap(sink ? new SinkLogger(options, sink) : new PowertoolsLogger(options), sink);
}
