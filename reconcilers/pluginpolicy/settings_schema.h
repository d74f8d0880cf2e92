// Local check of a package's settings against its manifest's settings_schema
// (JSON Schema draft-07, a fixed subset), so Audit can report bad settings and
// Enforce never sends known-bad ones. The server stays authoritative.
// The subset: type (one or an array), properties, required,
// additionalProperties (bool or schema), items (one schema), enum, const,
// minimum, maximum, exclusiveMinimum/exclusiveMaximum (numeric, draft-07),
// minLength, maxLength, pattern, minItems, maxItems, uniqueItems; boolean
// schemas; annotations (title, description, default, examples, $comment,
// $schema, $id, readOnly, writeOnly) are ignored. Any other keyword makes the
// whole check "skipped" (never a false refusal): the server decides.
// Implemented as a translation to the OpenAPI flavour schema::Validate speaks.
// Error paths are "settings", "settings.a.b", "settings.list[2]".
#pragma once

#include <string>
#include <vector>

#include "operator/common/status.h"
#include "operator/json/json.h"

namespace dw::pluginpolicy {

struct SettingsCheck {
  bool checked = false;        // false: schema outside the subset, see skipped_reason
  std::string skipped_reason;  // "keyword \"$ref\" at settings.a is not supported locally"
  std::vector<FieldCause> errors;  // empty when checked and valid; field = "settings.a.b"
  bool ok() const { return errors.empty(); }
};

// `schema` null (no schema declared) checks nothing and passes.
SettingsCheck CheckSettings(const json::Value& schema, const json::Value& settings);

// "settings.a: <reason>" lines joined by '\n', in the order found; at most
// 20, then "and N more".
std::string FormatSettingsErrors(const std::vector<FieldCause>& errors);

}  // namespace dw::pluginpolicy
