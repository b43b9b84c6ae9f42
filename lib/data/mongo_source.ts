/**
 * A MongoDB collection as a {@linkcode DataSource}, plus the connection
 * handling `deno task load-mongo` shares with it: timeouts, and driver errors
 * turned into clear `ServiceError`s (exit 7) that name the host but never the
 * password of the URI.
 *
 * Reading is a streaming cursor over the schema's columns (a projection),
 * sorted by `_id` so the order is total and stable; memory stays at one batch.
 * `deno task load-mongo` gives each document the data row number of the CSV
 * line it came from as `_id`, so reading the collection back yields the rows
 * of the file in the file's order, and ingest from the collection equals
 * ingest from the file (the split is seeded by row order).
 *
 * @module
 */
import { type Document, MongoClient, type MongoClientOptions } from "mongodb";
import { ConfigError, DataError, ServiceError } from "../errors.ts";
import { type Logger, nullLogger } from "../log.ts";
import type { DataSource, SourceBatch, SourceReader } from "./source.ts";

/** Driver timeouts in milliseconds; options given in the URI win over these. */
export interface MongoTimeouts {
  /** How long to wait for a server to answer at all (`serverSelectionTimeoutMS`). */
  serverSelectionMs: number;
  /** How long a TCP connect and handshake may take (`connectTimeoutMS`). */
  connectMs: number;
  /** How long one operation may wait for data on its socket (`socketTimeoutMS`; 0: forever). */
  socketMs: number;
}

/** Defaults: a dead server fails within 10 s; a stalled query after 2 min. */
export const DEFAULT_MONGO_TIMEOUTS: MongoTimeouts = {
  serverSelectionMs: 10_000,
  connectMs: 10_000,
  socketMs: 120_000,
};

const URI_RE = /^(mongodb(?:\+srv)?):\/\/(?:([^@/?]*)@)?([^/?]*)/i;

/**
 * The URI without credentials, path or options, for messages and locations:
 * `mongodb://127.0.0.1:27017` (several hosts stay comma-separated).
 *
 * @example
 * ```ts
 * import { describeMongoUri } from "./mongo_source.ts";
 * describeMongoUri("mongodb://app:s3cret@db1:27017,db2/?authSource=admin"); // "mongodb://db1:27017,db2"
 * ```
 */
export function describeMongoUri(uri: string): string {
  const m = URI_RE.exec(uri);
  return m ? `${m[1].toLowerCase()}://${m[3]}` : "(an invalid MongoDB URI)";
}

/**
 * Remove the URI's password (and the URI itself) from a text, e.g. a driver message.
 *
 * @example
 * ```ts
 * import { redactUri } from "./mongo_source.ts";
 * redactUri("bad mongodb://u:pw@h/ pw", "mongodb://u:pw@h/"); // "bad mongodb://h ***"
 * ```
 */
export function redactUri(text: string, uri: string): string {
  let out = text.replaceAll(uri, describeMongoUri(uri));
  const userinfo = URI_RE.exec(uri)?.[2];
  const colon = userinfo?.indexOf(":") ?? -1;
  if (userinfo && colon >= 0) {
    const password = userinfo.slice(colon + 1);
    out = out.replaceAll(userinfo, userinfo.slice(0, colon));
    if (password.length > 0) {
      out = out.replaceAll(password, "***");
      try {
        const decoded = decodeURIComponent(password);
        if (decoded) out = out.replaceAll(decoded, "***");
      } catch { /* not percent-encoded */ }
    }
  }
  return out;
}

function userOf(uri: string): string | undefined {
  const userinfo = URI_RE.exec(uri)?.[2];
  if (!userinfo) return undefined;
  const user = userinfo.split(":")[0];
  try {
    return decodeURIComponent(user);
  } catch {
    return user;
  }
}

/**
 * Driver options for `uri`: the timeouts, except those the URI sets itself.
 *
 * @example
 * ```ts
 * import { mongoClientOptions } from "./mongo_source.ts";
 * mongoClientOptions("mongodb://h/?connectTimeoutMS=500", { serverSelectionMs: 2000 });
 * // { appName: "threatline", serverSelectionTimeoutMS: 2000, socketTimeoutMS: 120000 }
 * ```
 */
export function mongoClientOptions(
  uri: string,
  timeouts: Partial<MongoTimeouts> = {},
): MongoClientOptions {
  const t = { ...DEFAULT_MONGO_TIMEOUTS, ...timeouts };
  const query = (uri.split("?")[1] ?? "").toLowerCase();
  const inUri = (name: string) => new RegExp(`(^|&)${name.toLowerCase()}=`).test(query);
  const options: MongoClientOptions = { appName: "threatline" };
  if (!inUri("serverSelectionTimeoutMS")) options.serverSelectionTimeoutMS = t.serverSelectionMs;
  if (!inUri("connectTimeoutMS")) options.connectTimeoutMS = t.connectMs;
  if (!inUri("socketTimeoutMS")) options.socketTimeoutMS = t.socketMs;
  return options;
}

const AUTH_CODES = new Set([11, 13, 18]); // UserNotFound, Unauthorized, AuthenticationFailed

