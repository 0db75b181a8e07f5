// Opening files htune must refuse (corrupt, not SQLite, another program's SQLite, a newer
// schema) gives one clear error and leaves the file byte for byte unchanged.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>

#include "db/Database.h"
#include "ops/Error.h"
#include "tests/RunCommand.h"
#include "tests/db/TestRecords.h"

namespace htune::test {

namespace {

int count_lines(const std::string &s) { return (int)std::count(s.begin(), s.end(), '\n'); }

void raw_exec(const std::string &path, const std::string &sql) {
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
}

// Undoes migration 4 -> 5 (the host that measured a record): a file of schema 4.
const char *const kUndoHost = "ALTER TABLE records DROP COLUMN host; ";

// Undoes migrations 3 -> 5 (record provenance, then host) on a file this htune made, so that it
// looks like one written by an htune of schema 3: the old identity index and neither column.
const char *const kUndoProvenance =
    "ALTER TABLE records DROP COLUMN host; DROP INDEX records_identity; DROP INDEX records_current; ALTER "
    "TABLE records DROP COLUMN provenance; "
    "CREATE UNIQUE INDEX records_identity ON records(workload_id, device_id, schedule_hash); ";

std::string open_error(const std::string &path, ErrorKind kind = ErrorKind::sqlite) {
    try {
        open_database(path)->count();
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), kind) << e.what();
        return e.what();
    }
    return "no error";
}

class SchemaTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = temp_dir();
        path_ = dir_ + "/t.db";
        log_ = dir_ + "/good.jsonl";
        write_jsonl(log_, {fake_record(50, kDeviceA, 1, 1.0), fake_record(51, kDeviceA, 2, 2.0)});
    }
    void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

    void make_htune_db(int records) {
        auto db = open_database(path_);
        std::vector<Record> batch;
        for (int i = 0; i < records; i++) batch.push_back(fake_record(i % 10, kDeviceA, i, 1.0 + i));
        db->commit(batch);
    }

    // `htune import` and `htune best` on the file both fail with one line containing `needle`,
    // and neither changes a byte of it.
    void expect_cli_refuses(const std::string &needle) {
        std::string before = file_bytes(path_);
        for (std::string args : {"import --db " + path_ + " " + log_, "devices --db " + path_,
                                 "export --db " + path_ + " " + dir_ + "/out.jsonl"}) {
            CommandResult r = run_htune(args);
            EXPECT_EQ(r.exit_code, 1) << args << "\n" << r.err;
            EXPECT_EQ(count_lines(r.err), 1) << args << "\n" << r.err;
            EXPECT_NE(r.err.find("htune: error: "), std::string::npos) << r.err;
            EXPECT_NE(r.err.find(needle), std::string::npos) << args << "\n" << r.err;
            EXPECT_NE(r.err.find(path_), std::string::npos) << r.err;
            EXPECT_EQ(r.err.find("database is locked"), std::string::npos) << r.err;
        }
        EXPECT_TRUE(file_bytes(path_) == before) << "the file was modified";
        EXPECT_FALSE(std::ifstream(dir_ + "/out.jsonl").good());  // no partial export left behind
        EXPECT_FALSE(std::ifstream(dir_ + "/out.jsonl.tmp").good());
    }

    std::string dir_, path_, log_;
};

}  // namespace

TEST_F(SchemaTest, FreshDatabaseHasCurrentSchemaAndWal) {
    make_htune_db(1);
    sqlite3 *db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), kDatabaseSchemaVersion);
    sqlite3_finalize(st);
    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    // Reopening an up-to-date database is a no-op.
    EXPECT_EQ(count_records(path_), 1);
}

