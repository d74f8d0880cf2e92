// `dockward serve`: composes the embedded store, the API server and the
// server-side controllers into one process, writes DATA_DIR/kubeconfig for
// kubectl and dockward, serves until SIGTERM/SIGINT and then shuts down in
// order (stop accepting, end watches, drain, close the store).
#pragma once

namespace dw::serve {

int ServeMain(int argc, char** argv);

}  // namespace dw::serve
