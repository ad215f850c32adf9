"""The demo training content that ``courses.seed`` loads: legal documents, the procedure
catalogue and the courses with their lessons, written in Vietnamese for this district.

Plain data: lesson bodies are lists of lesson blocks built by the helpers below, with
placeholders (a legal document's number, a procedure's code) that the seeder turns into
the ids of the objects it created. Facts follow the documents cited; where a number
differs from province to province (fees set by the provincial People's Council) the text
says so instead of inventing one.
"""

from datetime import date

# --- Helpers: one lesson block each ------------------------------------------------------


class Ref:
    """A placeholder for an object the seeder resolves: ``Ref("legal", "61/2018/NĐ-CP")``."""

    def __init__(self, kind, key):
        self.kind = kind
        self.key = key

    def __repr__(self):
        return f"Ref({self.kind!r}, {self.key!r})"


def p(*paragraphs):
    return {"type": "paragraph", "value": "".join(f"<p>{text}</p>" for text in paragraphs)}


def ul(*items, intro=""):
    head = f"<p>{intro}</p>" if intro else ""
    return {"type": "paragraph", "value": head + "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"}


def h(text):
    return {"type": "heading", "value": text}


def note(text, tone="note"):
    return {"type": "callout", "value": {"tone": tone, "text": f"<p>{text}</p>", "legal_document": None, "article": ""}}


def warning(text):
    return note(text, tone="warning")


def legal(text, number, article=""):
    return {
        "type": "callout",
        "value": {
            "tone": "legal",
            "text": f"<p>{text}</p>",
            "legal_document": Ref("legal", number),
            "article": article,
        },
    }


def steps(title, *items):
    return {
        "type": "steps",
        "value": {
            "title": title,
            "steps": [{"title": step, "text": f"<p>{text}</p>" if text else ""} for step, text in items],
        },
    }


def procedure(code, note_text=""):
    return {"type": "procedure", "value": {"procedure": Ref("procedure", code), "note": note_text}}


def check(question, choices, explanation, kind="single"):
    """``choices``: ``[(text, correct)]``."""
    return {
        "type": "check",
        "value": {
            "question": question,
            "kind": kind,
            "choices": [{"text": text, "correct": correct} for text, correct in choices],
            "explanation": f"<p>{explanation}</p>",
        },
    }


# --- Legal documents ---------------------------------------------------------------------------

# number, kind, title, issuer, issued on, effective from, effective to, replaced by (number)
LEGAL_DOCUMENTS = [
    (
        "118/2025/NĐ-CP",
        "decree",
        "Nghị định về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa "
        "và Cổng Dịch vụ công quốc gia",
        "Chính phủ",
        date(2025, 6, 9),
        date(2025, 7, 1),
        None,
        None,
    ),
    (
        "61/2018/NĐ-CP",
        "decree",
        "Nghị định về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        "Chính phủ",
        date(2018, 4, 23),
        date(2018, 6, 21),
        date(2025, 6, 30),
        "118/2025/NĐ-CP",
    ),
    (
        "42/2022/NĐ-CP",
        "decree",
        "Nghị định quy định về việc cung cấp thông tin và dịch vụ công trực tuyến của cơ quan nhà nước "
        "trên môi trường mạng",
        "Chính phủ",
        date(2022, 6, 24),
        date(2022, 8, 1),
        None,
        None,
    ),
    (
        "43/2011/NĐ-CP",
        "decree",
        "Nghị định quy định về việc cung cấp thông tin và dịch vụ công trực tuyến trên trang thông tin điện tử "
        "hoặc cổng thông tin điện tử của cơ quan nhà nước",
        "Chính phủ",
        date(2011, 6, 13),
        date(2011, 8, 1),
        date(2022, 7, 31),
        "42/2022/NĐ-CP",
    ),
    (
        "45/2016/QĐ-TTg",
        "decision",
        "Quyết định về việc tiếp nhận hồ sơ, trả kết quả giải quyết thủ tục hành chính qua dịch vụ bưu chính công ích",
        "Thủ tướng Chính phủ",
        date(2016, 10, 19),
        date(2016, 12, 5),
        None,
        None,
    ),
    (
        "19/2014/QĐ-TTg",
        "decision",
        "Quyết định về việc áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001:2008 "
        "vào hoạt động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
        "Thủ tướng Chính phủ",
        date(2014, 3, 5),
        date(2014, 4, 20),
        None,
        None,
    ),
    (
        "101/QĐ-TTg",
        "decision",
        "Quyết định phê duyệt Kế hoạch triển khai áp dụng Tiêu chuẩn quốc gia TCVN ISO 9001:2015 vào hoạt động "
        "của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
        "Thủ tướng Chính phủ",
        date(2018, 1, 23),
        date(2018, 1, 23),
        None,
        None,
    ),
    (
        "60/2014/QH13",
        "law",
        "Luật Hộ tịch",
        "Quốc hội",
        date(2014, 11, 20),
        date(2016, 1, 1),
        None,
        None,
    ),
    (
        "123/2015/NĐ-CP",
        "decree",
        "Nghị định quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        "Chính phủ",
        date(2015, 11, 15),
        date(2016, 1, 1),
        None,
        None,
    ),
    (
        "23/2015/NĐ-CP",
        "decree",
        "Nghị định về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, chứng thực chữ ký "
        "và chứng thực hợp đồng, giao dịch",
        "Chính phủ",
        date(2015, 2, 16),
        date(2015, 4, 10),
        None,
        None,
    ),
    (
        "31/2024/QH15",
        "law",
        "Luật Đất đai",
        "Quốc hội",
        date(2024, 1, 18),
        date(2024, 8, 1),
        None,
        None,
    ),
    (
        "45/2013/QH13",
        "law",
        "Luật Đất đai",
        "Quốc hội",
        date(2013, 11, 29),
        date(2014, 7, 1),
        date(2024, 7, 31),
        "31/2024/QH15",
    ),
    (
        "50/2014/QH13",
        "law",
        "Luật Xây dựng",
        "Quốc hội",
        date(2014, 6, 18),
        date(2015, 1, 1),
        None,
        None,
    ),
    (
        "45/2020/NĐ-CP",
        "decree",
        "Nghị định về thực hiện thủ tục hành chính trên môi trường điện tử",
        "Chính phủ",
        date(2020, 4, 8),
        date(2020, 5, 22),
        None,
        None,
    ),
]

# --- Procedures ----------------------------------------------------------------------------------

COMMUNE = "commune"
DISTRICT = "district"
ONE_STOP = "one_stop"
CIVIL_STATUS = "civil_status"
CERTIFICATION = "certification"
LAND = "land"
CONSTRUCTION = "construction"
BUSINESS = "business"
INTER_LINKED = "inter_linked"

