// JSON Lines export/import of records: the portable tuning log shared between machines of the
// same device type. One Record (Record.h to_json) per line; import is validate-all-then-commit.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "db/Database.h"

namespace htune {

// Extra per-record validation (e.g. the schedule parses and its hash matches); throws a usage
// Error with the reason. db/ cannot check schedules itself (it does not depend on schedules/).
using RecordValidator = std::function<void(const Record &)>;

struct ImportStats {
    int64_t lines = 0;       // records read (blank lines are skipped)
    int64_t inserted = 0;    // new records
    int64_t duplicates = 0;  // already in the database (or repeated in the file): skipped
};

// Writes the records matching `q` to `out`, one per line, in commit order; returns the count.
int64_t export_jsonl(Database &db, const RecordQuery &q, std::ostream &out);

// Parses and validates every line of `in`; throws a usage Error "NAME:LINE: reason" for the
// first bad line. `name` is only used in messages.
std::vector<Record> read_jsonl(std::istream &in, const std::string &name,
                               const RecordValidator &validate = {});

// read_jsonl on the file at `path`, then ONE commit: a file with a bad line imports nothing.
// Throws an io Error when the file cannot be read.
ImportStats import_jsonl(Database &db, const std::string &path, const RecordValidator &validate = {});

}  // namespace htune
