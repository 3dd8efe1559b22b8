// Draws a QR code matrix from Rust ({size, modules}: row-major, true = dark) as an SVG:
// a white square with a 4-module quiet zone and one black <path> for the dark modules.

import { svgEl } from './dom.js';

const QUIET_ZONE = 4;

/**
 * @param {{size: number, modules: boolean[]}} qr
 * @param {string} did used for the accessible name "QR code of <did>"
 * @returns {SVGSVGElement}
 */
export function qrSvg(qr, did) {
  const size = qr && qr.size;
  const modules = qr && qr.modules;
  if (!Number.isInteger(size) || size <= 0 || !Array.isArray(modules) || modules.length !== size * size) {
    throw new Error('The QR code could not be drawn.');
  }
  const total = size + 2 * QUIET_ZONE;

  // One sub-path per horizontal run of dark modules keeps the path short.
  const parts = [];
  for (let y = 0; y < size; y += 1) {
    let x = 0;
    while (x < size) {
      if (!modules[y * size + x]) { x += 1; continue; }
      const start = x;
      while (x < size && modules[y * size + x]) x += 1;
      const run = x - start;
      parts.push(`M${start + QUIET_ZONE} ${y + QUIET_ZONE}h${run}v1h-${run}z`);
    }
  }

  return svgEl('svg', {
    class: 'qr-svg',
    viewBox: `0 0 ${total} ${total}`,
    role: 'img',
    'aria-label': `QR code of ${did}`,
    'shape-rendering': 'crispEdges',
    focusable: 'false',
  },
  svgEl('rect', { x: 0, y: 0, width: total, height: total, fill: '#ffffff' }),
  svgEl('path', { d: parts.join(''), fill: '#000000' }));
}
