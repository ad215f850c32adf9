"""Integrity flags: inhumanly fast full scores, one device / national ID / phone behind
several accounts, bursts of registrations."""

from datetime import timedelta

import pytest

from elearning.models import Profile
from elearning.roles import ORGANIZER
from quizzes.services import integrity
from tests.factories.elearning import OfficialFactory, ProfileFactory, UnitFactory, user_with_role
from tests.factories.results import closed_contest, graded_attempt, questions_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def contest():
    return closed_contest(questions=5)


@pytest.fixture
def round1(contest):
    return contest.rounds.get(number=1)


def test_fast_full_scores_are_flagged_under_two_seconds_per_question(contest, round1):
    questions = questions_of(contest)
    bot = ProfileFactory(full_name="Máy")
    graded_attempt(bot, round1, right=questions, seconds=9.9)  # 5 questions in 9.9 s
    graded_attempt(ProfileFactory(full_name="Nhanh"), round1, right=questions, seconds=10)  # exactly 2 s each
    graded_attempt(ProfileFactory(full_name="Đoán"), round1, right=questions[:4], wrong=questions[4:], seconds=3)
    flagged = list(integrity.fast_full_scores(contest))
    assert [a.user.profile.full_name for a in flagged] == ["Máy"]


def test_one_device_behind_several_accounts(contest, round1):
    questions = questions_of(contest)
    a, b, c = (ProfileFactory(full_name=name) for name in ("An", "Bình", "Chi"))
    graded_attempt(a, round1, right=questions, device="d1")
    graded_attempt(b, round1, right=questions, device="d1")
    graded_attempt(b, round1, right=questions, device="d1")
    graded_attempt(c, round1, right=questions, device="d2")
    graded_attempt(c, round1, right=questions, device="d2")  # one person, one device: fine
    graded_attempt(ProfileFactory(), round1, right=questions, device="")  # unknown device: never grouped
    graded_attempt(ProfileFactory(), round1, right=questions, device="")
    groups = integrity.shared_devices(contest)
    assert [(g.key, [acc.name for acc in g.accounts], g.attempts) for g in groups] == [("d1", ["An", "Bình"], 3)]


def test_one_national_id_written_twice(contest, round1):
    questions = questions_of(contest)
    first = ProfileFactory(full_name="Lan", national_id="123456789")
    ProfileFactory(full_name="Lan 2", national_id="123.456.789")  # slipped past validation (raw import)
    ProfileFactory(full_name="Khác", national_id="001234567890")
    # a pair where nobody took part in the contest is none of its business
    ProfileFactory(national_id="987654321")
    ProfileFactory(national_id="987 654 321")
    graded_attempt(first, round1, right=questions)
    groups = integrity.shared_national_ids(contest)
    assert [(g.key, sorted(acc.name for acc in g.accounts)) for g in groups] == [("123456789", ["Lan", "Lan 2"])]
    took_part = {acc.name: acc.took_part for acc in groups[0].accounts}
    assert took_part == {"Lan": True, "Lan 2": False}


def test_one_phone_behind_several_accounts(contest, round1):
    questions = questions_of(contest)
    ProfileFactory(full_name="Chủ", phone="0912345678")
    # the same phone as another account's email
    second = ProfileFactory(full_name="Tài khoản phụ", phone="0987000111")
    second.user.email = "0912345678@gmail.com"
    second.user.save()
    # the same number without its leading zero
    ProfileFactory(full_name="Thiếu số 0", phone="912345678")
    # an ordinary email that is not a phone number
    other = ProfileFactory(full_name="Bình thường", phone="0987000222")
    other.user.email = "binh.thuong@example.com"
    other.user.save()
    graded_attempt(second, round1, right=questions)
    groups = integrity.shared_phones(contest)
    assert [(g.key, sorted(acc.name for acc in g.accounts)) for g in groups] == [
        ("0912345678", ["Chủ", "Thiếu số 0", "Tài khoản phụ"])
    ]


def registered(count, *, at, unit=None, spacing=timedelta(seconds=20), factory=ProfileFactory):
    profiles = [factory(unit=unit) if unit else factory() for _ in range(count)]
    for index, profile in enumerate(profiles):
        Profile.objects.filter(pk=profile.pk).update(created_at=at + index * spacing)
    return profiles


def test_registration_bursts_per_unit_and_overall(contest, round1):
    questions = questions_of(contest)
    commune = UnitFactory(name="Xã Động Đạt")
    start = round1.opens_at + timedelta(hours=2)
    burst = registered(20, at=start, unit=commune)  # 20 in 6 min 20 s, one unit
    graded_attempt(burst[0], round1, right=questions)
    graded_attempt(burst[1], round1, right=questions)
    # 19 in another unit later: not a burst on their own
    registered(19, at=start + timedelta(days=1))
    # officials imported by the hundred: left out
    registered(30, at=start + timedelta(days=2), spacing=timedelta(seconds=1), factory=OfficialFactory)
    bursts = integrity.registration_bursts(contest)
    assert [(b.unit, b.count, b.took_part) for b in bursts] == [("", 20, 2), ("Xã Động Đạt", 20, 2)]
    assert bursts[0].start == start and bursts[0].end == start + 19 * timedelta(seconds=20)


def test_registrations_spread_out_are_no_burst(contest, round1):
    registered(40, at=round1.opens_at, spacing=timedelta(seconds=40))  # 20 need 12 min 40 s
    assert integrity.registration_bursts(contest) == []


def test_registrations_long_before_the_contest_are_left_out(contest, round1):
    registered(25, at=round1.opens_at - timedelta(days=30), unit=UnitFactory())
    assert integrity.registration_bursts(contest) == []


def test_find_bursts_merges_overlapping_windows_and_splits_distant_ones():
    times = [0, 1, 2, 3, 4, 10, 20, 21, 22, 40]
    assert integrity.find_bursts(times, size=3, window=2) == [(0, 4), (6, 8)]
    assert integrity.find_bursts(times, size=4, window=2) == []
    assert integrity.find_bursts([], size=3, window=2) == []


def test_the_dashboard_lists_the_flags(client, contest, round1):
    questions = questions_of(contest)
    a, b = ProfileFactory(full_name="Người A"), ProfileFactory(full_name="Người B")
    graded_attempt(a, round1, right=questions, device="abcdef0123456789", seconds=3)
    graded_attempt(b, round1, right=questions, device="abcdef0123456789", seconds=60)
    client.force_login(user_with_role(ORGANIZER, unit=None))
    response = client.get(f"/admin/contest/results/{contest.pk}/")
    html = response.content.decode()
    report = response.context["integrity"]
    assert report.fast_count == 1 and len(report.devices) == 1
    assert "abcdef0123456789" in html and "Người A" in html and "Người B" in html


def test_flags_are_per_contest(contest, round1):
    other = closed_contest(questions=5)
    questions = questions_of(contest)
    graded_attempt(ProfileFactory(), round1, right=questions, device="same", seconds=1)
    graded_attempt(ProfileFactory(), round1, right=questions, device="same", seconds=1)
    report = integrity.integrity_report(other)
    assert (report.fast_count, report.devices, report.bursts) == (0, [], [])
    assert integrity.integrity_report(contest).fast_count == 2
