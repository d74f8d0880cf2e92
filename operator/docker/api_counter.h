// A process-wide count of the HTTP requests DockerClient sends to any daemon.
// A streaming request (events, stats, exec attach, archive upload) counts
// once, however long it lasts. Exported as a metric, and used by benchmarks to
// show that an audit costs a few calls per host, not one per container per rule.
#pragma once

#include <cstdint>

namespace dw::docker {

uint64_t ApiRequestCount();
// Called by DockerClient just before each request goes on the wire.
void NoteApiRequest();

}  // namespace dw::docker
