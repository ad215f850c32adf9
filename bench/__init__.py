"""Benchmarks (issue 6): ``make bench`` runs ``bench/run.py``. See bench/README.md."""
