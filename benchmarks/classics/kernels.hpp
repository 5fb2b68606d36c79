// The classics kernels: each problem's loop written once, a template over the model's own primitives (its queue,
// its table of forks, its bank), and the methods that are the same algorithm whatever the primitive (resource
// ordering, the waiter, trylock with backoff; the bank's coarse, ordered and atomic transfers). The loops are
// never inlined, so each model's copy has one shape, and they are compiled with the kernel placement flags in
// every benchmark source (checked by the test kernel_placement).
//
// Every wait in a primitive gives up once Arena::abort is set, so that the driver's watchdog can end a round that
// deadlocked and fail the case instead of hanging it.
#pragma once
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "classics/classics.hpp"
#include "parbench/locks/relax.hpp"
#include "parbench/padded.hpp"
#include "parbench/rounds.hpp"

namespace parbench::classics {

// ---- common -------------------------------------------------------------------------------------------------

// How often a blocked wait looks at Arena::abort: short against the watchdog's limit, long against a hand-over.
inline constexpr std::chrono::milliseconds kAbortPoll{10};

// Waits for `try_for(kAbortPoll)` to succeed, giving up (false) once the round is aborted. `try_now()` first, so
// that the uncontended path is the primitive's own fast path.
template <class TryNow, class TryFor>
bool wait_abortable(const std::atomic<bool>& abort, TryNow&& try_now, TryFor&& try_for) {
  if (try_now()) return true;
  while (!try_for(kAbortPoll))
    if (abort.load(std::memory_order_relaxed)) return false;
  return true;
}

// Spins (pause, then yield: locks::SpinWait) until `ready()`, giving up once the round is aborted.
template <class Ready>
bool spin_abortable(const std::atomic<bool>& abort, Ready&& ready) {
  locks::SpinWait wait;
  while (!ready()) {
    if (abort.load(std::memory_order_relaxed)) return false;
    wait.once();
  }
  return true;
}

// A 64-bit mixing function (splitmix64's finaliser): the checksum term of an item, and the bank's seeding.
constexpr std::uint64_t mix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A lock or fork alone on its destructive-interference range, so that an array of them can be indexed.
template <class Lockable>
struct alignas(kDestructiveRange) Spaced : Lockable {
  using Lockable::Lockable;
};

// ---- producer_consumer --------------------------------------------------------------------------------------

// An item says who made it and its place in that producer's sequence.
inline constexpr int kSequenceBits = 40;
constexpr std::uint64_t item_of(int producer, std::uint64_t sequence) {
  return (static_cast<std::uint64_t>(producer) << kSequenceBits) | sequence;
}
// Consumers claim items from the round's budget in chunks of this many (a contended atomic per item would add
// a second bouncing line to every hand-over); a consumer then takes exactly that many items from the buffer.
inline constexpr std::int64_t kClaimChunk = 16;

// Sum of mix(item) over every item of a round: what the consumers' checksums must add up to.
std::uint64_t expected_checksum(std::uint64_t items, int producers);

// Producer `producer` puts its `count` items into `queue` in sequence. Queue::push(item, abort) blocks while the
// buffer is full and returns false once the round is aborted.
template <class Queue>
[[gnu::noinline]] void produce_loop(Queue& queue, Arena& arena, int worker, int producer, std::uint64_t count) {
  std::uint64_t made = 0;
  for (; made < count; ++made) {
    if (!queue.push(item_of(producer, made), arena.abort)) break;
    arena.progress[worker].value.store(made + 1, std::memory_order_relaxed);
  }
  arena.tallies[worker].value = Tally{made, 0, 0, 0};
}

// A consumer claims items from the budget and takes each from `queue` (Queue::pop(item, abort), blocking while
// the buffer is empty). It checks that each producer's items reach it in increasing sequence (a FIFO buffer
// cannot reorder them; a duplicate or a reordering shows) and sums mix(item) into its checksum (a lost or
// duplicated item changes the total).
template <class Queue>
[[gnu::noinline]] void consume_loop(Queue& queue, Arena& arena, int worker, int producers) {
  std::uint64_t next_sequence[kMaxCpuWorkers] = {};  // per producer: the least sequence still acceptable
  std::uint64_t taken = 0, checksum = 0, violations = 0;
  for (;;) {
    const std::int64_t left = arena.budget.fetch_sub(kClaimChunk, std::memory_order_relaxed);
    if (left <= 0) break;
    const std::int64_t claim = std::min(kClaimChunk, left);
    for (std::int64_t i = 0; i < claim; ++i) {
      std::uint64_t item = 0;
      if (!queue.pop(item, arena.abort)) goto finished;  // the round was aborted
      const std::uint64_t producer = item >> kSequenceBits;
      const std::uint64_t sequence = item & ((std::uint64_t{1} << kSequenceBits) - 1);
      if (producer >= static_cast<std::uint64_t>(producers) || sequence < next_sequence[producer]) ++violations;
      else next_sequence[producer] = sequence + 1;
      checksum += mix(item);
      ++taken;
      arena.progress[worker].value.store(taken, std::memory_order_relaxed);
    }
  }
finished:
  arena.tallies[worker].value = Tally{taken, checksum, violations, 0};
}

// ---- philosophers -------------------------------------------------------------------------------------------

enum class Dining {
  ordered,  // resource ordering: the lower-numbered fork first
  waiter,   // a waiter (a semaphore) seats at most N-1 at once, who then take left, then right
  trylock,  // take the left fork, try the right; on failure put the left back and back off
  naive,    // left, then right, everyone at once: deadlocks (test-only; never registered in a benchmark)
};

// Iterations of an empty loop (about a cycle each) a meal lasts, and a philosopher thinks between meals: long
// enough that two neighbours eating at once would overlap; thinking lets a neighbour woken by the release take
// the fork before the same philosopher is hungry again.
inline constexpr std::uint64_t kMealIterations = 64;
inline constexpr std::uint64_t kThinkIterations = 1024;

// A table of forks and (for the waiter) seats, the method written once over the model's primitives. Fork is a
// lockable with try_lock() and try_lock_for(duration) (std::timed_mutex); Seats is a counting semaphore with
// try_acquire(), try_acquire_for(duration) and release().
template <class Fork, class Seats>
class Table {
 public:
  Table(Dining method, Arena& arena, int diners, Fork* forks, Seats* seats)
      : method_(method), arena_(arena), diners_(diners), forks_(forks), seats_(seats) {}