/**
 * Turn a driver error into a {@linkcode ServiceError} naming the host and what
 * was being done (`what`), without the URI's password: unreachable (server
 * selection timed out), no answer in time (socket timeout), connection
 * dropped, credentials refused, or another server error. Errors that do not
 * come from the driver are returned unchanged.
 *
 * @example
 * ```ts
 * import { mongoServiceError } from "./mongo_source.ts";
 * const err = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { name: "MongoServerSelectionError" });
 * mongoServiceError(err, "mongodb://127.0.0.1:1/", "connecting").message;
 * // "MongoDB at mongodb://127.0.0.1:1 is unreachable (connecting): connect ECONNREFUSED 127.0.0.1:1"
 * ```
 */
export function mongoServiceError(
  err: unknown,
  uri: string,
  what: string,
  timeouts?: Partial<MongoTimeouts>,
): unknown {
  if (!(err instanceof Error) || !err.name.startsWith("Mongo")) return err;
  const at = `MongoDB at ${describeMongoUri(uri)}`;
  const reason = redactUri(err.message, uri);
  const service = (message: string, hint?: string) =>
    new ServiceError(message, { cause: err, field: "MONGODB_URI", hint });
  const code = (err as { code?: unknown }).code;
  if (
    (typeof code === "number" && AUTH_CODES.has(code)) ||
    /auth(entication)? failed|not authorized|requires authentication/i.test(err.message)
  ) {
    const user = userOf(uri);
    return service(
      `${at} refused ${user ? `user '${user}'` : "the connection"} (${what}): ${reason}`,
      "check the user, password and authSource in MONGODB_URI, and the user's roles",
    );
  }
  const down = "is the server running and MONGODB_URI right? (a local test server: " +
    'deno task services up mongodb; eval "$(deno task -q services env)")';
  if (err.name === "MongoServerSelectionError") {
    const ms = timeouts?.serverSelectionMs;
    const within = ms ? ` (no usable server within ${ms} ms)` : "";
    return service(`${at} is unreachable (${what}): ${reason}${within}`, down);
  }
  if (err.name === "MongoNetworkTimeoutError" || /\btimed out\b/i.test(err.message)) {
    const limit = timeouts?.socketMs ? ` = ${timeouts.socketMs} ms` : "";
    return service(
      `${at} did not answer in time (${what}): ${reason} (socketTimeoutMS${limit})`,
      "raise socketTimeoutMS in MONGODB_URI if the server is just slow",
    );
  }
  if (err.name.startsWith("MongoNetwork")) {
    return service(`${at} dropped the connection (${what}): ${reason}`, down);
  }
  return service(`${at} failed (${what}): ${reason}`);
}

/**
 * The timeouts a connected client really uses (the URI may have set them).
 *
 * @example
 * ```ts ignore
 * import { clientTimeouts } from "./mongo_source.ts";
 * clientTimeouts(client).socketMs; // 120000
 * ```
 */
export function clientTimeouts(client: MongoClient): MongoTimeouts {
  const o = client.options;
  return {
    serverSelectionMs: o.serverSelectionTimeoutMS,
    connectMs: o.connectTimeoutMS,
    socketMs: o.socketTimeoutMS,
  };
}

/** Options of {@linkcode connectMongo}. */
export interface ConnectMongoOptions {
  /** Connection string (may hold credentials; never logged or shown). */
  uri: string;
  /** Driver timeouts (defaults {@linkcode DEFAULT_MONGO_TIMEOUTS}). */
  timeouts?: Partial<MongoTimeouts>;
  /** Logger for debug detail. */
  log?: Logger;
}

/**
 * Connect to MongoDB; failures throw a `ServiceError` (unreachable, timed out,
 * refused credentials) or a `ConfigError` (a malformed URI). The caller closes
 * the client.
 *
 * @example
 * ```ts ignore
 * import { connectMongo } from "./mongo_source.ts";
 * const client = await connectMongo({ uri: "mongodb://127.0.0.1:27017/", timeouts: { serverSelectionMs: 2000 } });
 * await client.close();
 * ```
 */
export async function connectMongo(options: ConnectMongoOptions): Promise<MongoClient> {
  const { uri } = options;
  let client: MongoClient;
  try {
    client = new MongoClient(uri, mongoClientOptions(uri, options.timeouts));
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new ConfigError(
      `MONGODB_URI is not a valid MongoDB connection string: ${redactUri(err.message, uri)}`,
      {
        cause: err,
        field: "MONGODB_URI",
        hint: "expected mongodb://[user:password@]host[:port][/?options] or mongodb+srv://…",
      },
    );
  }
  const start = performance.now();
  try {
    await client.connect();
  } catch (err) {
    await client.close().catch(() => {});
    throw mongoServiceError(err, uri, "connecting", clientTimeouts(client));
  }
  options.log?.debug("mongodb: connected", {
    server: describeMongoUri(uri),
    ms: Math.round(performance.now() - start),
  });
  return client;
}

