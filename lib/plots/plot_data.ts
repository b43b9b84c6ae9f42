/**
 * The charts in a plots file, as `plots show|diff` draws them. Files are
 * read by shape, never by name, so a user's own plots work as well as the
 * pipeline's:
 *
 * - JSON: the rows are the top-level array, or the first array of objects
 *   found in a top-level object (`{"roc_auc": 0.98, "points": [...]}`). The
 *   x axis is `step`, `epoch` or `x` when the rows have it, else their first
 *   numeric field; every other numeric field is a y series, one chart per
 *   field. Top-level numbers (`roc_auc`) become the chart's subtitle.
 * - Grouped JSON: rows that each hold an array of row objects (a search's
 *   `candidates[].epochs[]`) give one series per group, named by its
 *   `label`, `name` or `id`.
 * - CSV/TSV with a header: the same rule on its numeric columns.
 * - SVG, PNG, JPEG: embedded as images.
 *
 * @module
 */
import { extname } from "node:path";
import { DataError } from "../errors.ts";
import { parseCsv } from "../data/csv.ts";

/** One named line: points in drawing order. */
export interface PlotSeries {
  /** Legend label. */
  label: string;
  /** `[x, y]` pairs. */
  points: [number, number][];
}

/** One chart. */
export interface Chart {
  /** Heading (the file, and the field for files with several). */
  title: string;
  /** Extra line under the title (top-level numbers of the file). */
  subtitle?: string;
  /** Axis names. */
  x: string;
  /** Axis names. */
  y: string;
  /** Lines drawn on it. */
  series: PlotSeries[];
}

/** An image plot, embedded as a data URL. */
export interface ImagePlot {
  /** Heading. */
  title: string;
  /** `data:` URL. */
  src: string;
}

/** What one plots file holds. */
export interface PlotFile {
  /** Charts drawn with uPlot. */
  charts: Chart[];
  /** Images shown as they are. */
  images: ImagePlot[];
}

const X_NAMES = ["step", "epoch", "x"];
const IMAGE_TYPES: Record<string, string> = {
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
};

type Row = Record<string, unknown>;

const isRow = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/**
 * Read the charts of one plots file's bytes. `label` names its series (a
 * revision in `plots diff`). Throws a `DataError` naming `path` when the file
 * is neither an image nor tabular data with numbers.
 *
 * @example
 * ```ts
 * import { readPlotFile } from "./plot_data.ts";
 * const text = '{"auc": 0.9, "points": [{"fpr": 0, "tpr": 0}, {"fpr": 1, "tpr": 1}]}';
 * const plot = readPlotFile("roc.json", new TextEncoder().encode(text), "workspace");
 * plot.charts[0].series[0].points; // [[0, 0], [1, 1]]
 * plot.charts[0].subtitle; // "auc 0.9"
 * ```
 */
export function readPlotFile(path: string, bytes: Uint8Array, label: string): PlotFile {
  const ext = extname(path).toLowerCase();
  if (IMAGE_TYPES[ext]) {
    return {
      charts: [],
      images: [{ title: `${path} (${label})`, src: dataUrl(IMAGE_TYPES[ext], bytes) }],
    };
  }
  const text = new TextDecoder().decode(bytes);
  const charts = ext === ".csv" || ext === ".tsv"
    ? chartsOf(path, delimitedRows(path, text, ext === ".tsv" ? "\t" : ","), label)
    : chartsOfJson(path, parseJson(path, text), label);
  if (charts.length === 0) {
    throw new DataError("plots file holds no rows with numbers to draw", {
      file: path,
      hint: "a plots file is an array of objects with numeric fields (or an object holding one), " +
        "a CSV/TSV with a header, or an image",
    });
  }
  return { charts, images: [] };
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(`plots file is not valid JSON: ${(err as Error).message}`, { file: path });
  }
}

function dataUrl(type: string, bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return `data:${type};base64,${btoa(binary)}`;
}

