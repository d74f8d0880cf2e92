// `dockward report`: the findings recorded in StackLimits status, as
// wgpolicyk8s.io/v1alpha2 PolicyReports (the format Kyverno and Policy
// Reporter read) or as a table for people. The formatting is separate from
// the verb so it can be tested without a server.
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::cli {

struct ReportOptions {
  std::string format = "table";  // table, policyreport (= yaml), yaml, json
  bool single = false;           // one named object: printed bare, not in a List
  bool with_namespace = false;   // -A: table headers name the namespace
};

// True for the -o values `report` accepts ("" means table).
bool IsReportFormat(const std::string& format);

// Formats StackLimits objects as read from the API server and appends the text
// to `out`. Fails only on a malformed status.
Status FormatStackReports(const std::vector<json::Document>& objects, const ReportOptions& opts,
                          std::string* out);

}  // namespace dw::cli
