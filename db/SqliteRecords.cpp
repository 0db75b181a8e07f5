// SqliteDatabase's RecordStore (see RecordStore.h and SqliteDatabase.h): commits, lookups with
// device fallback, history and scans. One transaction per batch; lookups use the records_best
// index; records measured here under this build's versions rank first. The runs, models and seed
// failures are in SqliteDatabase.cpp.
#include <map>

#include "db/DeviceKey.h"
#include "db/SqliteDatabase.h"
#include "db/Version.h"
#include "ops/Error.h"

namespace htune {

using nlohmann::json;

const char *to_string(Fallback f) {
    switch (f) {
        case Fallback::exact_device:
            return "exact device";
        case Fallback::same_target:
            return "same target features";
        case Fallback::none:
            return "none";
    }
    return "none";
}

namespace {

const char *const kSelectRecords =
    "SELECT r.id, w.key, w.spec, w.flops, d.key, r.schedule, r.schedule_hash, r.status, r.min_ms, "
    "r.median_ms, r.spread, r.repeats, r.threads, r.compile_s, r.max_error, r.error, r.htune_version, "
    "r.halide_version, r.feature_schema, r.timestamp, r.run_id, r.provenance, r.host "
    "FROM records r JOIN workloads w ON w.id = r.workload_id JOIN devices d ON d.id = r.device_id ";

const std::string &insert_sql() {
    static const std::string sql =
        "INSERT INTO records (schedule, schedule_hash, status, min_ms, median_ms, spread, repeats, "
        "threads, "
        "compile_s, max_error, error, htune_version, halide_version, feature_schema, timestamp, run_id, "
        "workload_id, device_id, provenance, host) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (workload_id, device_id, schedule_hash, provenance, htune_version, halide_version) "
        "DO NOTHING";
    return sql;
}

const std::string &update_sql() {
    static const std::string sql =
        "UPDATE records SET schedule = ?, schedule_hash = ?, status = ?, min_ms = ?, median_ms = ?, "
        "spread = ?, repeats = ?, threads = ?, compile_s = ?, max_error = ?, error = ?, htune_version = "
        "?, "
        "halide_version = ?, feature_schema = ?, timestamp = ?, run_id = ?, workload_id = ?, device_id = "
        "?, provenance = ?, host = ? "
        "WHERE id = ?";
    return sql;
}

std::string where(const RecordQuery &q) {
    std::vector<std::string> conds;
    if (!q.ops.empty()) {
        std::string in = "w.op IN (";
        for (size_t i = 0; i < q.ops.size(); i++) in += i ? ", ?" : "?";
        conds.push_back(in + ")");
    }
    if (!q.workload_key.empty()) conds.push_back("w.key = ?");
    if (!q.device_key.empty()) conds.push_back("d.key = ?");
    if (q.ok_only) conds.push_back("r.status = 'ok'");
    std::string out;
    for (size_t i = 0; i < conds.size(); i++) out += (i ? " AND " : "WHERE ") + conds[i];
    return out;
}

void bind_query(Statement &st, const RecordQuery &q) {
    int i = 1;
    for (const auto &op : q.ops) st.bind(i++, op);
    if (!q.workload_key.empty()) st.bind(i++, q.workload_key);
    if (!q.device_key.empty()) st.bind(i++, q.device_key);
}

}  // namespace

CommitStats SqliteDatabase::commit(const std::vector<Record> &batch, OnDuplicate on_duplicate) {
    CommitStats stats;
    if (batch.empty()) return stats;
    Transaction t(*db_, options_.lock_wait_s);
    std::map<std::string, int64_t> workloads, devices;
    for (const Record &r : batch) {
        auto w = workloads.find(r.workload_key);
        if (w == workloads.end()) w = workloads.emplace(r.workload_key, ensure_workload(r)).first;
        auto d = devices.find(r.device_key);
        if (d == devices.end()) d = devices.emplace(r.device_key, ensure_device(r.device_key)).first;
        // An import never adds a second row for a schedule this database already has; a measurement
        // adds one per (provenance, versions), so re-measuring never overwrites an older fact.
        if (r.provenance == Provenance::imported && record_id(w->second, d->second, r.schedule_hash)) {
            stats.duplicates++;
            continue;
        }
        int64_t existing = on_duplicate != OnDuplicate::skip ? same_record_id(w->second, d->second, r) : 0;
        if (existing) {
            Record updated = r;
            if (on_duplicate == OnDuplicate::confirm) updated.timestamp = record_timestamp(existing);
            write_record(update_sql(), updated, w->second, d->second).bind(21, existing).run();
            stats.duplicates++;
        } else if (write_record(insert_sql(), r, w->second, d->second).run() == 1) {
            stats.inserted++;
        } else {
            stats.duplicates++;
        }
    }
    t.commit();
    return stats;
}

bool SqliteDatabase::has(const std::string &workload_key, const std::string &device_key,
                         const std::string &hash) {
    int64_t w = workload_id(workload_key), d = device_id(device_key);
    return w && d && record_id(w, d, hash);
}

std::set<std::string> SqliteDatabase::measured_hashes(const std::string &workload_key,
                                                      const std::string &device_key) {
    std::set<std::string> out;
    int64_t w = workload_id(workload_key), d = device_id(device_key);
    if (!w || !d) return out;
    Statement &st = db_->cached("SELECT schedule_hash FROM records WHERE workload_id = ? AND device_id = ?");
    st.bind(1, w).bind(2, d);
    while (st.step()) out.insert(st.text(0));
    return out;
}

Lookup SqliteDatabase::top_k(const std::string &workload_key, const std::string &device_key, int k) {
    Lookup out;
    std::string target = DeviceKey::parse(device_key).target;  // validates the key first
    int64_t w = workload_id(workload_key);
    if (!w || k <= 0) return out;
    if (int64_t d = device_id(device_key)) {
        ranked(
            w, "device_id = ?2", [&](Statement &st) { st.bind(2, d); }, k, out.records);
        if (!out.records.empty()) {
            out.level = Fallback::exact_device;
            return out;
        }
    }
    ranked(
        w, "device_id IN (SELECT id FROM devices WHERE target = ?2)",
        [&](Statement &st) { st.bind(2, target); }, k, out.records);
    if (!out.records.empty()) out.level = Fallback::same_target;
    return out;
}

// Two passes, each fastest first: the records measured here by this htune and Halide version,
// then the others (imported, stale), skipping schedules that have a current record of their device
// (a current failure outranks an old success) and schedules already listed. Each pass ranks ids in
// an inner query on the indexes alone (records_current makes the first a seek, records_best orders
// the second) and reads only the rows it may keep: k plus a margin for repeated schedules, all of
// them only when the margin was not enough.
void SqliteDatabase::ranked(int64_t w, const std::string &device_cond,
                            const std::function<void(Statement &)> &bind_device, int k,
                            std::vector<Record> &out) {
    const std::string current =
        "x.provenance = 'measured' AND x.htune_version = ?3 AND x.halide_version = ?4";
    const std::string where = "SELECT x.id FROM records x WHERE x.workload_id = ?1 AND x." + device_cond +
                              " AND x.status = 'ok' AND ";
    const std::string passes[] = {
        where + current,
        where + "NOT (" + current +
            ") AND NOT EXISTS (SELECT 1 FROM records t WHERE t.workload_id = x.workload_id AND "
            "t.device_id = x.device_id AND t.schedule_hash = x.schedule_hash AND t.provenance = 'measured' "
            "AND t.htune_version = ?3 AND t.halide_version = ?4)"};
    std::set<std::string> seen;
    for (const std::string &ids : passes) {
        Statement &st = db_->cached(std::string(kSelectRecords) + "WHERE r.id IN (" + ids +
                                    " ORDER BY x.min_ms, x.id LIMIT ?5) ORDER BY r.min_ms, r.id");
        for (int64_t limit : {(int64_t)k + 8, (int64_t)-1}) {  // -1: no limit
            st.bind(1, w).bind(3, std::string(htune_version())).bind(4, std::string(halide_version()));
            st.bind(5, limit);
            bind_device(st);
            int64_t rows = 0;
            while ((int)out.size() < k && st.step()) {
                rows++;
                Record r = read_record(st);
                if (seen.insert(r.schedule_hash).second) out.push_back(std::move(r));
            }
            st.reset();  // a statement left on a row would pin this connection's read snapshot
            if ((int)out.size() >= k) return;
            if (rows < limit) break;  // the pass had no more rows
        }
    }
}

std::vector<HistoryPoint> SqliteDatabase::history(const std::string &workload_key,
                                                  const std::string &device_key) {
    std::vector<HistoryPoint> out;
    int64_t w = workload_id(workload_key), d = device_id(device_key);
    if (!w || !d) return out;
    Statement &st = db_->cached(
        "SELECT id, status, min_ms, timestamp FROM records WHERE workload_id = ? AND device_id = ? ORDER BY "
        "id");
    st.bind(1, w).bind(2, d);
    double best = 0;
    while (st.step()) {
        HistoryPoint p;
        p.trial = (int)out.size() + 1;
        p.record_id = st.int64(0);
        p.status = status_from_string(st.text(1));
        p.min_ms = p.status == Status::ok ? st.real(2) : 0;
        if (p.status == Status::ok && (best == 0 || p.min_ms < best)) best = p.min_ms;
        p.best_ms = best;
        p.timestamp = st.int64(3);
        out.push_back(p);
    }
    return out;
}

void SqliteDatabase::scan(const RecordQuery &q, const std::function<void(const Record &)> &visit) {
    Statement st(db_->handle(), db_->path(), kSelectRecords + where(q) + " ORDER BY r.id");
    bind_query(st, q);
    while (st.step()) visit(read_record(st));
}

int64_t SqliteDatabase::count(const RecordQuery &q) {
    Statement st(db_->handle(), db_->path(),
                 "SELECT count(*) FROM records r JOIN workloads w ON w.id = r.workload_id "
                 "JOIN devices d ON d.id = r.device_id " +
                     where(q));
    bind_query(st, q);
    return st.step() ? st.int64(0) : 0;
}

std::vector<DeviceSummary> SqliteDatabase::devices() {
    std::vector<DeviceSummary> out;
    Statement &st = db_->cached(
        "SELECT d.key, d.target, d.cpu_model, d.threads, count(r.id), "
        "coalesce(sum(r.status = 'ok'), 0), count(DISTINCT r.workload_id) "
        "FROM devices d LEFT JOIN records r ON r.device_id = d.id GROUP BY d.id ORDER BY d.key");
    while (st.step()) {
        out.push_back(
            {st.text(0), st.text(1), st.text(2), (int)st.int64(3), st.int64(4), st.int64(5), st.int64(6)});
    }
    return out;
}

std::vector<std::string> SqliteDatabase::workload_keys(const std::string &target) {
    std::vector<std::string> out;
    Statement &st = db_->cached(
        "SELECT w.key FROM workloads w WHERE EXISTS (SELECT 1 FROM records r JOIN devices d ON "
        "d.id = r.device_id WHERE r.workload_id = w.id AND r.status = 'ok' AND d.target = ?) ORDER BY w.id");
    st.bind(1, target);
    while (st.step()) out.push_back(st.text(0));
    return out;
}

// Binds parameters 1..20 of insert_sql()/update_sql() (same order in both).
Statement &SqliteDatabase::write_record(const std::string &sql, const Record &r, int64_t w, int64_t d) {
    Statement &st = db_->cached(sql);
    const MeasureResult &m = r.result;
    st.bind(1, r.schedule.dump()).bind(2, r.schedule_hash).bind(3, std::string(to_string(m.status)));
    st.bind(4, m.min_ms).bind(5, m.median_ms).bind(6, m.spread).bind(7, (int64_t)m.repeats);
    st.bind(8, (int64_t)m.threads).bind(9, m.compile_s).bind(10, m.max_error).bind(11, m.error);
    st.bind(12, r.htune_version).bind(13, r.halide_version).bind(14, r.feature_schema);
    st.bind(15, r.timestamp);
    if (r.run_id)
        st.bind(16, r.run_id);
    else
        st.bind_null(16);
    st.bind(17, w).bind(18, d).bind(19, std::string(to_string(r.provenance))).bind(20, m.host);
    return st;
}

int64_t SqliteDatabase::ensure_workload(const Record &r) {
    if (r.workload_key.empty()) throw_usage("a record has an empty workload key");
    db_->cached(
           "INSERT INTO workloads (key, op, spec, flops) VALUES (?, ?, ?, ?) "
           "ON CONFLICT (key) DO UPDATE SET flops = excluded.flops WHERE workloads.flops = 0")
        .bind(1, r.workload_key)
        .bind(2, r.workload.op)
        .bind(3, json(r.workload).dump())
        .bind(4, r.flops)
        .run();
    return workload_id(r.workload_key);
}

int64_t SqliteDatabase::ensure_device(const std::string &key) {
    DeviceKey k = DeviceKey::parse(key);
    db_->cached(
           "INSERT INTO devices (key, target, cpu_model, threads, first_seen) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (key) DO NOTHING")
        .bind(1, key)
        .bind(2, k.target)
        .bind(3, k.cpu_model)
        .bind(4, (int64_t)k.threads)
        .bind(5, now_s())
        .run();
    return device_id(key);
}

int64_t SqliteDatabase::id_of(const std::string &sql, const std::string &key) {
    Statement &st = db_->cached(sql);
    st.bind(1, key);
    int64_t id = st.step() ? st.int64(0) : 0;
    st.reset();  // a statement left on a row would pin this connection's read snapshot
    return id;
}

int64_t SqliteDatabase::workload_id(const std::string &key) {
    return id_of("SELECT id FROM workloads WHERE key = ?", key);
}

int64_t SqliteDatabase::device_id(const std::string &key) {
    return id_of("SELECT id FROM devices WHERE key = ?", key);
}

int64_t SqliteDatabase::record_timestamp(int64_t id) {
    Statement &st = db_->cached("SELECT timestamp FROM records WHERE id = ?");
    st.bind(1, id);
    int64_t t = st.step() ? st.int64(0) : 0;
    st.reset();
    return t;
}

int64_t SqliteDatabase::same_record_id(int64_t w, int64_t d, const Record &r) {
    Statement &st = db_->cached(
        "SELECT id FROM records WHERE workload_id = ? AND device_id = ? AND schedule_hash = ? AND "
        "provenance = ? AND htune_version = ? AND halide_version = ?");
    st.bind(1, w).bind(2, d).bind(3, r.schedule_hash).bind(4, std::string(to_string(r.provenance)));
    st.bind(5, r.htune_version).bind(6, r.halide_version);
    int64_t id = st.step() ? st.int64(0) : 0;
    st.reset();
    return id;
}

int64_t SqliteDatabase::record_id(int64_t w, int64_t d, const std::string &hash) {
    Statement &st =
        db_->cached("SELECT id FROM records WHERE workload_id = ? AND device_id = ? AND schedule_hash = ?");
    st.bind(1, w).bind(2, d).bind(3, hash);
    int64_t id = st.step() ? st.int64(0) : 0;
    st.reset();
    return id;
}

Record SqliteDatabase::read_record(const Statement &st) {
    Record r;
    r.id = st.int64(0);
    r.workload_key = st.text(1);
    try {
        r.workload = parse_json(st.text(2), "workloads.spec").get<WorkloadSpec>();
    } catch (const Error &e) {
        throw Error(ErrorKind::sqlite,
                    "database '" + db_->path() + "': bad workload spec (" + e.what() + ")");
    }
    r.flops = st.real(3);
    r.device_key = st.text(4);
    r.schedule = parse_json(st.text(5), "records.schedule");
    r.schedule_hash = st.text(6);
    MeasureResult &m = r.result;
    m.status = status_from_string(st.text(7));
    m.min_ms = st.real(8);
    m.median_ms = st.real(9);
    m.spread = st.real(10);
    m.repeats = (int)st.int64(11);
    m.threads = (int)st.int64(12);
    m.compile_s = st.real(13);
    m.max_error = st.real(14);
    m.error = st.text(15);
    r.htune_version = st.text(16);
    r.halide_version = st.text(17);
    r.feature_schema = st.text(18);
    r.timestamp = st.int64(19);
    r.run_id = st.is_null(20) ? 0 : st.int64(20);
    r.provenance = st.text(21) == "imported" ? Provenance::imported : Provenance::measured;
    m.host = st.text(22);
    return r;
}

}  // namespace htune
