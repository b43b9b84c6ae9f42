import { strictEqual } from "node:assert";
import { countWords } from "./text_stats.ts";

Deno.test("countWords: the pair pre-filter never drops a word that occurs", () => {
  const list = ["login", "log-in", "a", "update", "bank", "xy"];
  for (const text of ["/secure-login/update", "log-in.bank.xy", "a", "", "banana", "/upd/ate"]) {
    const expected = list.filter((w) => text !== "" && text.includes(w)).length;
    strictEqual(countWords(text, list), expected, text);
  }
  strictEqual(countWords("login-bank-update", list, 1), 1);
});
