import type { Document, Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';

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
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  return list
    .filter((document) => document.contents !== null || document.errors.length > 0)
    .map((document) => toYamlDocument(file, document as Document.Parsed, lineCounter));
}

function toYamlDocument(file: string, document: Document.Parsed, lineCounter: LineCounter): YamlDocument {
  const lineAt = (offset: number): number => lineCounter.linePos(offset).line;
  const start = document.contents?.range?.[0] ?? document.range[0];
  return {
    file,
    value: document.errors.length > 0 ? undefined : document.toJS({ maxAliasCount: 100 }),
    line: lineAt(start),
    syntaxErrors: document.errors.map((error) => ({
      message: error.message.split('\n')[0] ?? error.message,
      line: error.linePos?.[0]?.line ?? lineAt(error.pos[0]),
    })),
    lineOf: (path) => lineAt(locate(document.contents, path) ?? start),
  };
}

/** The offset of the deepest node the path reaches: the key of a map entry, an item of a list. */
function locate(root: Node | null | undefined, path: readonly (string | number)[]): number | undefined {
  let node: unknown = root;
  let best: number | undefined = (root as Node | undefined)?.range?.[0];
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
