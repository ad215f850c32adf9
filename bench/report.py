"""Writes the "## Performance" section of BENCHMARKS.md from a run's results.

Other sections of BENCHMARKS.md (e.g. "## Reliability and load") are kept as they are.
The hand-written analysis in bench/findings.md is appended to the section.
"""

import json
from pathlib import Path

SECTION = "## Performance"
WRITES = ("API autosave", "API submit")


def _fmt(value, digits=0):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def baseline_for(key):
    connections = " c64" if key.endswith(" c64") else ""
    if key.startswith(WRITES):
        return f"baseline select+insert{connections}"
    return "baseline hello"


def ratio(engine, key):
    w = engine.get("wrk", {})
    if key not in w or key.startswith("baseline"):
        return None
    if "ratio_median" in w[key]:  # paired with a baseline run just before each of its runs
        return w[key]["ratio_median"]
    base = w.get(baseline_for(key))
    return w[key]["rps_median"] / base["rps_median"] if base else None


def _pct(value):
    if value is None:
        return "–"
    return f"{100 * value:.1f} %" if value < 0.1 else f"{100 * value:.0f} %"


def _mb(sizes):
    return ", ".join(f"{v} MB" for v in (sizes or {}).values()) or "–"


def _seconds(figures):
    if not figures or figures.get("p50_ms") is None:
        return "–"
    return f"{figures['p50_ms'] / 1000:.1f} / {figures['p99_ms'] / 1000:.1f} s"


def _verdict(ok, detail=""):
    if ok is None:
        return "not measured"
    return ("**met**" if ok else "**missed**") + (f" ({detail})" if detail else "")


