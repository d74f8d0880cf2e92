// ReadSecretKey: one value of a v1 Secret, for controllers that take
// credentials by reference (encryption keys, database passwords, webhook
// URLs, TLS material). The value is returned decoded and is never put in an
// error message: errors name only the Secret and the key.
#pragma once

#include <string>

#include "operator/common/status.h"
#include "operator/runtime/client.h"

namespace dw::runtime {

// NotFound: `secret "ns/name" not found`; Invalid: `secret "ns/name" has no
// key "k"` or `... key "k" is not valid base64`. Other errors as the client
// returned them. With `found` (an optional key), a missing key is OK with
// *found false and *out empty instead of the "has no key" error.
Status ReadSecretKey(Client* client, const std::string& ns, const std::string& name,
                     const std::string& key, std::string* out, bool* found = nullptr);

}  // namespace dw::runtime
