/**
 * Where an asset's document is stored: under its property's folder, as the documents bucket's
 * row-level security requires (`<property_id>/…`), with a time prefix so two files of one name
 * never overwrite each other.
 */
export function documentPath(propertyId: string, assetId: string, fileName: string, now = Date.now()): string {
  const safe = fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-120) || 'file';
  return `${propertyId}/${assetId}/${now.toString(36)}-${safe}`;
}

/** Images and PDFs preview in the page; everything else downloads. */
export function previewKind(mimeType: string | null): 'image' | 'pdf' | null {
  if (!mimeType) return null;
  if (mimeType === 'application/pdf') return 'pdf';
  // SVG is active content: it downloads instead
  if (mimeType.startsWith('image/') && mimeType !== 'image/svg+xml') return 'image';
  return null;
}
