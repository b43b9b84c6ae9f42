// `deno task schema infer` as a user runs it: exit codes, the file it writes,
// header-less files named by an ARFF header, and a schema the stages accept.
import { ok, strictEqual } from "node:assert/strict";
import { join } from "node:path";
import { readSchema } from "../lib/data/schema.ts";
import { REPO } from "./_workspace.ts";

async function schemaTask(cwd: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      join(REPO, "deno.json"),
      join(REPO, "tasks/schema.ts"),
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("schema infer: exit 1 until the classes are given, 0 with them; 2 for a bad command line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "schema_task_" });
  try {
    await Deno.writeTextFile(
      join(dir, "k.txt"),
      "0,tcp,http,normal,5\n2,udp,dns,smurf,9\n0,tcp,http,neptune,3\n1,tcp,ftp,normal,5\n",
    );
    await Deno.writeTextFile(
      join(dir, "kdd.arff"),
      "@relation kdd\n@attribute 'duration' real\n@attribute 'proto' {tcp,udp}\n" +
        "@attribute 'service' {http,dns,ftp}\n@attribute 'class' {normal,anomaly}\n" +
        "@attribute 'level' real\n@data\n",
    );
    const open = await schemaTask(dir, ["infer", "k.txt", "--names", "kdd.arff"]);
    strictEqual(open.code, 1, open.stderr);
    ok(open.stderr.includes("FILL IN target.negative"), open.stderr);
    ok(open.stderr.includes("target class (guessed from its name): normal (2)"), open.stderr);
    const done = await schemaTask(dir, [
      "infer",
      "k.txt",
      "--names",
      "kdd.arff",
      "--negative",
      "normal",
      "--drop",
      "level",
      "--out",
      "s.yaml",
    ]);
    strictEqual(done.code, 0, done.stderr);
    const schema = await readSchema(join(dir, "s.yaml"));
    strictEqual(schema.target.column, "class");
    ok(schema.drop.includes("level"));
    const bad = await schemaTask(dir, ["guess", "k.txt"]);
    strictEqual(bad.code, 2);
    ok(bad.stderr.includes("unknown command 'guess'"), bad.stderr);
    const noData = await schemaTask(dir, ["infer", "k.txt"]);
    strictEqual(noData.code, 3);
    ok(noData.stderr.includes("looks like data"), noData.stderr);
    // A quoted glob is expanded as ingest.path's are; one matching nothing is exit 2.
    await Deno.copyFile(join(dir, "k.txt"), join(dir, "k2.txt"));
    const glob = await schemaTask(dir, [
      "infer",
      "k*.txt",
      "--names",
      "kdd.arff",
      "--negative",
      "normal",
      "--out",
      "g.yaml",
    ]);
    strictEqual(glob.code, 0, glob.stderr);
    ok(glob.stderr.includes("from 8 rows"), glob.stderr);
    const none = await schemaTask(dir, ["infer", "nothing-*.csv"]);
    strictEqual(none.code, 2);
    ok(none.stderr.includes("matches no file"), none.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
