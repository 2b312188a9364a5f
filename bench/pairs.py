#!/usr/bin/python3
"""pairs.py: times two commands in turn, A B A B ..., N pairs, and prints
each one's median wall and CPU (user + system, the kernel's own accounting
of the finished process) seconds and the median of the pairs' ratios A / B.
Used by bench/run.sh: on a shared machine a ratio measured pair by pair
holds when the machine's speed drifts; two figures from different runs do
not.

  pairs.py N NAME_A NAME_B STDOUT_A STDOUT_B -- CMD_A ... -- CMD_B ...

Each run's standard output goes to STDOUT_A / STDOUT_B (the last run's
stays), standard error is dropped. Prints two lines, e.g.
  5 paired runs, medians: A 0.101 s wall 0.099 s CPU, B 0.050 s wall ...
  A / B: wall x2.02, CPU x1.98 (medians of the pairs' ratios)
"""
import os
import statistics
import subprocess
import sys
import time


def once(cmd, out):
    """Runs cmd; returns (wall, cpu) seconds."""
    with open(out, "wb") as f, open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=null)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        print("   (exit status %d from: %s)" % (os.waitstatus_to_exitcode(status), " ".join(cmd)))
    return wall, ru.ru_utime + ru.ru_stime


def main(argv):
    if len(argv) < 9 or argv[6] != "--" or "--" not in argv[7:]:
        sys.exit(__doc__)
    n, name_a, name_b, out_a, out_b = int(argv[1]), argv[2], argv[3], argv[4], argv[5]
    rest = argv[7:]
    k = rest.index("--")
    cmd_a, cmd_b = rest[:k], rest[k + 1:]
    a, b = [], []
    for _ in range(n):
        a.append(once(cmd_a, out_a))
        b.append(once(cmd_b, out_b))
    med = statistics.median
    print("   %d paired runs, medians: %s %.3f s wall, %.3f s CPU; %s %.3f s wall, %.3f s CPU"
          % (n, name_a, med(x[0] for x in a), med(x[1] for x in a),
             name_b, med(x[0] for x in b), med(x[1] for x in b)))
    print("   %s / %s: wall x%.3g, CPU x%.3g (medians of the pairs' ratios)"
          % (name_a, name_b, med(x[0] / y[0] for x, y in zip(a, b)),
             med(x[1] / max(y[1], 1e-6) for x, y in zip(a, b))))


if __name__ == "__main__":
    main(sys.argv)
