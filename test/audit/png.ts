import { inflateSync } from 'node:zlib';

/**
 * A tiny PNG reader for screenshot checks: 8-bit RGB or RGBA, not interlaced (what Chromium writes).
 * https://www.w3.org/TR/png/ (chunks, IHDR, filter types 0 to 4)
 */
export interface Image {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes a pixel. */
  readonly pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function decodePng(png: Buffer): Image {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colour, , , interlace] = [body[8], body[9], body[10], body[11], body[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) {
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
      }
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const current = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (current[x - channels] ?? 0) : 0;
      const up = previous[x] ?? 0;
      const upLeft = x >= channels ? (previous[x - channels] ?? 0) : 0;
      const value = line[x] ?? 0;
      let predicted = 0;
      if (filter === 1) predicted = left;
      else if (filter === 2) predicted = up;
      else if (filter === 3) predicted = (left + up) >> 1;
      else if (filter === 4) predicted = paeth(left, up, upLeft);
      current[x] = (value + predicted) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * 4;
      pixels[target] = current[x * channels] ?? 0;
      pixels[target + 1] = current[x * channels + 1] ?? 0;
      pixels[target + 2] = current[x * channels + 2] ?? 0;
      pixels[target + 3] = channels === 4 ? (current[x * channels + 3] ?? 0) : 255;
    }
    previous = current;
  }
  return { width, height, pixels };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** How the picture is made: the share of pixels that are not (near) white, and distinct colours. */
export function inkStats(image: Image): { inked: number; colours: number } {
  let inked = 0;
  const colours = new Set<number>();
  const { pixels } = image;
  for (let i = 0; i < pixels.length; i += 4) {
    const r = pixels[i] ?? 0;
    const g = pixels[i + 1] ?? 0;
    const b = pixels[i + 2] ?? 0;
    if (r < 240 || g < 240 || b < 240) inked++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { inked: inked / (image.width * image.height), colours: colours.size };
}

/** The share of pixels in a box that are close to a colour (a badge, a dot). */
export function shareNear(image: Image, rgb: readonly [number, number, number], tolerance = 24): number {
  let near = 0;
  const { pixels } = image;
  for (let i = 0; i < pixels.length; i += 4) {
    if (
      Math.abs((pixels[i] ?? 0) - rgb[0]) <= tolerance &&
      Math.abs((pixels[i + 1] ?? 0) - rgb[1]) <= tolerance &&
      Math.abs((pixels[i + 2] ?? 0) - rgb[2]) <= tolerance
    ) {
      near++;
    }
  }
  return near / (image.width * image.height);
}
