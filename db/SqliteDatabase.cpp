// The SQLite implementation of Database (see Database.h and SqliteDatabase.h): the connection,
// runs, models and seed failures; the records are in SqliteRecords.cpp, opening and migrations
// in Schema.cpp.
#include "db/SqliteDatabase.h"

#include <chrono>

#include "db/Version.h"
#include "ops/Error.h"

namespace htune {

using nlohmann::json;

SqliteDatabase::SqliteDatabase(const std::string &path, const OpenOptions &options)
    : options_(options), db_(open_checked(path, options)) {}

int64_t SqliteDatabase::now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t SqliteDatabase::begin_run(const RunInfo &run) {
    Transaction t(*db_, options_.lock_wait_s);
    Statement &st = db_->cached(
        "INSERT INTO runs (started, options, seed, htune_version, command_line) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, run.started ? run.started : now_s())
        .bind(2, run.options.dump())
        .bind(3, (int64_t)run.seed)
        .bind(4, run.htune_version.empty() ? std::string(htune_version()) : run.htune_version)
        .bind(5, run.command_line)
        .run();
    int64_t id = sqlite3_last_insert_rowid(db_->handle());
    t.commit();
    return id;
}

std::optional<RunInfo> SqliteDatabase::run(int64_t id) {
    Statement &st =
        db_->cached("SELECT id, started, options, seed, htune_version, command_line FROM runs WHERE id = ?");
    st.bind(1, id);
    if (!st.step()) return std::nullopt;
    RunInfo r;
    r.id = st.int64(0);
    r.started = st.int64(1);
    r.options = parse_json(st.text(2), "runs.options");
    r.seed = (uint64_t)st.int64(3);
    r.htune_version = st.text(4);
    r.command_line = st.text(5);
    st.reset();
    return r;
}

void SqliteDatabase::put_model(const StoredModel &m) {
    Transaction t(*db_, options_.lock_wait_s);
    Statement &st = db_->cached(
        "INSERT INTO models (device_key, schema_name, schema_version, created, blob, metrics) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    st.bind(1, m.device_key)
        .bind(2, m.schema_name)
        .bind(3, (int64_t)m.schema_version)
        .bind(4, m.created ? m.created : now_s())
        .bind_blob(5, m.blob)
        .bind(6, m.metrics.dump())
        .run();
    t.commit();
}

std::optional<StoredModel> SqliteDatabase::get_model(const std::string &device_key,
                                                     const std::string &schema_name, int schema_version) {
    Statement &st = db_->cached(
        "SELECT device_key, schema_name, schema_version, created, blob, metrics FROM models "
        "WHERE device_key = ? AND schema_name = ? AND schema_version = ? "
        "ORDER BY created DESC, id DESC LIMIT 1");
    st.bind(1, device_key).bind(2, schema_name).bind(3, (int64_t)schema_version);
    if (!st.step()) return std::nullopt;
    StoredModel m;
    m.device_key = st.text(0);
    m.schema_name = st.text(1);
    m.schema_version = (int)st.int64(2);
    m.created = st.int64(3);
    m.blob = st.blob(4);
    m.metrics = parse_json(st.text(5), "models.metrics");
    st.reset();
    return m;
}

void SqliteDatabase::put_seed_failure(const std::string &workload_key, const std::string &device_key,
                                      const SeedFailure &f) {
    Transaction t(*db_, options_.lock_wait_s);
    Statement &st = db_->cached(
        "INSERT OR REPLACE INTO seed_failures (workload_key, device_key, autoscheduler, status, error, "
        "limit_s, halide_version, timestamp, memory_limit_mb) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, workload_key)
        .bind(2, device_key)
        .bind(3, f.autoscheduler)
        .bind(4, std::string(to_string(f.status)))
        .bind(5, f.error)
        .bind(6, f.limit_s)
        .bind(7, f.halide_version)
        .bind(8, f.timestamp ? f.timestamp : now_s())
        .bind(9, f.memory_limit_mb)
        .run();
    t.commit();
}

std::vector<SeedFailure> SqliteDatabase::seed_failures(const std::string &workload_key,
                                                       const std::string &device_key) {
    Statement &st = db_->cached(
        "SELECT autoscheduler, status, error, limit_s, halide_version, timestamp, memory_limit_mb "
        "FROM seed_failures "
        "WHERE workload_key = ? AND device_key = ? ORDER BY autoscheduler");
    st.bind(1, workload_key).bind(2, device_key);
    std::vector<SeedFailure> out;
    while (st.step()) {
        SeedFailure f;
        f.autoscheduler = st.text(0);
        f.status = status_from_string(st.text(1));
        f.error = st.text(2);
        f.limit_s = st.real(3);
        f.halide_version = st.text(4);
        f.timestamp = st.int64(5);
        f.memory_limit_mb = st.real(6);
        out.push_back(f);
    }
    return out;
}

void SqliteDatabase::clear_seed_failure(const std::string &workload_key, const std::string &device_key,
                                        const std::string &autoscheduler) {
    Transaction t(*db_, options_.lock_wait_s);
    Statement &st = db_->cached(
        "DELETE FROM seed_failures WHERE workload_key = ? AND device_key = ? AND autoscheduler = ?");
    st.bind(1, workload_key).bind(2, device_key).bind(3, autoscheduler).run();
    t.commit();
}

std::string SqliteDatabase::integrity_check() {
    Statement st(db_->handle(), db_->path(), "PRAGMA integrity_check");
    std::string out;
    while (st.step()) out += (out.empty() ? "" : "\n") + st.text(0);
    return out;
}

json SqliteDatabase::parse_json(const std::string &text, const char *column) {
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        throw Error(ErrorKind::sqlite,
                    "database '" + db_->path() + "' holds invalid JSON in " + column + " (" + e.what() + ")",
                    db_->path());
    }
}

const std::string &SqliteDatabase::path() const { return db_->path(); }

std::unique_ptr<Database> open_database(const std::string &path, const OpenOptions &options) {
    return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace htune
