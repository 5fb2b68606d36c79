// The classics kernels on their own: the bank's generator, checksum and methods, the split of workers, and the
// philosophers' table excluding neighbours, under real threads.
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "classics/classics.hpp"
#include "classics/kernels.hpp"

namespace parbench::classics {
namespace {

TEST(ClassicsKernels, GeneratorIsDeterministicPerWorkerAndRound) {
  TransferRng a(1, 7), b(1, 7), other_worker(2, 7), other_round(1, 8);
  const std::uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, other_worker.next());
  EXPECT_NE(first, other_round.next());
  for (int i = 0; i < 1000; ++i) EXPECT_LT(a.below(64), 64u);
}

TEST(ClassicsKernels, SplitHasAProducerAndAConsumer) {
  EXPECT_EQ(split_of(2).producers, 1);
  EXPECT_EQ(split_of(2).consumers, 1);
  EXPECT_EQ(split_of(3).producers, 1);
  EXPECT_EQ(split_of(3).consumers, 2);
  EXPECT_EQ(split_of(8).producers, 4);
}

TEST(ClassicsKernels, ChecksumTellsADuplicateFromTheItemItReplaced) {
  // Two producers of 5 items: replacing the last item of producer 1 by a second copy of its first changes it.
  const std::uint64_t expected = expected_checksum(10, 2);
  std::uint64_t sum = 0;
  for (int p = 0; p < 2; ++p)
    for (std::uint64_t s = 0; s < 5; ++s) sum += mix(item_of(p, s));
  EXPECT_EQ(sum, expected);
  EXPECT_NE(sum - mix(item_of(1, 4)) + mix(item_of(1, 0)), expected);
}

// Runs `workers` threads of `count` transfers each on a fresh arena; returns the arena.
template <class Lock>
std::unique_ptr<Arena> run_bank(Banking method, int workers, std::uint64_t accounts, std::uint64_t count) {
  auto arena = std::make_unique<Arena>();
  arena->reset(Case{Variant::bank, "", 0, accounts});
  auto work = std::make_unique<Transfers<Lock>>(*arena, workers, method, accounts);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] { work->run(w, RoundOrder{count * static_cast<std::uint64_t>(workers), 1}); });
  for (auto& t : threads) t.join();
  return arena;
}

TEST(ClassicsKernels, EveryBankMethodConservesMoneyUnderThreads) {
  for (Banking method : {Banking::coarse, Banking::ordered, Banking::atomic}) {
    const auto arena = run_bank<std::mutex>(method, 3, 4, 20000);
    const RoundResult r = RoundResult::of(*arena, Case{Variant::bank, "", 0, 4}, 3);
    EXPECT_EQ(r.total_balance, 4 * kInitialBalance);
    EXPECT_GE(r.lowest_balance, 0);
    for (int w = 0; w < 3; ++w) EXPECT_EQ(r.done[w] + r.refused_by[w], 20000u);
    EXPECT_GT(r.refused, 0u) << "4 accounts of 1000 and 60000 transfers: some must be refused";
  }
}

TEST(ClassicsKernels, RefusesAnOverdraft) {
  Arena arena;
  arena.reset(Case{Variant::bank, "", 0, 2});
  std::mutex lock;
  for (Banking method : {Banking::coarse, Banking::atomic}) {
    Bank<std::mutex> bank(method, arena, &lock);
    EXPECT_EQ(bank.transfer(0, 1, kInitialBalance + 1), 0);
    EXPECT_EQ(bank.transfer(0, 1, kInitialBalance), 1);
    EXPECT_EQ(bank.transfer(0, 1, 1), 0);
    EXPECT_EQ(arena.balances[0].value.load(), 0);
    EXPECT_EQ(bank.transfer(1, 0, kInitialBalance), 1);
    EXPECT_EQ(arena.balances[0].value.load(), kInitialBalance);
    EXPECT_EQ(arena.balances[1].value.load(), kInitialBalance);
  }
}

TEST(ClassicsKernels, EveryTableMethodKeepsNeighboursApart) {
  using ThreadsDinner = Dinner<std::timed_mutex, std::counting_semaphore<kMaxCpuWorkers>>;
  for (Dining method : {Dining::ordered, Dining::waiter, Dining::trylock}) {
    constexpr int kDiners = 5;
    auto arena = std::make_unique<Arena>();
    arena->reset(Case{Variant::philosophers, "", 0, 0});
    arena->budget.store(20000);
    auto dinner = std::make_unique<ThreadsDinner>(*arena, kDiners, method);
    std::vector<std::thread> threads;
    for (int p = 0; p < kDiners; ++p) threads.emplace_back([&, p] { dinner->run(p, RoundOrder{20000, 1}); });
    for (auto& t : threads) t.join();
    const RoundResult r = RoundResult::of(*arena, Case{Variant::philosophers, "", 0, 0}, kDiners);
    EXPECT_EQ(r.violations, 0u);
    std::uint64_t meals = 0;
    for (std::uint64_t m : r.done) meals += m;
    EXPECT_EQ(meals, 20000u);
  }
}

}  // namespace
}  // namespace parbench::classics
