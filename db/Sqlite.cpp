// SQLite RAII wrapper and the one return-code helper (see Sqlite.h). Every error becomes one
// line naming the database file, with SQLite's own message in parentheses.
#include "db/Sqlite.h"

#include <chrono>
#include <thread>

#include "ops/Error.h"

namespace htune {

namespace {

std::string one_line(std::string s) {
    for (char &c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

}  // namespace

void check_sqlite(sqlite3 *db, int rc, const std::string &path, const std::string &what) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    std::string detail = one_line(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (detail.empty() || detail == "not an error") detail = sqlite3_errstr(rc);
    std::string msg;
    switch (rc & 0xff) {
        case SQLITE_NOTADB:
            msg = "'" + path + "' is not an htune database (" + detail + ")";
            break;
        case SQLITE_CORRUPT:
            msg = "database '" + path + "' is corrupt (" + detail + ")";
            break;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            msg = "database '" + path + "' stayed busy (another process held its lock) while trying to " +
                  what + " (" + detail + ")";
            break;
        case SQLITE_CANTOPEN:
            msg = "cannot open database '" + path + "' (" + detail + ")";
            break;
        case SQLITE_READONLY:
            msg = "database '" + path + "' is read-only (" + detail + ")";
            break;
        case SQLITE_FULL:
            msg = "disk full writing database '" + path + "' (" + detail + ")";
            break;
        default:
            msg = "database '" + path + "': cannot " + what + " (" + detail + ")";
            break;
    }
    throw Error(ErrorKind::sqlite, msg, path);
}

Statement::Statement(sqlite3 *db, const std::string &path, const std::string &sql)
    : db_(db), path_(path), sql_(sql) {
    check_sqlite(db_, sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt_, nullptr), path_,
                 "prepare a statement");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement &Statement::bind(int i, int64_t v) {
    check_sqlite(db_, sqlite3_bind_int64(stmt_, i, v), path_, "bind a value");
    return *this;
}

Statement &Statement::bind(int i, double v) {
    check_sqlite(db_, sqlite3_bind_double(stmt_, i, v), path_, "bind a value");
    return *this;
}

Statement &Statement::bind(int i, const std::string &v) {
    check_sqlite(db_, sqlite3_bind_text(stmt_, i, v.data(), (int)v.size(), SQLITE_TRANSIENT), path_,
                 "bind a value");
    return *this;
}

Statement &Statement::bind_blob(int i, const std::vector<uint8_t> &v) {
    check_sqlite(db_, sqlite3_bind_blob(stmt_, i, v.data(), (int)v.size(), SQLITE_TRANSIENT), path_,
                 "bind a value");
    return *this;
}

Statement &Statement::bind_null(int i) {
    check_sqlite(db_, sqlite3_bind_null(stmt_, i), path_, "bind a value");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // sqlite3_reset returns the same error and clears the statement for its next use.
    sqlite3_reset(stmt_);
    check_sqlite(db_, rc, path_, "run a statement");
    return false;
}

int Statement::run() {
    while (step()) {
    }
    return sqlite3_changes(db_);
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::real(int col) const { return sqlite3_column_double(stmt_, col); }
bool Statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

std::string Statement::text(int col) const {
    const unsigned char *p = sqlite3_column_text(stmt_, col);
    return p ? std::string((const char *)p, sqlite3_column_bytes(stmt_, col)) : std::string();
}

std::vector<uint8_t> Statement::blob(int col) const {
    const auto *p = (const uint8_t *)sqlite3_column_blob(stmt_, col);
    return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(stmt_, col)) : std::vector<uint8_t>();
}

Sqlite::Sqlite(const std::string &path, int flags) : path_(path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? one_line(sqlite3_errmsg(db_)) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw Error(ErrorKind::sqlite, "cannot open database '" + path + "' (" + msg + ")", path);
    }
    sqlite3_extended_result_codes(db_, 0);
}

Sqlite::~Sqlite() {
    cache_.clear();  // statements must be finalized before the connection closes
    sqlite3_close_v2(db_);
}

void Sqlite::exec(const std::string &sql, const std::string &what) { check(try_exec(sql), what); }

int Sqlite::try_exec(const std::string &sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
}

Statement &Sqlite::cached(const std::string &sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) it = cache_.emplace(sql, std::make_unique<Statement>(db_, path_, sql)).first;
    it->second->reset();
    return *it->second;
}

int64_t Sqlite::query_int(const std::string &sql, const std::string &what) {
    sqlite3_stmt *st = nullptr;
    check(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), what);
    int rc = sqlite3_step(st);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int frc = sqlite3_finalize(st);  // returns the step's error, if any
    check(rc == SQLITE_ROW || rc == SQLITE_DONE ? frc : rc, what);
    return v;
}

Transaction::Transaction(Sqlite &db, int lock_wait_s, bool immediate) : db_(db) {
    // busy_timeout already waits inside SQLite; this loop covers the cases where SQLite returns
    // SQLITE_BUSY without calling the busy handler, and waits longer than one timeout.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lock_wait_s);
    const char *sql = immediate ? "BEGIN IMMEDIATE" : "BEGIN";
    for (int attempt = 0;; attempt++) {
        int rc = db_.try_exec(sql);
        if ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5 + 5 * std::min(attempt, 20)));
            continue;
        }
        db_.check(rc, "start a transaction");
        break;
    }
    open_ = true;
}

Transaction::~Transaction() {
    if (open_) db_.try_exec("ROLLBACK");
}

void Transaction::commit() {
    db_.exec("COMMIT", "commit a transaction");
    open_ = false;
}

}  // namespace htune
