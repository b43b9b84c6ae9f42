/**
 * A cheap description of a MongoDB collection for `source_check`
 * (lib/runner/run/source_check.ts): document count, largest `_id`, the
 * collection's UUID and options (a drop and re-create changes them), its data
 * size, and, where the server can compute it, a server-side content checksum
 * (the sum of `$toHashedIndexKey` of every document), which also sees
 * in-place updates. Nothing is streamed to the client: a few small queries
 * instead of a full read. Each part the server does not support is left out
 * and listed under `unsupported`, so the output stays stable on that server.
 *
 * @module
 */
import type { Document, MongoClient } from "mongodb";
import { ConfigError } from "../errors.ts";
import { canonicalValue } from "./source_fingerprint.ts";
import {
  clientTimeouts,
  connectMongo,
  type ConnectMongoOptions,
  describeMongoUri,
  mongoServiceError,
} from "./mongo_source.ts";

/** What {@linkcode probeCollection} reports (printed as one line of JSON). */
export interface CollectionProbe {
  /** `mongodb`. */
  source: "mongodb";
  /** Database. */
  database: string;
  /** Collection. */
  collection: string;
  /** Documents. */
  count: number;
  /** Largest `_id` (canonical text), or null for an empty collection. */
  max_id: string | null;
  /** Collection UUID (hex), where the server reports one. */
  uuid?: string;
  /** Collection options (capped, validator …), canonical JSON. */
  options?: string;
  /** Data size in bytes (`collStats.size`). */
  size?: number;
  /** Server-side checksum of every document. */
  checksum?: string;
  /** Parts this server could not answer. */
  unsupported?: string[];
}

/** Options of {@linkcode probeCollection}. */
export interface ProbeOptions extends ConnectMongoOptions {
  /** Database. */
  database: string;
  /** Collection. */
  collection: string;
}

/**
 * Describe a collection cheaply. A missing collection is a `ConfigError`;
 * connection failures are `ServiceError`s (exit 7).
 *
 * @example
 * ```ts ignore
 * import { probeCollection } from "./mongo_probe.ts";
 * const p = await probeCollection({ uri, database: "threatline", collection: "phishing_websites" });
 * console.log(JSON.stringify(p)); // {"source":"mongodb",...,"count":11055,"max_id":"11054",...}
 * ```
 */
export async function probeCollection(options: ProbeOptions): Promise<CollectionProbe> {
  const { uri, database, collection } = options;
  const client: MongoClient = await connectMongo(options);
  const fail = (err: unknown, what: string) =>
    mongoServiceError(err, uri, what, clientTimeouts(client));
  try {
    const db = client.db(database);
    const coll = db.collection(collection);
    const info = await db.listCollections({ name: collection }).toArray().catch((err) => {
      throw fail(err, "listing collections");
    });
    if (info.length === 0) {
      throw new ConfigError(
        `collection '${database}.${collection}' does not exist at ${describeMongoUri(uri)}`,
        { hint: "load a CSV with: deno task load-mongo FILE" },
      );
    }
    const probe: CollectionProbe = {
      source: "mongodb",
      database,
      collection,
      count: await coll.countDocuments({}).catch((err) => {
        throw fail(err, "counting documents");
      }),
      max_id: await coll.findOne({}, { sort: { _id: -1 }, projection: { _id: 1 } })
        .then((d) => (d ? canonicalValue(d._id) : null), (err) => {
          throw fail(err, "reading the largest _id");
        }),
    };
    const unsupported: string[] = [];
    const optional = async (name: string, get: () => Promise<void>) => {
      try {
        await get();
      } catch (err) {
        if (isServerRefusal(err)) unsupported.push(name);
        else throw fail(err, `reading ${name}`);
      }
    };
    const entry = info[0] as Document;
    const uuid = entry.info?.uuid;
    if (uuid && typeof uuid.toString === "function") probe.uuid = uuid.toString("hex");
    else unsupported.push("uuid");
    probe.options = JSON.stringify(entry.options ?? {});
    await optional("size", async () => {
      const stats = await db.command({ collStats: collection });
      if (typeof stats.size !== "number") throw Object.assign(new Error("no size"), { code: 0 });
      probe.size = stats.size;
    });
    await optional("checksum", async () => {
      const [row] = await coll.aggregate([
        { $group: { _id: null, h: { $sum: { $toHashedIndexKey: "$$ROOT" } } } },
      ]).toArray();
      probe.checksum = row ? canonicalValue(row.h) : "0";
    });
    if (unsupported.length) probe.unsupported = unsupported;
    return probe;
  } finally {
    await client.close().catch(() => {});
  }
}

/** A server error answer (unknown command or operator), as opposed to a network failure. */
function isServerRefusal(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown };
  return e?.name === "MongoServerError" ||
    (typeof e?.code === "number" && e?.name !== "MongoNetworkError");
}
