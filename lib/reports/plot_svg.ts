/**
 * Hand-written SVG of the evaluation curves: ROC and precision-recall side by
 * side, each in a unit square with a grid, its area in the title, a chance
 * baseline, and the operating point of the released threshold marked.
 *
 * @module
 */

/** A point in the unit square. */
export interface XY {
  /** Horizontal, 0..1. */
  x: number;
  /** Vertical, 0..1. */
  y: number;
}

/** One panel: a curve and its labels. */
export interface Panel {
  /** Panel title, e.g. `ROC (AUC 0.996)`. */
  title: string;
  /** X axis label. */
  xLabel: string;
  /** Y axis label. */
  yLabel: string;
  /** The curve, in drawing order. */
  points: XY[];
  /** Dashed reference line (chance), as two end points. */
  baseline?: [XY, XY];
  /** A marked point (the operating point) and its label. */
  mark?: XY & { label: string };
}

/** Options of {@linkcode renderCurvesSvg}. */
export interface CurvesSvgOptions {
  /** Panels, drawn left to right. */
  panels: Panel[];
  /** Heading above the panels. */
  title?: string;
  /** A smaller second heading line. */
  subtitle?: string;
  /** Side of each panel's plot area in px (default 300). */
  size?: number;
}

const escapeXml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!,
  );

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

function renderPanel(p: Panel, left: number, top: number, size: number): string {
  const px = (x: number) => fmt(left + Math.min(1, Math.max(0, x)) * size);
  const py = (y: number) => fmt(top + (1 - Math.min(1, Math.max(0, y))) * size);
  const parts: string[] = [];
  parts.push(`<g class="panel">`);
  parts.push(
    `<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="#fff" stroke="#333"/>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    if (i > 0 && i < 5) {
      parts.push(
        `<line x1="${px(v)}" y1="${top}" x2="${px(v)}" y2="${top + size}" stroke="#e3e3e3"/>`,
        `<line x1="${left}" y1="${py(v)}" x2="${left + size}" y2="${py(v)}" stroke="#e3e3e3"/>`,
      );
    }
    parts.push(
      `<text x="${px(v)}" y="${top + size + 16}" text-anchor="middle">${v.toFixed(1)}</text>`,
      `<text x="${left - 6}" y="${fmt(Number(py(v)) + 4)}" text-anchor="end">${
        v.toFixed(1)
      }</text>`,
    );
  }
  if (p.baseline) {
    const [a, b] = p.baseline;
    parts.push(
      `<line x1="${px(a.x)}" y1="${py(a.y)}" x2="${px(b.x)}" y2="${
        py(b.y)
      }" stroke="#999" stroke-dasharray="5,4"/>`,
    );
  }
  if (p.points.length > 0) {
    const d = p.points.map((q) => `${px(q.x)},${py(q.y)}`).join(" ");
    parts.push(`<polyline points="${d}" fill="none" stroke="#1f6feb" stroke-width="2"/>`);
  }
  if (p.mark) {
    const { x, y, label } = p.mark;
    const anchor = x > 0.6 ? "end" : "start";
    const dx = x > 0.6 ? -8 : 8;
    parts.push(
      `<circle cx="${px(x)}" cy="${py(y)}" r="4.5" fill="#d1242f"/>`,
      `<text x="${fmt(Number(px(x)) + dx)}" y="${fmt(Number(py(y)) + (y > 0.5 ? 16 : -8))}" ` +
        `text-anchor="${anchor}" fill="#d1242f">${escapeXml(label)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + size / 2}" y="${top - 10}" text-anchor="middle" font-weight="bold">${
      escapeXml(p.title)
    }</text>`,
    `<text x="${left + size / 2}" y="${top + size + 36}" text-anchor="middle">${
      escapeXml(p.xLabel)
    }</text>`,
    `<text transform="translate(${left - 38},${top + size / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(p.yLabel)
    }</text>`,
  );
  parts.push(`</g>`);
  return parts.join("\n");
}

/**
 * Render panels of curves as a standalone SVG document.
 *
 * @example
 * ```ts
 * import { renderCurvesSvg } from "./plot_svg.ts";
 * const svg = renderCurvesSvg({ panels: [{ title: "ROC", xLabel: "FPR", yLabel: "TPR",
 *   points: [{ x: 0, y: 0 }, { x: 0.1, y: 0.9 }, { x: 1, y: 1 }] }] });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function renderCurvesSvg(o: CurvesSvgOptions): string {
  const size = o.size ?? 300;
  const headings = (o.title ? 1 : 0) + (o.subtitle ? 1 : 0);
  const margin = { left: 60, right: 20, top: 36 + headings * 20, bottom: 50 };
  const gap = 70;
  const n = Math.max(1, o.panels.length);
  const width = margin.left + n * size + (n - 1) * gap + margin.right;
  const height = margin.top + size + margin.bottom;
  const body = o.panels.map((p, i) =>
    renderPanel(p, margin.left + i * (size + gap), margin.top, size)
  );
  const lines = [
    o.title && { text: o.title, style: `font-size="14" font-weight="bold"` },
    o.subtitle && { text: o.subtitle, style: `font-size="12" fill="#555"` },
  ].filter((l) => l) as { text: string; style: string }[];
  const heading = lines.map((l, i) =>
    `<text x="${width / 2}" y="${22 + i * 20}" text-anchor="middle" ${l.style}>${
      escapeXml(l.text)
    }</text>`
  ).join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    heading,
    ...body,
    `</svg>`,
    "",
  ].filter((s) => s !== "").join("\n") + "\n";
}
