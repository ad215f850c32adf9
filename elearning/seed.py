"""Demo content for the embedded site: ``manage.py seed_demo``.

The units of Phú Lương district (Thái Nguyên), the site settings, the home page,
a news index with articles on administrative reform, one account per role, then
the seeders of the other apps (``courses.seed``, ``quizzes.seed``) when they exist.

Idempotent: every object is found by a stable key (a code, a slug, a username)
and created only when missing. Nothing that exists is changed, so a second run,
or a run after an editor changed the content, leaves the database as it was.
"""

import importlib.util
from dataclasses import dataclass
from datetime import date
from importlib import import_module

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from taggit.models import Tag
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from elearning import roles
from elearning.models import HomePage, NewsIndexPage, NewsPage, Profile, SiteSettings, Unit, UnitKind

APP_SEEDERS = ("courses", "quizzes")

# --- Units -------------------------------------------------------------------------

UNIT_KINDS = [
    # code, name, order
    ("province", "Tỉnh", 10),
    ("district", "Huyện", 20),
    ("town", "Thị trấn", 30),
    ("commune", "Xã", 40),
    ("ward", "Phường", 50),
    ("agency", "Cơ quan, đơn vị", 60),
]

PROVINCE_CODE = "tinh-thai-nguyen"
DISTRICT_CODE = "huyen-phu-luong"

# code, name, kind, parent code, headcount (officials expected to take part)
UNITS = [
    (PROVINCE_CODE, "Tỉnh Thái Nguyên", "province", None, 0),
    (DISTRICT_CODE, "Huyện Phú Lương", "district", PROVINCE_CODE, 0),
    ("thi-tran-du", "Thị trấn Đu", "town", DISTRICT_CODE, 36),
    ("thi-tran-giang-tien", "Thị trấn Giang Tiên", "town", DISTRICT_CODE, 31),
    ("xa-yen-ninh", "Xã Yên Ninh", "commune", DISTRICT_CODE, 24),
    ("xa-yen-trach", "Xã Yên Trạch", "commune", DISTRICT_CODE, 22),
    ("xa-yen-do", "Xã Yên Đổ", "commune", DISTRICT_CODE, 26),
    ("xa-yen-lac", "Xã Yên Lạc", "commune", DISTRICT_CODE, 25),
    ("xa-on-luong", "Xã Ôn Lương", "commune", DISTRICT_CODE, 21),
    ("xa-dong-dat", "Xã Động Đạt", "commune", DISTRICT_CODE, 30),
    ("xa-phu-ly", "Xã Phủ Lý", "commune", DISTRICT_CODE, 18),
    ("xa-hop-thanh", "Xã Hợp Thành", "commune", DISTRICT_CODE, 20),
    ("xa-phan-me", "Xã Phấn Mễ", "commune", DISTRICT_CODE, 28),
    ("xa-tuc-tranh", "Xã Tức Tranh", "commune", DISTRICT_CODE, 27),
    ("xa-vo-tranh", "Xã Vô Tranh", "commune", DISTRICT_CODE, 23),
    ("xa-co-lung", "Xã Cổ Lũng", "commune", DISTRICT_CODE, 24),
    ("xa-son-cam", "Xã Sơn Cẩm", "commune", DISTRICT_CODE, 29),
    ("phong-noi-vu", "Phòng Nội vụ huyện", "agency", DISTRICT_CODE, 8),
    ("van-phong-hdnd-ubnd-huyen", "Văn phòng HĐND và UBND huyện", "agency", DISTRICT_CODE, 22),
    ("bo-phan-mot-cua-huyen", "Bộ phận Một cửa huyện", "agency", DISTRICT_CODE, 12),
    ("phong-tu-phap", "Phòng Tư pháp huyện", "agency", DISTRICT_CODE, 6),
    ("phong-tai-nguyen-moi-truong", "Phòng Tài nguyên và Môi trường huyện", "agency", DISTRICT_CODE, 10),
]

# --- Site settings --------------------------------------------------------------------