def goals(results):
    pg = results.get("pg", {})
    w = pg.get("wrk", {})
    backends = pg.get("inprocess", {}).get("backends", {})
    views = pg.get("inprocess", {}).get("views", {})
    rows = []

    def ratio_goal(label, key, target):
        value = ratio(pg, key)
        ok = None if value is None else value >= target
        detail = (
            "" if value is None or ok else f"{100 * (target - value):.0f} points short, {target / value:.1f}× needed"
        )
        base = baseline_for(key)
        rows.append((label, f"≥ {target:.0%} of {base}", _pct(value), _verdict(ok, detail)))

    ratio_goal("autosave throughput", "API autosave", 0.60)
    ratio_goal("submit throughput", "API submit", 0.30)
    for key in ("API autosave c64", "API submit c64"):
        p99 = w.get(key, {}).get("p99_ms_median")
        ok = None if p99 is None else p99 < 100
        rows.append(
            (f"{key.removeprefix('API ')} p99", "< 100 ms at 64 connections", f"{_fmt(p99, 1)} ms",
             _verdict(ok, "" if ok or p99 is None else f"{p99 / 100:.1f}× the target"))
        )  # fmt: skip
    ratio_goal("leaderboard top-50 (Redis)", "API leaderboard round top-50", 0.50)
    ratio_goal("my rank (Redis)", "API my rank (round)", 0.50)

    def server_time(label, key, target, source=backends):
        p95 = source.get(key, {}).get("p95_ms")
        ok = None if p95 is None else p95 <= target
        rows.append(
            (label, f"server time p95 ≤ {target} ms", f"{_fmt(p95, 2)} ms",
             _verdict(ok, "" if ok or p95 is None else f"{p95 / target:.1f}× the target"))
        )  # fmt: skip

    server_time("SQL top-50 (backend: total + page)", "sql round top-50 (total + page)", 5)
    server_time("SQL top-50 (view, test client)", "sql: leaderboard round top-50", 5, views)
    server_time("SQL my rank (backend)", "sql round my rank", 10)
    server_time("SQL my rank (view, test client)", "sql: my rank (round)", 10, views)
    server_time("unit board (backend)", "unit board (round)", 10)
    server_time("unit board (view, test client)", "unit board (round)", 10, views)

    rush = pg.get("rush")
    if rush:
        verify = rush.get("verify", {})
        p99 = rush["latency"]["all"]["p99_ms"]
        in_window = rush["finished_in_window"] == rush["participants"]
        ok = in_window and rush["errors"] == 0 and verify.get("lost_answers") == 0 and p99 is not None and p99 <= 500
        detail = (
            f"{rush['finished_in_window']:,}/{rush['participants']:,} finished in the {rush['window_s']} s window, "
            f"last at {rush['last_finish_s']} s; {rush['errors']} errors; "
            f"{rush.get('not_finished_by_cap', 0):,} cut off by the {rush['cap_s']} s cap; "
            f"{verify.get('lost_answers')} lost answers "
            f"of {verify.get('acknowledged_answers'):,}; p99 {p99} ms"
        )
        rows.append(("deadline rush", f"{rush['participants']:,} participants in {rush['window_s']} s, 0 errors, "
                     "0 lost, p99 ≤ 500 ms", detail, _verdict(ok)))  # fmt: skip
    paced = pg.get("paced_rush")
    if paced:
        verify = paced.get("verify", {})
        p99 = paced["latency"]["all"]["p99_ms"]
        ok = (
            paced["finished_in_window"] == paced["participants"] and paced["errors"] == 0
            and verify.get("lost_answers") == 0 and p99 is not None and p99 <= 500
        )  # fmt: skip
        detail = (
            f"{paced['finished_in_window']:,}/{paced['participants']:,} submitted in the {paced['window_s']} s window "
            f"(busiest second {paced['busiest_second_submits']}); {paced['errors']} errors; "
            f"{verify.get('lost_answers')} lost answers of {verify.get('acknowledged_answers'):,}; p99 {p99} ms"
        )
        think = paced["think_s"]
        rows.append((f"deadline rush, paced like people ({think[0]:g}–{think[1]:g} s per question; not the goal's "
                     "reading above)", "the same", detail, _verdict(ok)))  # fmt: skip
    lesson = ratio(pg, "page lesson (logged-in learner)")
    rows.append(
        ("lesson page, logged-in", "≥ 10 % of hello", _pct(lesson),
         _verdict(None if lesson is None else lesson >= 0.10,
                  "" if lesson is None or lesson >= 0.10 else f"{0.10 / lesson:.1f}× needed"))
    )  # fmt: skip
    for key in [k for k in w if k.startswith("page ") and "anonymous" in k]:
        value = ratio(pg, key)
        rows.append(
            (key.removeprefix("page "), "≥ 40 % of hello", _pct(value),
             _verdict(value >= 0.40, "" if value >= 0.40 else f"{0.40 / value:.1f}× needed"))
        )  # fmt: skip
    rss, paced_rss = pg.get("rss_after_rush_mb") or {}, pg.get("rss_after_paced_rush_mb") or {}
    if rss:
        worst = max([*rss.values(), *paced_rss.values()])
        seen = f"{_mb(rss)}" + (f"; after the paced rush too: {_mb(paced_rss)}" if paced_rss else "")
        rows.append(("worker memory after the rush", "< 150 MB RSS", seen, _verdict(worst < 150)))
    if "rebuild_finished" in pg:
        count = results.get("settings", {}).get("participants")
        full = count >= 1_000_000
        if pg["rebuild_finished"]:
            value, ok = f"{pg['rebuild_seconds']} s", pg["rebuild_seconds"] < 30
        else:
            p = pg["rebuild_progress"]
            value = (
                f"not done after {pg['rebuild_cap']} s ({p['entries_done']:,} of {p['entries_total']:,} board entries); "
                f"projected {pg['rebuild_projected_s']} s"
            )
            ok = False
        rows.append(
            (f"rebuild_leaderboards ({count:,} standings)", "< 30 s", value,
             _verdict(ok if full else None, "" if full else "quick mode: not the 1M goal"))
        )  # fmt: skip
    consistency = pg.get("consistency")
    if consistency:
        rows.append(("two instances, shared PostgreSQL + Redis", "same attempt state and boards",
                     f"{len(consistency['steps']) - len(consistency['problems'])}/{len(consistency['steps'])} checks",
                     _verdict(not consistency["problems"])))  # fmt: skip
    queries = pg.get("inprocess", {}).get("queries", {})
    varying = [label for label, seen in queries.items() if len({s["queries"] for s in seen}) > 1]
    rows.append(("constant query counts", "same count for other users / page sizes",
                 "varies: " + ", ".join(varying) if varying else "constant on every endpoint measured",
                 _verdict(not varying)))  # fmt: skip
    return rows


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(results):
    m = results["machine"]
    s = results["settings"]
    pg, lite = results.get("pg", {}), results.get("sqlite", {})
    out = [SECTION, ""]
    out.append(
        f"_Written by `make bench` (bench/run.py), mode **{results['mode']}**, {results['started']} UTC, "
        f"in {results['elapsed_s'] // 60} min {results['elapsed_s'] % 60} s. Raw figures: "
        f"`bench/reports/latest-{results['mode']}.json`; py-spy stacks and logs: `bench/results/` (not committed)._"
    )
    out.append("")
    out.append(
        "**Noise.** The machine is shared: 2 cores for gunicorn, PostgreSQL, Redis, the load generator and other "
        f"engineers' test runs (load average {' '.join(m['loadavg_start'])} at the start, "
        f"{' '.join(m.get('loadavg_end', ['?']))} at the end). Absolute figures drift between runs by tens of per cent; "
        "the goals are ratios to the baselines measured in the same run, on the same database, by the same gunicorn."
    )
    out += ["", "### Machine, versions, method", ""]
    out.append(
        f"- {m.get('cpu')}, {m['nproc']} cores, {m.get('memory_gib')} GiB; {m['platform']}; Python {m['python']}."
    )
    out.append(
        f"- Django {m.get('django')}, Wagtail {m.get('wagtail')}, DRF {m.get('drf')}, gunicorn {m.get('gunicorn')}, "
        f"psycopg {m.get('psycopg')}, redis-py {m.get('redis_py')}; {m.get('postgresql')} "
        f"({', '.join(f'{k}={v}' for k, v in m.get('pg_settings', {}).items())}); Redis {m.get('redis')}; {m.get('wrk')}."
    )
    out.append(
        "- Command: `make bench` (full) or `BENCH_QUICK=1 make bench`; `BENCH_SKIP_SQLITE=1` for PostgreSQL only. "
        "gunicorn `--workers 2 --worker-class sync` on 127.0.0.1 (settings `bench/settings.py`: the production "
        "settings without HTTPS redirect and with the per-IP API ceiling raised, since every simulated person "
        "comes from 127.0.0.1). wrk `-t2`, 16 connections unless marked c64; the same 2 cores run wrk too."
    )
    out.append(
        f"- Each figure: {s['runs']} runs × {s['seconds']} s on PostgreSQL + Redis, {s['sqlite_runs']} × "
        f"{s['sqlite_seconds']} s on SQLite; the median, with (min–max) over the runs."
    )
    out.append(
        f"- Data (bench/generate.py, cached as a template and cloned per run): {s['participants']:,} standings in "
        f"round 1 of `cchc-2018` on PostgreSQL ({s['sqlite_participants']:,} on SQLite), {200} units, "
        f"{s['in_progress']:,} attempts in progress (autosave/submit pool), {s['rush']:,} fresh accounts for the rush"
        + (f" and {s['rush']:,} more for the paced rush." if "paced_think" in s else ".")
    )
    out += ["", "### Goals", ""]
    out.append(table(["goal", "target", "measured (PostgreSQL + Redis)", "result"], goals(results)))

    out += ["", "### Throughput (wrk), ratio to the baseline of the same run", ""]
    rows = []
    keys = list(pg.get("wrk", {}))
    keys += [k for k in lite.get("wrk", {}) if k not in keys]
    keys.sort(key=lambda k: not k.startswith("baseline"))  # baselines first, otherwise run order
    for key in keys:
        a, b = pg.get("wrk", {}).get(key), lite.get("wrk", {}).get(key)

        def cell(e):
            if not e:
                return "–", "–"
            errors = f", {e['errors']} errors" if e["errors"] else ""
            return (f"{e['rps_median']:,.0f} ({e['rps_min']:,.0f}–{e['rps_max']:,.0f})",
                    f"{e['p50_ms_median']:.1f} / {e['p99_ms_median']:.1f}{errors}")  # fmt: skip

        rows.append(
            (key, (a or b)["connections"], *cell(a), _pct(ratio(pg, key)) if a else "–", *cell(b),
             _pct(ratio(lite, key)) if b else "–")
        )  # fmt: skip
    out.append(
        table(
            ["scenario", "conns", "PG req/s", "PG p50 / p99 ms", "PG ratio", "SQLite req/s", "SQLite p50 / p99 ms",
             "SQLite ratio"],
            rows,
        )
    )  # fmt: skip
    out.append("")
    out.append(
        "Ratios: writes (autosave, submit) to `baseline select+insert` at the same connection count; everything else "
        "to `baseline hello` (a bare Django view, no middleware). Each run of a scenario is paired with a run of its "
        "baseline just before it (the baseline's gunicorn stays up next to the app's), and the ratio is the median "
        "of the per-pair ratios, so a change in the machine's load during the benchmark cancels out. The baseline "
        "rows themselves are separate runs at the start. For reference, the same hello view with Django's default "
        "middleware is listed too."
    )
    sg = pg.get("submit_graded")
    if sg:
        out.append(
            f"Submit: {sg['requests']:,} requests counted by wrk, {sg['graded']:,} attempts graded in the pool slices used "
            "(each request takes a fresh attempt; requests still queued when wrk stops are graded too, so graded ≥ "
            "counted means no request fell back to the cheap repeat path)."
        )

    out += ["", "### Server time in-process (no network), N calls, ms", ""]
    rows = []
    ip_pg, ip_lite = pg.get("inprocess", {}), lite.get("inprocess", {})
    for group in ("backends", "views"):
        keys = list(ip_pg.get(group, {}))
        for key in keys + [k for k in ip_lite.get(group, {}) if k not in keys]:
            a, b = ip_pg.get(group, {}).get(key), ip_lite.get(group, {}).get(key)

            def cell(e):
                return (f"{e['p50_ms']:.2f} / {e['p95_ms']:.2f} / {e['p99_ms']:.2f}", e["n"]) if e else ("–", "–")

            rows.append(((("view " if group == "views" else "") + key), *cell(a), *cell(b)))
    out.append(table(["measure", "PG(+Redis) p50 / p95 / p99", "n", "SQLite p50 / p95 / p99", "n"], rows))
    out.append("")
    out.append(
        f"Backends are called directly (`SqlLeaderboard`, `RedisLeaderboard`, `unit_board`); views go through Django's "
        f"test client (middleware, DRF, serialisation; `sql:` rows with the view's backend forced to SQL). "
        f"{ip_pg.get('standings', 0):,} standings on PostgreSQL, {ip_lite.get('standings', 0):,} on SQLite."
    )

    queries = ip_pg.get("queries", {})
    if queries:
        out += ["", "### Query counts (two users or two page sizes each)", ""]
        lite_q = ip_lite.get("queries", {})
        rows = [
            (label, ", ".join(str(s["queries"]) for s in seen), ", ".join(str(s["status"]) for s in seen),
             ", ".join(str(s["queries"]) for s in lite_q.get(label, [])) or "–")
            for label, seen in queries.items()
        ]  # fmt: skip
        out.append(table(["request", "PG + Redis queries", "status", "SQLite queries"], rows))

    for engine, data in (("PostgreSQL + Redis", pg), ("SQLite", lite)):
        rush = data.get("rush")
        if not rush:
            continue
        v = rush.get("verify", {})
        out += ["", f"### Deadline rush — {engine}", ""]
        out.append(
            f"{rush['participants']:,} simulated participants (bench/rush.py, asyncio) arrive spread over the first "
            f"{rush['window_s'] - 10} s of a {rush['window_s']} s window; at most {rush['concurrency_limit']} answer at "
            "once (each with one request in flight, so 64 connections), the others wait for a place; each starts "
            f"an attempt, autosaves 10 answers and submits, back to back, no think time (hard cap {rush['cap_s']} s, "
            "after which nothing more is sent; those cut off count as having waited until then)."
        )
        out.append("")
        lat = rush["latency"]
        out.append(
            table(
                ["figure", "value"],
                [
                    ("finished (submitted)", f"{rush['finished']:,} of {rush['participants']:,}"),
                    ("finished inside the window", f"{rush['finished_in_window']:,}"),
                    ("last submit after", f"{rush['last_finish_s']} s (run {rush['elapsed_s']} s)"),
                    ("requests, throughput", f"{rush['requests']:,}, {rush['throughput_rps']} req/s"),
                    ("errors (HTTP)", f"{rush['errors']} {rush['error_samples'][:3] if rush['errors'] else ''}"),
                    ("cut off by the cap (not finished)", f"{rush.get('not_finished_by_cap', 0):,}"),
                    ("waited for a place p50 / p99", _seconds(rush.get("waited_at_door", {}))),
                    ("latency p50 / p95 / p99 all requests",
                     f"{lat['all']['p50_ms']} / {lat['all']['p95_ms']} / {lat['all']['p99_ms']} ms"),
                    ("p99 start / autosave / submit",
                     f"{lat['start']['p99_ms']} / {lat['autosave']['p99_ms']} / {lat['submit']['p99_ms']} ms"),
                    ("arrival to submitted p50 / p99", _seconds(rush["session"])),
                    ("acknowledged answers / lost", f"{v.get('acknowledged_answers')} / {v.get('lost_answers')}"),
                    ("scores wrong / standings missing", f"{v.get('wrong_scores')} / {v.get('missing_standings')}"),
                    ("gunicorn workers' RSS before → after", f"{_mb(data.get('rss_before_rush_mb'))} → "
                     f"{_mb(data.get('rss_after_rush_mb'))}"),
                ],
            )
        )  # fmt: skip

    for engine, data in (("PostgreSQL + Redis", pg), ("SQLite", lite)):
        paced = data.get("paced_rush")
        if not paced:
            continue
        v = paced.get("verify", {})
        lat = paced["latency"]
        think = paced["think_s"]
        out += ["", f"### Deadline rush paced like people — {engine}", ""]
        out.append(
            f"Another {paced['participants']:,} fresh participants (`bench/rush.py` `paced_rush`). Each reads every "
            f"question before answering: {think[0]:g}–{think[1]:g} s (uniformly) before each of the 10 autosaves and "
            f"before the submit, so a session takes about {11 * (think[0] + think[1]) / 2:.0f} s. Their submits are "
            f"spread evenly over one {paced['window_s']} s window, which opens {paced['window_opens_s']} s into the "
            "run, once the slowest readers have started. Each person has at most one request in flight and nobody "
            f"waits at a door. A request is sent at its planned moment, or at once if the previous one was late. Hard "
            f"cap: {paced['cap_s']} s after the window."
        )
        out.append("")
        out.append(
            table(
                ["figure", "value"],
                [
                    ("submitted inside the window", f"{paced['finished_in_window']:,} of {paced['participants']:,}"),
                    ("first / last submit, from the window's opening",
                     f"{paced['first_finish_s']} / {paced['last_finish_s']} s"),
                    ("most submits in one second", f"{paced['busiest_second_submits']}"),
                    ("requests, average throughput", f"{paced['requests']:,}, {paced['throughput_rps']} req/s "
                     f"(run {paced['elapsed_s']} s)"),
                    ("errors (HTTP)", f"{paced['errors']} {paced['error_samples'][:3] if paced['errors'] else ''}"),
                    ("cut off by the cap", f"{paced['not_finished_by_cap']:,}"),
                    ("latency p50 / p95 / p99 all requests",
                     f"{lat['all']['p50_ms']} / {lat['all']['p95_ms']} / {lat['all']['p99_ms']} ms"),
                    ("p99 start / autosave / submit",
                     f"{lat['start']['p99_ms']} / {lat['autosave']['p99_ms']} / {lat['submit']['p99_ms']} ms"),
                    ("acknowledged answers / lost", f"{v.get('acknowledged_answers')} / {v.get('lost_answers')}"),
                    ("scores wrong / standings missing", f"{v.get('wrong_scores')} / {v.get('missing_standings')}"),
                    ("gunicorn workers' RSS after", _mb(data.get("rss_after_paced_rush_mb"))),
                ],
            )
        )  # fmt: skip

    if "rebuild_finished" in pg:
        out += ["", "### rebuild_leaderboards", ""]
        if pg["rebuild_finished"]:
            head = f"**{pg['rebuild_seconds']} s**"
        else:
            p = pg["rebuild_progress"]
            head = (
                f"**stopped after {pg['rebuild_cap']} s** with {p['entries_done']:,} of {p['entries_total']:,} board "
                f"entries written (round board + contest-wide board); at that pace the whole rebuild takes about "
                f"**{pg['rebuild_projected_s']} s**"
            )
        out.append(
            "`manage.py rebuild_leaderboards` against the bench's Redis db, timed at the end of the PostgreSQL run "
            f"(sampled by py-spy --nonblocking): {head}. " + "; ".join(pg["rebuild_output"])
        )
        prof = pg.get("rebuild_profile")
        if prof:
            out += ["", f"py-spy of the command ({prof['samples']} samples):", "", "```"]
            out.append("-- project code (inclusive) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof.get("project", [])[:6]]
            out.append("-- libraries (inclusive) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof["inclusive"]]
            out.append("-- self (leaf) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof["self"][:8]]
            out.append("```")
        loaded = pg.get("boards_loaded")
        if loaded:
            out.append("")
            out.append(
                f"For comparison, the bench's own loader (`bench/inprocess.py load-boards`: `values_list` of the five "
                f"columns, one ZADD / HSET mapping per 20,000 standings) writes the same keys in {loaded['seconds']} s "
                "(Python start-up and Django set-up included)."
            )
    eq = ip_pg.get("sql_equals_redis")
    if eq:
        out.append("")
        out.append(
            "Redis and SQL boards agree: " + ", ".join(f"{k}: {'yes' if v else '**no**'}" for k, v in eq.items()) + "."
        )
    c = pg.get("consistency")
    if c:
        out += ["", "### Two gunicorn instances sharing PostgreSQL and Redis", ""]
        out.append("Instance A and instance B (another port, same settings, same PostgreSQL and Redis):")
        out.append("")
        out += [f"- {step}" for step in c["steps"]]

    profiles = pg.get("profiles") or {}
    if any(profiles.values()):
        out += ["", "### Where the time goes: py-spy of one gunicorn worker under wrk load", ""]
        out.append(
            "Share of samples whose stack contains the function (inclusive): the project's frames, then the "
            "libraries' (gunicorn, WSGI and the middleware chain, which wrap every sample, left out), then the leaf "
            "frames. `Connection.wait` / `_execute_send` (psycopg) and `_read_from_socket` (redis) are the worker "
            "waiting on PostgreSQL and Redis. Raw collapsed stacks in `bench/results/`."
        )
        for key, prof in profiles.items():
            if not prof:
                continue
            out += ["", f"**{key}** — {prof['samples']} samples", "", "```"]
            out.append("-- project code (inclusive) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof.get("project", [])]
            out.append("-- libraries (inclusive) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof["inclusive"]]
            out.append("-- self (leaf) --")
            out += [f"{share:5.1f} %  {label}" for label, share in prof["self"][:8]]
            out.append("```")
    tree = ip_pg.get("profiles") or {}
    if tree:
        out += ["", "### Where the time goes in-process: pyinstrument of 30 requests through the test client", ""]
        out.append(
            "The project's frames of each call tree (seconds for the 30 requests; middleware and framework frames "
            "left out). Full trees in `bench/results/inprocess-measure-*.json`."
        )
        for label, text in tree.items():
            out += ["", f"<details><summary>{label}</summary>", "", "```"]
            out += project_lines(text)
            out += ["```", "", "</details>"]
    findings = Path(__file__).with_name("findings.md")
    if findings.exists():
        out += ["", findings.read_text().strip()]
    return "\n".join(out) + "\n"


def project_lines(text, limit=30):
    keep = ("courses/", "elearning/models", "elearning/templatetags", "elearning/home", "quizzes/", "wagtail/views.py")
    skip = ("middleware.py", "security.py", "inprocess.py")
    lines = [
        line.rstrip() for line in text.splitlines() if any(k in line for k in keep) and not any(k in line for k in skip)
    ]
    if not lines:
        return []
    indent = min(len(line) - len(line.lstrip(" |`-")) for line in lines)
    return [line[indent:] for line in lines[:limit]]


def write_report(results, benchmarks_path, summary_path=None):
    section = render(results)
    path = Path(benchmarks_path)
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == SECTION), None)
    if start is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        text = "".join(lines[:start]) + section + ("\n" + "".join(lines[end:]) if end < len(lines) else "")
    path.write_text(text)
    if summary_path:
        slim = json.loads(json.dumps(results, default=str))
        for engine in ("pg", "sqlite"):
            for entry in slim.get(engine, {}).get("wrk", {}).values():
                entry.pop("samples", None)
                entry.pop("baseline_samples", None)
            slim.get(engine, {}).get("inprocess", {}).pop("profiles", None)
        Path(summary_path).parent.mkdir(parents=True, exist_ok=True)
        Path(summary_path).write_text(json.dumps(slim, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    data = json.loads(Path(sys.argv[1]).read_text())
    write_report(data, sys.argv[2] if len(sys.argv) > 2 else "BENCHMARKS.md")
