/**
 * What an appliance's rating plate says, read from OCR text: brand (against the brands homes
 * commonly have), model and serial numbers, the manufacture date when printed, and electrical
 * ratings. OCR confuses a few characters; fields are read per line, by their usual labels.
 */

export const APPLIANCE_BRANDS = [
  'A.O. Smith', 'Amana', 'American Standard', 'Aprilaire', 'Ariston', 'Beko', 'Bosch', 'Bradford White', 'Briggs & Stratton', 'Broan',
  'Bryant', 'Carrier', 'Culligan', 'Dacor', 'Daikin', 'Electrolux', 'Fisher & Paykel', 'Friedrich', 'Frigidaire', 'Fujitsu',
  'GE', 'General Electric', 'Generac', 'Goodman', 'Haier', 'Hayward', 'Heil', 'Hisense', 'Honda', 'Honeywell', 'Hotpoint',
  'InSinkErator', 'Jenn-Air', 'Kenmore', 'Kinetico', 'KitchenAid', 'Kohler', 'Lennox', 'LG', 'Liberty', 'Maytag', 'Midea', 'Miele',
  'Mitsubishi', 'Navien', 'Noritz', 'Panasonic', 'Payne', 'Pentair', 'Rheem', 'Rinnai', 'Ruud', 'Samsung', 'Sharp', 'Smeg',
  'Speed Queen', 'State', 'Sub-Zero', 'Thermador', 'Toro', 'Toshiba', 'Trane', 'Viessmann', 'Viking', 'Weber', 'Whirlpool',
  'York', 'Zoeller',
];

export interface RatingPlate {
  brand: string | null;
  model: string | null;
  serial: string | null;
  /** ISO date (YYYY-MM-DD; the 1st when only a month is printed). */
  manufactured_on: string | null;
  ratings: { volts?: string; amps?: string; hertz?: string; watts?: string; phase?: string };
}

const LABELS = {
  model: /\b(?:MODEL|MOD(?:EL)?\.?\s*(?:NO|NUMBER|#)|M\/N|MOD\.?)\s*(?:NO\.?|NUMBER|#)?\s*[:.#-]?\s*([A-Z0-9][A-Z0-9\-/.]{2,30})/i,
  serial: /\b(?:SERIAL|SER\.?|S\/N|SN)\s*(?:NO\.?|NUMBER|#)?\s*[:.#-]?\s*([A-Z0-9][A-Z0-9\-/]{3,30})/i,
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

export function readRatingPlate(text: string): RatingPlate {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  return {
    brand: findBrand(text),
    model: findLabelled(lines, LABELS.model),
    serial: findLabelled(lines, LABELS.serial),
    manufactured_on: findDate(lines),
    ratings: findRatings(text),
  };
}

function findBrand(text: string): string | null {
  const upper = ` ${text.toUpperCase().replace(/[^A-Z0-9&.\- ]+/g, ' ')} `;
  // the longest name first: "General Electric" before "GE", "Ruud" never inside another word
  for (const brand of [...APPLIANCE_BRANDS].sort((a, b) => b.length - a.length)) {
    const pattern = new RegExp(`[^A-Z0-9]${brand.toUpperCase().replace(/[.&]/g, (c) => `\\${c}`).replace(/\s+/g, '\\s*')}[^A-Z0-9]`);
    if (pattern.test(upper)) return brand;
  }
  return null;
}

function findLabelled(lines: string[], label: RegExp): string | null {
  for (const line of lines) {
    const match = label.exec(line);
    if (match?.[1]) return cleanCode(match[1]);
  }
  return null;
}

/**
 * Codes are upper case without trailing punctuation. OCR's misreadings of printed codes: a
 * lower-case `l` is a one (codes have no lower case), an `O` among digits a zero.
 */
function cleanCode(code: string): string {
  let cleaned = code.replace(/l/g, '1').toUpperCase().replace(/[.\-/]+$/, '');
  if (/\d/.test(cleaned)) cleaned = cleaned.replace(/(?<=\d)O|O(?=\d)/g, '0');
  return cleaned;
}

function findDate(lines: string[]): string | null {
  for (const line of lines) {
    if (!/\b(MFG|MFD|MANUFACTURED|MANUFACTURE|DATE|MADE|PROD)/i.test(line)) continue;
    const iso = /\b(19|20)(\d{2})[-/.](0?[1-9]|1[0-2])(?:[-/.](0?[1-9]|[12]\d|3[01]))?\b/.exec(line);
    if (iso) return isoDate(Number(iso[1]! + iso[2]!), Number(iso[3]), iso[4] ? Number(iso[4]) : 1);
    const us = /\b(0?[1-9]|1[0-2])[-/.](?:(0?[1-9]|[12]\d|3[01])[-/.])?((?:19|20)\d{2})\b/.exec(line);
    if (us) return isoDate(Number(us[3]), Number(us[1]), us[2] ? Number(us[2]) : 1);
    const named = new RegExp(`\\b(${MONTHS.join('|')})[A-Z]*\\.?\\s*((?:19|20)\\d{2})\\b`, 'i').exec(line);
    if (named) return isoDate(Number(named[2]), MONTHS.indexOf(named[1]!.toUpperCase().slice(0, 3)) + 1, 1);
  }
  return null;
}

function isoDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || year > new Date().getUTCFullYear() + 1) return null;
  return date.toISOString().slice(0, 10);
}

function findRatings(text: string): RatingPlate['ratings'] {
  const ratings: RatingPlate['ratings'] = {};
  const volts = /\b(\d{2,3}(?:\s*\/\s*\d{2,3})?)\s*(?:V|VAC|VOLTS?)\b/i.exec(text);
  if (volts) ratings.volts = volts[1]!.replace(/\s+/g, '');
  const amps = /\b(\d{1,3}(?:\.\d{1,2})?)\s*(?:A|AMPS?|FLA|RLA)\b/i.exec(text);
  if (amps) ratings.amps = amps[1]!;
  const hertz = /\b(50|60)\s*HZ\b/i.exec(text);
  if (hertz) ratings.hertz = hertz[1]!;
  const watts = /\b(\d{2,5}(?:\.\d{1,2})?)\s*(W|KW|WATTS?)\b/i.exec(text);
  if (watts) ratings.watts = `${watts[1]} ${watts[2]!.toUpperCase().startsWith('K') ? 'kW' : 'W'}`;
  const phase = /\b([13])\s*(?:PH|PHASE)\b/i.exec(text);
  if (phase) ratings.phase = phase[1]!;
  return ratings;
}