SITE_SETTINGS = {
    "organisation": "Phòng Nội vụ huyện Phú Lương — Thường trực công tác cải cách hành chính",
    "address": "Thị trấn Đu, huyện Phú Lương, tỉnh Thái Nguyên",
    "phone": "0208 3000 000",
    "email": "cchc@phuluong.example.vn",
    "content_responsible": "Trưởng phòng Nội vụ huyện Phú Lương",
    "footer_text": (
        "Trang học tập và thi trực tuyến về cải cách hành chính của huyện Phú Lương.\n"
        "Nội dung trên trang này là dữ liệu trình diễn."
    ),
}

# --- Pages ------------------------------------------------------------------------------

HOME_TITLE = "Học tập và thi tìm hiểu cải cách hành chính"
HOME_INTRO = (
    "<p>Nơi cán bộ, công chức huyện Phú Lương học về cơ chế <b>một cửa, một cửa liên thông</b>, "
    "dịch vụ công trực tuyến và ứng dụng công nghệ thông tin trong cơ quan nhà nước; "
    "và nơi mọi người dân tham gia <b>Cuộc thi trực tuyến tìm hiểu về cải cách hành chính</b> hằng năm.</p>"
)

NEWS_INDEX = {
    "slug": "tin-tuc",
    "title": "Tin tức cải cách hành chính",
    "intro": "<p>Tin bài tuyên truyền về cải cách hành chính của huyện Phú Lương.</p>",
}

TAGS = {
    "mot-cua": "Một cửa",
    "dich-vu-cong-truc-tuyen": "Dịch vụ công trực tuyến",
    "buu-chinh-cong-ich": "Bưu chính công ích",
    "chi-so-cchc": "Chỉ số CCHC",
    "iso-9001": "ISO 9001",
    "cuoc-thi": "Cuộc thi",
}


def _p(*paragraphs):
    return [("paragraph", RichText("".join(f"<p>{text}</p>" for text in paragraphs)))]


def _list(*items):
    return [("paragraph", RichText("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"))]


def _heading(text):
    return [("heading", text)]


def _callout(text, tone="note"):
    return [("callout", {"tone": tone, "text": RichText(f"<p>{text}</p>")})]


