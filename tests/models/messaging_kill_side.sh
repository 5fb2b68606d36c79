#!/bin/sh
# Kills one side of a processes ping-pong mid-round with SIGKILL, for every processes transport, and checks that
# nothing is left: the executable fails the case (exit 1, "failed: … killed by signal 9") instead of hanging, no
# process of it survives, no name of ours is left in /dev/mqueue (where mounted), /dev/shm or the temporary
# folder, and while it ran every named object it held was already unlinked ("(deleted)" in /proc/PID/fd).
# Then kills the parent instead: its children must die with it (PR_SET_PDEATHSIG) and leave nothing either.
#     messaging_kill_side.sh EXECUTABLE SCRATCH_DIR      (exit 0: all clean)
exe=$1
scratch=$2
mkdir -p "$scratch" || exit 1
fail() { echo "FAIL: $*"; cat "$scratch/out" 2>/dev/null; exit 1; }
leftovers() { ls /dev/mqueue /dev/shm "${TMPDIR:-/tmp}" 2>/dev/null | grep -c 'parbench-messaging'; }
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null; }
alive() { kill -0 "$1" 2>/dev/null; }
wait_gone() {  # pid seconds
  i=0
  while alive "$1" && [ "$i" -lt "$(($2 * 10))" ]; do sleep 0.1; i=$((i + 1)); done
  ! alive "$1"
}
[ -d /dev/mqueue ] || echo "note: /dev/mqueue is not mounted here; mqueue names are checked through /proc/PID/fd only"
before=$(leftovers)

for transport in pipe unix_socket mqueue shm_futex shm_spin; do
  for victim in child parent; do
    # One latency case whose round lasts far longer than this test waits (10^7 round trips).
    "$exe" --parbench_transports="$transport" --parbench_bytes=4096 --parbench_size=10000000 --parbench_workers=2 \
      --benchmark_filter=latency >"$scratch/out" 2>&1 &
    pid=$!
    i=0
    while [ "$(children_of "$pid" | wc -w)" -lt 2 ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kids=$(children_of "$pid")
    [ "$(echo $kids | wc -w)" -eq 2 ] || { kill -KILL "$pid"; fail "$transport: the two sides never started"; }
    sleep 0.5  # well into the first round
    for k in $kids; do
      ls -l /proc/"$k"/fd 2>/dev/null | grep 'parbench-messaging' | grep -v '(deleted)' &&
        { kill -KILL "$pid" $kids; fail "$transport: a named object still has its name while in use"; }
    done
    if [ "$victim" = child ]; then
      kill -KILL $(echo $kids | cut -d' ' -f1)
      wait_gone "$pid" 30 || { kill -KILL "$pid" $kids; fail "$transport: the executable hung after a side was killed"; }
      wait "$pid"
      rc=$?
      [ "$rc" -eq 1 ] || fail "$transport: exit $rc after a side was killed, expected 1"
      grep -q "failed: .*killed by signal 9" "$scratch/out" || fail "$transport: the case was not failed"
    else
      kill -KILL "$pid"
      wait "$pid" 2>/dev/null
    fi
    for k in $kids; do
      wait_gone "$k" 10 || { kill -KILL "$k"; fail "$transport: side $k outlived the $victim's death"; }
    done
    [ "$(leftovers)" -eq "$before" ] || fail "$transport: a named object was left behind: $(ls /dev/mqueue /dev/shm 2>/dev/null | grep parbench-messaging)"
    echo "$transport, $victim killed: clean"
  done
done
