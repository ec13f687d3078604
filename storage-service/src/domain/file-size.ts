const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
};

/**
 * A size as Supabase accepts it for a bucket's file_size_limit and its own FILE_SIZE_LIMIT: a
 * number of bytes, or a string like "20GB", "20MB", "30KB", "3B" — decimal units, the number
 * kept to three significant digits, as Supabase's parseFileSizeToBytes computes them ("20mb" is
 * 20 000 000 bytes). A string of digits alone is bytes (what an environment variable holds).
 * Undefined when it is none of these.
 */
export function parseFileSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (/^\d+$/.test(value)) {
    const bytes = Number(value);
    return Number.isSafeInteger(bytes) ? bytes : undefined;
  }
  const match = /^(\d+(?:\.\d+)?)(gb|mb|kb|b)$/i.exec(value);
  if (match === null) return undefined;
  const bytes = Math.round(Number(Number.parseFloat(match[1]!).toPrecision(3)) * UNITS[match[2]!.toLowerCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
