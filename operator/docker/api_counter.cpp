#include "operator/docker/api_counter.h"

#include <atomic>

namespace dw::docker {

namespace {
// Relaxed: a monotonic statistic, never used to order other memory.
std::atomic<uint64_t> g_requests{0};
}  // namespace

uint64_t ApiRequestCount() { return g_requests.load(std::memory_order_relaxed); }
void NoteApiRequest() { g_requests.fetch_add(1, std::memory_order_relaxed); }

}  // namespace dw::docker
