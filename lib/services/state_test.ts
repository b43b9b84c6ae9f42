import assert from "node:assert/strict";
import { CacheError } from "../errors.ts";
import { readState, removeState, type ServicesState, statePath, writeState } from "./state.ts";

Deno.test("state: missing is undefined; write, read back, remove", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.equal(await readState(dir), undefined);
    const state: ServicesState = { version: 1, services: {}, holders: [42], pinned: true };
    await writeState(`${dir}/sub`, state);
    assert.deepEqual(await readState(`${dir}/sub`), state);
    await removeState(`${dir}/sub`);
    await removeState(`${dir}/sub`); // twice is fine
    assert.equal(await readState(`${dir}/sub`), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("state: a corrupt file is a CacheError naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(statePath(dir), "{not json");
    await assert.rejects(readState(dir), (err: Error) => {
      assert.ok(err instanceof CacheError);
      assert.equal(err.where.file, statePath(dir));
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
