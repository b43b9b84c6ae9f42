import { deepStrictEqual, ok } from "node:assert/strict";
import { writeTestUrlModel } from "../lib/url/_testing.ts";

const model = await Deno.makeTempDir();
await writeTestUrlModel(model);

async function run(args: string[], cwd?: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env=LOG_TOKENS,LOG_STREAM",
      new URL("../tasks/check_url.ts", import.meta.url).pathname,
      "--model",
      model,
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const t = new TextDecoder();
  return { code: out.code, stdout: t.decode(out.stdout), stderr: t.decode(out.stderr) };
}

Deno.test("check-url URL... --json: the API's answer; a refused URL exits 3", async () => {
  const r = await run([
    "http://10.4.4.4/paypal/login.php",
    "https://www.site2.com/about/team",
    "--json",
  ]);
  deepStrictEqual(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  deepStrictEqual(body.model.name, "threatline-url");
  deepStrictEqual(body.results.map((x: { label: string }) => x.label), ["phishing", "legitimate"]);
  const bad = await run(["javascript:alert(1)"]);
  deepStrictEqual(bad.code, 3);
  ok(bad.stdout.includes("unsupported_scheme"), bad.stdout);
  deepStrictEqual((await run([])).code, 2);
  deepStrictEqual((await run(["--reasons", "x", "http://a.com"])).code, 2);
});

Deno.test("check-url --file: CSV out in input order, rejects beside it, exit 0", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/in.txt`,
      "http://10.1.2.3/paypal/login.php\nfile:///etc/passwd\nhttps://www.b.com/about\n",
    );
    const r = await run(["--file", `${dir}/in.txt`, "--out", `${dir}/out.csv`]);
    deepStrictEqual(r.code, 0, r.stderr);
    ok(r.stderr.includes("2 URLs (1 phishing), 1 rejected"), r.stderr);
    const out = (await Deno.readTextFile(`${dir}/out.csv`)).trim().split("\n");
    deepStrictEqual(out[0], "url,probability,label,reasons");
    deepStrictEqual(out.slice(1).map((l) => l.split(",")[0]), [
      "http://10.1.2.3/paypal/login.php",
      "https://www.b.com/about",
    ]);
    const rej = await Deno.readTextFile(`${dir}/out.rejects.csv`);
    ok(rej.includes("2,file:///etc/passwd,unsupported_scheme,"), rej);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
