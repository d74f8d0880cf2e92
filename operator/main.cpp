// dockward: one binary, server and client (like k3s). `dockward serve` runs
// the API server and controllers; every other verb is a kubectl-style client.
#include "operator/cli/cli.h"

int main(int argc, char** argv) { return dw::cli::Main(argc, argv); }
