import type { CatalogueEntry, HouseholdAsset } from '../sql/household.ts';

/** What a capture suggests the app do next; accept_capture carries it out. */
export type Suggestion =
  | { kind: 'complete_task'; task_id: string; task_title: string; asset_id: string; asset_name: string; property_id: string }
  | { kind: 'add_asset'; template_key: string | null; name: string; brand: string | null; model: string | null; serial: string | null };

/** Words that say nothing about which thing is meant. */
const STOPWORDS = new Set(['the', 'a', 'an', 'and', 'or', 'of', 'on', 'in', 'at', 'to', 'for', 'with', 'my', 'our', 'it', 'its', 'is', 'was', 'today', 'yesterday', 'just', 'new', 'old', 'all', 'up', 'out']);

/** Ways of saying the same job, folded onto the word the catalogue's task titles use. */
const SYNONYMS: Record<string, string> = {
  chang: 'replac', swap: 'replac', swapp: 'replac', install: 'replac', put: 'replac',
  fix: 'repair', fixe: 'repair', mend: 'repair',
  wash: 'clean', rins: 'clean', vacuum: 'clean', flush: 'flush', drain: 'flush',
  ac: 'conditioner', aircon: 'conditioner', fridge: 'refrigerator', heater: 'heater', hvac: 'furnac',
  alarm: 'alarm', detector: 'alarm',
};

/** Lower-case word stems: "Replaced filters" → ["replac", "filter"]. */
export function stems(text: string): string[] {
  const words = text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9\s]/g, ' ').split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (const word of words) {
    if (STOPWORDS.has(word)) continue;
    let stem = word;
    for (const ending of ['ing', 'ed', 'es', 's', 'e']) {
      if (stem.length > ending.length + 2 && stem.endsWith(ending)) {
        stem = stem.slice(0, -ending.length);
        break;
      }
    }
    out.push(SYNONYMS[stem] ?? stem);
  }
  return out;
}

function overlap(words: ReadonlySet<string>, text: string): number {
  let count = 0;
  for (const stem of new Set(stems(text))) if (words.has(stem)) count += 1;
  return count;
}

export interface TextMatch {
  suggestion: Suggestion | null;
  /** How sure: the share of the note's words the match accounts for (0..1). */
  confidence: number;
}

/**
 * "replaced furnace filter" → the household's furnace and its "Replace air filter" task. An asset
 * is named by its name, its catalogue entry's name or key; a task by its title. The best asset
 * and task together win; a thing the household does not have yet is suggested from the catalogue.
 */
export function matchText(text: string, assets: HouseholdAsset[], entries: CatalogueEntry[]): TextMatch {
  const words = new Set(stems(text));
  if (words.size === 0) return { suggestion: null, confidence: 0 };
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));

  let best: { score: number; asset: HouseholdAsset; task: HouseholdAsset['tasks'][number] | undefined; named: number } | undefined;
  for (const asset of assets) {
    const entry = asset.template_key ? byKey.get(asset.template_key) : undefined;
    const named = Math.max(overlap(words, asset.name), entry ? overlap(words, `${entry.name} ${entry.key.replace(/_/g, ' ')}`) : 0);
    for (const task of asset.tasks.length > 0 ? asset.tasks : [undefined]) {
      const doing = task ? overlap(words, task.title) : 0;
      // naming the thing counts double: "filter" alone fits every filter in the house
      const score = named * 2 + doing;
      if (named === 0 && doing < 2) continue;
      if (!best || score > best.score) best = { score, asset, task, named };
    }
  }
  if (best?.task) {
    return {
      suggestion: {
        kind: 'complete_task',
        task_id: best.task.id,
        task_title: best.task.title,
        asset_id: best.asset.id,
        asset_name: best.asset.name,
        property_id: best.asset.property_id,
      },
      confidence: Math.min(1, (best.named + overlap(words, best.task.title)) / words.size),
    };
  }
  if (best) return { suggestion: null, confidence: Math.min(1, best.named / words.size) };

  const entry = bestCatalogueEntry(words, entries);
  if (entry) {
    return {
      suggestion: { kind: 'add_asset', template_key: entry.entry.key, name: entry.entry.name, brand: null, model: null, serial: null },
      confidence: Math.min(1, entry.score / words.size),
    };
  }
  return { suggestion: null, confidence: 0 };
}

/** The catalogue entry whose name or key shares the most words with the text (ties: the shorter name). */
export function bestCatalogueEntry(words: ReadonlySet<string>, entries: CatalogueEntry[]): { entry: CatalogueEntry; score: number } | undefined {
  let best: { entry: CatalogueEntry; score: number } | undefined;
  for (const entry of entries) {
    const score = overlap(words, `${entry.name} ${entry.key.replace(/_/g, ' ')}`);
    if (score === 0) continue;
    if (!best || score > best.score || (score === best.score && entry.name.length < best.entry.name.length)) best = { entry, score };
  }
  return best;
}
