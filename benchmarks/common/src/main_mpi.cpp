// Entry point of every MPI parbench executable. All ranks run the same cases in lockstep (manual time is the
// maximum over ranks, so every rank makes the same iteration decisions); only rank 0 reports and writes files.
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <set>
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
  int sum(int value) override {
    int result = 0;
    MPI_Allreduce(&value, &result, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
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

std::string library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, static_cast<std::size_t>(length));
  return version.substr(0, version.find_first_of(",\n"));
}

// Open MPI's transport components, from its MPI_T control variables after MPI_Init: a component's variables
// stay registered only while it is open, so the components named by live `<framework>_<component>_*` variables
// are those in use (pml: the one selected; btl: those initialised; osc: the candidates, chosen per window, which
// MPI_T does not say). Empty strings when the library exposes no such variables (another MPI).
void add_transport_context() {
  int provided = 0;
  if (MPI_T_init_thread(MPI_THREAD_SINGLE, &provided) != MPI_SUCCESS) return;
  std::set<std::string> components[3];
  const char* frameworks[3] = {"pml", "btl", "osc"};
  int count = 0;
  MPI_T_cvar_get_num(&count);
  for (int i = 0; i < count; ++i) {
    char name[256], description[1024];
    int name_length = sizeof name, description_length = sizeof description, verbosity = 0, binding = 0, scope = 0;
    MPI_Datatype type;
    MPI_T_enum enumtype;
    if (MPI_T_cvar_get_info(i, name, &name_length, &verbosity, &type, &enumtype, description, &description_length,
                            &binding, &scope) != MPI_SUCCESS)
      continue;  // a closed component's variable
    const std::string variable(name);
    for (int f = 0; f < 3; ++f) {
      const std::string prefix = std::string(frameworks[f]) + "_";
      if (variable.rfind(prefix, 0) != 0) continue;
      const std::string component = variable.substr(prefix.size(), variable.find('_', prefix.size()) - prefix.size());
      if (component != "base") components[f].insert(component);
    }
  }
  MPI_T_finalize();
  const char* keys[3] = {"mpi_pml", "mpi_btl", "mpi_osc_candidates"};
  for (int f = 0; f < 3; ++f) {
    std::string list;
    for (const auto& c : components[f]) list += (list.empty() ? "" : ",") + c;
    benchmark::AddCustomContext(keys[f], list);
  }
  benchmark::AddCustomContext("mpi_transport_method", "components whose MPI_T control variables are still registered after MPI_Init");
}

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
    benchmark::AddCustomContext("mpi_library", library_version());
    add_transport_context();
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
