import type { CST, Document, Node, YAMLError } from 'yaml';
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser } from 'yaml';

/**
 * How many alias expansions one document may make while it is turned into data. A handful of
 * anchors is normal in a rule or config; an "alias bomb" (billion laughs) nests aliases of aliases
 * so that a few lines expand to gigabytes. 100 is the `yaml` library's own default, set here
 * explicitly so that it cannot change under us.
 * https://eemeli.org/yaml/#tojs-options (maxAliasCount)
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * How deep maps and lists may nest. Rules and configs need a few levels (an inline test event, a
 * CloudTrail record, about 15); the `yaml` library composes recursively and overflows the stack
 * somewhere near 1,000 levels, so anything past this limit is refused with its line first.
 */
export const MAX_YAML_NESTING = 128;

/** One YAML document with the means to say on which line any part of it stands. */
export interface YamlDocument {
  readonly file: string;
  readonly value: unknown;
  /** Line of the document's first content. */
  readonly line: number;
  /** Syntax errors the YAML parser found, each with its line. */
  readonly syntaxErrors: readonly { message: string; line: number }[];
  lineOf(path: readonly (string | number)[]): number;
}

export function parseYamlDocuments(file: string, text: string): YamlDocument[] {
  const json = canonicalJsonDocument(file, text);
  if (json !== undefined) return [json];
  const lineCounter = new LineCounter();
  let list: { document: Document.Parsed; tooDeepAt: number | undefined }[];
  try {
    // What parseAllDocuments does, with the nesting measured between parsing and composing: the
    // parser is iterative, the composer recursive. A stack overflow in the composer was caught as a
    // document error, but a second one in the same process could abort it ("FATAL ERROR:
    // RegExpCompiler Allocation failed"), so a document nested too deep is not composed at all.
    const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
    const tooDeep: number[] = [];
    const composable = tokens.map((token): CST.Token => {
      if (token.type !== 'document') return token;
      const at = firstTooDeepToken(token.value);
      tooDeep.push(at ?? -1);
      if (at === undefined) return token;
      return {
        type: 'document',
        offset: token.offset,
        start: token.start,
        ...(token.end && { end: token.end }),
      };
    });
    const composer = new Composer({ lineCounter, prettyErrors: false, uniqueKeys: true });
    list = [...composer.compose(composable)].map((document, index) => {
      const at = tooDeep[index] ?? -1;
      return { document, tooDeepAt: at === -1 ? undefined : at };
    });
  } catch (error) {
    // The parser reports faults as document errors; anything it throws instead is still the file's fault.
    return [unreadable(file, error instanceof Error ? error.message : String(error))];
  }
  return list
    .filter(
      ({ document, tooDeepAt }) =>
        document.contents !== null || document.errors.length > 0 || tooDeepAt !== undefined,
    )
    .map(({ document, tooDeepAt }) => toYamlDocument(file, document, lineCounter, tooDeepAt));
}

/**
 * The offset of the first map or list of a parsed (not yet composed) document nested deeper than
 * MAX_YAML_NESTING, found without recursion; a map key may itself be a collection.
 */
function firstTooDeepToken(root: CST.Token | undefined): number | undefined {
  const stack: { token: CST.Token | null | undefined; enclosing: number }[] = [{ token: root, enclosing: 0 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { token, enclosing } = entry;
    if (
      token === null ||
      token === undefined ||
      (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
    )
      continue;
    const level = enclosing + 1;
    if (level > MAX_YAML_NESTING) return token.offset;
    // Pushed last to first, so that the first node in the text is the one reported.
    for (let i = token.items.length - 1; i >= 0; i--) {
      const item = token.items[i];
      stack.push({ token: item?.value, enclosing: level }, { token: item?.key, enclosing: level });
    }
  }
  return undefined;
}

/**
 * Characters that keep a JSON text off the fast path: anything YAML does not take verbatim inside
 * a double-quoted scalar (controls, DEL and C1, line and paragraph separators, BOM, surrogates).
 */
const NOT_VERBATIM_IN_YAML = /[^\u0020-\u007e\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]/;
/** Keys the YAML parser may treat specially (a merge key, the prototype): left to it. */
const SPECIAL_KEYS = new Set(['<<', '__proto__']);
/** Longer implicit keys are a YAML error (the spec's 1,024-character limit): left to the parser to report. */
const MAX_FAST_KEY = 1000;

/**
 * A document that is one line of canonical JSON (what tools generating rules write: the output of
 * JSON.stringify), read with JSON.parse: the YAML parser takes some 30 times as long to arrive at
 * the same value. Only text that JSON.stringify gives back unchanged qualifies (no duplicate keys,
 * no spacing, numbers in JavaScript's own form), on one line (so every position is line 1), with
 * plain characters, ordinary keys and nesting within MAX_YAML_NESTING; anything else, and every
 * fault, goes to the YAML parser, which reads such JSON as the same value.
 */
function canonicalJsonDocument(file: string, text: string): YamlDocument | undefined {
  if (text.charCodeAt(0) !== 0x7b) return undefined;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (NOT_VERBATIM_IN_YAML.test(body)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  // Nesting first: JSON.stringify recurses, and overflows the stack on a text JSON.parse read.
  if (!plainJson(value) || JSON.stringify(value) !== body) return undefined;
  return { file, value, line: 1, syntaxErrors: [], lineOf: () => 1 };
}

/** Nesting within MAX_YAML_NESTING and no key the YAML parser treats specially; walked without recursion. */
function plainJson(root: unknown): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { value, depth } = entry;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_YAML_NESTING) return false;
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    for (const [key, item] of Object.entries(value)) {
      if (SPECIAL_KEYS.has(key) || key.length > MAX_FAST_KEY) return false;
      stack.push({ value: item, depth: depth + 1 });
    }
  }
  return true;
}