TEST_F(SchemaTest, Version1DatabaseIsMigratedKeepingItsRecords) {
    // A file of the first schema: no seed_failures table, user_version 1.
    make_htune_db(3);
    raw_exec(path_, std::string(kUndoProvenance) + "DROP TABLE seed_failures; PRAGMA user_version = 1");
    auto db = open_database(path_);
    EXPECT_EQ(db->count(), 3);
    SeedFailure f;
    f.autoscheduler = "Adams2019";
    f.status = Status::compile_error;
    f.error = "std::bad_alloc";
    f.limit_s = 120;
    f.halide_version = "14.0.0";
    f.memory_limit_mb = 4096;
    db->put_seed_failure("w#1", kDeviceA, f);
    f.status = Status::timeout;  // a later failure replaces the earlier one
    db->put_seed_failure("w#1", kDeviceA, f);
    f.autoscheduler = "Li2018";
    db->put_seed_failure("w#1", kDeviceA, f);
    db->put_seed_failure("w#2", kDeviceA, f);
    auto got = db->seed_failures("w#1", kDeviceA);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].autoscheduler, "Adams2019");
    EXPECT_EQ(got[0].status, Status::timeout);
    EXPECT_EQ(got[0].error, "std::bad_alloc");
    EXPECT_EQ(got[0].limit_s, 120);
    EXPECT_EQ(got[0].halide_version, "14.0.0");
    EXPECT_EQ(got[0].memory_limit_mb, 4096);
    EXPECT_GT(got[0].timestamp, 0);
    EXPECT_EQ(got[1].autoscheduler, "Li2018");
    db->clear_seed_failure("w#1", kDeviceA, "Adams2019");
    got = db->seed_failures("w#1", kDeviceA);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].autoscheduler, "Li2018");
    EXPECT_TRUE(db->seed_failures("w#1", "other|cpu|2t").empty());
    db.reset();
    sqlite3 *raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt *st = nullptr;
    sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), kDatabaseSchemaVersion);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    EXPECT_EQ(count_records(path_), 3);
}

TEST_F(SchemaTest, Version2SeedFailuresAreMigratedWithTheirMemoryLimitNotRecorded) {
    // Schema 2 had seed_failures without memory_limit_mb.
    make_htune_db(2);
    raw_exec(
        path_,
        std::string(kUndoProvenance) +
            "DROP TABLE seed_failures; CREATE TABLE seed_failures (workload_key TEXT NOT NULL, device_key "
            "TEXT NOT NULL, autoscheduler TEXT NOT NULL, status TEXT NOT NULL, error TEXT NOT NULL, limit_s "
            "REAL NOT NULL, halide_version TEXT NOT NULL, timestamp INTEGER NOT NULL, PRIMARY KEY "
            "(workload_key, device_key, autoscheduler)); INSERT INTO seed_failures VALUES ('w#1', '" +
            std::string(kDeviceA) +
            "', 'Adams2019', 'compile_error', 'std::bad_alloc', 120, '14.0.0', 1700000000); PRAGMA "
            "user_version = 2");
    auto db = open_database(path_);
    EXPECT_EQ(db->count(), 2);
    auto got = db->seed_failures("w#1", kDeviceA);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].autoscheduler, "Adams2019");
    EXPECT_EQ(got[0].error, "std::bad_alloc");
    EXPECT_EQ(got[0].limit_s, 120);
    EXPECT_EQ(got[0].timestamp, 1700000000);
    EXPECT_EQ(got[0].memory_limit_mb, -1);  // not recorded
}

TEST_F(SchemaTest, Version3RecordsGetTheirProvenanceFromTheirRunAndKeepEverything) {
    // Schema 3: no provenance; a record with a run was measured by `htune tune` into the file.
    {
        auto db = open_database(path_);
        int64_t run = db->begin_run(RunInfo{});
        Record tuned = fake_record(1, kDeviceA, 1, 2.0), imported = fake_record(1, kDeviceA, 2, 1.0);
        tuned.run_id = run;
        db->commit({tuned, imported, fake_record(2, kDeviceA, 3, 0, Status::crash)});
    }
    raw_exec(path_, std::string(kUndoProvenance) + "PRAGMA user_version = 3");
    auto db = open_database(path_);
    std::vector<Record> got;
    db->scan({}, [&](const Record &r) { got.push_back(r); });
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].provenance, Provenance::measured);
    EXPECT_GT(got[0].run_id, 0);
    EXPECT_EQ(got[1].provenance, Provenance::imported);
    EXPECT_EQ(got[2].provenance, Provenance::imported);
    EXPECT_EQ(got[1].result.min_ms, 1.0);
    EXPECT_EQ(got[2].result.status, Status::crash);
    // The new identity: the same schedule measured again here is a row of its own.
    Record again = got[1];
    again.provenance = Provenance::measured;
    again.halide_version = "15.0.0";
    EXPECT_EQ(db->commit({again}).inserted, 1);
    EXPECT_EQ(db->count(), 4);
    EXPECT_EQ(db->integrity_check(), "ok");
}

