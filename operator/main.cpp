// dockward: one binary, server and client (like k3s). `dockward serve` runs
// the API server and controllers; every other verb is a kubectl-style client.
#include <cstring>

#include "operator/cli/cli.h"
#include "operator/serve/serve.h"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "serve") == 0) return dw::serve::ServeMain(argc, argv);
  return dw::cli::Main(argc, argv);
}
