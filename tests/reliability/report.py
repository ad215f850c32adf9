"""Writes the "## Reliability and load" section of BENCHMARKS.md (other sections are kept)."""

SECTION = "## Reliability and load"


def machine():
    return {}


def write_section(data, path):
    pass