ARTICLES = [
    {
        "slug": "bo-phan-mot-cua-mot-dau-moi",
        "title": "Bộ phận Một cửa: một đầu mối tiếp nhận hồ sơ, trả kết quả cho người dân",
        "date": date(2018, 5, 14),
        "intro": (
            "Từ nay, người dân và doanh nghiệp chỉ cần đến một nơi để nộp hồ sơ, theo dõi tiến độ và nhận kết quả "
            "giải quyết thủ tục hành chính của huyện."
        ),
        "tags": ["mot-cua", "iso-9001"],
        "body": _p(
            "Thực hiện Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa, "
            "một cửa liên thông trong giải quyết thủ tục hành chính, Bộ phận Một cửa huyện Phú Lương được kiện toàn, "
            "tiếp nhận hồ sơ của tất cả các thủ tục hành chính thuộc thẩm quyền giải quyết của cấp huyện.",
        )
        + _heading("Người dân được lợi gì?")
        + _list(
            "Một đầu mối duy nhất: không phải đi lại giữa các phòng, ban chuyên môn.",
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả ghi rõ ngày nhận kết quả.",
            "Quy trình giải quyết được chuẩn hoá theo hệ thống quản lý chất lượng TCVN ISO 9001:2015.",
            "Hồ sơ trễ hẹn được cơ quan giải quyết xin lỗi bằng văn bản và hẹn lại thời gian trả kết quả.",
        )
        + _heading("Cán bộ một cửa cần làm gì?")
        + _p(
            "Công chức làm việc tại Bộ phận Một cửa hướng dẫn người dân kê khai, kiểm tra tính đầy đủ của hồ sơ, "
            "tiếp nhận, cập nhật vào phần mềm một cửa điện tử và chuyển hồ sơ đến phòng chuyên môn đúng thời hạn. "
            "Các khoá học trên trang này giúp cán bộ nắm vững quy trình trước khi làm việc tại quầy.",
        )
        + _callout(
            "Danh mục thủ tục hành chính, thành phần hồ sơ, thời hạn giải quyết và phí, lệ phí được niêm yết công khai "
            "tại Bộ phận Một cửa và trên trang thông tin điện tử của huyện."
        ),
    },
    {
        "slug": "dich-vu-cong-truc-tuyen-muc-do-3-4",
        "title": "Dịch vụ công trực tuyến mức độ 3, 4: nộp hồ sơ không cần đến cơ quan",
        "date": date(2018, 5, 21),
        "intro": (
            "Nhiều thủ tục hành chính cấp huyện và cấp xã đã được cung cấp trực tuyến ở mức độ 3 và 4: "
            "người dân nộp hồ sơ qua mạng, theo dõi tiến độ và thanh toán lệ phí trực tuyến."
        ),
        "tags": ["dich-vu-cong-truc-tuyen"],
        "body": _heading("Bốn mức độ của dịch vụ công trực tuyến")
        + _list(
            "<b>Mức độ 1</b>: cung cấp đầy đủ thông tin về thủ tục hành chính.",
            "<b>Mức độ 2</b>: cho phép tải về các mẫu đơn, tờ khai.",
            "<b>Mức độ 3</b>: cho phép điền và gửi hồ sơ trực tuyến; việc thanh toán lệ phí và nhận kết quả "
            "thực hiện trực tiếp tại cơ quan.",
            "<b>Mức độ 4</b>: như mức độ 3, và thanh toán lệ phí, nhận kết quả cũng được thực hiện trực tuyến "
            "hoặc qua bưu điện.",
        )
        + _p(
            "Dịch vụ công mức độ 3, 4 giúp người dân không phải đến cơ quan nhiều lần, tiết kiệm thời gian, "
            "chi phí đi lại; hồ sơ được xử lý minh bạch, có thể tra cứu tình trạng bất cứ lúc nào.",
        )
        + _heading("Cách nộp hồ sơ trực tuyến")
        + _list(
            "Đăng ký tài khoản trên Cổng dịch vụ công của tỉnh.",
            "Chọn thủ tục, điền tờ khai điện tử và đính kèm bản chụp hoặc bản quét giấy tờ.",
            "Theo dõi thông báo về tình trạng hồ sơ qua tin nhắn hoặc thư điện tử.",
            "Nhận kết quả tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích.",
        )
        + _callout(
            "Cán bộ cấp xã có thể hướng dẫn người dân nộp hồ sơ trực tuyến ngay tại Bộ phận Một cửa của xã. "
            "Các khoá học về dịch vụ công trực tuyến trên trang này hướng dẫn từng bước."
        ),
    },
    {
        "slug": "nhan-ket-qua-qua-buu-chinh-cong-ich",
        "title": "Nhận kết quả thủ tục hành chính tại nhà qua dịch vụ bưu chính công ích",
        "date": date(2018, 5, 28),
        "intro": (
            "Người dân có thể đăng ký nhận kết quả giải quyết thủ tục hành chính tại địa chỉ của mình thông qua "
            "dịch vụ bưu chính công ích, không phải quay lại cơ quan."
        ),
        "tags": ["buu-chinh-cong-ich", "mot-cua"],
        "body": _p(
            "Theo Quyết định số 45/2016/QĐ-TTg của Thủ tướng Chính phủ, cá nhân, tổ chức có thể gửi hồ sơ và nhận "
            "kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích. Nhân viên bưu điện chuyển hồ sơ "
            "đến Bộ phận Một cửa và phát kết quả đến tận địa chỉ người dân đã đăng ký.",
        )
        + _heading("Đăng ký thế nào?")
        + _list(
            "Khi nộp hồ sơ tại Bộ phận Một cửa, đề nghị công chức tiếp nhận ghi rõ hình thức nhận kết quả qua bưu điện.",
            "Hoặc gọi tổng đài bưu điện để nhân viên bưu điện đến nhận hồ sơ tại nhà.",
            "Thanh toán cước dịch vụ theo bảng giá niêm yết khi nhận kết quả.",
        )
        + _callout(
            "Dịch vụ đặc biệt thuận tiện cho người cao tuổi và người dân ở các xóm xa trung tâm huyện.",
        ),
    },
    {
        "slug": "chi-so-cai-cach-hanh-chinh",
        "title": "Chỉ số cải cách hành chính: mỗi cơ quan, mỗi xã cùng nâng điểm",
        "date": date(2018, 6, 1),
        "intro": (
            "Chỉ số cải cách hành chính đo kết quả thực hiện cải cách hành chính hằng năm. "
            "Huyện đặt mục tiêu cải thiện điểm số qua từng năm, bắt đầu từ các tiêu chí mà cấp xã có thể làm ngay."
        ),
        "tags": ["chi-so-cchc"],
        "body": _p(
            "Chỉ số cải cách hành chính (Chỉ số CCHC) được chấm theo các lĩnh vực: công tác chỉ đạo, điều hành; "
            "cải cách thể chế; cải cách thủ tục hành chính; cải cách tổ chức bộ máy; xây dựng và nâng cao chất lượng "
            "đội ngũ cán bộ, công chức; cải cách tài chính công; hiện đại hoá hành chính; và sự hài lòng của người dân.",
            "Kết quả những năm qua của huyện chưa tương xứng với nỗ lực của các cơ quan, đơn vị. "
            "Năm nay, các xã, thị trấn cũng được chấm điểm để mỗi đơn vị biết mình đang ở đâu và cần cải thiện gì.",
        )
        + _heading("Những việc làm ngay")
        + _list(
            "Công khai đầy đủ thủ tục hành chính tại Bộ phận Một cửa.",
            "Giải quyết hồ sơ đúng hẹn; hồ sơ trễ hẹn phải có văn bản xin lỗi.",
            "Tăng số hồ sơ nộp trực tuyến mức độ 3, 4 và trả kết quả qua bưu chính công ích.",
            "Cán bộ, công chức hoàn thành các khoá học bắt buộc trên trang học tập này.",
        ),
    },
    {
        "slug": "ap-dung-iso-9001-2015",
        "title": "Áp dụng ISO 9001:2015 trong giải quyết thủ tục hành chính",
        "date": date(2018, 6, 4),
        "intro": (
            "Các cơ quan chuyên môn của huyện chuyển đổi hệ thống quản lý chất lượng sang tiêu chuẩn "
            "TCVN ISO 9001:2015 cho toàn bộ thủ tục hành chính cấp huyện."
        ),
        "tags": ["iso-9001", "mot-cua"],
        "body": _p(
            "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 yêu cầu mỗi thủ tục hành chính có quy trình viết "
            "thành văn bản: ai tiếp nhận, ai thẩm định, ai ký, trong bao nhiêu ngày làm việc, lưu hồ sơ ở đâu.",
            "Khi quy trình rõ ràng, người dân biết trước thời hạn, cán bộ biết rõ phần việc của mình, "
            "lãnh đạo theo dõi được hồ sơ chậm ở khâu nào để xử lý kịp thời.",
        )
        + _callout(
            "Điểm mới của phiên bản 2015 là tư duy dựa trên rủi ro: mỗi cơ quan phải nhận diện những khâu dễ làm "
            "hồ sơ trễ hẹn và có biện pháp phòng ngừa.",
        ),
    },
    {
        "slug": "phat-dong-cuoc-thi-tim-hieu-cchc-2018",
        "title": "Phát động Cuộc thi trực tuyến tìm hiểu về cải cách hành chính năm 2018",
        "date": date(2018, 6, 4),
        "intro": (
            "Cuộc thi dành cho cán bộ, công chức, viên chức và mọi người dân trên địa bàn huyện, "
            "thi trực tuyến theo từng tuần, có giải cá nhân và giải tập thể cho các xã, thị trấn."
        ),
        "tags": ["cuoc-thi"],
        "body": _p(
            "Nhằm đẩy mạnh công tác tuyên truyền cải cách hành chính, huyện Phú Lương tổ chức Cuộc thi trực tuyến "
            "tìm hiểu về cải cách hành chính năm 2018. Mỗi tuần là một vòng thi; người dự thi trả lời các câu hỏi "
            "trắc nghiệm trong thời gian quy định và dự đoán số người tham gia tuần thi.",
        )
        + _heading("Cách tham gia")
        + _list(
            "Đăng ký tài khoản bằng số điện thoại di động.",
            "Mỗi tuần được thi tối đa số lượt theo thể lệ; lượt có kết quả cao nhất được tính.",
            "Xem điểm, thứ hạng và đáp án sau khi tuần thi kết thúc.",
        )
        + _callout(
            "Giải tập thể xét theo tỷ lệ cán bộ, công chức của đơn vị tham gia dự thi: "
            "hãy động viên đồng nghiệp cùng tham gia!",
        ),
    },
]

