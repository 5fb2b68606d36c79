// Entry point of every non-MPI parbench executable.
#include "parbench/main.hpp"

int main(int argc, char** argv) { return parbench::run_main(argc, argv, parbench::kThisExecutable, nullptr, 0); }
