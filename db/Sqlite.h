// Thin RAII wrapper over the SQLite C API: a connection, prepared statements, and ONE helper
// (check) through which every sqlite3 return code passes. Used only inside db/.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace htune {

// Throws htune::Error(ErrorKind::sqlite) with one clear line naming `path` unless `rc` is
// SQLITE_OK, SQLITE_ROW or SQLITE_DONE. `what` says what was being done ("commit a batch").
void check_sqlite(sqlite3 *db, int rc, const std::string &path, const std::string &what);

// A prepared statement; owned by its Sqlite connection (see Sqlite::cached). Not thread-safe.
class Statement {
public:
    Statement(sqlite3 *db, const std::string &path, const std::string &sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    // Binds are 1-based, like SQLite's. Text and blobs are copied (SQLITE_TRANSIENT).
    Statement &bind(int i, int64_t v);
    Statement &bind(int i, double v);
    Statement &bind(int i, const std::string &v);
    Statement &bind_blob(int i, const std::vector<uint8_t> &v);
    Statement &bind_null(int i);

    // Steps once: true when a row is available, false when done. Throws on any error.
    bool step();
    // Steps to completion (for writes); returns sqlite3_changes().
    int run();
    // Ready for new binds and a fresh step.
    void reset();

    int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::vector<uint8_t> blob(int col) const;
    bool is_null(int col) const;

private:
    sqlite3 *db_;
    sqlite3_stmt *stmt_ = nullptr;
    std::string path_, sql_;
};

// One connection to one database file. Not thread-safe: one per thread (several processes on
// one file are fine; see SqliteDatabase.cpp for WAL and locking).
class Sqlite {
public:
    // Opens `path` with sqlite3_open_v2 `flags`; nothing is read or written yet.
    Sqlite(const std::string &path, int flags);
    ~Sqlite();
    Sqlite(const Sqlite &) = delete;
    Sqlite &operator=(const Sqlite &) = delete;

    // Runs one or more statements that return no rows of interest.
    void exec(const std::string &sql, const std::string &what);
    // Raw sqlite3_exec return code, for callers that retry on SQLITE_BUSY.
    int try_exec(const std::string &sql);
    // A prepared statement for `sql`, compiled once per connection and reset for reuse.
    Statement &cached(const std::string &sql);
    // First column of the first row as an integer (e.g. PRAGMA user_version).
    int64_t query_int(const std::string &sql, const std::string &what);

    void check(int rc, const std::string &what) const { check_sqlite(db_, rc, path_, what); }
    sqlite3 *handle() const { return db_; }
    const std::string &path() const { return path_; }

private:
    std::string path_;
    sqlite3 *db_ = nullptr;
    std::map<std::string, std::unique_ptr<Statement>> cache_;
};

// RAII transaction: BEGIN IMMEDIATE in the constructor (retried while another process holds
// the write lock, up to `lock_wait_s`), ROLLBACK in the destructor unless commit() was called.
class Transaction {
public:
    Transaction(Sqlite &db, int lock_wait_s, bool immediate = true);
    ~Transaction();
    void commit();

private:
    Sqlite &db_;
    bool open_ = false;
};

}  // namespace htune
