"""Row shapes shared by both backends (what the API and pages show)."""


def individual_row(rank, name, unit_name, score, duration_ms):
    return {
        "rank": rank,
        "name": name,
        "unit": unit_name,
        "score": score,
        "duration_seconds": round(duration_ms / 1000, 3),
    }
