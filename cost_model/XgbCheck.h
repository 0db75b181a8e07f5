// The one place XGBoost C API return codes are checked (DESIGN.md, "Errors"): every call in
// cost_model/ goes through xgb_check, so a failure always becomes htune::Error(xgboost).
#pragma once

#include <string>

namespace htune {

// Throws Error(ErrorKind::xgboost, "<call>: <XGBGetLastError()>") when `rc` is non-zero.
// `call` names the C API function (and, where useful, what it was doing). Thread-safe as far
// as XGBGetLastError is (it is thread-local in XGBoost 1.7).
void xgb_check(int rc, const char *call);

}  // namespace htune