# Each: code, name, field, level, mechanism, processing days (0: the same day), fee, documents,
# legal basis (numbers), online service level (1-4), postal return, tags. The codes are the
# district's own demo numbering (catalogue year, X commune / H district, field, number), not
# codes of the national procedure database.
PROCEDURES = [
    {
        "code": "2018.X.HT.01",
        "name": "Đăng ký khai sinh",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "Miễn lệ phí khi đăng ký đúng hạn (trong 60 ngày kể từ ngày sinh)",
        "documents": [
            "Tờ khai đăng ký khai sinh theo mẫu",
            "Giấy chứng sinh; nếu không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh",
            "Xuất trình giấy tờ tuỳ thân của người đi đăng ký",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 4,
        "postal_return": True,
        "tags": ["hộ tịch", "khai sinh"],
    },
    {
        "code": "2018.X.HT.02",
        "name": "Đăng ký kết hôn",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "Miễn lệ phí đối với công dân Việt Nam cư trú ở trong nước",
        "documents": [
            "Tờ khai đăng ký kết hôn theo mẫu (hai bên nam, nữ có thể dùng chung một tờ khai)",
            "Giấy xác nhận tình trạng hôn nhân, nếu đăng ký tại nơi không phải nơi cư trú",
            "Xuất trình giấy tờ tuỳ thân của hai bên; hai bên phải có mặt khi đăng ký",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 3,
        "postal_return": False,
        "tags": ["hộ tịch", "kết hôn"],
    },
    {
        "code": "2018.X.HT.03",
        "name": "Đăng ký khai tử",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "Miễn lệ phí khi đăng ký đúng hạn (trong 15 ngày kể từ ngày chết)",
        "documents": [
            "Tờ khai đăng ký khai tử theo mẫu",
            "Giấy báo tử hoặc giấy tờ thay thế Giấy báo tử",
            "Xuất trình giấy tờ tuỳ thân của người đi đăng ký",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 4,
        "postal_return": True,
        "tags": ["hộ tịch", "khai tử"],
    },
    {
        "code": "2018.X.HT.04",
        "name": "Cấp Giấy xác nhận tình trạng hôn nhân",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 3,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Tờ khai cấp Giấy xác nhận tình trạng hôn nhân theo mẫu",
            "Giấy tờ chứng minh việc ly hôn hoặc vợ/chồng đã chết, nếu người yêu cầu đã từng kết hôn",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 4,
        "postal_return": True,
        "tags": ["hộ tịch"],
    },
    {
        "code": "2018.X.HT.05",
        "name": "Đăng ký nhận cha, mẹ, con",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 3,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Tờ khai đăng ký nhận cha, mẹ, con theo mẫu",
            "Chứng cứ chứng minh quan hệ cha, mẹ, con (văn bản giám định ADN hoặc giấy tờ, đồ vật liên quan)",
            "Xuất trình giấy tờ tuỳ thân; các bên phải có mặt khi đăng ký",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 3,
        "postal_return": False,
        "tags": ["hộ tịch"],
    },
    {
        "code": "2018.X.HT.06",
        "name": "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 3,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch theo mẫu",
            "Bản chính giấy tờ hộ tịch cần thay đổi, cải chính",
            "Giấy tờ làm căn cứ cho việc thay đổi, cải chính, bổ sung",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 3,
        "postal_return": True,
        "tags": ["hộ tịch"],
    },
    {
        "code": "2018.X.HT.07",
        "name": "Cấp bản sao trích lục hộ tịch",
        "field": CIVIL_STATUS,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định cho mỗi bản sao",
        "documents": ["Tờ khai cấp bản sao trích lục hộ tịch theo mẫu", "Xuất trình giấy tờ tuỳ thân"],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 4,
        "postal_return": True,
        "tags": ["hộ tịch"],
    },
    {
        "code": "2018.X.CT.01",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        "field": CERTIFICATION,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "2.000 đồng/trang; từ trang thứ ba trở đi 1.000 đồng/trang, tối đa 200.000 đồng/bản",
        "documents": ["Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", "Bản sao cần chứng thực"],
        "legal_basis": ["23/2015/NĐ-CP"],
        "online_level": 2,
        "postal_return": False,
        "tags": ["chứng thực"],
    },
    {
        "code": "2018.X.CT.02",
        "name": "Chứng thực chữ ký trong các giấy tờ, văn bản",
        "field": CERTIFICATION,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "10.000 đồng/trường hợp",
        "documents": [
            "Giấy tờ, văn bản mà người yêu cầu sẽ ký",
            "Xuất trình giấy tờ tuỳ thân còn giá trị sử dụng; người yêu cầu phải ký trước mặt người thực hiện chứng thực",
        ],
        "legal_basis": ["23/2015/NĐ-CP"],
        "online_level": 2,
        "postal_return": False,
        "tags": ["chứng thực"],
    },
    {
        "code": "2018.X.CT.03",
        "name": "Chứng thực hợp đồng, giao dịch liên quan đến thực hiện quyền của người sử dụng đất",
        "field": CERTIFICATION,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 2,
        "fee": "50.000 đồng/hợp đồng, giao dịch",
        "documents": [
            "Dự thảo hợp đồng, giao dịch",
            "Giấy tờ tuỳ thân của các bên tham gia hợp đồng",
            "Giấy chứng nhận quyền sử dụng đất (bản sao kèm bản chính để đối chiếu)",
        ],
        "legal_basis": ["23/2015/NĐ-CP", "31/2024/QH15"],
        "online_level": 2,
        "postal_return": False,
        "tags": ["chứng thực", "đất đai"],
    },
    {
        "code": "2018.X.DD.01",
        "name": "Hoà giải tranh chấp đất đai",
        "field": LAND,
        "level": COMMUNE,
        "mechanism": ONE_STOP,
        "processing_days": 30,
        "fee": "Không thu phí",
        "documents": [
            "Đơn yêu cầu hoà giải tranh chấp đất đai",
            "Giấy tờ, tài liệu liên quan đến thửa đất tranh chấp (nếu có)",
        ],
        "legal_basis": ["31/2024/QH15"],
        "online_level": 2,
        "postal_return": False,
        "tags": ["đất đai", "hoà giải"],
    },
    {
        "code": "2018.H.HT.01",
        "name": "Đăng ký kết hôn có yếu tố nước ngoài",
        "field": CIVIL_STATUS,
        "level": DISTRICT,
        "mechanism": ONE_STOP,
        "processing_days": 15,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Tờ khai đăng ký kết hôn theo mẫu",
            "Giấy tờ chứng minh tình trạng hôn nhân của người nước ngoài do cơ quan có thẩm quyền cấp",
            "Giấy xác nhận của tổ chức y tế về việc không mắc bệnh làm mất khả năng nhận thức, làm chủ hành vi",
            "Bản sao hộ chiếu hoặc giấy tờ có giá trị thay hộ chiếu của người nước ngoài",
        ],
        "legal_basis": ["60/2014/QH13", "123/2015/NĐ-CP"],
        "online_level": 3,
        "postal_return": False,
        "tags": ["hộ tịch", "kết hôn", "yếu tố nước ngoài"],
    },
    {
        "code": "2018.H.CT.01",
        "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của nước ngoài cấp",
        "field": CERTIFICATION,
        "level": DISTRICT,
        "mechanism": ONE_STOP,
        "processing_days": 0,
        "fee": "2.000 đồng/trang; từ trang thứ ba trở đi 1.000 đồng/trang, tối đa 200.000 đồng/bản",
        "documents": [
            "Bản chính giấy tờ, văn bản đã được hợp pháp hoá lãnh sự (trừ trường hợp được miễn)",
            "Bản sao cần chứng thực",
        ],
        "legal_basis": ["23/2015/NĐ-CP"],
        "online_level": 2,
        "postal_return": True,
        "tags": ["chứng thực"],
    },
    {
        "code": "2018.H.DD.01",
        "name": "Đăng ký biến động quyền sử dụng đất, tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế",
        "field": LAND,
        "level": DISTRICT,
        "mechanism": INTER_LINKED,
        "processing_days": 10,
        "fee": "Lệ phí cấp Giấy chứng nhận và phí thẩm định hồ sơ theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất theo mẫu",
            "Hợp đồng, văn bản về chuyển quyền đã được công chứng hoặc chứng thực",
            "Bản gốc Giấy chứng nhận đã cấp",
            "Tờ khai thuế thu nhập cá nhân và tờ khai lệ phí trước bạ",
        ],
        "legal_basis": ["31/2024/QH15"],
        "online_level": 3,
        "postal_return": True,
        "tags": ["đất đai", "liên thông thuế"],
    },
    {
        "code": "2018.H.DD.02",
        "name": "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền đối với hộ gia đình, cá nhân",
        "field": LAND,
        "level": DISTRICT,
        "mechanism": INTER_LINKED,
        "processing_days": 15,
        "fee": "Phí thẩm định hồ sơ theo mức do Hội đồng nhân dân tỉnh quy định; tiền sử dụng đất theo thông báo của cơ quan thuế",
        "documents": ["Đơn xin chuyển mục đích sử dụng đất theo mẫu", "Giấy chứng nhận quyền sử dụng đất"],
        "legal_basis": ["31/2024/QH15"],
        "online_level": 3,
        "postal_return": True,
        "tags": ["đất đai"],
    },
    {
        "code": "2018.H.KD.01",
        "name": "Đăng ký thành lập hộ kinh doanh",
        "field": BUSINESS,
        "level": DISTRICT,
        "mechanism": ONE_STOP,
        "processing_days": 3,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Giấy đề nghị đăng ký hộ kinh doanh",
            "Bản sao giấy tờ pháp lý của cá nhân đối với các thành viên hộ gia đình đăng ký hộ kinh doanh",
            "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh, nếu các thành viên cùng đăng ký",
        ],
        "legal_basis": [],
        "online_level": 4,
        "postal_return": True,
        "tags": ["hộ kinh doanh"],
    },
    {
        "code": "2018.H.XD.01",
        "name": "Cấp giấy phép xây dựng đối với nhà ở riêng lẻ",
        "field": CONSTRUCTION,
        "level": DISTRICT,
        "mechanism": ONE_STOP,
        "processing_days": 15,
        "fee": "Theo mức do Hội đồng nhân dân tỉnh quy định",
        "documents": [
            "Đơn đề nghị cấp giấy phép xây dựng theo mẫu",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "Hai bộ bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng và đấu nối hạ tầng)",
        ],
        "legal_basis": ["50/2014/QH13"],
        "online_level": 3,
        "postal_return": True,
        "tags": ["xây dựng", "giấy phép"],
    },
]

