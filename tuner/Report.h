// The `htune compare --html` page: one self-contained HTML file (inline CSS and
// SVG, a few lines of inline script that only measure the charts; no network,
// no libraries). Per workload: a bar chart of the rows' times, the table, and
// the tuning curve from the database history.
#pragma once

#include <string>

#include "tuner/Compare.h"

namespace htune {

std::string render_html(const CompareReport &report);

}  // namespace htune
