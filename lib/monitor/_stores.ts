/**
 * The three {@linkcode CasStore}s of the monitor's state: a folder of
 * revision files, a MongoDB collection, an S3 object with conditional PUTs
 * (`If-Match` / `If-None-Match`, supported by AWS S3 and MinIO). Private to
 * lib/monitor.
 *
 * @module
 */
import { join } from "node:path";
import type { Collection, MongoClient } from "mongodb";
import { ServiceError } from "../errors.ts";
import type { S3Settings } from "../s3/settings.ts";
import type { CasStore, MonitorState, Versioned } from "./state.ts";

const REV_FILE = /^rev-(\d{12})\.json$/;
const revName = (n: number) => `rev-${String(n).padStart(12, "0")}.json`;

/**
 * State in a folder: one file per revision, created with `link()` (atomic,
 * fails when the revision exists), so two writers of the same revision
 * cannot both succeed; old revisions are pruned.
 *
 * @example
 * ```ts ignore
 * const store = fileStore(".cache/monitor/default");
 * ```
 */
export function fileStore(dir: string): CasStore {
  const latest = async (): Promise<number> => {
    let max = 0;
    try {
      for await (const e of Deno.readDir(dir)) {
        const m = REV_FILE.exec(e.name);
        if (m) max = Math.max(max, Number(m[1]));
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return max;
  };
  return {
    where: dir,
    async read(): Promise<Versioned> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const n = await latest();
        if (n === 0) return { state: undefined, rev: undefined };
        try {
          const state = JSON.parse(await Deno.readTextFile(join(dir, revName(n))));
          return { state, rev: String(n) };
        } catch (err) {
          // Pruned between listing and reading: list again.
          if (!(err instanceof Deno.errors.NotFound)) throw err;
        }
      }
      throw new ServiceError(`monitor state in ${dir} keeps changing under the reader`);
    },
    async write(state: MonitorState, rev: string | undefined): Promise<boolean> {
      await Deno.mkdir(dir, { recursive: true });
      const n = rev === undefined ? 1 : Number(rev) + 1;
      const tmp = join(dir, `.tmp-${crypto.randomUUID()}`);
      await Deno.writeTextFile(tmp, JSON.stringify(state));
      try {
        await Deno.link(tmp, join(dir, revName(n)));
      } catch (err) {
        if (err instanceof Deno.errors.AlreadyExists) return false;
        throw err;
      } finally {
        await Deno.remove(tmp);
      }
      for (let old = n - 3; old > 0 && old > n - 10; old--) {
        await Deno.remove(join(dir, revName(old))).catch(() => {});
      }
      return true;
    },
    async close() {},
  };
}

interface StateDoc {
  _id: string;
  rev: number;
  state: MonitorState;
}

/**
 * State in a MongoDB collection: one document per monitor name, written
 * with a filter on its revision.
 *
 * @example
 * ```ts ignore
 * const store = mongoStore(client, "threatline", "monitor_state", "default");
 * ```
 */
export function mongoStore(
  client: MongoClient,
  database: string,
  collection: string,
  name: string,
): CasStore {
  const coll: Collection<StateDoc> = client.db(database).collection<StateDoc>(collection);
  return {
    where: `mongodb ${database}.${collection} (_id '${name}')`,
    async read(): Promise<Versioned> {
      const doc = await coll.findOne({ _id: name });
      return doc
        ? { state: doc.state, rev: String(doc.rev) }
        : { state: undefined, rev: undefined };
    },
    async write(state: MonitorState, rev: string | undefined): Promise<boolean> {
      if (rev === undefined) {
        try {
          await coll.insertOne({ _id: name, rev: 1, state });
          return true;
        } catch (err) {
          if ((err as { code?: number }).code === 11000) return false;
          throw err;
        }
      }
      const r = await coll.updateOne({ _id: name, rev: Number(rev) }, {
        $set: { state, rev: Number(rev) + 1 },
      });
      return r.matchedCount === 1;
    },
    async close() {},
  };
}

/**
 * State in an S3 object, written with `If-Match: <ETag>` (or
 * `If-None-Match: *` for the first write).
 *
 * @example
 * ```ts ignore
 * const store = await s3Store(settings, "monitor/default.json");
 * ```
 */
export async function s3Store(settings: S3Settings, key: string): Promise<CasStore> {
  const sdk = await import("@aws-sdk/client-s3");
  const client = new sdk.S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
  });
  const Bucket = settings.bucket;
  const status = (err: unknown) =>
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return {
    where: `s3://${Bucket}/${key}`,
    async read(): Promise<Versioned> {
      try {
        const res = await client.send(new sdk.GetObjectCommand({ Bucket, Key: key }));
        const text = await res.Body!.transformToString();
        return { state: JSON.parse(text), rev: res.ETag };
      } catch (err) {
        if (status(err) === 404) return { state: undefined, rev: undefined };
        throw err;
      }
    },
    async write(state: MonitorState, rev: string | undefined): Promise<boolean> {
      try {
        await client.send(
          new sdk.PutObjectCommand({
            Bucket,
            Key: key,
            Body: JSON.stringify(state),
            ContentType: "application/json",
            ...(rev === undefined ? { IfNoneMatch: "*" } : { IfMatch: rev }),
          }),
        );
        return true;
      } catch (err) {
        // 412 Precondition Failed; 409 when a concurrent conditional write is in flight.
        if (status(err) === 412 || status(err) === 409) return false;
        throw err;
      }
    },
    close() {
      client.destroy();
      return Promise.resolve();
    },
  };
}
