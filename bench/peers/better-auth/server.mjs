// better-auth, the peer of bench/run: its email/password, admin and API-key plugins on a fresh
// SQLite file, served by Node's http module on loopback. Prints "listening on http://HOST:PORT"
// on stderr once the schema is migrated, like gatehouse and the bare server.
//
//   node server.mjs --listen 127.0.0.1:0 --db /tmp/peer.sqlite
//   node server.mjs --hash-rate 5     # raw argon2id hashes/s of this side, as JSON on stdout
//
// Password hashing is argon2id with gatehouse's cost (m = 19 MiB, t = 2, p = 1) through
// @node-rs/argon2, whose hashes run on libuv's thread pool, so sign-up and sign-in compare at equal
// hash cost. Rate limits are off on both sides of the benchmark (better-auth's own limiter and
// the API-key plugin's per-key limit), and the database runs in WAL mode with synchronous=FULL,
// as gatehouse's SQLite store does.
import http from "node:http";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { hash, verify, Algorithm } from "@node-rs/argon2";
import { betterAuth } from "better-auth";
import { admin } from "better-auth/plugins";
import { apiKey } from "@better-auth/api-key";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

const { values: args } = parseArgs({
  options: {
    listen: { type: "string", default: "127.0.0.1:0" },
    db: { type: "string" },
    "hash-rate": { type: "string" },
  },
});

// Raw hash rate: keep as many hashes in flight as the thread pool has threads, for N seconds.
async function hashRate(seconds) {
  const inFlight = Number(process.env.UV_THREADPOOL_SIZE || 4);
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < until) {
        await hash("correct horse battery staple", ARGON2);
        done += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return { hashes: done, seconds: elapsed, hashesPerSecond: done / elapsed, inFlight };
}

if (args["hash-rate"]) {
  console.log(JSON.stringify(await hashRate(Number(args["hash-rate"]))));
  process.exit(0);
}

if (!args.db) {
  console.error("usage: node server.mjs --listen HOST:PORT --db FILE");
  process.exit(2);
}

const [host, portText] = args.listen.split(":");
const db = new Database(args.db);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");

// Listen first: the port (0 picks one) is part of better-auth's baseURL.
const server = http.createServer();
await new Promise((resolve) => server.listen(Number(portText), host, resolve));
const baseURL = `http://${host}:${server.address().port}`;

const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET || "bench-secret-bench-secret-bench-secret-0123",
  database: db,
  emailAndPassword: {
    enabled: true,
    password: {
      hash: (password) => hash(password, ARGON2),
      verify: ({ hash: encoded, password }) => verify(encoded, password),
    },
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [
    admin(),
    apiKey({ enableSessionForAPIKeys: true, rateLimit: { enabled: false } }),
  ],
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

server.on("request", toNodeHandler(auth));
server.keepAliveTimeout = 60_000;
console.error(`better-auth ${process.versions.node ? "on Node " + process.version : ""}`);
console.error(`listening on ${baseURL}`);

const stop = () => server.close(() => { db.close(); process.exit(0); });
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
