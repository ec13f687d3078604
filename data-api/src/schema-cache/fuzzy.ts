/**
 * Fuzzy string matching as the `fuzzyset` library that PostgREST uses for its "Perhaps you
 * meant …" hints: cosine similarity of character 3-grams (then 2-grams), the best 50
 * re-scored by Levenshtein distance, scores below 0.33 dropped. An exact (case-insensitive)
 * match is the only result, with score 1.
 */

const GRAM_SIZES = [3, 2];
const MIN_SCORE = 0.33;
const RESCORED = 50;

interface Entry {
  value: string;
  normalized: string;
}

function normalize(value: string): string {
  return value.toLowerCase();
}

function gramCounts(value: string, size: number): Map<string, number> {
  let simplified = `-${normalize(value).replace(/[^\p{L}\p{N}, ]+/gu, '')}-`;
  if (simplified.length < size) simplified += '-'.repeat(size - simplified.length);
  const counts = new Map<string, number>();
  for (let index = 0; index <= simplified.length - size; index++) {
    const gram = simplified.slice(index, index + size);
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}

function magnitude(counts: Map<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count * count;
  return Math.sqrt(sum);
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

export class FuzzySet {
  #entries = new Map<string, Entry>();

  constructor(values: Iterable<string>) {
    for (const value of values) {
      const normalized = normalize(value);
      if (!this.#entries.has(normalized)) this.#entries.set(normalized, { value, normalized });
    }
  }

  /** Matches with their score, best first. */
  get(value: string): Array<[number, string]> {
    const normalized = normalize(value);
    const exact = this.#entries.get(normalized);
    if (exact) return [[1, exact.value]];
    for (const size of GRAM_SIZES) {
      const results = this.#match(value, normalized, size);
      if (results.length > 0) return results;
    }
    return [];
  }

  /** The best match, if any scores at least 0.33. */
  getOne(value: string): string | undefined {
    return this.get(value)[0]?.[1];
  }

  #match(value: string, normalized: string, size: number): Array<[number, string]> {
    const query = gramCounts(value, size);
    const queryMagnitude = magnitude(query);
    const cosine: Array<[number, Entry]> = [];
    for (const entry of this.#entries.values()) {
      const counts = gramCounts(entry.value, size);
      let dot = 0;
      for (const [gram, count] of query) dot += count * (counts.get(gram) ?? 0);
      if (dot > 0) cosine.push([dot / (queryMagnitude * magnitude(counts)), entry]);
    }
    cosine.sort((a, b) => b[0] - a[0]);
    return cosine
      .slice(0, RESCORED)
      .map(([, entry]): [number, string] => {
        const longest = Math.max(entry.normalized.length, normalized.length);
        return [longest === 0 ? 1 : 1 - levenshtein(entry.normalized, normalized) / longest, entry.value];
      })
      .sort((a, b) => b[0] - a[0])
      .filter(([score]) => score >= MIN_SCORE);
  }
}
