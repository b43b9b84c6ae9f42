import assert from "node:assert/strict";
import { serviceGate, servicesFromEnv } from "../services/mod.ts";
import { historySuite, sampleEntry } from "./history_suite.ts";
import { MongoHistory } from "./mongo_history.ts";

const env = servicesFromEnv();
const mongo = serviceGate(env, { MONGODB_URI: env.mongodbUri });

Deno.test({
  name: `MongoHistory passes the history suite against the test server ${mongo.label}`,
  ignore: mongo.ignore,
  fn: async () => {
    mongo.check();
    const collection = `predictions_test_${crypto.randomUUID().slice(0, 8)}`;
    const open = () => MongoHistory.open({ uri: env.mongodbUri!, collection });
    await historySuite(open);
    const h = await open();
    try {
      await h.append(sampleEntry("x"));
      await h.append(sampleEntry("x"));
      assert.equal((await h.list()).total, 1, "a retried append is kept once");
      await h.clear();
    } finally {
      await h.close();
    }
  },
});
