// The database schema as a list of migrations (kMigrations[i] takes user_version i to i + 1)
// and the order of checks on open. The schema table in docs/DATABASE.md mirrors kMigrations.
#include "db/Schema.h"

#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "ops/Error.h"

namespace htune {

namespace {

const char *const kMigrations[] = {
    // 0 -> 1: the initial schema.
    R"sql(
CREATE TABLE devices (
  id         INTEGER PRIMARY KEY,
  key        TEXT NOT NULL UNIQUE,   -- DeviceKey::key(): target|cpu model|Nt
  target     TEXT NOT NULL,          -- the fallback level
  cpu_model  TEXT NOT NULL,
  threads    INTEGER NOT NULL,
  first_seen INTEGER NOT NULL);      -- Unix seconds
CREATE INDEX devices_target ON devices(target);
CREATE TABLE workloads (
  id    INTEGER PRIMARY KEY,
  key   TEXT NOT NULL UNIQUE,        -- Workload::key(): canonical form # structure hash
  op    TEXT NOT NULL,               -- built-in operator or Generator name
  spec  TEXT NOT NULL,               -- WorkloadSpec JSON: rebuilds the workload
  flops REAL NOT NULL);              -- 0 = unknown
CREATE INDEX workloads_op ON workloads(op);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY,
  started       INTEGER NOT NULL,    -- Unix seconds
  options       TEXT NOT NULL,       -- the run's Options as JSON
  seed          INTEGER NOT NULL,
  htune_version TEXT NOT NULL,
  command_line  TEXT NOT NULL);
CREATE TABLE records (
  id             INTEGER PRIMARY KEY,  -- commit order
  workload_id    INTEGER NOT NULL REFERENCES workloads(id),
  device_id      INTEGER NOT NULL REFERENCES devices(id),
  schedule       TEXT NOT NULL,        -- Schedule JSON
  schedule_hash  TEXT NOT NULL,
  status         TEXT NOT NULL,        -- ok, compile_error, runtime_error, timeout, crash, wrong_output
  min_ms         REAL NOT NULL,
  median_ms      REAL NOT NULL,
  spread         REAL NOT NULL,
  repeats        INTEGER NOT NULL,
  threads        INTEGER NOT NULL,
  compile_s      REAL NOT NULL,
  max_error      REAL NOT NULL,
  error          TEXT NOT NULL,
  htune_version  TEXT NOT NULL,
  halide_version TEXT NOT NULL,
  feature_schema TEXT NOT NULL,
  timestamp      INTEGER NOT NULL,     -- Unix seconds
  run_id         INTEGER REFERENCES runs(id));  -- NULL for imported records
CREATE UNIQUE INDEX records_identity ON records(workload_id, device_id, schedule_hash);
CREATE INDEX records_best ON records(workload_id, device_id, status, min_ms);
CREATE TABLE models (
  id             INTEGER PRIMARY KEY,
  device_key     TEXT NOT NULL,
  schema_name    TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  created        INTEGER NOT NULL,     -- Unix seconds
  blob           BLOB NOT NULL,
  metrics        TEXT NOT NULL);       -- JSON
CREATE INDEX models_lookup ON models(device_key, schema_name, schema_version, created);
)sql",
    // 1 -> 2: autoscheduler seeds that failed, so a resumed tune does not retry them.
    R"sql(
CREATE TABLE seed_failures (
  workload_key   TEXT NOT NULL,        -- Workload::key()
  device_key     TEXT NOT NULL,        -- DeviceKey::key()
  autoscheduler  TEXT NOT NULL,        -- Adams2019, Mullapudi2016, Li2018
  status         TEXT NOT NULL,        -- compile_error, timeout, crash, ...
  error          TEXT NOT NULL,
  limit_s        REAL NOT NULL,        -- the compile timeout it ran under
  halide_version TEXT NOT NULL,
  timestamp      INTEGER NOT NULL,     -- Unix seconds
  PRIMARY KEY (workload_key, device_key, autoscheduler));
)sql",
    // 2 -> 3: the memory limit a seed failed under (a larger one asks again).
    R"sql(
ALTER TABLE seed_failures ADD COLUMN memory_limit_mb REAL NOT NULL DEFAULT -1;  -- MiB, 0 = none
)sql",
    // 3 -> 4: record provenance. A record with a run was written by `htune tune` into this file:
    // measured. One without a run came from `htune import` or `sample --db`, which cannot be told
    // apart, so it counts as imported (conservative: `htune verify` makes it measured here). A
    // schedule re-measured under other versions or provenance (verify, revalidate) is a row of
    // its own, so the identity gains those columns and nothing stored before is overwritten.
    R"sql(
