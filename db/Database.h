// The tuning database seam: one SQLite file holding what was measured (RecordStore), the runs
// that measured it (RunStore), saved cost models (ModelStore) and autoschedulers that gave no
// seed (SeedFailureStore). Database is their composition plus the file itself. Implementation:
// SqliteDatabase.cpp (opening and migrations: Schema.cpp).
//
// Which to take: a new caller takes the narrowest store it uses (RecordStore & for lookups,
// commits and export; ModelStore & to save or load a cost model; RunStore &, SeedFailureStore &
// likewise) and Database & only when it needs several of them or the file (path, integrity).
// Every Database converts to each of them.
#pragma once

#include <memory>
#include <string>

#include "db/ModelStore.h"
#include "db/RecordStore.h"
#include "db/RunStore.h"
#include "db/SeedFailureStore.h"

namespace htune {

// PRAGMA user_version this htune writes; older files are migrated, newer ones refused.
constexpr int kDatabaseSchemaVersion = 5;
constexpr const char *kDefaultDatabasePath = "htune.db";

struct OpenOptions {
    bool create = true;           // create the file when missing (else an io Error)
    int busy_timeout_ms = 30000;  // how long one statement waits on another process's lock
    int lock_wait_s = 600;        // how long a batch waits for the write lock in total
};

// Not thread-safe: one Database per thread. Any number of processes may share one file.
// Every method throws htune::Error (kind sqlite) with one line naming the file on failure.
class Database : public RecordStore, public RunStore, public ModelStore, public SeedFailureStore {
public:
    ~Database() override = default;

    // `PRAGMA integrity_check` ("ok" when healthy); reads the whole file.
    virtual std::string integrity_check() = 0;
    virtual const std::string &path() const = 0;
};

// Opens (creating and migrating as needed) the database at `path`; ":memory:" gives a private
// in-memory database (the fake for tests). Refuses, before writing anything, a file that is not
// an htune database, is corrupt, or was written by a newer htune.
std::unique_ptr<Database> open_database(const std::string &path, const OpenOptions &options = {});

}  // namespace htune
