/**
 * QR codes drawn here, in the page, as SVG built with DOM calls (the page enforces Trusted
 * Types: no markup strings). The encoder is the pinned @paulmillr/qr package, served by this
 * service as a module of its own; no external service ever sees what the code carries.
 */
import encodeQR from './vendor/qr.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Replaces `container`'s content with a QR code of `text`, labelled `label` for assistive technology. */
export function drawQr(container, text, label) {
  const modules = encodeQR(text, 'raw', { ecc: 'medium', border: 2 });
  const size = modules.length;
  let d = '';
  modules.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x} ${y}h1v1h-1z`; }));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  const paper = document.createElementNS(SVG, 'rect');
  paper.setAttribute('width', String(size));
  paper.setAttribute('height', String(size));
  paper.setAttribute('fill', '#fff');
  const ink = document.createElementNS(SVG, 'path');
  ink.setAttribute('d', d);
  ink.setAttribute('fill', '#000');
  svg.append(paper, ink);
  container.replaceChildren(svg);
  container.dataset.text = text;
}
