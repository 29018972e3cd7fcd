/** One document for {@link createLexicalRanker}. */
export interface LexicalDocument {
  id: string;
  text: string;
}

export interface LexicalMatch {
  id: string;
  /** BM25 score: 0 means no query term occurs; larger is better; not bounded. */
  score: number;
}

/** BM25 over the documents given to `index`. */
export interface LexicalRanker {
  /** Replaces the indexed documents. */
  index(documents: readonly LexicalDocument[]): void;
  /** The best `k` documents with a score above zero, best first. */
  search(query: string, k: number): LexicalMatch[];
  /** BM25 of one text (scored as if it were in the index) against a query. */
  scoreText(query: string, text: string): number;
  readonly size: number;
}

export interface LexicalRankerOptions {
  /** Term-frequency saturation. @default 1.2 */
  k1?: number;
  /** Length normalisation. @default 0.75 */
  b?: number;
}

const STOP_WORDS = new Set(
  'a an and are as at be but by for from has have if in into is it its not of on or so that the their then there these this to was were will with we you your our can do does should must may after before how what when where which who why about than also each'.split(
    ' ',
  ),
);

/** Lower-cased word tokens without stop words; `camelCase`, `snake_case` and `kebab-case` split into words too. */
export function lexicalTerms(text: string): string[] {
  const terms: string[] = [];
  for (const word of text.match(/[\p{L}\p{N}_-]+/gu) ?? []) {
    const parts = word
      .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
      .split(/[\s_-]+/)
      .map((part) => part.toLowerCase())
      .filter(Boolean);
    const whole = word.toLowerCase();
    for (const part of parts.length > 1 ? [whole, ...parts] : parts) {
      if (part.length > 1 && !STOP_WORDS.has(part)) terms.push(part);
    }
  }
  return terms;
}

/**
 * The lexical fallback when no embedding model can be loaded: Okapi BM25 with the usual
 * `k1 = 1.2`, `b = 0.75` and the non-negative idf `ln(1 + (N - n + 0.5) / (n + 0.5))`.
 */
export function createLexicalRanker(options: LexicalRankerOptions = {}): LexicalRanker {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  let documents: Array<{ id: string; frequencies: Map<string, number>; length: number }> = [];
  let documentFrequency = new Map<string, number>();
  let averageLength = 0;

  const idf = (term: string): number => {
    const count = documentFrequency.get(term) ?? 0;
    return Math.log(1 + (documents.length - count + 0.5) / (count + 0.5));
  };
  const frequenciesOf = (terms: readonly string[]): Map<string, number> => {
    const frequencies = new Map<string, number>();
    for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    return frequencies;
  };
  const score = (queryTerms: ReadonlySet<string>, frequencies: Map<string, number>, length: number): number => {
    let total = 0;
    for (const term of queryTerms) {
      const frequency = frequencies.get(term);
      if (frequency === undefined) continue;
      total += (idf(term) * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / Math.max(averageLength, 1)));
    }
    return total;
  };

  return {
    get size() {
      return documents.length;
    },
    index(input) {
      documents = input.map((document) => {
        const terms = lexicalTerms(document.text);
        return { id: document.id, frequencies: frequenciesOf(terms), length: terms.length };
      });
      documentFrequency = new Map();
      for (const document of documents) {
        for (const term of document.frequencies.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
      averageLength = documents.reduce((sum, document) => sum + document.length, 0) / Math.max(documents.length, 1);
    },
    search(query, k) {
      const queryTerms = new Set(lexicalTerms(query));
      if (queryTerms.size === 0 || k <= 0) return [];
      return documents
        .map((document) => ({ id: document.id, score: score(queryTerms, document.frequencies, document.length) }))
        .filter((match) => match.score > 0)
        .sort((left, right) => right.score - left.score || left.id.localeCompare(right.id))
        .slice(0, k);
    },
    scoreText(query, text) {
      const terms = lexicalTerms(text);
      return score(new Set(lexicalTerms(query)), frequenciesOf(terms), terms.length);
    },
  };
}