# --- Accounts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    full_name: str
    kind: str
    unit_code: str
    position: str = ""
    group: str | None = None
    birth_year: int | None = None
    phone: str = ""  # the username, unless the username is not a phone number
    superuser: bool = False

    @property
    def profile_phone(self):
        return self.phone or self.username


# Demo only: these passwords are printed on purpose and pass the password validators.
DEMO_ACCOUNTS = [
    DemoAccount(
        role="Learner (commune official)",
        username="0912000001",
        password="Hocvien-2018",
        full_name="Nguyễn Thị Hoa",
        kind=Profile.Kind.OFFICIAL,
        unit_code="xa-yen-trach",
        position="Công chức Văn phòng - Thống kê",
        group=roles.LEARNER,
        birth_year=1988,
    ),
    DemoAccount(
        role="Trainer",
        username="0912000002",
        password="Giangvien-2018",
        full_name="Trần Văn Minh",
        kind=Profile.Kind.OFFICIAL,
        unit_code="phong-noi-vu",
        position="Chuyên viên Phòng Nội vụ",
        group=roles.TRAINER,
        birth_year=1982,
    ),
    DemoAccount(
        role="Reviewer",
        username="0912000003",
        password="Bientap-2018",
        full_name="Lê Thị Thu",
        kind=Profile.Kind.OFFICIAL,
        unit_code="van-phong-hdnd-ubnd-huyen",
        position="Chuyên viên Văn phòng HĐND và UBND huyện",
        group=roles.REVIEWER,
        birth_year=1985,
    ),
    DemoAccount(
        role="Organizer",
        username="0912000004",
        password="Bantochuc-2018",
        full_name="Phạm Quang Huy",
        kind=Profile.Kind.OFFICIAL,
        unit_code="phong-noi-vu",
        position="Phó Trưởng phòng Nội vụ",
        group=roles.ORGANIZER,
        birth_year=1979,
    ),
    DemoAccount(
        role="Contest participant (citizen)",
        username="0912000005",
        password="Congdan-2018",
        full_name="Hoàng Văn Nam",
        kind=Profile.Kind.CITIZEN,
        unit_code="thi-tran-du",
        birth_year=1995,
    ),
    DemoAccount(
        role="Administrator (superuser)",
        username="admin",
        password="Quantri-2018",
        full_name="Quản trị hệ thống",
        kind=Profile.Kind.OFFICIAL,
        unit_code="phong-noi-vu",
        position="Quản trị hệ thống",
        phone="0912000000",
        superuser=True,
    ),
]


