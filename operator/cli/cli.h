// Entry point for every dockward verb (serve, apply, get, describe, delete,
// diff, version). Returns the process exit code.
#pragma once

namespace dw::cli {
int Main(int argc, char** argv);
}  // namespace dw::cli
