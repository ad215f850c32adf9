"""Integrity flags for the organizer: signs worth a second look, never verdicts.

- inhumanly fast full scores: every question right in under 2 s per question;
- one device for several accounts (Attempt.device: a hash of the browser and address —
  a commune office behind one router with identical computers can share one too);
- one national ID or one phone number behind several accounts: the database keeps both
  unique, so what can still happen is the same number written differently (``123.456.789``
  and ``123456789``, ``912345678`` and ``0912345678``) or an account whose email is another
  account's phone number (``0912345678@gmail.com``);
- bursts of registrations: many citizens self-registering within minutes, overall or in one
  unit. Officials are left out: organizers import them by the hundred in one go.

Each check looks only at accounts that took part in the contest (bursts: citizens who
registered while it ran) and runs a fixed number of queries.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F

from elearning.models import Profile, Unit
from quizzes.models import Attempt

FAST_MS_PER_QUESTION = 2000
BURST_SIZE = 20
BURST_WINDOW = timedelta(minutes=10)
REGISTRATION_LOOKBACK = timedelta(days=14)  # registrations before round 1 opens that still count
LIMIT = 100  # rows shown per flag; the count says how many there are


@dataclass
class Account:
    user_id: int
    name: str
    unit: str
    took_part: bool = True


@dataclass
class SharedGroup:
    """Several accounts behind one device, national ID or phone number."""

    key: str
    accounts: list = field(default_factory=list)
    attempts: int = 0


@dataclass
class Burst:
    unit: str  # "" for all units together
    start: object
    end: object
    count: int
    took_part: int = 0


def _accounts(user_ids, took_part=None):
    profiles = (
        Profile.objects.filter(user_id__in=user_ids).select_related("unit").only("user_id", "full_name", "unit__name")
    )
    found = {
        profile.user_id: Account(profile.user_id, profile.full_name, profile.unit.name if profile.unit else "")
        for profile in profiles
    }
    accounts = []
    for user_id in sorted(user_ids):
        account = found.get(user_id) or Account(user_id, "", "")
        if took_part is not None:
            account.took_part = user_id in took_part
        accounts.append(account)
    return accounts


def fast_full_scores(contest, ms_per_question=FAST_MS_PER_QUESTION):
    """Finished attempts with every answer right in under ``ms_per_question`` per question, fastest first."""
    return (
        Attempt.objects.finished()
        .filter(contest=contest, max_score__gt=0, score=F("max_score"))
        .filter(duration_ms__lt=F("max_score") * ms_per_question)
        .select_related("round", "unit", "user__profile")
        .order_by("duration_ms", "pk")
    )


def shared_devices(contest, minimum=2, limit=LIMIT):
    """Devices several accounts took part from, the most accounts first."""
    rows = list(
        Attempt.objects.filter(contest=contest)
        .exclude(device="")
        .values("device")
        .annotate(users=Count("user", distinct=True), attempts=Count("id"))
        .filter(users__gte=minimum)
        .order_by("-users", "device")[:limit]
    )
    if not rows:
        return []
    users = defaultdict(set)
    for device, user_id in (
        Attempt.objects.filter(contest=contest, device__in=[row["device"] for row in rows])
        .values_list("device", "user_id")
        .distinct()
    ):
        users[device].add(user_id)
    accounts = {account.user_id: account for account in _accounts({u for ids in users.values() for u in ids})}
    return [
        SharedGroup(row["device"], [accounts[u] for u in sorted(users[row["device"]])], row["attempts"]) for row in rows
    ]


def normalize_national_id(value):
    return re.sub(r"\D", "", value or "")


def normalize_phone(value):
    """Digits of a Vietnamese mobile number in the 0xxxxxxxxx form, or ""."""
    digits = re.sub(r"\D", "", value or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    return digits if len(digits) == 10 else ""


def _groups_with_participants(keyed, contest, limit):
    """``keyed``: {normalised value: {user_id}}; the groups of two or more accounts, at
    least one of which took part in the contest."""
    shared = {key: ids for key, ids in keyed.items() if len(ids) >= 2}
    if not shared:
        return []
    everyone = {u for ids in shared.values() for u in ids}
    took_part = set(
        Attempt.objects.filter(contest=contest, user_id__in=everyone).values_list("user_id", flat=True).distinct()
    )
    shared = {key: ids for key, ids in shared.items() if ids & took_part}
    if not shared:
        return []
    accounts = {a.user_id: a for a in _accounts({u for ids in shared.values() for u in ids}, took_part)}
    groups = [SharedGroup(key, [accounts[u] for u in sorted(ids)]) for key, ids in shared.items()]
    groups.sort(key=lambda g: (-len(g.accounts), g.key))
    return groups[:limit]


def shared_national_ids(contest, limit=LIMIT):
    """National ID numbers that, written the same way, belong to several accounts."""
    keyed = defaultdict(set)
    for user_id, national_id in Profile.objects.filter(national_id__isnull=False).values_list("user_id", "national_id"):
        key = normalize_national_id(national_id)
        if key:
            keyed[key].add(user_id)
    return _groups_with_participants(keyed, contest, limit)


def shared_phones(contest, limit=LIMIT):
    """Phone numbers behind several accounts: the same number written differently, or
    one account's phone used as another account's email address."""
    keyed = defaultdict(set)
    for user_id, phone in Profile.objects.values_list("user_id", "phone"):
        key = normalize_phone(phone)
        if key:
            keyed[key].add(user_id)
    for user_id, email in get_user_model().objects.exclude(email="").values_list("pk", "email"):
        local = email.split("@", 1)[0]
        if re.fullmatch(r"[\d\s.+\-()]{9,16}", local):
            key = normalize_phone(local)
            if key in keyed:
                keyed[key].add(user_id)
    return _groups_with_participants(keyed, contest, limit)


def find_bursts(times, size=BURST_SIZE, window=BURST_WINDOW):
    """``[(first, last)]`` index ranges of the sorted ``times`` where ``size`` or more fall
    within ``window`` of the first; overlapping windows make one burst."""
    count = len(times)
    cover = [0] * (count + 1)
    end = 0
    for start in range(count):
        end = max(end, start)
        while end + 1 < count and times[end + 1] - times[start] <= window:
            end += 1
        if end - start + 1 >= size:
            cover[start] += 1
            cover[end + 1] -= 1
    bursts, running, current = [], 0, None
    for index in range(count):
        running += cover[index]
        if running and current and times[index] - times[current[1]] <= window and current[1] == index - 1:
            current[1] = index
            continue
        if current:
            bursts.append(tuple(current))
        current = [index, index] if running else None
    if current:
        bursts.append(tuple(current))
    return bursts


def registration_bursts(contest, size=BURST_SIZE, window=BURST_WINDOW):
    """Bursts of citizens' self-registrations while the contest ran (from two weeks before
    its first round to the close of its last), over all units and in each unit."""
    rounds = list(contest.rounds.values_list("opens_at", "closes_at"))
    if not rounds:
        return []
    start = min(opens for opens, _closes in rounds) - REGISTRATION_LOOKBACK
    end = max(closes for _opens, closes in rounds)
    registrations = list(
        Profile.objects.filter(kind=Profile.Kind.CITIZEN, created_at__gte=start, created_at__lte=end)
        .order_by("created_at", "pk")
        .values_list("created_at", "user_id", "unit_id")
    )
    scopes = defaultdict(list)  # {unit_id or None for all units: [(created_at, user_id)]}
    for created_at, user_id, unit_id in registrations:
        scopes[None].append((created_at, user_id))
        if unit_id is not None:
            scopes[unit_id].append((created_at, user_id))
    found = []  # (unit_id, [(created_at, user_id)] of the burst)
    for unit_id, items in scopes.items():
        for first, last in find_bursts([created for created, _user in items], size, window):
            found.append((unit_id, items[first : last + 1]))
    if not found:
        return []
    unit_names = dict(Unit.objects.filter(pk__in={u for u, _items in found if u}).values_list("pk", "name"))
    took_part = set(
        Attempt.objects.filter(contest=contest, user_id__in={user for _u, items in found for _c, user in items})
        .values_list("user_id", flat=True)
        .distinct()
    )
    bursts = [
        Burst(
            unit=unit_names.get(unit_id, "") if unit_id else "",
            start=items[0][0],
            end=items[-1][0],
            count=len(items),
            took_part=sum(1 for _created, user in items if user in took_part),
        )
        for unit_id, items in found
    ]
    bursts.sort(key=lambda b: (b.start, b.unit != "", b.unit))
    return bursts


@dataclass
class IntegrityReport:
    fast: list
    fast_count: int
    devices: list
    national_ids: list
    phones: list
    bursts: list

    @property
    def total(self):
        return self.fast_count + len(self.devices) + len(self.national_ids) + len(self.phones) + len(self.bursts)


def integrity_report(contest, limit=LIMIT):
    fast = fast_full_scores(contest)
    return IntegrityReport(
        fast=list(fast[:limit]),
        fast_count=fast.count(),
        devices=shared_devices(contest, limit=limit),
        national_ids=shared_national_ids(contest, limit=limit),
        phones=shared_phones(contest, limit=limit),
        bursts=registration_bursts(contest),
    )
