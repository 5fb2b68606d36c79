// How the processes of one executable agree on timing and verdicts: one process, or all ranks of an MPI world.
#pragma once

namespace parbench {

class Team {
 public:
  virtual ~Team() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  virtual void barrier() {}
  // The largest value over all ranks (round time is the slowest rank's).
  virtual double max(double value) { return value; }
  // The sum over all ranks (how many ranks took part in a round).
  virtual int sum(int value) { return value; }
  // True only when every rank says true (a verdict must be the same on every rank).
  virtual bool all(bool ok) { return ok; }
};

// The executable's team; set once by main before any case runs.
Team& team();
void set_team(Team& t);

}  // namespace parbench