/**
 * Check that column names can be MongoDB field names read by a projection
 * (no `.`, no leading `$`, not `_id`); a bad one is a `ConfigError`.
 *
 * @example
 * ```ts
 * import { checkFieldNames } from "./mongo_source.ts";
 * checkFieldNames(["src_bytes", "label"]); // ok
 * ```
 */
export function checkFieldNames(columns: string[]): void {
  for (const c of columns) {
    if (c.includes(".") || c.startsWith("$") || c === "_id" || c === "") {
      throw new ConfigError(
        `column '${c}' cannot be a MongoDB field read by a projection ` +
          "(no '.', no leading '$', not '_id')",
        { field: c, hint: "rename the column in the schema" },
      );
    }
  }
}

/** Options of {@linkcode mongoSource}. */
export interface MongoSourceOptions extends ConnectMongoOptions {
  /** Database name. */
  database: string;
  /** Collection name. */
  collection: string;
  /** Fields to read, in row order (the schema's kept columns). */
  columns: string[];
  /** Documents per cursor batch (default 1000). */
  batchSize?: number;
}

function showId(id: unknown): string {
  return typeof id === "object" && id !== null ? String(id) : JSON.stringify(id);
}

/**
 * A MongoDB collection as a {@linkcode DataSource}: rows are the `columns`
 * of each document (native values; `_id` is not a column) in `_id` order,
 * batch by batch; `lines` are 1-based document ordinals. A missing
 * collection is a `ConfigError` naming `database.collection`; a document
 * without one of the fields a `DataError` naming its ordinal, `_id` and the
 * field (store `null` for a missing value); connection problems are
 * `ServiceError`s.
 *
 * @example
 * ```ts ignore
 * import { mongoSource } from "./mongo_source.ts";
 * const source = mongoSource({
 *   uri: "mongodb://127.0.0.1:27017/",
 *   database: "threatline",
 *   collection: "flows",
 *   columns: schema.columns.map((c) => c.name),
 *   batchSize: 1000,
 * });
 * for await (const { rows } of (await source.open()).batches) console.log(rows.length);
 * ```
 */
export function mongoSource(options: MongoSourceOptions): DataSource {
  const { uri, database, collection, columns } = options;
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`mongoSource: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (columns.length === 0) throw new RangeError("mongoSource: no columns to read");
  checkFieldNames(columns);
  const log = options.log ?? nullLogger;
  const location = `${describeMongoUri(uri)}/${database}.${collection}`;
  return {
    location,
    async open(): Promise<SourceReader> {
      const client = await connectMongo({ uri, timeouts: options.timeouts, log });
      const timeouts = clientTimeouts(client);
      const fail = (err: unknown, what: string) => mongoServiceError(err, uri, what, timeouts);
      const db = client.db(database);
      try {
        const found = await db.listCollections({ name: collection }, { nameOnly: true })
          .toArray();
        if (found.length === 0) {
          const others = (await db.listCollections({}, { nameOnly: true }).toArray())
            .map((c) => c.name).sort();
          throw new ConfigError(
            `collection '${database}.${collection}' does not exist at ${describeMongoUri(uri)}`,
            {
              hint: (others.length
                ? `database '${database}' has: ${others.slice(0, 10).join(", ")}` +
                  (others.length > 10 ? ", …" : "") + "; "
                : `database '${database}' has no collections; `) +
                "load a CSV with: deno task load-mongo FILE",
            },
          );
        }
      } catch (err) {
        await client.close().catch(() => {});
        throw fail(err, `opening ${database}.${collection}`);
      }
      const projection: Document = { _id: 1 };
      for (const c of columns) projection[c] = 1;
      const cursor = db.collection(collection).find({}, {
        projection,
        sort: { _id: 1 },
        batchSize,
      });
      log.debug("mongodb: reading", { location, batchSize });
      async function* batches(): AsyncGenerator<SourceBatch> {
        let ordinal = 0;
        try {
          while (true) {
            let docs: Document[];
            try {
              if (!(await cursor.hasNext())) break;
              docs = [(await cursor.next())!, ...cursor.readBufferedDocuments(batchSize - 1)];
            } catch (err) {
              throw fail(err, `reading ${database}.${collection}`);
            }
            const rows: unknown[][] = new Array(docs.length);
            const lines: number[] = new Array(docs.length);
            for (let d = 0; d < docs.length; d++) {
              const doc = docs[d];
              ordinal++;
              const row = new Array(columns.length);
              for (let c = 0; c < columns.length; c++) {
                const v = doc[columns[c]];
                if (v === undefined) {
                  throw new DataError(
                    `document ${ordinal} (_id ${showId(doc._id)}) has no field '${columns[c]}'`,
                    {
                      file: location,
                      line: ordinal,
                      field: columns[c],
                      hint: "every document needs every schema column; store null for a " +
                        "missing value (deno task load-mongo does)",
                    },
                  );
                }
                row[c] = v;
              }
              rows[d] = row;
              lines[d] = ordinal;
            }
            yield { rows, lines };
          }
          log.debug("mongodb: read", { location, documents: ordinal });
        } finally {
          await cursor.close().catch(() => {});
          await client.close().catch(() => {});
        }
      }
      return { columns: [...columns], batches: batches() };
    },
  };
}
