import { synthetic, nslKdd } from "./_train_data.ts";
const [name, rows] = [Deno.args[0], Number(Deno.args[1] ?? 0)];
const d = name === "synth" ? synthetic(rows, 80, 1) : await nslKdd("/work/shared/data/nsl-kdd");
await Deno.mkdir("bench/out/train", { recursive: true });
const stem = `bench/out/train/${name}${rows || ""}`;
await Deno.writeFile(stem + ".f32", new Uint8Array(d.data.buffer));
await Deno.writeFile(stem + ".u8", d.labels);
await Deno.writeTextFile(stem + ".json", JSON.stringify({ rows: d.rows, cols: d.cols, columns: d.columns, categorical: d.categorical, holdout: d.holdout }));