  // Takes both forks of philosopher p (left fork p, right fork p+1 mod n); false once the round is aborted.
  bool pick_up(int left, int right, std::uint64_t& backoff_state) {
    const std::atomic<bool>& abort = arena_.abort;
    switch (method_) {
      case Dining::ordered:
        if (!take(std::min(left, right), abort)) return false;
        if (take(std::max(left, right), abort)) return true;
        forks_[std::min(left, right)].unlock();
        return false;
      case Dining::waiter:
        if (!wait_abortable(abort, [&] { return seats_->try_acquire(); },
                            [&](auto d) { return seats_->try_acquire_for(d); }))
          return false;
        if (take(left, abort)) {
          if (take(right, abort)) return true;
          forks_[left].unlock();
        }
        seats_->release();
        return false;
      case Dining::trylock:
        for (std::uint32_t attempt = 0;; ++attempt) {
          if (!take(left, abort)) return false;
          if (forks_[right].try_lock()) return true;
          forks_[left].unlock();
          if (abort.load(std::memory_order_relaxed)) return false;
          back_off(attempt, backoff_state);
        }
      case Dining::naive:
        if (!take(left, abort)) return false;
        // The start line (the round's first meals): everyone holds a left fork before anyone reaches for a
        // right one, so nobody gets one. The wait gives up on abort, like every other.
        arena_.start_line.fetch_add(1);
        if (!spin_abortable(abort, [&] { return arena_.start_line.load() >= diners_; })) {
          forks_[left].unlock();
          return false;
        }
        if (take(right, abort)) return true;
        forks_[left].unlock();
        return false;
    }
    return false;
  }

  void put_down(int left, int right) {
    forks_[right].unlock();
    forks_[left].unlock();
    if (method_ == Dining::waiter) seats_->release();
  }

 private:
  bool take(int fork, const std::atomic<bool>& abort) {
    Fork& f = forks_[fork];
    return wait_abortable(abort, [&] { return f.try_lock(); }, [&](auto d) { return f.try_lock_for(d); });
  }
  // Randomised exponential backoff (pauses, then yields): neighbours that collided retry at different times.
  static void back_off(std::uint32_t attempt, std::uint64_t& state) {
    state = mix(state);
    const std::uint32_t cap = 1u << std::min<std::uint32_t>(attempt + 2, 10);
    const std::uint32_t pauses = static_cast<std::uint32_t>(state % cap);
    if (attempt >= 8) sched_yield();
    for (std::uint32_t i = 0; i < pauses; ++i) locks::cpu_relax();
  }

