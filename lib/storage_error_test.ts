/**
 * A full disk or a path the user may not write ends with the path, the cause
 * (ENOSPC, EACCES, …) and exit status 8 — not `error[INTERNAL]`, exit 1.
 */
import { deepStrictEqual, match, ok, rejects } from "node:assert/strict";
import { errorToExit } from "./cli.ts";
import { EXIT, StorageError, storageErrorFrom } from "./errors.ts";

Deno.test("a real ENOSPC (writing /dev/full) becomes error[ENOSPC] naming the path, exit 8", async () => {
  let caught: unknown;
  await rejects(
    Deno.writeFile("/dev/full", new Uint8Array(16)).catch((e) => {
      caught = e;
      throw e;
    }),
  );
  const storage = storageErrorFrom(caught);
  ok(storage instanceof StorageError);
  deepStrictEqual([storage.code, storage.where.file, storage.exitCode], [
    "ENOSPC",
    "/dev/full",
    EXIT.storage,
  ]);
  const { message, exitCode } = errorToExit(caught, false);
  deepStrictEqual(exitCode, 8);
  match(message, /^error\[ENOSPC\] \/dev\/full: no space left on device \(ENOSPC\)/);
  match(message, /hint: free space/);
});

Deno.test("permission denied becomes error[EACCES]; other errors stay INTERNAL", () => {
  const denied = new Deno.errors.PermissionDenied(
    "Permission denied (os error 13): remove 'artifacts/model/card.json'",
  );
  const { message, exitCode } = errorToExit(denied, false);
  deepStrictEqual(exitCode, 8);
  match(message, /error\[EACCES\] artifacts\/model\/card\.json: permission denied \(EACCES\)/);
  deepStrictEqual(storageErrorFrom(new Error("boom")), undefined);
  deepStrictEqual(errorToExit(new Error("boom"), false).exitCode, EXIT.stale);
});