function chartsOfJson(path: string, value: unknown, label: string): Chart[] {
  let rows: unknown[] | undefined;
  let subtitle: string | undefined;
  if (Array.isArray(value)) {
    rows = value;
  } else if (isRow(value)) {
    rows = Object.values(value).find((v) => Array.isArray(v) && v.length > 0 && v.every(isRow)) as
      | unknown[]
      | undefined;
    const scalars = Object.entries(value).filter(([, v]) => isNum(v));
    if (scalars.length) subtitle = scalars.map(([k, v]) => `${k} ${v}`).join(", ");
  }
  if (!rows || rows.length === 0 || !rows.every(isRow)) return [];
  const groups = groupedRows(rows);
  const charts = groups
    ? mergeGroups(groups.map(([name, r]) => chartsOf(path, r, `${label} · ${name}`)))
    : chartsOf(path, rows, label);
  return charts.map((c) => (subtitle ? { ...c, subtitle } : c));
}

/** Rows that each hold an array of rows: `[groupName, innerRows]` per row, else undefined. */
function groupedRows(rows: Row[]): [string, Row[]][] | undefined {
  const inner = Object.keys(rows[0]).find((k) =>
    rows.every((r) => Array.isArray(r[k]) && (r[k] as unknown[]).every(isRow))
  );
  if (!inner) return undefined;
  return rows.map((r, i) => {
    const name = r.label ?? r.name ?? r.id ?? i;
    return [String(name), r[inner] as Row[]];
  });
}

function mergeGroups(perGroup: Chart[][]): Chart[] {
  const byTitle = new Map<string, Chart>();
  for (const charts of perGroup) {
    for (const c of charts) {
      const known = byTitle.get(c.title);
      if (known) known.series.push(...c.series);
      else byTitle.set(c.title, { ...c, series: [...c.series] });
    }
  }
  return [...byTitle.values()];
}

/** One chart per numeric field besides x; series in row order. */
function chartsOf(path: string, rows: Row[], label: string): Chart[] {
  if (rows.length === 0) return [];
  const numeric = Object.keys(rows[0]).filter((k) => rows.some((r) => isNum(r[k])));
  const x = X_NAMES.find((n) => numeric.includes(n)) ?? numeric[0];
  const ys = numeric.filter((k) => k !== x);
  return ys.map((y) => ({
    title: ys.length > 1 ? `${path}: ${y}` : path,
    x,
    y,
    series: [{
      label,
      points: rows.flatMap((r): [number, number][] =>
        isNum(r[x]) && isNum(r[y]) ? [[r[x] as number, r[y] as number]] : []
      ),
    }],
  }));
}

function delimitedRows(path: string, text: string, delimiter: string): Row[] {
  const [header, ...records] = parseCsv(text, { delimiter, file: path }).rows;
  if (!header) return [];
  return records.map((cells) => {
    const row: Row = {};
    header.forEach((h, i) => {
      const cell = (cells[i] ?? "").trim();
      const n = Number(cell);
      row[h.trim()] = cell !== "" && Number.isFinite(n) ? n : cell;
    });
    return row;
  });
}

/**
 * Several reads of plots files (one per revision in `plots diff`) as one:
 * charts with the same title are overlaid, their series side by side.
 *
 * @example
 * ```ts
 * import { mergePlots } from "./plot_data.ts";
 * const chart = (label: string) => ({ title: "roc.json", x: "fpr", y: "tpr", series: [{ label, points: [] }] });
 * const merged = mergePlots([{ charts: [chart("HEAD")], images: [] }, { charts: [chart("workspace")], images: [] }]);
 * merged.charts[0].series.map((s) => s.label); // ["HEAD", "workspace"]
 * ```
 */
export function mergePlots(files: PlotFile[]): PlotFile {
  return {
    charts: mergeGroups(files.map((f) => f.charts)),
    images: files.flatMap((f) => f.images),
  };
}
