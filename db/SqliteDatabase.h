// SqliteDatabase: the SQLite implementation of Database, internal to db/ (callers use
// open_database in Database.h). One class whose methods are defined by store: the records in
// SqliteRecords.cpp; the connection, runs, models and seed failures in SqliteDatabase.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "db/Database.h"
#include "db/Schema.h"
#include "db/Sqlite.h"

namespace htune {

class SqliteDatabase : public Database {
public:
    SqliteDatabase(const std::string &path, const OpenOptions &options);

    // RecordStore (SqliteRecords.cpp)
    CommitStats commit(const std::vector<Record> &batch, OnDuplicate on_duplicate) override;
    bool has(const std::string &workload_key, const std::string &device_key,
             const std::string &hash) override;
    std::set<std::string> measured_hashes(const std::string &workload_key,
                                          const std::string &device_key) override;
    Lookup top_k(const std::string &workload_key, const std::string &device_key, int k) override;
    std::vector<HistoryPoint> history(const std::string &workload_key,
                                      const std::string &device_key) override;
    void scan(const RecordQuery &q, const std::function<void(const Record &)> &visit) override;
    int64_t count(const RecordQuery &q) override;
    std::vector<DeviceSummary> devices() override;
    std::vector<std::string> workload_keys(const std::string &target) override;

    // RunStore
    int64_t begin_run(const RunInfo &run) override;
    std::optional<RunInfo> run(int64_t id) override;

    // ModelStore
    void put_model(const StoredModel &m) override;
    std::optional<StoredModel> get_model(const std::string &device_key, const std::string &schema_name,
                                         int schema_version) override;

    // SeedFailureStore
    void put_seed_failure(const std::string &workload_key, const std::string &device_key,
                          const SeedFailure &f) override;
    std::vector<SeedFailure> seed_failures(const std::string &workload_key,
                                           const std::string &device_key) override;
    void clear_seed_failure(const std::string &workload_key, const std::string &device_key,
                            const std::string &autoscheduler) override;

    std::string integrity_check() override;
    const std::string &path() const override;

private:
    static int64_t now_s();  // Unix seconds: the default of every timestamp column
    // The JSON of `column`; text that is not JSON is a sqlite Error naming the file.
    nlohmann::json parse_json(const std::string &text, const char *column);

    // Records (SqliteRecords.cpp).
    Statement &write_record(const std::string &sql, const Record &r, int64_t w, int64_t d);
    int64_t ensure_workload(const Record &r);
    int64_t ensure_device(const std::string &key);
    int64_t id_of(const std::string &sql, const std::string &key);
    int64_t workload_id(const std::string &key);  // 0 when absent
    int64_t device_id(const std::string &key);    // 0 when absent
    int64_t record_id(int64_t w, int64_t d, const std::string &hash);  // any row of that schedule
    // The row with r's identity (schedule, provenance, versions); 0 when absent.
    int64_t same_record_id(int64_t w, int64_t d, const Record &r);
    int64_t record_timestamp(int64_t id);  // the stored row's timestamp
    // Up to k ok records of workload w on the devices `device_cond` selects (an SQL condition on
    // r.device_id using parameter ?2, bound by bind_device), appended to `out` (see top_k).
    void ranked(int64_t w, const std::string &device_cond,
                const std::function<void(Statement &)> &bind_device, int k, std::vector<Record> &out);
    Record read_record(const Statement &st);

    OpenOptions options_;
    std::unique_ptr<Sqlite> db_;
};

}  // namespace htune
