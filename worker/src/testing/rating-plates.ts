import sharp from 'sharp';

/** What the test plates say, so tests can check what OCR read against it. */
export const WATER_HEATER_PLATE = {
  lines: ['RHEEM MANUFACTURING COMPANY', 'ELECTRIC WATER HEATER', 'MODEL NO: XE50M06ST45U1', 'SERIAL NO: Q081912345', 'MFG DATE: 2019-08', '240 V  60 HZ  4500 W  1 PH'],
  brand: 'Rheem',
  model: 'XE50M06ST45U1',
  serial: 'Q081912345',
  manufactured_on: '2019-08-01',
};

export const FURNACE_PLATE = {
  lines: ['CARRIER CORPORATION', 'GAS FURNACE', 'MODEL: 59SC5A080E17', 'SERIAL: 2316A54321', 'MANUFACTURED: 04/2016', '115 V 60 HZ 1 PH 8.9 A'],
  brand: 'Carrier',
  model: '59SC5A080E17',
  serial: '2316A54321',
  manufactured_on: '2016-04-01',
};

function svg(lines: string[], options: { ink: string; paper: string }): string {
  const text = lines
    .map((line, i) => `<text x="40" y="${70 + i * 52}" font-family="DejaVu Sans Mono, monospace" font-size="32" font-weight="bold" fill="${options.ink}">${line}</text>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="900" height="${lines.length * 52 + 80}"><rect width="100%" height="100%" fill="${options.paper}"/>${text}</svg>`;
}

/** A clean, straight plate: black on silver. */
export async function cleanPlate(lines: string[]): Promise<Buffer> {
  return sharp(Buffer.from(svg(lines, { ink: '#111', paper: '#e8e8e8' }))).png().toBuffer();
}

/**
 * As a phone photographs it: low contrast (grey on grey), turned a few degrees, grainy, and
 * larger than it needs to be (downscaled before OCR), as a JPEG.
 */
export async function photographedPlate(lines: string[], degrees = 3): Promise<Buffer> {
  const plate = await sharp(Buffer.from(svg(lines, { ink: '#555', paper: '#a9a9a9' })))
    .resize({ width: 2700 })
    .rotate(degrees, { background: '#7a7a7a' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  // deterministic grain: the same picture on every run
  let seed = 42;
  const { data, info } = plate;
  for (let i = 0; i < data.length; i += 1) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = Math.max(0, Math.min(255, data[i]! + ((seed % 41) - 20)));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }).jpeg({ quality: 80 }).toBuffer();
}
