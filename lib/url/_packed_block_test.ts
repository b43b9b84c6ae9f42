import { deepStrictEqual } from "node:assert/strict";
import type { Item } from "./check_file.ts";
import { packItems, unpackItems } from "./_packed_block.ts";

Deno.test("packed blocks: items come back exactly, refused lines and lone surrogates included", () => {
  const items: Item[] = [
    { line: 1, url: "http://a.com/" },
    { line: 2, bad: { code: "bad_json", message: "x", text: "{" } },
    { line: 4, url: "http://b\ud800.com/é" },
    { line: 5, url: "" },
    { line: 7, url: "http://c.com/\uFFFD" },
  ];
  deepStrictEqual(unpackItems(packItems(items).block), items);
  deepStrictEqual(unpackItems(packItems(items.slice(0, 1)).block), items.slice(0, 1));
});
