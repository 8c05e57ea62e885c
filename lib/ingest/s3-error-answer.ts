import type { IncomingMessage } from 'node:http';

/**
 * What an S3 error answer says, read as the SDK reads it, into an error shaped as the SDK's.
 */

/**
 * An error answer's body is read up to this many bytes for S3's `<Code>` and `<Message>`; the rest
 * is never read: the connection is closed, so a body that never ends (a broken proxy) cannot hold
 * the invocation, and a huge one costs no time.
 */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * The answers after which the SDK's `followRegionRedirects` asks the region S3 names in
 * `x-amz-bucket-region` (for any command but HeadBucket): a 301, or a 400 for a location
 * constraint. Other statuses that carry the header (a 403, a 400 for a malformed authorization)
 * fail as they are, there as here.
 * https://github.com/aws/aws-sdk-js-v3/blob/main/packages/middleware-sdk-s3/src/region-redirect-middleware.ts
 */
export function isRegionRedirect(failure: S3ResponseError): boolean {
  const status = failure.$metadata.httpStatusCode;
  return status === 301 || (status === 400 && failure.name === 'IllegalLocationConstraintException');
}

/** An S3 error answer, shaped as the SDK shapes its service errors. */
export class S3ResponseError extends Error {
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };
  readonly $fault: 'client' | 'server';

  constructor(code: string, message: string, httpStatusCode: number, requestId: string | undefined) {
    super(message);
    this.name = code;
    this.$metadata = { httpStatusCode, ...(requestId === undefined ? {} : { requestId }) };
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
  }
}

const XML_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};
const MAX_CODE_POINT = 0x10ffff;

/** XML's predefined entities and character references decoded; any other entity stays as written. */
function decodeXmlText(text: string): string {
  return text.replace(
    /&(?:(amp|lt|gt|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g,
    (entity, name: string | undefined, decimal: string | undefined, hex: string | undefined) => {
      if (name !== undefined) return XML_ENTITIES[name] ?? entity;
      const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
      return codePoint <= MAX_CODE_POINT ? String.fromCodePoint(codePoint) : entity;
    },
  );
}

/** Where (at its `>`) a comment, processing instruction or declaration ends, or -1. */
function markupEnd(body: string, open: number): number {
  if (body.startsWith('<!--', open)) {
    const end = body.indexOf('-->', open + 4);
    return end === -1 ? -1 : end + 2;
  }
  if (body.startsWith('<?', open)) {
    const end = body.indexOf('?>', open + 2);
    return end === -1 ? -1 : end + 1;
  }
  // `<!DOCTYPE Error [ <!ENTITY …> ]>`: the internal subset holds `>` of its own.
  const close = body.indexOf('>', open);
  if (close === -1) return -1;
  const subset = body.slice(open, close).indexOf('[');
  if (subset === -1) return close;
  const subsetEnd = body.indexOf(']', open + subset);
  return subsetEnd === -1 ? -1 : body.indexOf('>', subsetEnd);
}

/** The elements of an error document that the SDK reads, relative to its root element. */
const ERROR_FIELDS: ReadonlySet<string> = new Set(['Code', 'Message', 'Error/Code', 'Error/Message']);

/**
 * The `Code` and `Message` of an S3 error document, read where the SDK's XML parser finds them:
 * children of the root element (or of an `Error` element inside it), never deeper, with CDATA
 * sections and character references as text. One linear pass with `indexOf` (no backtracking
 * pattern over hostile bodies); entities a DOCTYPE declares are not expanded, as the SDK does not.
 */
export function errorDocumentFields(body: string): { code?: string; message?: string } {
  const path: string[] = [];
  const texts = new Map<string, string>();
  const field = (): string | undefined => {
    // Only depths 2 and 3 can hold a field: deeper paths (hostile nesting) cost nothing to skip.
    if (path.length < 2 || path.length > 3) return undefined;
    const relative = path.slice(1).join('/');
    return ERROR_FIELDS.has(relative) ? relative : undefined;
  };
  const append = (text: string): void => {
    const name = field();
    if (name !== undefined) texts.set(name, (texts.get(name) ?? '') + text);
  };
  let at = 0;
  while (at < body.length) {
    const open = body.indexOf('<', at);
    append(decodeXmlText(body.slice(at, open === -1 ? body.length : open)));
    if (open === -1) break;
    let end: number;
    if (body.startsWith('<![CDATA[', open)) {
      end = body.indexOf(']]>', open + 9);
      if (end === -1) break;
      append(body.slice(open + 9, end));
      end += 2;
    } else if (body.startsWith('<!', open) || body.startsWith('<?', open)) {
      end = markupEnd(body, open);
      if (end === -1) break;
    } else {
      end = body.indexOf('>', open);
      if (end === -1) break;
      const tag = body.slice(open + 1, end);
      if (tag.startsWith('/')) {
        path.pop();
        if (path.length === 0) break;
      } else {
        path.push(/^[^\s/]*/.exec(tag)?.[0] ?? '');
        const name = field();
        if (name !== undefined && texts.has(name)) {
          // A repeated field: the first one counts, the later one is read into nothing.
          path[path.length - 1] = '';
        }
        if (tag.endsWith('/')) path.pop();
        else append('');
      }
    }
    at = end + 1;
  }
  const code = texts.get('Error/Code') ?? texts.get('Code');
  const message = texts.get('Error/Message') ?? texts.get('Message');
  return { ...(code ? { code } : {}), ...(message !== undefined ? { message } : {}) };
}

/** Reads what S3 says about a failure (its body holds `<Error><Code>…<Message>…`). */
export async function responseError(response: IncomingMessage): Promise<S3ResponseError> {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    bytes += chunk.length;
    // Leaving the loop destroys the response and its socket: the unread rest is never fetched.
    if (bytes >= MAX_ERROR_BODY_BYTES) break;
  }
  const body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
  const requestId = response.headers['x-amz-request-id'];
  const fields = errorDocumentFields(body);
  const code = fields.code ?? (status === 404 ? 'NotFound' : `Http${status}`);
  const message = fields.message ?? (response.statusMessage || `HTTP ${status}`);
  return new S3ResponseError(code, message, status, typeof requestId === 'string' ? requestId : undefined);
}