ALTER TABLE records ADD COLUMN provenance TEXT NOT NULL DEFAULT 'measured';  -- measured, imported
UPDATE records SET provenance = 'imported' WHERE run_id IS NULL;
DROP INDEX records_identity;
CREATE UNIQUE INDEX records_identity
  ON records(workload_id, device_id, schedule_hash, provenance, htune_version, halide_version);
-- The lookup's first pass (records measured here by this build) seeks, even when there are none.
CREATE INDEX records_current
  ON records(workload_id, device_id, status, provenance, htune_version, halide_version, min_ms, schedule_hash);
)sql",
    // 4 -> 5: which host measured a record (`htune tune --mpi`: "hostname/rank N"); "" = the machine
    // of the htune process that wrote it (every record before this version).
    R"sql(
ALTER TABLE records ADD COLUMN host TEXT NOT NULL DEFAULT '';
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kDatabaseSchemaVersion,
              "one migration per schema version");

// Runs a statement that must take a lock SQLite may refuse without waiting (journal mode).
void exec_retrying(Sqlite &db, const std::string &sql, const std::string &what, int wait_s) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
    for (;;) {
        int rc = db.try_exec(sql);
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        db.check(rc, what);
        return;
    }
}

void refuse_foreign(Sqlite &db, int64_t version) {
    const std::string &path = db.path();
    if (version > kDatabaseSchemaVersion)
        throw Error(ErrorKind::sqlite,
                    "database '" + path + "' was written by a newer htune (schema " +
                        std::to_string(version) + " > " + std::to_string(kDatabaseSchemaVersion) +
                        "); upgrade htune to use it",
                    path);
    int64_t tables =
        db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table'", "read the schema");
    if (version == 0 && tables > 0)
        throw Error(ErrorKind::sqlite,
                    "'" + path + "' is not an htune database (it has tables but no htune schema version)",
                    path);
    if (version > 0) {
        int64_t ours = db.query_int(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
            "('devices', 'workloads', 'runs', 'records', 'models')",
            "read the schema");
        if (ours != 5)
            throw Error(ErrorKind::sqlite,
                        "'" + path + "' is not an htune database (htune's tables are missing)", path);
    }
}

}  // namespace

std::unique_ptr<Sqlite> open_checked(const std::string &path, const OpenOptions &options) {
    bool memory = path == ":memory:";
    struct stat st {};
    bool exists = !memory && ::stat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) throw_io("'" + path + "' is a directory, not a database", path);
    if (!memory && !exists && !options.create)
        throw_io(
            "no database '" + path + "' (give --db FILE, or create one with `htune tune` or `htune import`)",
            path);
    auto db = std::make_unique<Sqlite>(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db->check(sqlite3_busy_timeout(db->handle(), options.busy_timeout_ms), "set the busy timeout");

    // Read-only checks first: a file we refuse must not be modified (no WAL switch, no schema).
    // One read transaction, so that the version and the table list come from one snapshot
    // even while another process is creating the schema.
    int64_t version = 0;
    {
        Transaction read(*db, options.lock_wait_s, /*immediate=*/false);
        version = db->query_int("PRAGMA user_version", "read the schema version");
        refuse_foreign(*db, version);
        read.commit();
    }

    if (!memory) {
        // WAL: readers never block the writer; FULL: a committed batch survives power loss too.
        exec_retrying(*db, "PRAGMA journal_mode = WAL", "switch to WAL mode", options.lock_wait_s);
        db->exec("PRAGMA synchronous = FULL", "set synchronous mode");
    }
    if (version < kDatabaseSchemaVersion) {
        Transaction t(*db, options.lock_wait_s);
        // Another process may have migrated between our check and taking the write lock.
        version = db->query_int("PRAGMA user_version", "read the schema version");
        refuse_foreign(*db, version);
        for (int64_t v = version; v < kDatabaseSchemaVersion; v++)
            db->exec(kMigrations[v], "migrate the schema to version " + std::to_string(v + 1));
        db->exec("PRAGMA user_version = " + std::to_string(kDatabaseSchemaVersion), "set the schema version");
        t.commit();
    }
    return db;
}

}  // namespace htune
