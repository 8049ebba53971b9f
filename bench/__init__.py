"""Speed benchmark of the harness: `make bench` runs bench/bench.py."""
