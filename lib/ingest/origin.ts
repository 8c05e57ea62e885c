import type { LogFileKey } from './log-file-key';

/** Where a record or a problem came from, precisely enough to go and look. */
export interface Origin {
  /** A path, `s3://bucket/key`, `-` for standard input, or the name given to an in-memory payload. */
  readonly source: string;
  readonly bucket?: string;
  readonly key?: string;
  /** What the key or file name says about the log file (account, region, date, org), when it follows the layout. */
  readonly logFile?: LogFileKey;
  /** Ordinal of the record within its source, counting every candidate (0-based). */
  readonly index?: number;
  /** 1-based line and 0-based byte offset in the decompressed text. */
  readonly line?: number;
  readonly offset?: number;
  /** Where inside the JSON: `Records[3]`, `Records[0].Sns.Message > s3ObjectKey[1]`, … */
  readonly pointer?: string;
}

export function formatOrigin(origin: Origin): string {
  let text = origin.source;
  if (origin.line !== undefined) text += `:${origin.line}`;
  const details: string[] = [];
  if (origin.pointer) details.push(origin.pointer);
  if (origin.index !== undefined) details.push(`record #${origin.index}`);
  if (origin.offset !== undefined) details.push(`byte ${origin.offset}`);
  return details.length > 0 ? `${text} (${details.join(', ')})` : text;
}

export function joinPointer(parent: string | undefined, child: string): string {
  if (!parent) return child;
  if (!child) return parent;
  return child.startsWith('[') || child.startsWith(' > ') ? `${parent}${child}` : `${parent}.${child}`;
}
