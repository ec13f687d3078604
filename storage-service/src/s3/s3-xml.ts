/** XML as S3 answers it: one declaration, the S3 namespace on the root, text escaped. */

export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [name: string]: XmlValue;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character]!);
}

function render(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => render(name, item)).join('');
  if (typeof value === 'object') return `<${name}>${Object.entries(value).map(([child, inner]) => render(child, inner)).join('')}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

export function xmlDocument(root: string, body: XmlNode): string {
  const inner = Object.entries(body).map(([child, value]) => render(child, value)).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${inner}</${root}>`;
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#(\d+)|#x([0-9a-fA-F]+));/g, (_whole, name: string, decimal?: string, hex?: string) => {
    if (decimal !== undefined) return String.fromCodePoint(Number(decimal));
    if (hex !== undefined) return String.fromCodePoint(Number.parseInt(hex, 16));
    return ({ lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' } as Record<string, string>)[name]!;
  });
}

/**
 * The texts of every `<tag>` inside each `<parent>` of a small request document
 * (CompleteMultipartUpload's parts, DeleteObjects' keys): S3's request bodies are flat lists.
 */
export function xmlRecords(document: string, parent: string, tags: string[]): Array<Record<string, string>> {
  const records: Array<Record<string, string>> = [];
  const parentPattern = new RegExp(`<${parent}(?:\\s[^>]*)?>([\\s\\S]*?)</${parent}>`, 'g');
  for (const match of document.matchAll(parentPattern)) {
    const record: Record<string, string> = {};
    for (const tag of tags) {
      const inner = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(match[1]!);
      if (inner !== null) record[tag] = unescapeXml(inner[1]!);
    }
    records.push(record);
  }
  return records;
}
