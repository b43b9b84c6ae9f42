import assert from "node:assert/strict";
import { memoryLogger } from "../log.ts";
import { writeTestUrlModel } from "../url/_testing.ts";
import { loadServedUrlModel } from "./url_model.ts";

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
