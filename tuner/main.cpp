// The `htune` executable: everything is in run_cli (tuner/Command.h).
#include "tuner/Command.h"

int main(int argc, char **argv) { return htune::run_cli(argc, argv); }
