// Object output formats shared by get/apply: -o yaml|json|name|jsonpath=.
// Keys are sorted as kubectl's printers sort them (they print Go maps), and a
// multi-object result is wrapped in a "v1 List" like kubectl does.
#pragma once

#include <string>
#include <vector>

#include "operator/cli/rest_mapper.h"
#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::cli {

// Recursively orders object members by key, in place.
void SortKeys(json::Value& v);

// Builds {"apiVersion":"v1","items":[...],"kind":"List","metadata":{"resourceVersion":""}}
// by moving `items` (each sorted).
void MakeList(std::vector<json::Document>& items, json::Document* out);

// "yaml", "json", "name" or "jsonpath=TEMPLATE" / "jsonpath={..}" applied to
// `obj`; `res` names objects for -o name. Appends to `out`.
Status FormatObject(const std::string& format, json::Value& obj, const ApiResource* res,
                    std::string* out);

// True for the formats FormatObject handles.
bool IsObjectFormat(const std::string& format);

}  // namespace dw::cli
