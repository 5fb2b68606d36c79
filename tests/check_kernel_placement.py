#!/usr/bin/env python3
"""Checks that the workloads' kernels (counters, locks, sync, classics, matrix, messaging) sit where the placement flags put them, in built
executables: every kernel function starts on a 64-byte boundary, and each of its loops starts on one or fits inside one 64-byte block (a
loop straddling a boundary can run at two cycles per iteration instead of one, which once made the 1-worker
figure of the same loop differ 2x between models).

    check_kernel_placement.py EXECUTABLE...    (exit 0: all placed; 1: a kernel misplaced or missing)"""
import re
import subprocess
import sys

BLOCK = 64
FUNCTION = re.compile(r"^([0-9a-f]+) <(?:void )?(parbench::(?:counters::count_(?:racy|atomic|owned|locked)|"
                      r"locks::(?:acquire_loop|read_mix_loop|latency_loop|work_loop)|sync::(?:delay|reference_loop)|"
                      r"classics::(?:produce_loop|consume_loop|dine_loop|transfer_loop)|messaging::checksum|"
                      r"matrix::(?:stream_(?:copy|scale|add|triad|dot|initialize)|gemm_naive_block|fma_chain_loop))\b.*)>:$")
# The locks acquisition loop holds the lock algorithms' own code (spin, retry, queue hand-over, futex wake)
# inlined; its backward branches include jumps back from slow paths that are no loop header GCC aligns, and every
# such stretch holds a branch or an atomic, pause or call of tens of cycles, where a split fetch block costs
# nothing measurable. Only its straight-line loops of plain instructions (the calibrated critical-section and gap
# loops, one cycle per iteration) are held to the rule; the others are listed, not failed.
# The classics loops hold their primitives (queue, forks, bank) inlined the same way; in them GCC also jumps back
# into a shared epilogue, a backward branch over a `ret` that is no loop at all. The matrix STREAM kernels are
# vectorised: their short-range path jumps back into the scalar epilogue, a backward branch that is no loop (the
# stretch holds branches); their vector loops are plain and held to the rule.
ONLY_PLAIN_LOOPS = re.compile(r"parbench::(?:locks::(?:acquire_loop|read_mix_loop|latency_loop)|classics::\w+_loop\b|"
                              r"matrix::stream_|matrix::gemm_naive_block)")
SLOW = re.compile(r"^(?:lock|xchg|pause|call|cmpxchg|j|ret)")
# GCC moves a function's unlikely paths (a throw, an exception's clean-up: the classics pipe and TBB queues) into
# a separate "[clone .cold]" part, entered only on those paths and holding no hot loop: not a kernel to place.
COLD_PART = "[clone .cold]"
ANY_FUNCTION = re.compile(r"^[0-9a-f]+ <.*>:$")
INSTRUCTION = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s*(\S*)")


def kernels(executable):
    """{name: (start, [instruction addresses], [(branch address, target)], {address: mnemonic})} of the kernel
    functions."""
    listing = subprocess.run(["objdump", "-d", "-C", "--no-show-raw-insn", executable], check=True,
                             capture_output=True, text=True).stdout
    found, current = {}, None
    for line in listing.splitlines():
        if (m := FUNCTION.match(line)) and COLD_PART not in m.group(2):
            current = found.setdefault(m.group(2), (int(m.group(1), 16), [], [], {}))
        elif ANY_FUNCTION.match(line):
            current = None
        elif current is not None and (m := INSTRUCTION.match(line)):
            address = int(m.group(1), 16)
            current[1].append(address)
            current[3][address] = m.group(2)
            if m.group(2).startswith("j") and re.fullmatch(r"[0-9a-f]+", m.group(3)):
                current[2].append((address, int(m.group(3), 16)))
    return found


def problems(executable):
    found = kernels(executable)
    if not found:
        return [f"{executable}: no kernel found"]
    out = []
    for name, (start, addresses, branches, mnemonics) in sorted(found.items()):
        if start % BLOCK:
            out.append(f"{executable}: {name} starts at {start:#x}, not on a {BLOCK}-byte boundary")
        loops = [(target, addresses[addresses.index(branch) + 1] if branch != addresses[-1] else branch + 2)
                 for branch, target in branches if start <= target <= branch]
        if not loops:
            out.append(f"{executable}: {name} has no loop")
        for head, end in loops:
            body = [a for a in addresses if head <= a < end][:-1]  # without the closing branch
            if ONLY_PLAIN_LOOPS.match(name) and any(SLOW.match(mnemonics[a]) for a in body):
                continue
            if head % BLOCK and head // BLOCK != (end - 1) // BLOCK:
                out.append(f"{executable}: {name} has a loop at {head:#x}..{end:#x} that straddles a "
                           f"{BLOCK}-byte boundary")
        print(f"{executable}: {name} at {start:#x}, loops at " + ", ".join(f"{h:#x}..{e:#x}" for h, e in loops))
    return out


def main(executables):
    failures = [p for exe in executables for p in problems(exe)]
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
