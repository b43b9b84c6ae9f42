import assert from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { writeTestUrlModel } from "../url/_testing.ts";
import { loadServedUrlModel, urlModelLoader, UrlModelSlot } from "./url_model.ts";
import { ModelWatcher } from "./watcher.ts";

Deno.test("loadServedUrlModel: a release loads; a missing default folder warns; a missing given one throws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "url_model_" });
  try {
    const log = memoryLogger();
    assert.equal(
      await loadServedUrlModel({ dir: `${dir}/none`, required: false, log }),
      undefined,
    );
    assert.match(JSON.stringify(log.records), /no URL model/);
    await assert.rejects(
      loadServedUrlModel({ dir: `${dir}/none`, required: true, log }),
      Deno.errors.NotFound,
    );
    await writeTestUrlModel(`${dir}/model`);
    const served = await loadServedUrlModel({ dir: `${dir}/model`, required: true, log });
    assert.equal(served?.source, `${dir}/model`);
    const [r] = served!.checker.check(["http://10.1.2.3/paypal/login.php"]);
    assert.equal("label" in r && r.label, "phishing");
    served!.checker.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("UrlModelSlot + the model watcher: a new release of the folder answers, the old one is disposed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "url_model_" });
  try {
    const log = memoryLogger();
    const model = `${dir}/model`;
    await writeTestUrlModel(model);
    const slot = new UrlModelSlot(
      await loadServedUrlModel({ dir: model, required: true, log }),
      log,
    );
    const first = slot.current!.checker;
    let disposed = 0;
    const dispose = first.dispose.bind(first);
    first.dispose = () => (disposed++, dispose());
    const watcher = new ModelWatcher({
      holder: slot,
      loader: urlModelLoader(model, log),
      intervalMs: 3_600_000,
      log,
    });
    assert.equal(await watcher.poll(), "unchanged");
    // A retrained model (another family: another version) lands in the folder.
    await writeTestUrlModel(model, undefined, "logreg");
    assert.equal(await watcher.poll(), "swapped");
    assert.notEqual(slot.version, first.version);
    assert.equal(slot.current?.source, model);
    assert.equal(disposed, 1);
    const [r] = slot.current!.checker.check(["http://10.1.2.3/paypal/login.php"]);
    assert.ok("probability" in r);
    assert.match(JSON.stringify(log.records), /URL model answering/);
    // No folder at all: the slot stays as it is (the poll fails, warned once).
    await Deno.remove(model, { recursive: true });
    const version = slot.version;
    assert.equal(await watcher.poll(), "failed");
    assert.equal(slot.version, version);
    slot.close();
    assert.equal(slot.current, undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