function unreadable(file: string, message: string): YamlDocument {
  return { file, value: undefined, line: 1, syntaxErrors: [{ message, line: 1 }], lineOf: () => 1 };
}

function toYamlDocument(
  file: string,
  document: Document.Parsed,
  lineCounter: LineCounter,
  tooDeepAt: number | undefined,
): YamlDocument {
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const start = document.contents?.range?.[0] ?? document.range[0];
  const syntaxErrors = document.errors.map((error) => ({
    message: describeParseError(error),
    line: error.linePos?.[0]?.line ?? lineAt(error.pos[0]),
  }));
  let value: unknown;
  if (syntaxErrors.length === 0) {
    const deep = tooDeepAt ?? firstTooDeep(document.contents)?.range?.[0];
    if (deep !== undefined) {
      syntaxErrors.push({
        message: `maps and lists nest deeper than ${MAX_YAML_NESTING} levels here`,
        line: lineAt(deep),
      });
    } else {
      try {
        value = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
      } catch (error) {
        syntaxErrors.push(conversionError(document, error, lineAt, start));
      }
    }
  }
  return {
    file,
    value,
    line: lineAt(start),
    syntaxErrors,
    lineOf: (path) => lineAt(locate(document.contents, path) ?? start),
  };
}

/**
 * The composer overflows the stack on very deep nesting and reports it as a document error of code
 * RESOURCE_EXHAUSTION: yaml's compose-node.js gives that code to whatever composing a collection
 * throws, which is the stack overflow (a RangeError) in practice; no other part of yaml uses it.
 */
function describeParseError(error: YAMLError): string {
  return error.code === 'RESOURCE_EXHAUSTION'
    ? `maps and lists nest too deep to read (the limit is ${MAX_YAML_NESTING} levels)`
    : (error.message.split('\n')[0] ?? error.message);
}

/** Why the document could not become data: an alias bomb (located at its first alias), or else. */
function conversionError(
  document: Document.Parsed,
  error: unknown,
  lineAt: (offset: number) => number,
  start: number,
): { message: string; line: number } {
  // yaml's Alias.toJS throws a ReferenceError for two reasons: aliases that expand past
  // maxAliasCount, and an alias whose anchor is not set before it. The document tells them apart.
  if (error instanceof ReferenceError && !hasUnresolvedAlias(document.contents)) {
    const alias = firstAlias(document.contents);
    return {
      message: `aliases expand past ${MAX_YAML_ALIAS_COUNT} nodes (a resource exhaustion "alias bomb"?); write the values out instead`,
      line: lineAt(alias?.range?.[0] ?? start),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: `cannot read the document: ${message}`, line: lineAt(start) };
}

/** Children of a collection node, keys included (a map key may itself be a map). */
function children(node: unknown): unknown[] {
  if (!isMap(node) && !isSeq(node)) return [];
  return node.items.flatMap((item: unknown) => (isPair(item) ? [item.key, item.value] : [item]));
}

/** The first map or list nested deeper than MAX_YAML_NESTING, found without recursion. */
function firstTooDeep(root: Node | null | undefined): Node | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const { node, depth } = entry;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth > MAX_YAML_NESTING) return node;
    for (const child of children(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return undefined;
}

function firstAlias(root: Node | null | undefined): Node | undefined {
  const stack: unknown[] = [root];
  let first: Node | undefined;
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node) && (first === undefined || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0)))
      first = node;
    for (const child of children(node)) stack.push(child);
  }
  return first;
}

/** Whether an alias names an anchor not set before it (yaml resolves to the last such anchor). */
function hasUnresolvedAlias(root: Node | null | undefined): boolean {
  const anchorsAt = new Map<string, number>();
  const aliases: { source: string; at: number }[] = [];
  const stack: unknown[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node)) aliases.push({ source: node.source, at: node.range?.[0] ?? 0 });
    else if ((isMap(node) || isSeq(node) || isScalar(node)) && node.anchor !== undefined) {
      const at = node.range?.[0] ?? 0;
      anchorsAt.set(node.anchor, Math.min(at, anchorsAt.get(node.anchor) ?? at));
    }
    for (const child of children(node)) stack.push(child);
  }
  return aliases.some(({ source, at }) => (anchorsAt.get(source) ?? Number.POSITIVE_INFINITY) >= at);
}

/** The offset of the deepest node the path reaches: the key of a map entry, an item of a list. */
function locate(root: Node | null | undefined, path: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let best: number | undefined = root?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) return best;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return best;
      best = item.range?.[0] ?? best;
      node = item;
    } else {
      return best;
    }
  }
  return best;
}
