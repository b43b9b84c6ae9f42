/**
 * The prediction history in MongoDB: one document per entry in a
 * `predictions` collection (chosen when `MONGODB_URI` is set). The entry's
 * `id` is the document's `_id`, so a retried append never duplicates; pages
 * are read newest first by `time` then `_id`, on an index.
 *
 * @module
 */
import { type Collection, MongoClient } from "mongodb";
import { pageBounds } from "./local_history.ts";
import type { HistoryEntry, HistoryPage, HistoryQuery, PredictionHistory } from "./types.ts";

/** The collection name. */
export const PREDICTIONS_COLLECTION = "predictions";

type Doc = Omit<HistoryEntry, "id"> & { _id: string };

/** Options of {@linkcode MongoHistory.open}. */
export interface MongoHistoryOptions {
  /** Connection string (`MONGODB_URI`, read by the entry point). */
  uri: string;
  /** Database (default `threatline`). */
  database?: string;
  /** Collection (default `predictions`). */
  collection?: string;
  /** Server selection timeout in ms (default 5000). */
  timeoutMs?: number;
}

/**
 * A prediction history kept in a MongoDB collection.
 *
 * @example
 * ```ts ignore
 * import { MongoHistory } from "./mongo_history.ts";
 * const history = await MongoHistory.open({ uri: "mongodb://127.0.0.1:27017/" });
 * await history.append(entry);
 * const { entries, total } = await history.list({ limit: 20 });
 * await history.close();
 * ```
 */
export class MongoHistory implements PredictionHistory {
  #client: MongoClient;
  #collection: Collection<Doc>;

  private constructor(client: MongoClient, collection: Collection<Doc>) {
    this.#client = client;
    this.#collection = collection;
  }

  /** Connect and make sure the page index exists. */
  static async open(o: MongoHistoryOptions): Promise<MongoHistory> {
    const client = new MongoClient(o.uri, { serverSelectionTimeoutMS: o.timeoutMs ?? 5000 });
    await client.connect();
    try {
      const collection = client.db(o.database ?? "threatline")
        .collection<Doc>(o.collection ?? PREDICTIONS_COLLECTION);
      await collection.createIndex({ time: -1, _id: -1 });
      return new MongoHistory(client, collection);
    } catch (err) {
      await client.close();
      throw err;
    }
  }

  /** Append one entry (acknowledged by the server when resolved; a repeated id is kept once). */
  async append(entry: HistoryEntry): Promise<void> {
    const { id, ...rest } = entry;
    try {
      await this.#collection.insertOne({ _id: id, ...rest }, { writeConcern: { w: 1, j: true } });
    } catch (err) {
      // a retried append of an id already stored (duplicate key) is done
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** A page, newest first. */
  async list(query?: HistoryQuery): Promise<HistoryPage> {
    const [offset, limit] = pageBounds(query);
    const total = await this.#collection.countDocuments();
    const docs = limit === 0 ? [] : await this.#collection.find()
      .sort({ time: -1, _id: -1 }).skip(offset).limit(limit).toArray();
    const entries = docs.map(({ _id, ...rest }) => ({ id: _id, ...rest }) as HistoryEntry);
    return { entries, total };
  }

  /** Remove every entry; returns how many there were. */
  async clear(): Promise<number> {
    return (await this.#collection.deleteMany({})).deletedCount;
  }

  /** Close the connection. */
  async close(): Promise<void> {
    await this.#client.close();
  }
}
