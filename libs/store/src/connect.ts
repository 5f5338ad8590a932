/**
 * The one way yecai opens MongoDB (or FerretDB): every service, the CLI, the harness and the benchmarks connect
 * through `connectMongo`, so the client options live here and the server can tell the callers apart (`appName`).
 */
import { MongoClient, type Db } from 'mongodb';

export interface MongoConnectOptions {
  /** Who connects (`sink-kingdee`, `yecai-cli` …): shown in the server's connection list and logs. */
  appName: string;
  /** The database `db()` opens when given no name. */
  dbName?: string;
  /** How long to look for a reachable server before failing; services wait 10 s, interactive commands less. */
  serverSelectionTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** Connections per client; a worker thread that only reads needs few. */
  maxPoolSize?: number;
}

export interface MongoConnection {
  readonly client: MongoClient;
  /** The named database, else the one given as `dbName` at connect. */
  db(name?: string): Db;
  close(): Promise<void>;
}

const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 10_000;

/** Connects to `uri` (waits until a server answers) and returns the connected client. */
export async function connectMongo(uri: string, options: MongoConnectOptions): Promise<MongoConnection> {
  const client = new MongoClient(uri, {
    appName: options.appName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS,
    ...(options.connectTimeoutMs !== undefined ? { connectTimeoutMS: options.connectTimeoutMs } : {}),
    ...(options.maxPoolSize !== undefined ? { maxPoolSize: options.maxPoolSize } : {}),
  });
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    db(name = options.dbName) {
      if (name === undefined)
        throw new Error(`no MongoDB database named for ${options.appName}: pass one to db() or dbName to connectMongo`);
      return client.db(name);
    },
    close: () => client.close(),
  };
}