# --- Seeding ------------------------------------------------------------------------------


class Tally:
    """Counts what a run created, for the summary line."""

    def __init__(self):
        self.created = {}

    def add(self, label, created=True):
        self.created.setdefault(label, 0)
        if created:
            self.created[label] += 1

    def summary(self):
        return ", ".join(f"{label} +{count}" for label, count in self.created.items())


def seed_units(tally):
    kinds = {}
    for code, name, order in UNIT_KINDS:
        kinds[code], created = UnitKind.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        tally.add("unit kinds", created)
    units = {}
    for code, name, kind, parent_code, headcount in UNITS:
        units[code], created = Unit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kinds[kind],
                "parent": units.get(parent_code) if parent_code else None,
                "headcount": headcount,
            },
        )
        tally.add("units", created)
    return units


def seed_site_settings(site, tally):
    settings = SiteSettings.for_site(site)
    blank = {field: value for field, value in SITE_SETTINGS.items() if not getattr(settings, field)}
    if blank:
        for field, value in blank.items():
            setattr(settings, field, value)
        settings.save()
    tally.add("site settings", bool(blank))


def _publish(page):
    page.save_revision().publish()


def seed_home_page(tally):
    home = HomePage.objects.first()
    created = home is None
    if created:
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title=HOME_TITLE, slug="home", intro=HOME_INTRO))
        _publish(home)
    elif not home.intro:
        # The migration made an empty home page: give it its demo content once.
        home.title = HOME_TITLE
        home.intro = HOME_INTRO
        _publish(home)
        created = True
    tally.add("home page", created)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif not HomePage.objects.filter(pk=site.root_page_id).exists():
        site.root_page = home
        site.save()
    return home, site


