import { describe, expect, it } from 'vitest';
import { documentPath, previewKind } from './documents.ts';

describe('documents', () => {
  it('are stored under their property, with names storage accepts', () => {
    expect(documentPath('p1', 'a1', 'Furnace manual (2019).pdf', 0)).toBe('p1/a1/0-Furnace-manual-2019-.pdf');
    expect(documentPath('p1', 'a1', '../../etc/passwd', 0)).toBe('p1/a1/0-..-..-etc-passwd');
    expect(documentPath('p1', 'a1', 'Ünïcödé.png', 0)).toBe('p1/a1/0-Unicode.png');
    expect(documentPath('p1', 'a1', '///', 0)).toBe('p1/a1/0-file');
  });

  it('preview images and PDFs only, never SVG', () => {
    expect(['application/pdf', 'image/jpeg', 'image/svg+xml', 'text/html', null].map(previewKind)).toEqual(['pdf', 'image', null, null, null]);
  });
});
