// Entry point of every MPI parbench executable. All ranks run the same cases in lockstep (manual time is the
// maximum over ranks, so every rank makes the same iteration decisions); only rank 0 reports and writes files.
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "parbench/main.hpp"
#include "parbench/team.hpp"

namespace {

class MpiTeam final : public parbench::Team {
 public:
  MpiTeam() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void barrier() override { MPI_Barrier(MPI_COMM_WORLD); }
  double max(double value) override {
    double result = 0;
    MPI_Allreduce(&value, &result, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return result;
  }
  bool all(bool ok) override {
    int in = ok ? 1 : 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    return out != 0;
  }

 private:
  int rank_ = 0;
  int size_ = 1;
};

// Reports nothing: ranks other than 0 run the cases only to take part in them.
class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}
};

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  {
    MpiTeam team;
    parbench::set_team(team);
    SilentReporter silent;
    if (team.rank() != 0) {
      // Only rank 0 speaks (case lists, console output) and only it may open (and so truncate) the output file.
      if (std::freopen("/dev/null", "w", stdout) == nullptr) std::fclose(stdout);
      int kept = 1;
      for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--benchmark_out", 15) != 0) argv[kept++] = argv[i];
      argc = kept;
      argv[argc] = nullptr;
    }
    rc = parbench::run_main(argc, argv, parbench::kThisExecutable, team.rank() == 0 ? nullptr : &silent,
                            team.size());
    // Every rank leaves with rank 0's verdict.
    MPI_Bcast(&rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  return rc;
}
