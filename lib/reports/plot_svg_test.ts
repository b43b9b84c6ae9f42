import { deepStrictEqual, ok } from "node:assert/strict";
import { renderCurvesSvg } from "./plot_svg.ts";

Deno.test("renderCurvesSvg draws each panel's curve, baseline and mark, escaping text", () => {
  const svg = renderCurvesSvg({
    title: "a < b & c",
    subtitle: "mlp[8]",
    panels: [
      {
        title: "ROC",
        xLabel: "FPR",
        yLabel: "TPR",
        points: [{ x: 0, y: 0 }, { x: 0.1, y: 0.8 }, { x: 1, y: 1 }],
        baseline: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
        mark: { x: 0.1, y: 0.8, label: "t=0.5" },
      },
      {
        title: "PR",
        xLabel: "recall",
        yLabel: "precision",
        points: [{ x: 1, y: 0.5 }, { x: 0, y: 1 }],
      },
    ],
  });
  ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  ok(svg.trimEnd().endsWith("</svg>"));
  ok(svg.includes("a &lt; b &amp; c"));
  deepStrictEqual(svg.match(/<polyline /g)?.length, 2);
  deepStrictEqual(svg.match(/<circle /g)?.length, 1);
  ok(svg.includes(">mlp[8]</text>"));
  // Two heading lines: panel 1 spans x 60..360 and y 76..376; the curve's points map into it.
  ok(svg.includes('points="60,376 90,136 360,76"'), svg);
  // Balanced groups (cheap well-formedness check).
  deepStrictEqual(svg.match(/<g /g)?.length, svg.match(/<\/g>/g)?.length);
});