TEST_F(SchemaTest, Version4RecordsKeepEverythingAndWereMeasuredHere) {
    // Schema 4: no host column; every record was measured by the htune that wrote it (or
    // imported), so its host is "" after the migration, and the rest is as it was.
    Record r = fake_record(1, kDeviceA, 1, 2.0);
    make_htune_db(4);
    open_database(path_)->commit({r});
    std::vector<Record> before;
    open_database(path_)->scan({}, [&](const Record &x) { before.push_back(x); });
    raw_exec(path_, std::string(kUndoHost) + "PRAGMA user_version = 4");
    auto db = open_database(path_);
    std::vector<Record> got;
    db->scan({}, [&](const Record &x) { got.push_back(x); });
    ASSERT_EQ(got.size(), before.size());
    for (size_t i = 0; i < got.size(); i++) {
        EXPECT_EQ(got[i], before[i]) << i;
        EXPECT_EQ(got[i].result.host, "");
    }
    Record remote = fake_record(2, kDeviceA, 9, 1.0);
    remote.result.host = "node3/rank 2";
    db->commit({remote});
    got.clear();
    db->scan({}, [&](const Record &x) { got.push_back(x); });
    EXPECT_EQ(got.back().result.host, "node3/rank 2");
    EXPECT_EQ(db->integrity_check(), "ok");
}

TEST_F(SchemaTest, NewerSchemaIsRefusedAndUntouched) {
    make_htune_db(5);
    raw_exec(path_, "PRAGMA user_version = 7");
    std::string before = file_bytes(path_);
    std::string msg = open_error(path_);
    const std::string newer =
        "was written by a newer htune (schema 7 > " + std::to_string(kDatabaseSchemaVersion) + ")";
    EXPECT_NE(msg.find("database '" + path_ + "' " + newer), std::string::npos) << msg;
    EXPECT_TRUE(file_bytes(path_) == before);
    expect_cli_refuses(newer);
}

TEST_F(SchemaTest, NonSqliteFileIsRefusedAndUntouched) {
    std::string text;
    for (int i = 0; i < 200; i++) text += "this is a text file, not a database\n";
    write_bytes(path_, text);
    std::string msg = open_error(path_);
    EXPECT_EQ(msg, "'" + path_ + "' is not an htune database (file is not a database)");
    EXPECT_EQ(file_bytes(path_), text);
    expect_cli_refuses("is not an htune database (file is not a database)");
}

TEST_F(SchemaTest, AnotherProgramsSqliteDatabaseIsRefusedAndUntouched) {
    raw_exec(path_,
             "CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO photos VALUES (1, 'x')");
    std::string msg = open_error(path_);
    EXPECT_NE(msg.find("is not an htune database (it has tables but no htune schema version)"),
              std::string::npos)
        << msg;
    expect_cli_refuses("is not an htune database");
}

TEST_F(SchemaTest, CorruptDatabaseGivesOneClearErrorAndIsUntouched) {
    make_htune_db(3000);  // many pages
    std::string bytes = file_bytes(path_);
    ASSERT_GT(bytes.size(), 40000u);
    // Keep the header page; overwrite every later page with garbage.
    for (size_t i = 4096; i < bytes.size(); i++) bytes[i] = (char)0xff;
    write_bytes(path_, bytes);
    expect_cli_refuses("is corrupt (");
    std::string msg = open_error(path_);
    EXPECT_NE(msg.find("database '" + path_ + "' is corrupt ("), std::string::npos) << msg;
}

TEST_F(SchemaTest, TruncatedDatabaseGivesOneClearError) {
    make_htune_db(3000);
    std::string bytes = file_bytes(path_);
    write_bytes(path_, bytes.substr(0, bytes.size() / 3));
    std::string msg = open_error(path_);
    EXPECT_NE(msg.find("is corrupt ("), std::string::npos) << msg;
}

TEST_F(SchemaTest, ReadCommandsDoNotCreateAMissingDatabase) {
    std::string msg;
    try {
        OpenOptions o;
        o.create = false;
        open_database(path_, o);
    } catch (const Error &e) {
        EXPECT_EQ(e.kind(), ErrorKind::io);
        msg = e.what();
    }
    EXPECT_NE(msg.find("no database '" + path_ + "'"), std::string::npos) << msg;
    CommandResult r = run_htune("devices --db " + path_);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(count_lines(r.err), 1) << r.err;
    EXPECT_FALSE(std::ifstream(path_).good());
}

}  // namespace htune::test