# --- Courses ---------------------------------------------------------------------------------

INDEX = {
    "slug": "khoa-hoc",
    "title": "Khoá học",
    "intro": (
        "<p>Các khoá học trực tuyến dành cho cán bộ, công chức cấp huyện và cấp xã: cơ chế một cửa, "
        "dịch vụ công trực tuyến, bưu chính công ích và hệ thống quản lý chất lượng ISO 9001:2015. "
        "Học theo nhịp của mình, làm câu hỏi kiểm tra trong từng bài và nhận chứng nhận khi hoàn thành.</p>"
    ),
}

MOT_CUA = "co-che-mot-cua-mot-cua-lien-thong"
DICH_VU_CONG = "dich-vu-cong-truc-tuyen-va-buu-chinh-cong-ich"
ISO = "iso-9001-2015-trong-co-quan-hanh-chinh"

COURSES = [
    {
        "slug": MOT_CUA,
        "title": "Cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
        "summary": (
            "Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính tại Bộ phận Một cửa cấp huyện và cấp xã: "
            "nguyên tắc, quy trình, trách nhiệm của công chức và những điểm mới từ ngày 01/7/2025."
        ),
        "level": "all",
        "estimated_minutes": 150,
        "pass_mark": 70,
        "tags": ["Một cửa", "Thủ tục hành chính"],
        "legal": ["61/2018/NĐ-CP", "118/2025/NĐ-CP"],
        "objectives": [
            "Giải thích được cơ chế một cửa và một cửa liên thông",
            "Thực hiện đúng các bước tiếp nhận, chuyển, giải quyết và trả kết quả hồ sơ",
            "Xử lý đúng quy định hồ sơ thiếu, hồ sơ không thuộc thẩm quyền và hồ sơ quá hạn",
            "Nắm được những điểm mới của Nghị định 118/2025/NĐ-CP",
        ],
        "description": (
            "<p>Khoá học dành cho công chức làm việc tại Bộ phận Một cửa và lãnh đạo các cơ quan có thủ tục hành chính. "
            "Nội dung bám sát Nghị định số 61/2018/NĐ-CP — văn bản mà huyện áp dụng từ năm 2018 — và được cập nhật "
            "theo Nghị định số 118/2025/NĐ-CP thay thế từ ngày 01/7/2025.</p>"
        ),
        "lessons": [
            {
                "slug": "mot-cua-la-gi",
                "title": "Một cửa và một cửa liên thông là gì?",
                "summary": "Khái niệm, phạm vi và những nguyên tắc của cơ chế một cửa, một cửa liên thông.",
                "estimated_minutes": 25,
                "legal": ["61/2018/NĐ-CP"],
                "body": [
                    p(
                        "Trước đây, người dân muốn làm một thủ tục thường phải tự tìm đến nhiều phòng, ban; mỗi nơi "
                        "lại yêu cầu một loại giấy tờ. Cơ chế <b>một cửa</b> thay đổi cách làm đó: tổ chức, cá nhân "
                        "chỉ nộp hồ sơ và nhận kết quả ở <b>một nơi</b> là Bộ phận Tiếp nhận và Trả kết quả "
                        "(thường gọi là Bộ phận Một cửa)."
                    ),
                    legal(
                        "Cơ chế một cửa là phương thức tiếp nhận hồ sơ, giải quyết và trả kết quả giải quyết thủ tục "
                        "hành chính, theo dõi, giám sát, đánh giá việc giải quyết thủ tục hành chính cho tổ chức, "
                        "cá nhân của một cơ quan có thẩm quyền thông qua Bộ phận Tiếp nhận và Trả kết quả.",
                        "61/2018/NĐ-CP",
                        "Điều 3, khoản 1",
                    ),
                    p(
                        "<b>Một cửa liên thông</b> áp dụng khi một thủ tục, hoặc một nhóm thủ tục có liên quan với nhau, "
                        "cần nhiều cơ quan cùng giải quyết. Người dân vẫn chỉ nộp hồ sơ ở một nơi; các cơ quan tự chuyển "
                        "hồ sơ cho nhau. Ví dụ quen thuộc: đăng ký biến động đất đai liên thông với cơ quan thuế để "
                        "xác định nghĩa vụ tài chính."
                    ),
                    h("Những nguyên tắc cần nhớ"),
                    ul(
                        "Lấy sự hài lòng của tổ chức, cá nhân làm thước đo chất lượng và hiệu quả phục vụ.",
                        "Giải quyết thủ tục hành chính kịp thời, nhanh chóng, thuận tiện, đúng pháp luật, công bằng, "
                        "bình đẳng, khách quan, công khai, minh bạch.",
                        "Quá trình giải quyết được theo dõi, giám sát, đánh giá bằng các phương thức khác nhau.",
                        "Không làm phát sinh chi phí ngoài quy định của pháp luật cho tổ chức, cá nhân.",
                        "Cán bộ, công chức chịu trách nhiệm về phần việc của mình trong quá trình giải quyết.",
                    ),
                    note(
                        "Bộ phận Một cửa của huyện tiếp nhận hồ sơ của <b>tất cả</b> các thủ tục hành chính thuộc thẩm "
                        "quyền của UBND huyện và các phòng chuyên môn, kể cả những thủ tục liên thông với cơ quan cấp "
                        "tỉnh hoặc cơ quan ngành dọc."
                    ),
                    check(
                        "Theo cơ chế một cửa, người dân nộp hồ sơ và nhận kết quả ở đâu?",
                        [
                            ("Tại phòng chuyên môn trực tiếp giải quyết thủ tục", False),
                            ("Tại Bộ phận Tiếp nhận và Trả kết quả (Bộ phận Một cửa)", True),
                            ("Tại nhà riêng của lãnh đạo UBND", False),
                        ],
                        "Cơ chế một cửa gom việc tiếp nhận hồ sơ và trả kết quả về một đầu mối là Bộ phận Tiếp nhận "
                        "và Trả kết quả; phòng chuyên môn giải quyết hồ sơ ở phía sau.",
                    ),
                    check(
                        "Những nguyên tắc nào là nguyên tắc của cơ chế một cửa, một cửa liên thông? (chọn tất cả các ý đúng)",
                        [
                            ("Lấy sự hài lòng của tổ chức, cá nhân làm thước đo chất lượng phục vụ", True),
                            ("Không làm phát sinh chi phí ngoài quy định cho người dân", True),
                            ("Hồ sơ của người quen được ưu tiên giải quyết trước", False),
                            ("Công khai, minh bạch trong giải quyết thủ tục hành chính", True),
                        ],
                        "Công bằng, bình đẳng là một nguyên tắc: không có ưu tiên cho người quen. Ba ý còn lại "
                        "đều là nguyên tắc của cơ chế một cửa.",
                        kind="multiple",
                    ),
                ],
            },
            {
                "slug": "bo-phan-mot-cua-cap-huyen-cap-xa",
                "title": "Bộ phận Một cửa cấp huyện và cấp xã",
                "summary": "Tổ chức, nhân sự, trang thiết bị và nhiệm vụ của Bộ phận Tiếp nhận và Trả kết quả.",
                "estimated_minutes": 25,
                "legal": ["61/2018/NĐ-CP"],
                "body": [
                    p(
                        "Ở cấp huyện, Bộ phận Tiếp nhận và Trả kết quả được đặt tại <b>Văn phòng HĐND và UBND huyện</b>; "
                        "các phòng chuyên môn cử công chức đến làm việc tại đây theo lịch. Ở cấp xã, Bộ phận Một cửa "
                        "đặt tại trụ sở UBND xã do lãnh đạo UBND xã phụ trách; công chức Văn phòng - Thống kê, "
                        "Tư pháp - Hộ tịch, Địa chính - Xây dựng và các chức danh khác làm việc luân phiên tại quầy."
                    ),
                    h("Nhiệm vụ của Bộ phận Một cửa"),
                    ul(
                        "Công khai danh mục thủ tục hành chính, thành phần hồ sơ, thời hạn, phí, lệ phí.",
                        "Hướng dẫn tổ chức, cá nhân kê khai, chuẩn bị hồ sơ.",
                        "Tiếp nhận hồ sơ, cập nhật vào phần mềm một cửa điện tử, chuyển hồ sơ đến cơ quan giải quyết.",
                        "Trả kết quả, thu phí, lệ phí (nếu có) và theo dõi, đôn đốc việc giải quyết.",
                        "Tiếp nhận phản ánh, kiến nghị của tổ chức, cá nhân.",
                    ),
                    h("Công khai thủ tục ở đâu?"),
                    p(
                        "Danh mục thủ tục được niêm yết tại Bộ phận Một cửa (bảng, màn hình điện tử hoặc cuốn danh mục) "
                        "và trên trang thông tin điện tử của huyện. Mỗi thủ tục có đủ các thông tin như thẻ dưới đây."
                    ),
                    procedure("2018.X.HT.01", "Thủ tục có nhiều lượt giao dịch nhất ở Bộ phận Một cửa cấp xã."),
                    procedure("2018.H.KD.01"),
                    warning(
                        "Công chức không được tự ý yêu cầu thêm giấy tờ ngoài thành phần hồ sơ đã công khai. "
                        "Nếu thấy cần thêm giấy tờ, hãy báo lãnh đạo để kiến nghị sửa đổi thủ tục."
                    ),
                    check(
                        "Ở cấp huyện, Bộ phận Tiếp nhận và Trả kết quả đặt tại cơ quan nào?",
                        [
                            ("Phòng Nội vụ huyện", False),
                            ("Văn phòng HĐND và UBND huyện", True),
                            ("Phòng Tư pháp huyện", False),
                            ("Bưu điện huyện", False),
                        ],
                        "Bộ phận Một cửa cấp huyện thuộc Văn phòng HĐND và UBND huyện; các phòng chuyên môn cử "
                        "công chức đến làm việc tại đó.",
                    ),
                ],
            },
            {
                "slug": "quy-trinh-tiep-nhan-giai-quyet-tra-ket-qua",
                "title": "Quy trình tiếp nhận, giải quyết và trả kết quả",
                "summary": "Từng bước từ khi người dân đến quầy đến khi nhận kết quả, và ba loại phiếu cần dùng.",
                "estimated_minutes": 35,
                "legal": ["61/2018/NĐ-CP"],
                "body": [
                    p(
                        "Mỗi hồ sơ đi qua cùng một chuỗi bước. Làm đúng thứ tự giúp hồ sơ không bị thất lạc "
                        "và người dân biết chính xác khi nào nhận kết quả."
                    ),
                    steps(
                        "Tiếp nhận và giải quyết một hồ sơ",
                        (
                            "Hướng dẫn và kiểm tra hồ sơ",
                            "Đối chiếu thành phần hồ sơ với danh mục đã công khai. Hồ sơ thiếu hoặc chưa đúng: hướng dẫn "
                            "<b>một lần, đầy đủ</b> bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
                        ),
                        (
                            "Từ chối đúng cách khi không thuộc thẩm quyền",
                            "Nếu thủ tục không thuộc thẩm quyền hoặc hồ sơ không đủ điều kiện, lập Phiếu từ chối tiếp "
                            "nhận giải quyết hồ sơ, ghi rõ lý do.",
                        ),
                        (
                            "Tiếp nhận và hẹn ngày trả kết quả",
                            "Hồ sơ đủ: cập nhật vào phần mềm một cửa điện tử, in Giấy tiếp nhận hồ sơ và hẹn trả kết quả "
                            "giao cho người nộp.",
                        ),
                        (
                            "Chuyển hồ sơ đến cơ quan giải quyết",
                            "Chuyển ngay trong ngày làm việc (hoặc đầu giờ ngày làm việc tiếp theo nếu nhận sau 15 giờ), "
                            "kèm Phiếu kiểm soát quá trình giải quyết hồ sơ.",
                        ),
                        (
                            "Giải quyết và trả kết quả",
                            "Phòng chuyên môn thẩm định, trình ký và chuyển kết quả về Bộ phận Một cửa; công chức trả "
                            "kết quả và thu phí, lệ phí (nếu có) theo đúng biên lai.",
                        ),
                    ),
                    procedure("2018.X.CT.01", "Hồ sơ được giải quyết ngay trong ngày: trả kết quả ngay tại quầy."),
                    procedure("2018.H.DD.01", "Ví dụ về thủ tục liên thông giữa cơ quan đất đai và cơ quan thuế."),
                    note(
                        "Phiếu kiểm soát quá trình giải quyết hồ sơ đi theo hồ sơ qua từng khâu: ai nhận, nhận lúc nào, "
                        "chuyển lúc nào. Khi hồ sơ chậm, phiếu cho biết chậm ở khâu nào."
                    ),
                    check(
                        "Một công dân nộp hồ sơ còn thiếu giấy tờ. Công chức một cửa phải làm gì?",
                        [
                            ("Nhận hồ sơ rồi gọi điện nhắc bổ sung sau", False),
                            ("Hướng dẫn một lần, đầy đủ bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", True),
                            ("Trả lại hồ sơ và không cần giải thích", False),
                        ],
                        "Quy định yêu cầu hướng dẫn một lần, đầy đủ, bằng văn bản, để người dân không phải đi lại "
                        "nhiều lần vì mỗi lần lại thiếu một giấy tờ khác.",
                    ),
                    check(
                        "Khi hồ sơ đủ điều kiện, người nộp được giao giấy tờ gì?",
                        [
                            ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", True),
                            ("Phiếu từ chối tiếp nhận giải quyết hồ sơ", False),
                            ("Không cần giao giấy tờ gì", False),
                        ],
                        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả ghi ngày trả kết quả: đó là cam kết của cơ quan "
                        "với người dân.",
                    ),
                ],
            },
            {
                "slug": "ho-so-qua-han-va-danh-gia-hai-long",
                "title": "Hồ sơ quá hạn, những việc không được làm và đánh giá sự hài lòng",
                "summary": "Xin lỗi khi trễ hẹn, các hành vi bị nghiêm cấm và cách người dân đánh giá việc giải quyết.",
                "estimated_minutes": 30,
                "legal": ["61/2018/NĐ-CP"],
                "body": [
                    p(
                        "Hồ sơ giải quyết quá hạn là điều người dân không hài lòng nhất, và cũng là điểm trừ trong "
                        "Chỉ số cải cách hành chính của huyện. Khi đã biết hồ sơ sẽ trễ hẹn, cơ quan giải quyết phải "
                        "chủ động báo cho người dân."
                    ),
                    steps(
                        "Khi hồ sơ có nguy cơ quá hạn",
                        ("Phát hiện sớm", "Theo dõi hồ sơ sắp đến hạn trên phần mềm một cửa điện tử mỗi ngày."),
                        (
                            "Lập Phiếu xin lỗi và hẹn lại ngày trả kết quả",
                            "Cơ quan, đơn vị làm chậm gửi phiếu đến Bộ phận Một cửa trước thời hạn trả kết quả.",
                        ),
                        ("Báo cho người dân", "Bộ phận Một cửa thông báo cho người dân ngày hẹn mới."),
                    ),
                    h("Những việc cán bộ, công chức không được làm"),
                    ul(
                        "Cửa quyền, sách nhiễu, gây phiền hà, khó khăn cho tổ chức, cá nhân.",
                        "Từ chối thực hiện hoặc kéo dài thời gian giải quyết thủ tục hành chính mà không có lý do.",
                        "Tự ý yêu cầu bổ sung hồ sơ, giấy tờ ngoài quy định của pháp luật.",
                        "Trực tiếp giao dịch, yêu cầu tổ chức, cá nhân bổ sung hồ sơ không thông qua Bộ phận Một cửa "
                        "(trừ trường hợp pháp luật có quy định khác).",
                        "Thu phí, lệ phí không đúng quy định hoặc không có biên lai.",
                    ),
                    h("Người dân đánh giá thế nào?"),
                    p(
                        "Người dân đánh giá mức độ hài lòng bằng thiết bị đánh giá tại quầy, trên Cổng dịch vụ công hoặc "
                        "bằng phiếu. Kết quả đánh giá được tổng hợp định kỳ và là căn cứ để đánh giá, xếp loại công chức "
                        "và chấm điểm cải cách hành chính của cơ quan."
                    ),
                    check(
                        "Công chức một cửa có được yêu cầu người dân nộp thêm giấy tờ không có trong thành phần hồ sơ "
                        "đã công khai không?",
                        [("Có, nếu thấy cần thiết", False), ("Không", True)],
                        "Tự ý yêu cầu bổ sung giấy tờ ngoài quy định là hành vi bị nghiêm cấm.",
                    ),
                    check(
                        "Hồ sơ sẽ không kịp trả đúng hẹn. Việc nào đúng quy định?",
                        [
                            ("Im lặng, khi nào xong thì gọi người dân đến lấy", False),
                            ("Gửi Phiếu xin lỗi và hẹn lại ngày trả kết quả trước thời hạn", True),
                            ("Yêu cầu người dân nộp lại hồ sơ mới để tính lại thời hạn", False),
                        ],
                        "Cơ quan làm chậm phải xin lỗi bằng văn bản và hẹn lại ngày trả kết quả.",
                    ),
                ],
            },
            {
                "slug": "nhung-diem-moi-nghi-dinh-118-2025",
                "title": "Từ Nghị định 61/2018 đến Nghị định 118/2025",
                "summary": "Nghị định 118/2025/NĐ-CP thay thế Nghị định 61/2018/NĐ-CP từ ngày 01/7/2025: cần cập nhật gì.",
                "estimated_minutes": 20,
                "legal": ["118/2025/NĐ-CP", "61/2018/NĐ-CP"],
                "body": [
                    legal(
                        "Nghị định số 118/2025/NĐ-CP về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên "
                        "thông tại Bộ phận Một cửa và Cổng Dịch vụ công quốc gia có hiệu lực từ ngày 01/7/2025 và thay "
                        "thế Nghị định số 61/2018/NĐ-CP.",
                        "118/2025/NĐ-CP",
                    ),
                    p(
                        "Nghị định mới ra đời cùng với việc tổ chức chính quyền địa phương hai cấp (tỉnh và xã). "
                        "Tinh thần của cơ chế một cửa được giữ nguyên, đồng thời nhấn mạnh việc giải quyết thủ tục "
                        "trên môi trường điện tử và kết nối với Cổng Dịch vụ công quốc gia."
                    ),
                    ul(
                        "Bộ phận Một cửa được tổ chức ở cấp tỉnh và cấp xã; nhiều thủ tục trước đây của cấp huyện "
                        "nay do cấp xã tiếp nhận và giải quyết.",
                        "Hồ sơ, kết quả giải quyết được số hoá và lưu trong hệ thống thông tin giải quyết thủ tục "
                        "hành chính để không yêu cầu người dân nộp lại giấy tờ đã có.",
                        "Tăng cường tiếp nhận, trả kết quả trực tuyến và qua dịch vụ bưu chính công ích.",
                    ),
                    warning(
                        "Tài liệu, quy chế nội bộ nào còn trích dẫn Nghị định 61/2018/NĐ-CP cần được rà soát và cập nhật "
                        "căn cứ theo Nghị định 118/2025/NĐ-CP."
                    ),
                    check(
                        "Từ ngày 01/7/2025, văn bản nào quy định việc thực hiện thủ tục hành chính theo cơ chế một cửa, "
                        "một cửa liên thông?",
                        [
                            ("Nghị định số 61/2018/NĐ-CP", False),
                            ("Nghị định số 118/2025/NĐ-CP", True),
                            ("Quyết định số 45/2016/QĐ-TTg", False),
                        ],
                        "Nghị định 118/2025/NĐ-CP thay thế Nghị định 61/2018/NĐ-CP từ ngày 01/7/2025. "
                        "Quyết định 45/2016/QĐ-TTg quy định về dịch vụ bưu chính công ích.",
                    ),
                ],
            },
        ],
    },
    {
        "slug": DICH_VU_CONG,
        "title": "Dịch vụ công trực tuyến và dịch vụ bưu chính công ích",
        "summary": (
            "Dịch vụ công trực tuyến mức độ 3, 4, hướng dẫn người dân nộp hồ sơ qua mạng, số hoá hồ sơ và "
            "tiếp nhận hồ sơ, trả kết quả qua dịch vụ bưu chính công ích."
        ),
        "level": "commune",
        "estimated_minutes": 120,
        "pass_mark": 70,
        "tags": ["Dịch vụ công trực tuyến", "Bưu chính công ích", "Ứng dụng CNTT"],
        "legal": ["43/2011/NĐ-CP", "42/2022/NĐ-CP", "45/2016/QĐ-TTg", "45/2020/NĐ-CP"],
        "objectives": [
            "Phân biệt các mức độ dịch vụ công trực tuyến",
            "Hướng dẫn được người dân nộp hồ sơ trực tuyến",
            "Tiếp nhận, xử lý hồ sơ điện tử và số hoá hồ sơ giấy",
            "Tiếp nhận hồ sơ và trả kết quả qua dịch vụ bưu chính công ích",
        ],
        "description": (
            "<p>Khoá học thuộc nhóm nội dung ứng dụng công nghệ thông tin trong cơ quan nhà nước, dành cho công chức "
            "cấp xã trực tiếp tiếp nhận hồ sơ. Học xong, công chức có thể hướng dẫn người dân nộp hồ sơ trực tuyến "
            "ngay tại Bộ phận Một cửa và đăng ký nhận kết quả qua bưu điện.</p>"
        ),
        "lessons": [
            {
                "slug": "cac-muc-do-dich-vu-cong-truc-tuyen",
                "title": "Các mức độ của dịch vụ công trực tuyến",
                "summary": "Bốn mức độ theo Nghị định 43/2011 và cách gọi mới: dịch vụ công trực tuyến toàn trình, một phần.",
                "estimated_minutes": 25,
                "legal": ["43/2011/NĐ-CP", "42/2022/NĐ-CP"],
                "body": [
                    p(
                        "Dịch vụ công trực tuyến là dịch vụ hành chính công mà cơ quan nhà nước cung cấp cho tổ chức, "
                        "cá nhân trên môi trường mạng. Kế hoạch cải cách hành chính của huyện năm 2018 đặt mục tiêu "
                        "tăng số thủ tục cung cấp ở mức độ 3 và 4."
                    ),
                    ul(
                        "<b>Mức độ 1</b>: cung cấp đầy đủ thông tin về thủ tục hành chính.",
                        "<b>Mức độ 2</b>: thêm vào đó, cho phép tải về các mẫu đơn, tờ khai.",
                        "<b>Mức độ 3</b>: cho phép điền và gửi hồ sơ trực tuyến; thanh toán lệ phí và nhận kết quả "
                        "tại cơ quan.",
                        "<b>Mức độ 4</b>: như mức độ 3, và cả thanh toán lệ phí, nhận kết quả đều trực tuyến "
                        "hoặc qua bưu chính.",
                        intro="Theo Nghị định 43/2011/NĐ-CP, dịch vụ công trực tuyến có bốn mức độ:",
                    ),
                    legal(
                        "Nghị định 43/2011/NĐ-CP hết hiệu lực từ ngày 01/8/2022, được thay thế bởi Nghị định "
                        "42/2022/NĐ-CP. Văn bản mới gọi dịch vụ công trực tuyến là <b>toàn trình</b> (mọi bước, kể cả "
                        "thanh toán và nhận kết quả, đều trên môi trường mạng) hoặc <b>một phần</b> (còn ít nhất một "
                        "bước phải thực hiện trực tiếp).",
                        "42/2022/NĐ-CP",
                    ),
                    procedure("2018.X.HT.01", "Thủ tục cung cấp ở mức độ 4 (toàn trình)."),
                    check(
                        "Ở mức độ nào người dân vừa nộp hồ sơ, vừa thanh toán lệ phí và nhận kết quả mà không cần đến cơ quan?",
                        [("Mức độ 2", False), ("Mức độ 3", False), ("Mức độ 4", True)],
                        "Mức độ 4 (nay gọi là dịch vụ công trực tuyến toàn trình): mọi bước đều thực hiện trực tuyến, "
                        "kết quả trả trực tuyến hoặc qua bưu chính.",
                    ),
                    check(
                        "Văn bản nào đang quy định về cung cấp dịch vụ công trực tuyến?",
                        [("Nghị định 43/2011/NĐ-CP", False), ("Nghị định 42/2022/NĐ-CP", True)],
                        "Nghị định 42/2022/NĐ-CP thay thế Nghị định 43/2011/NĐ-CP từ ngày 01/8/2022.",
                    ),
                ],
            },
            {
                "slug": "huong-dan-nguoi-dan-nop-ho-so-truc-tuyen",
                "title": "Hướng dẫn người dân nộp hồ sơ trực tuyến",
                "summary": "Từ tạo tài khoản đến theo dõi hồ sơ: các bước để hướng dẫn người dân ngay tại quầy.",
                "estimated_minutes": 30,
                "legal": ["45/2020/NĐ-CP"],
                "body": [
                    p(
                        "Nhiều người dân chưa quen nộp hồ sơ qua mạng. Lần đầu, công chức một cửa nên hướng dẫn họ "
                        "làm ngay tại quầy, trên máy tính dành cho người dân hoặc trên điện thoại của chính họ."
                    ),
                    steps(
                        "Nộp hồ sơ trên Cổng dịch vụ công",
                        (
                            "Tạo tài khoản",
                            "Đăng ký tài khoản trên Cổng dịch vụ công bằng số điện thoại hoặc tài khoản định danh điện tử.",
                        ),
                        ("Chọn thủ tục", "Tìm theo tên thủ tục và chọn đúng cơ quan giải quyết (UBND xã, UBND huyện)."),
                        (
                            "Điền tờ khai điện tử",
                            "Thông tin đã có trong tài khoản được điền sẵn; kiểm tra lại trước khi gửi.",
                        ),
                        (
                            "Đính kèm giấy tờ",
                            "Chụp hoặc quét giấy tờ rõ nét, đủ trang; mỗi giấy tờ một tệp PDF hoặc ảnh.",
                        ),
                        ("Nộp và lưu mã hồ sơ", "Ghi lại mã hồ sơ để tra cứu tình trạng bất cứ lúc nào."),
                        ("Nhận kết quả", "Tại Bộ phận Một cửa, qua bưu chính công ích hoặc bản điện tử, tuỳ thủ tục."),
                    ),
                    note(
                        "Số hoá hồ sơ: khi quét giấy tờ, dùng độ phân giải 200–300 dpi, chế độ màu cho giấy tờ có dấu đỏ, "
                        "đặt tên tệp theo tên giấy tờ. Tệp quá mờ là lý do hay gặp nhất khiến hồ sơ trực tuyến bị yêu "
                        "cầu bổ sung."
                    ),
                    procedure("2018.X.HT.03"),
                    procedure("2018.X.HT.04"),
                    check(
                        "Người dân nên làm gì ngay sau khi nộp hồ sơ trực tuyến?",
                        [
                            ("Lưu lại mã hồ sơ để tra cứu tình trạng", True),
                            ("Đến Bộ phận Một cửa nộp lại bản giấy của cả hồ sơ", False),
                            ("Không cần làm gì, hồ sơ sẽ tự được trả tại nhà", False),
                        ],
                        "Mã hồ sơ dùng để tra cứu tình trạng giải quyết trên Cổng dịch vụ công hoặc tại quầy.",
                    ),
                    check(
                        "Những việc nào giúp hồ sơ trực tuyến không bị yêu cầu bổ sung? (chọn tất cả các ý đúng)",
                        [
                            ("Quét giấy tờ rõ nét, đủ trang", True),
                            ("Chọn đúng thủ tục và đúng cơ quan giải quyết", True),
                            ("Gộp tất cả giấy tờ vào một ảnh chụp duy nhất", False),
                            ("Kiểm tra lại thông tin tờ khai trước khi gửi", True),
                        ],
                        "Mỗi giấy tờ nên là một tệp riêng, rõ nét; gộp tất cả vào một ảnh khiến cơ quan không đọc được.",
                        kind="multiple",
                    ),
                ],
            },
            {
                "slug": "tiep-nhan-xu-ly-ho-so-dien-tu",
                "title": "Tiếp nhận và xử lý hồ sơ điện tử tại Bộ phận Một cửa",
                "summary": "Kiểm tra hồ sơ điện tử, yêu cầu bổ sung trên hệ thống, chữ ký số và lưu trữ điện tử.",
                "estimated_minutes": 30,
                "legal": ["45/2020/NĐ-CP", "61/2018/NĐ-CP"],
                "body": [
                    p(
                        "Hồ sơ nộp trực tuyến được tiếp nhận 24 giờ mỗi ngày. Hồ sơ gửi ngoài giờ hành chính được "
                        "công chức tiếp nhận vào ngày làm việc tiếp theo, và thời hạn giải quyết tính từ lúc tiếp nhận."
                    ),
                    steps(
                        "Xử lý một hồ sơ điện tử",
                        ("Kiểm tra", "Mở từng tệp đính kèm, đối chiếu với thành phần hồ sơ của thủ tục."),
                        (
                            "Tiếp nhận hoặc yêu cầu bổ sung",
                            "Hồ sơ đủ: bấm tiếp nhận để hệ thống gửi thông báo và ngày hẹn cho người dân. Hồ sơ thiếu: "
                            "ghi rõ một lần tất cả nội dung cần bổ sung.",
                        ),
                        (
                            "Chuyển xử lý",
                            "Chuyển hồ sơ trên hệ thống đến công chức chuyên môn; không in ra giấy nếu không cần.",
                        ),
                        (
                            "Ký số và trả kết quả",
                            "Kết quả điện tử được ký số và trả trên hệ thống; bản giấy trả theo hình thức người dân đăng ký.",
                        ),
                    ),
                    note(
                        "Thư điện tử công vụ chỉ dùng cho công việc; không gửi hồ sơ của người dân qua thư điện tử cá nhân "
                        "hay mạng xã hội."
                    ),
                    procedure("2018.H.DD.02"),
                    check(
                        "Một hồ sơ trực tuyến được gửi lúc 21 giờ tối thứ Sáu. Thời hạn giải quyết bắt đầu tính từ khi nào?",
                        [
                            ("Từ 21 giờ tối thứ Sáu", False),
                            ("Từ khi công chức tiếp nhận hồ sơ vào ngày làm việc tiếp theo", True),
                            ("Từ khi người dân gọi điện nhắc", False),
                        ],
                        "Hồ sơ nhận ngoài giờ được tiếp nhận vào ngày làm việc tiếp theo; thời hạn tính từ lúc tiếp nhận.",
                    ),
                ],
            },
            {
                "slug": "buu-chinh-cong-ich",
                "title": "Tiếp nhận hồ sơ và trả kết quả qua dịch vụ bưu chính công ích",
                "summary": "Quyết định 45/2016/QĐ-TTg: người dân gửi hồ sơ và nhận kết quả tại nhà qua bưu điện.",
                "estimated_minutes": 25,
                "legal": ["45/2016/QĐ-TTg"],
                "body": [
                    legal(
                        "Tổ chức, cá nhân có thể thực hiện việc gửi hồ sơ, nhận kết quả giải quyết thủ tục hành chính "
                        "qua dịch vụ bưu chính công ích, trừ những thủ tục pháp luật yêu cầu phải có mặt trực tiếp.",
                        "45/2016/QĐ-TTg",
                    ),
                    p(
                        "Với người cao tuổi, người ở các xóm xa trung tâm, dịch vụ này tiết kiệm một hoặc nhiều chuyến "
                        "đi lại. Người dân trả cước theo bảng giá công khai của doanh nghiệp bưu chính."
                    ),
                    steps(
                        "Trả kết quả qua bưu chính",
                        (
                            "Ghi nhận yêu cầu",
                            "Khi tiếp nhận hồ sơ, ghi rõ người dân đăng ký nhận kết quả qua bưu chính và địa chỉ nhận.",
                        ),
                        (
                            "Bàn giao cho bưu điện",
                            "Khi có kết quả, bàn giao cho nhân viên bưu chính kèm sổ theo dõi, ký nhận đầy đủ.",
                        ),
                        (
                            "Phát đến người dân",
                            "Nhân viên bưu chính phát kết quả, thu cước và phí, lệ phí (nếu có) theo thoả thuận.",
                        ),
                    ),
                    warning(
                        "Không áp dụng cho thủ tục mà pháp luật yêu cầu người dân phải có mặt, ví dụ đăng ký kết hôn: "
                        "hai bên nam, nữ phải có mặt để ký vào sổ hộ tịch."
                    ),
                    procedure("2018.X.HT.07", "Có thể nhận bản sao trích lục qua bưu chính."),
                    procedure("2018.X.HT.02", "Không nhận kết quả qua bưu chính: hai bên phải có mặt khi đăng ký."),
                    check(
                        "Thủ tục nào dưới đây KHÔNG thể trả kết quả qua dịch vụ bưu chính công ích?",
                        [
                            ("Cấp bản sao trích lục hộ tịch", False),
                            ("Đăng ký kết hôn", True),
                            ("Đăng ký thành lập hộ kinh doanh", False),
                        ],
                        "Đăng ký kết hôn yêu cầu hai bên có mặt để ký vào sổ hộ tịch và nhận Giấy chứng nhận kết hôn.",
                    ),
                    check(
                        "Ai trả cước dịch vụ bưu chính khi người dân đăng ký nhận kết quả tại nhà?",
                        [
                            ("Người dân, theo giá cước công khai", True),
                            ("Công chức một cửa", False),
                            ("Không ai, dịch vụ miễn phí", False),
                        ],
                        "Người sử dụng dịch vụ trả cước theo bảng giá mà doanh nghiệp bưu chính công bố.",
                    ),
                ],
            },
        ],
    },
    {
        "slug": ISO,
        "title": "Áp dụng ISO 9001:2015 trong cơ quan hành chính nhà nước",
        "summary": (
            "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 cho việc giải quyết thủ tục hành chính: "
            "nguyên tắc, chu trình PDCA, viết quy trình, quản lý rủi ro, đánh giá nội bộ và cải tiến."
        ),
        "level": "district",
        "estimated_minutes": 120,
        "pass_mark": 75,
        "tags": ["ISO 9001", "Quản lý chất lượng"],
        "legal": ["19/2014/QĐ-TTg", "101/QĐ-TTg"],
        "objectives": [
            "Nêu được cơ sở pháp lý của việc áp dụng ISO 9001 trong cơ quan hành chính",
            "Vận dụng bảy nguyên tắc quản lý chất lượng và chu trình PDCA",
            "Viết được một quy trình giải quyết thủ tục hành chính theo hệ thống quản lý chất lượng",
            "Tham gia nhận diện rủi ro, đánh giá nội bộ và cải tiến",
        ],
        "description": (
            "<p>Dành cho công chức các phòng chuyên môn cấp huyện, nơi mọi thủ tục hành chính đều được giải quyết "
            "theo quy trình của hệ thống quản lý chất lượng. Khoá học giúp chuyển từ phiên bản 2008 sang 2015 "
            "theo kế hoạch của Thủ tướng Chính phủ.</p>"
        ),
        "lessons": [
            {
                "slug": "he-thong-quan-ly-chat-luong-la-gi",
                "title": "Hệ thống quản lý chất lượng trong cơ quan hành chính",
                "summary": "ISO 9001 là gì, vì sao cơ quan hành chính áp dụng và cơ sở pháp lý.",
                "estimated_minutes": 25,
                "legal": ["19/2014/QĐ-TTg", "101/QĐ-TTg"],
                "body": [
                    p(
                        "ISO 9001 là tiêu chuẩn quốc tế về hệ thống quản lý chất lượng. Trong cơ quan hành chính, "
                        '"sản phẩm" là kết quả giải quyết thủ tục và "khách hàng" là người dân, doanh nghiệp. '
                        "Hệ thống quản lý chất lượng giúp mỗi hồ sơ được xử lý theo cùng một cách, đúng hạn, và "
                        "giúp cơ quan liên tục làm tốt hơn."
                    ),
                    legal(
                        "Các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước xây dựng và áp dụng hệ thống quản lý "
                        "chất lượng theo Tiêu chuẩn quốc gia TCVN ISO 9001 đối với hoạt động liên quan đến thực hiện "
                        "thủ tục hành chính.",
                        "19/2014/QĐ-TTg",
                    ),
                    p(
                        "Năm 2018, Thủ tướng Chính phủ phê duyệt Kế hoạch triển khai áp dụng TCVN ISO 9001:2015 "
                        "(Quyết định số 101/QĐ-TTg) để các cơ quan chuyển đổi từ phiên bản 2008 sang phiên bản 2015."
                    ),
                    note(
                        "Cơ quan tự công bố hệ thống quản lý chất lượng phù hợp tiêu chuẩn sau khi xây dựng, áp dụng "
                        "và đánh giá nội bộ; việc công bố được thông báo cho cơ quan quản lý cấp trên."
                    ),
                    check(
                        'Trong cơ quan hành chính, "khách hàng" của hệ thống quản lý chất lượng là ai?',
                        [
                            ("Lãnh đạo cơ quan", False),
                            ("Người dân, tổ chức có yêu cầu giải quyết thủ tục hành chính", True),
                            ("Tổ chức chứng nhận ISO", False),
                        ],
                        "Kết quả giải quyết thủ tục là sản phẩm; người dân, tổ chức là khách hàng.",
                    ),
                    check(
                        "Quyết định số 101/QĐ-TTg năm 2018 có nội dung gì?",
                        [
                            ("Kế hoạch triển khai áp dụng TCVN ISO 9001:2015 trong hệ thống hành chính nhà nước", True),
                            ("Quy định về dịch vụ bưu chính công ích", False),
                            ("Quy định về cơ chế một cửa", False),
                        ],
                        "Đây là kế hoạch chuyển đổi sang phiên bản 2015 của tiêu chuẩn.",
                    ),
                ],
            },
            {
                "slug": "nguyen-tac-va-chu-trinh-pdca",
                "title": "Bảy nguyên tắc quản lý chất lượng và chu trình PDCA",
                "summary": "Những nguyên tắc nền tảng của ISO 9001:2015 và cách vận hành theo chu trình Lập kế hoạch - Thực hiện - Kiểm tra - Cải tiến.",
                "estimated_minutes": 30,
                "legal": ["101/QĐ-TTg"],
                "body": [
                    ul(
                        "Hướng vào khách hàng",
                        "Sự lãnh đạo",
                        "Sự tham gia của mọi người",
                        "Tiếp cận theo quá trình",
                        "Cải tiến",
                        "Quyết định dựa trên bằng chứng",
                        "Quản lý các mối quan hệ",
                        intro="ISO 9001:2015 dựa trên bảy nguyên tắc quản lý chất lượng:",
                    ),
                    steps(
                        "Chu trình PDCA cho một quy trình thủ tục",
                        (
                            "Lập kế hoạch (Plan)",
                            "Xác định mục tiêu chất lượng, ví dụ: 100% hồ sơ đăng ký hộ kinh doanh trả đúng hạn.",
                        ),
                        ("Thực hiện (Do)", "Giải quyết hồ sơ theo quy trình đã ban hành."),
                        (
                            "Kiểm tra (Check)",
                            "Theo dõi số hồ sơ đúng hạn, trễ hạn trên phần mềm một cửa; đánh giá nội bộ.",
                        ),
                        ("Cải tiến (Act)", "Tìm nguyên nhân hồ sơ trễ hạn và sửa quy trình, biểu mẫu."),
                    ),
                    note(
                        'Mục tiêu chất lượng phải đo được. "Phục vụ người dân tốt hơn" là khẩu hiệu; '
                        '"95% hồ sơ trả trước hoặc đúng hẹn" là mục tiêu.'
                    ),
                    check(
                        "Đâu là những nguyên tắc quản lý chất lượng của ISO 9001:2015? (chọn tất cả các ý đúng)",
                        [
                            ("Hướng vào khách hàng", True),
                            ("Quyết định dựa trên bằng chứng", True),
                            ("Giữ nguyên quy trình để ổn định", False),
                            ("Tiếp cận theo quá trình", True),
                        ],
                        "Cải tiến là một nguyên tắc: quy trình được sửa khi có bằng chứng cần cải tiến, không giữ nguyên mãi.",
                        kind="multiple",
                    ),
                    check(
                        "Theo dõi tỷ lệ hồ sơ trễ hạn hằng tháng thuộc bước nào của chu trình PDCA?",
                        [("Lập kế hoạch", False), ("Thực hiện", False), ("Kiểm tra", True), ("Cải tiến", False)],
                        "Đo lường, theo dõi kết quả là bước Kiểm tra (Check).",
                    ),
                ],
            },
            {
                "slug": "xay-dung-quy-trinh-giai-quyet-thu-tuc",
                "title": "Xây dựng quy trình giải quyết thủ tục hành chính",
                "summary": "Cấu trúc một quy trình: ai làm gì, trong bao lâu, dùng biểu mẫu nào, lưu hồ sơ ở đâu.",
                "estimated_minutes": 35,
                "legal": ["19/2014/QĐ-TTg"],
                "body": [
                    p(
                        "Mỗi thủ tục hành chính thuộc thẩm quyền của huyện có một quy trình viết thành văn bản. "
                        "Quy trình tốt cho phép một công chức mới đọc là làm được."
                    ),
                    steps(
                        "Các phần của một quy trình",
                        ("Mục đích và phạm vi", "Quy trình áp dụng cho thủ tục nào, ở cơ quan nào."),
                        ("Căn cứ pháp lý", "Các văn bản quy định thủ tục, còn hiệu lực."),
                        ("Thành phần hồ sơ, thời hạn, phí, lệ phí", "Đúng như thủ tục đã công bố."),
                        (
                            "Các bước thực hiện",
                            "Bảng ghi rõ từng bước: người thực hiện, thời gian (ngày làm việc), biểu mẫu, kết quả của bước.",
                        ),
                        ("Biểu mẫu và hồ sơ lưu", "Danh mục biểu mẫu dùng trong quy trình, nơi lưu và thời gian lưu."),
                    ),
                    procedure(
                        "2018.H.XD.01",
                        "Ví dụ: 15 ngày làm việc được chia cho các bước tiếp nhận, thẩm định, trình ký, trả kết quả.",
                    ),
                    warning(
                        "Tổng thời gian của các bước không được vượt thời hạn giải quyết đã công bố; nên để dự phòng "
                        "ở khâu thẩm định, nơi hồ sơ hay phải xác minh."
                    ),
                    check(
                        "Thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ có thời hạn 15 ngày làm việc. Quy trình nội bộ "
                        "phân bổ thời gian thế nào là đúng?",
                        [
                            ("Tổng thời gian các bước bằng hoặc ít hơn 15 ngày làm việc", True),
                            ("Mỗi bước được 15 ngày làm việc", False),
                            ("Không cần ghi thời gian cho từng bước", False),
                        ],
                        "Quy trình chia thời hạn đã công bố cho các bước; tổng không vượt quá thời hạn đó.",
                    ),
                ],
            },
            {
                "slug": "rui-ro-danh-gia-noi-bo-cai-tien",
                "title": "Tư duy dựa trên rủi ro, đánh giá nội bộ và cải tiến",
                "summary": "Điểm mới của phiên bản 2015: nhận diện rủi ro; đánh giá nội bộ và xem xét của lãnh đạo.",
                "estimated_minutes": 30,
                "legal": ["101/QĐ-TTg"],
                "body": [
                    p(
                        "Điểm mới quan trọng của ISO 9001:2015 là <b>tư duy dựa trên rủi ro</b>: thay vì chờ hồ sơ trễ "
                        "hạn rồi mới xử lý, cơ quan nhận diện trước những khâu dễ gây chậm và có biện pháp phòng ngừa."
                    ),
                    ul(
                        "Hồ sơ đất đai phải chờ kết quả xác minh của xã: thống nhất thời hạn xác minh bằng văn bản.",
                        "Công chức thẩm định nghỉ phép: phân công người thay thế trong quy trình.",
                        "Phần mềm một cửa gián đoạn: có sổ theo dõi giấy để cập nhật lại sau.",
                        intro="Ví dụ về rủi ro và biện pháp:",
                    ),
                    steps(
                        "Đánh giá nội bộ",
                        ("Lập kế hoạch đánh giá", "Ít nhất mỗi năm một lần, bao quát mọi quy trình."),
                        ("Đánh giá", "Chuyên gia đánh giá nội bộ không đánh giá công việc của chính mình."),
                        (
                            "Báo cáo và khắc phục",
                            "Mỗi điểm không phù hợp có nguyên nhân, biện pháp khắc phục và thời hạn.",
                        ),
                        ("Xem xét của lãnh đạo", "Lãnh đạo xem xét kết quả, quyết định cải tiến và nguồn lực."),
                    ),
                    check(
                        '"Tư duy dựa trên rủi ro" có nghĩa là gì?',
                        [
                            (
                                "Nhận diện trước những khâu có thể gây lỗi hoặc chậm trễ và có biện pháp phòng ngừa",
                                True,
                            ),
                            ("Chỉ xử lý khi đã có hồ sơ trễ hạn", False),
                            ("Tránh giải quyết những hồ sơ phức tạp", False),
                        ],
                        "Phòng ngừa thay vì chờ sự cố: đó là điểm mới của phiên bản 2015.",
                    ),
                    check(
                        "Ai không nên đánh giá một quy trình trong đánh giá nội bộ?",
                        [
                            ("Người trực tiếp thực hiện quy trình đó", True),
                            ("Chuyên gia đánh giá nội bộ của phòng khác", False),
                        ],
                        "Để khách quan, người đánh giá không đánh giá công việc của chính mình.",
                    ),
                ],
            },
        ],
    },
]

# The demo trainer edits this course section; the other courses stay with the organizers.
TRAINER_COURSE = MOT_CUA
TRAINER_GROUP = "Giảng viên — Cơ chế một cửa"