def seed_news(home, tally):
    index = NewsIndexPage.objects.child_of(home).filter(slug=NEWS_INDEX["slug"]).first()
    if index is None:
        index = home.add_child(instance=NewsIndexPage(**NEWS_INDEX))
        _publish(index)
        tally.add("news index", True)
    tags = {}
    for slug, name in TAGS.items():
        tags[slug] = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name=name).first()
        if tags[slug] is None:
            tags[slug] = Tag.objects.create(name=name, slug=slug)
            tally.add("tags", True)
    existing = set(NewsPage.objects.child_of(index).values_list("slug", flat=True))
    for article in ARTICLES:
        if article["slug"] in existing:
            tally.add("news articles", False)
            continue
        page = NewsPage(
            title=article["title"],
            slug=article["slug"],
            date=article["date"],
            intro=article["intro"],
            body=article["body"],
        )
        index.add_child(instance=page)
        page.tags.set([tags[slug] for slug in article["tags"]])
        _publish(page)
        tally.add("news articles", True)
    return index


def seed_accounts(units, tally):
    User = get_user_model()
    groups = {group.name: group for group in Group.objects.filter(name__in=roles.ROLES)}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(username=account.username, is_superuser=account.superuser, is_staff=account.superuser)
            validate_password(account.password, user)
            user.set_password(account.password)
            user.save()
            tally.add("accounts", True)
        if account.group and not user.groups.filter(name=account.group).exists():
            user.groups.add(groups[account.group])
        if not Profile.objects.filter(user=user).exists():
            Profile.objects.create(
                user=user,
                full_name=account.full_name,
                unit=units[account.unit_code],
                kind=account.kind,
                position=account.position,
                phone=account.profile_phone,
                birth_year=account.birth_year,
            )
            tally.add("profiles", True)


def seed_core():
    """The core content, in one transaction. Returns the tally of what was created."""
    tally = Tally()
    with transaction.atomic():
        units = seed_units(tally)
        home, site = seed_home_page(tally)
        seed_site_settings(site, tally)
        seed_news(home, tally)
        seed_accounts(units, tally)
    return tally


def run_app_seeders(stdout):
    for app in APP_SEEDERS:
        if importlib.util.find_spec(f"{app}.seed"):
            import_module(f"{app}.seed").run(stdout=stdout)


def print_accounts(stdout):
    header = ("Role", "Username", "Password", "Name")
    rows = [(a.role, a.username, a.password, a.full_name) for a in DEMO_ACCOUNTS]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    stdout.write("Demo accounts (demo only: change or remove them on a real site):")
    for row in [header, *rows]:
        stdout.write("  " + "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


def run(stdout):
    tally = seed_core()
    created = tally.summary() if any(tally.created.values()) else "nothing new"
    stdout.write(f"Core demo content: {created}.")
    run_app_seeders(stdout)
    print_accounts(stdout)