  Dining method_;
  Arena& arena_;
  int diners_;
  Fork* forks_;
  Seats* seats_;
};

// Philosopher p eats until the round's meals are served: claims a meal from the budget, picks up both forks,
// checks that it owns them (each fork's owner slot) and that neither neighbour is eating, eats, checks again and
// puts the forks down. Nobody starts before everyone is seated: otherwise the first worker woken (a forked child
// woken first) eats a small round alone, and the fairness figures measure the wake-up order, not the method.
template <class Table>
[[gnu::noinline]] void dine_loop(Table& table, Arena& arena, int philosopher, int diners) {
  const int left = philosopher, right = (philosopher + 1) % diners;
  const int left_neighbour = (philosopher + diners - 1) % diners, right_neighbour = right;
  std::uint64_t meals = 0, violations = 0, backoff_state = mix(static_cast<std::uint64_t>(philosopher));
  arena.seated.fetch_add(1);
  spin_abortable(arena.abort, [&] { return arena.seated.load() >= diners; });
  while (!arena.abort.load(std::memory_order_relaxed) && arena.budget.fetch_sub(1, std::memory_order_relaxed) > 0) {
    if (!table.pick_up(left, right, backoff_state)) break;
    violations += arena.fork_owner[left].value.exchange(philosopher) != -1 ? 1 : 0;
    violations += arena.fork_owner[right].value.exchange(philosopher) != -1 ? 1 : 0;
    arena.eating[philosopher].value.store(true);  // seq_cst: of two neighbours eating at once, one sees the other
    violations += arena.eating[left_neighbour].value.load() ? 1 : 0;
    violations += arena.eating[right_neighbour].value.load() ? 1 : 0;
    for (std::uint64_t i = 0; i < kMealIterations; ++i) asm volatile("" : "+r"(i));
    arena.eating[philosopher].value.store(false);
    violations += arena.fork_owner[right].value.exchange(-1) != philosopher ? 1 : 0;
    violations += arena.fork_owner[left].value.exchange(-1) != philosopher ? 1 : 0;
    table.put_down(left, right);
    ++meals;
    arena.progress[philosopher].value.store(meals, std::memory_order_relaxed);
    for (std::uint64_t i = 0; i < kThinkIterations; ++i) asm volatile("" : "+r"(i));
  }
  arena.tallies[philosopher].value = Tally{meals, 0, violations, 0};
}

// ---- bank ---------------------------------------------------------------------------------------------------

enum class Banking {
  coarse,   // one lock around every transfer
  ordered,  // the two accounts' locks, the lower-numbered first
  atomic,   // compare-and-swap on the balances, no lock
};

// A per-worker deterministic generator (xorshift64*), seeded by worker and round: the same transfers every run.
class TransferRng {
 public:
  TransferRng(int worker, std::uint64_t round)
      : state_(mix(round * 0x100000001B3ULL + static_cast<std::uint64_t>(worker)) | 1) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1DULL;
  }
  // Uniform in [0, n) (Lemire's multiply-shift; the bias is below 2^-50 for the n used here).
  std::uint64_t below(std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

// The bank's methods over the model's lock type (any BasicLockable): `locks` is one lock (coarse) or one per
// account (ordered). A balance is read and written as a separate relaxed load and store under the lock, so a lock
// that does not exclude loses money (conservation fails). A withdrawal that would overdraw is refused, so no
// balance is ever written below zero. transfer() returns 1 when made, 0 when refused.
template <class Lock>
class Bank {
 public:
  Bank(Banking method, Arena& arena, Lock* locks) : method_(method), arena_(arena), locks_(locks) {}

  int transfer(std::uint64_t from, std::uint64_t to, std::int64_t amount) {
    switch (method_) {
      case Banking::coarse: {
        locks_[0].lock();
        const int made = move(from, to, amount);
        locks_[0].unlock();
        return made;
      }
      case Banking::ordered: {
        Lock& first = locks_[std::min(from, to)];
        Lock& second = locks_[std::max(from, to)];
        first.lock();
        second.lock();
        const int made = move(from, to, amount);
        second.unlock();
        first.unlock();
        return made;
      }
      case Banking::atomic: {
        std::atomic<std::int64_t>& source = arena_.balances[from].value;
        std::int64_t balance = source.load(std::memory_order_relaxed);
        do {
          if (balance < amount) return 0;
        } while (!source.compare_exchange_weak(balance, balance - amount, std::memory_order_relaxed));
        arena_.balances[to].value.fetch_add(amount, std::memory_order_relaxed);
        return 1;
      }
    }
    return 0;
  }

 private:
  int move(std::uint64_t from, std::uint64_t to, std::int64_t amount) {
    std::atomic<std::int64_t>& source = arena_.balances[from].value;
    std::atomic<std::int64_t>& target = arena_.balances[to].value;
    const std::int64_t balance = source.load(std::memory_order_relaxed);
    if (balance < amount) return 0;
    source.store(balance - amount, std::memory_order_relaxed);
    target.store(target.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
    return 1;
  }

  Banking method_;
  Arena& arena_;
  Lock* locks_;
};

// Worker `worker`'s `count` transfers of round `round`: each between two different random accounts, of a random
// amount 1..kMaxAmount. Bank::transfer(from, to, amount) returns 1 when it made the transfer, 0 when it refused.
template <class Bank>
[[gnu::noinline]] void transfer_loop(Bank& bank, Arena& arena, int worker, const RoundOrder& order,
                                     std::uint64_t count, std::uint64_t accounts) {
  TransferRng rng(worker, order.number);
  std::uint64_t made = 0, refused = 0, i = 0;
  for (; i < count; ++i) {
    if (arena.abort.load(std::memory_order_relaxed)) break;
    const std::uint64_t from = rng.below(accounts);
    std::uint64_t to = rng.below(accounts - 1);
    to += to >= from ? 1 : 0;
    const auto amount = static_cast<std::int64_t>(1 + rng.below(kMaxAmount));
    const int outcome = bank.transfer(from, to, amount);
    made += outcome == 1 ? 1 : 0;
    refused += outcome == 0 ? 1 : 0;
    arena.progress[worker].value.store(i + 1, std::memory_order_relaxed);
  }
  arena.tallies[worker].value = Tally{made, 0, 0, refused};
}

// ---- what a worker does in a round, for every model -----------------------------------------------------------
// Each holds the model's primitives and runs worker w's part of a round with them; a model keeps one per case
// (on the heap, or in shared memory for processes) and calls run(w, order) from its persistent workers.

// producer_consumer over a queue: the first split_of(workers).producers workers produce, the others consume.
// The queue is made from the Arena's ring (which it may ignore) and the model's further arguments.
template <class Queue>
struct HandOver {
  template <class... QueueArgs>
  HandOver(Arena& a, int w, QueueArgs&&... args)
      : arena(a), workers(w), queue(a.ring, std::forward<QueueArgs>(args)...) {}
  void run(int w, const RoundOrder& order) {
    const Split split = split_of(workers);
    if (w < split.producers) produce_loop(queue, arena, w, w, share_of(order.size, split.producers, w));
    else consume_loop(queue, arena, w, split.producers);
  }
  Arena& arena;
  int workers;
  Queue queue;
};

// philosophers: worker w is philosopher w at a table of `workers` forks.
template <class Fork, class Seats>
struct Dinner {
  Dinner(Arena& a, int diners, Dining method)
      : arena(a), diners(diners), seats(diners - 1), table(method, a, diners, forks, &seats) {}
  void run(int w, const RoundOrder&) { dine_loop(table, arena, w, diners); }
  Arena& arena;
  int diners;
  Spaced<Fork> forks[kMaxCpuWorkers];
  Seats seats;
  Table<Spaced<Fork>, Seats> table;
};

// bank: every worker makes its share of the round's transfers, with one lock per account (coarse uses the first).
template <class Lock>
struct Transfers {
  Transfers(Arena& a, int w, Banking method, std::uint64_t accounts)
      : arena(a), workers(w), accounts(accounts), bank(method, a, locks) {}
  void run(int w, const RoundOrder& order) {
    transfer_loop(bank, arena, w, order, share_of(order.size, workers, w), accounts);
  }
  Arena& arena;
  int workers;
  std::uint64_t accounts;
  Spaced<Lock> locks[kMaxAccounts];
  Bank<Spaced<Lock>> bank;
};

// The method names of the case names.
inline Dining dining_of(const std::string& method) {
  if (method == "ordered") return Dining::ordered;
  if (method == "waiter") return Dining::waiter;
  if (method == "trylock") return Dining::trylock;
  if (method == "naive") return Dining::naive;
  throw std::logic_error("no philosophers method '" + method + "'");
}
inline Banking banking_of(const std::string& method) {
  if (method == "coarse") return Banking::coarse;
  if (method == "ordered") return Banking::ordered;
  if (method == "atomic") return Banking::atomic;
  throw std::logic_error("no bank method '" + method + "'");
}

}  // namespace parbench::classics
