"""The starting catalogue: real West Bengal departments and Bangla Sahayata Kendra services.

Names are real; the details are configuration that administrators edit in the admin.
**Fee amounts are illustrative, not official rates**: BSKs charge no service charge, and
the heads here stand for statutory fees and dues (stamp duty, mutation fee, bills, fines)
that the centre's e-wallet passes to the treasury, the department or the biller. Where
the citizen brings the amount (a bill, a fine, a duty), a ``paise`` form field carries it
and the fee head names that field in ``amount_from_field``.

Workflows (implemented by the applications app): ``bill_payment`` (instant biller
confirmation), ``treasury_challan`` (confirmed later), ``land_records`` (confirmed by the
land records back end), ``single_approval`` and ``verify_approve`` (verification, then
approval, with return for correction).
"""

from __future__ import annotations

from typing import Any

DEPARTMENTS: tuple[tuple[str, str, str, str], ...] = (
    # code, short name, English, Bengali
    (
        "WCD",
        "WCD&SW",
        "Women and Child Development and Social Welfare Department",
        "নারী ও শিশু উন্নয়ন এবং সমাজকল্যাণ দপ্তর",
    ),
    ("HFW", "H&FW", "Health and Family Welfare Department", "স্বাস্থ্য ও পরিবার কল্যাণ দপ্তর"),
    ("AGRI", "Agriculture", "Agriculture Department", "কৃষি দপ্তর"),
    ("FS", "F&S", "Food and Supplies Department", "খাদ্য ও সরবরাহ দপ্তর"),
    ("BCW", "BCW", "Backward Classes Welfare Department", "অনগ্রসর শ্রেণি কল্যাণ দপ্তর"),
    ("TD", "Tribal Dev.", "Tribal Development Department", "আদিবাসী উন্নয়ন দপ্তর"),
    (
        "MAME",
        "MA&ME",
        "Minority Affairs and Madrasah Education Department",
        "সংখ্যালঘু বিষয়ক ও মাদ্রাসা শিক্ষা দপ্তর",
    ),
    ("HED", "Higher Edn.", "Higher Education Department", "উচ্চশিক্ষা দপ্তর"),
    ("SED", "School Edn.", "School Education Department", "বিদ্যালয় শিক্ষা দপ্তর"),
    (
        "PAR",
        "P&AR",
        "Personnel and Administrative Reforms and e-Governance Department",
        "কর্মিবর্গ ও প্রশাসনিক সংস্কার এবং ই-গভর্ন্যান্স দপ্তর",
    ),
    (
        "LLR",
        "L&LR",
        "Land and Land Reforms and Refugee Relief and Rehabilitation Department",
        "ভূমি ও ভূমি সংস্কার এবং উদ্বাস্তু ত্রাণ ও পুনর্বাসন দপ্তর",
    ),
    ("FIN", "Finance", "Finance Department", "অর্থ দপ্তর"),
    ("POW", "Power", "Power Department", "বিদ্যুৎ দপ্তর"),
    (
        "UDMA",
        "UD&MA",
        "Urban Development and Municipal Affairs Department",
        "নগরোন্নয়ন ও পৌর বিষয়ক দপ্তর",
    ),
    ("TRN", "Transport", "Transport Department", "পরিবহণ দপ্তর"),
    ("HOME", "Home", "Home and Hill Affairs Department", "স্বরাষ্ট্র ও পার্বত্য বিষয়ক দপ্তর"),
    ("PRD", "P&RD", "Panchayats and Rural Development Department", "পঞ্চায়েত ও গ্রামোন্নয়ন দপ্তর"),
    ("LAB", "Labour", "Labour Department", "শ্রম দপ্তর"),
    (
        "MSME",
        "MSME&T",
        "Micro, Small and Medium Enterprises and Textiles Department",
        "অণু, ক্ষুদ্র ও মাঝারি উদ্যোগ এবং বস্ত্র দপ্তর",
    ),
    ("FISH", "Fisheries", "Fisheries Department", "মৎস্য দপ্তর"),
    ("ICA", "I&CA", "Information and Cultural Affairs Department", "তথ্য ও সংস্কৃতি দপ্তর"),
    ("HOUS", "Housing", "Housing Department", "আবাসন দপ্তর"),
    ("PHE", "PHE", "Public Health Engineering Department", "জনস্বাস্থ্য কারিগরি দপ্তর"),
    (
        "DMCD",
        "DM&CD",
        "Disaster Management and Civil Defence Department",
        "বিপর্যয় মোকাবিলা ও অসামরিক প্রতিরক্ষা দপ্তর",
    ),
    ("LAW", "Law", "Law Department", "আইন দপ্তর"),
)


# --- Building blocks: form fields, documents and fee heads ------------------------------


def _field(kind: str, name: str, en: str, bn: str, example: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "label_en": en, "label_bn": bn, "example": example, **extra}


def text(name: str, en: str, bn: str, example: str, **extra: Any) -> dict[str, Any]:
    return _field("text", name, en, bn, example, **extra)


def number(name: str, en: str, bn: str, example: str, **extra: Any) -> dict[str, Any]:
    return _field("number", name, en, bn, example, **extra)


def date(name: str, en: str, bn: str, example: str, **extra: Any) -> dict[str, Any]:
    return _field("date", name, en, bn, example, **extra)


def choice(
    name: str, en: str, bn: str, choices: list[tuple[str, str, str]], **extra: Any
) -> dict[str, Any]:
    """A pick from ``(value, English label, Bengali label)``: people read the labels, the
    form and the API carry the value."""
    options = [{"value": value, "label_en": en_, "label_bn": bn_} for value, en_, bn_ in choices]
    return _field("choice", name, en, bn, choices[0][0], choices=options, **extra)


def paise(name: str, en: str, bn: str, example: str) -> dict[str, Any]:
    return _field("paise", name, en, bn, example)


def doc(code: str, en: str, bn: str, mandatory: bool = True) -> dict[str, Any]:
    return {"code": code, "name_en": en, "name_bn": bn, "mandatory": mandatory}


def fixed(code: str, en: str, bn: str, amount: int, payee: str) -> dict[str, Any]:
    return {
        "code": code,
        "name_en": en,
        "name_bn": bn,
        "amount_paise": amount,
        "amount_from_field": "",
        "payee": payee,
    }


def from_field(code: str, en: str, bn: str, field: str, payee: str) -> dict[str, Any]:
    return {
        "code": code,
        "name_en": en,
        "name_bn": bn,
        "amount_paise": 0,
        "amount_from_field": field,
        "payee": payee,
    }


BANK = [
    text(
        "bank_account_no",
        "Bank account number",
        "ব্যাংক অ্যাকাউন্ট নম্বর",
        "30123456789",
        pattern=r"^[0-9]{9,18}$",
        max_length=18,
    ),
    text(
        "ifsc",
        "IFSC of the branch",
        "শাখার আইএফএসসি",
        "SBIN0001234",
        pattern=r"^[A-Z]{4}0[A-Z0-9]{6}$",
        max_length=11,
    ),
]
ADDRESS = text("address", "Address", "ঠিকানা", "Vill. Champahati, P.O. Baruipur")
DOB = date("date_of_birth", "Date of birth", "জন্মতারিখ", "1958-04-12")
GUARDIAN = text("guardian_name", "Father's or husband's name", "পিতা বা স্বামীর নাম", "Haripada Das")
INCOME = number(
    "annual_family_income", "Annual family income (₹)", "বার্ষিক পারিবারিক আয় (টাকা)", "96000"
)
STUDY = [
    text(
        "institution",
        "School, college or university",
        "বিদ্যালয়, কলেজ বা বিশ্ববিদ্যালয়",
        "Jadavpur University",
    ),
    text("course", "Class or course", "শ্রেণি বা পাঠক্রম", "B.Sc. Physics"),
    number("marks_percent", "Marks in the last examination (%)", "শেষ পরীক্ষার নম্বর (%)", "78"),
]
LAND = [
    text("mouza", "Mouza", "মৌজা", "Champahati"),
    number("jl_no", "J.L. number", "জে.এল. নম্বর", "45"),
    text("khatian_no", "Khatian number", "খতিয়ান নম্বর", "1234", pattern=r"^[0-9/]{1,10}$"),
    text("plot_no", "Plot (dag) number", "দাগ নম্বর", "567", pattern=r"^[0-9/]{1,10}$"),
]

D_ID = doc("identity_proof", "Proof of identity (Aadhaar or EPIC)", "পরিচয়ের প্রমাণ (আধার বা ভোটার কার্ড)")
D_ADDR = doc("address_proof", "Proof of residence", "বাসস্থানের প্রমাণ")
D_PHOTO = doc("photo", "Passport-size photograph", "পাসপোর্ট মাপের ছবি")
D_BANK = doc("bank_passbook", "First page of the bank passbook", "ব্যাংক পাসবইয়ের প্রথম পাতা")
D_AGE = doc("age_proof", "Proof of age", "বয়সের প্রমাণ")
D_INCOME = doc("income_proof", "Proof of income", "আয়ের প্রমাণ")
D_CASTE = doc("caste_certificate", "Caste certificate", "জাতি শংসাপত্র")
D_MARKS = doc("marksheet", "Marksheet of the last examination", "শেষ পরীক্ষার মার্কশিট")
D_ADMIT = doc("admission_proof", "Proof of admission", "ভর্তির প্রমাণ")
D_RATION = doc("ration_card", "Ration card", "রেশন কার্ড", mandatory=False)
D_LAND = doc("land_record", "Record of rights (khatian) or deed", "খতিয়ান বা দলিল")
D_DEED = doc("deed", "Deed of transfer", "হস্তান্তরের দলিল")
D_BILL = doc("bill", "Bill, demand notice or challan", "বিল, দাবির নোটিস বা চালান", mandatory=False)
D_HOSPITAL = doc("hospital_record", "Hospital or nursing home record", "হাসপাতাল বা নার্সিং হোমের নথি")
D_DEATH = doc("death_proof", "Death certificate of the husband", "স্বামীর মৃত্যু শংসাপত্র")
D_FAMILY = doc("family_proof", "Proof of family relationship", "পারিবারিক সম্পর্কের প্রমাণ")

ID = [D_ID, D_ADDR, D_PHOTO]
BENEFIT = [D_ID, D_ADDR, D_BANK, D_PHOTO]

FREE_EN = "Free of charge: Bangla Sahayata Kendra takes no service charge."
FREE_BN = "বিনামূল্যে: বাংলা সহায়তা কেন্দ্র কোনো পরিষেবা মূল্য নেয় না।"
PAID_EN = (
    "Statutory fee or dues paid from the centre's e-wallet; no service charge. "
    "The fee amounts here are illustrative configuration, not official rates."
)
PAID_BN = (
    "বিধিবদ্ধ ফি বা পাওনা কেন্দ্রের ই-ওয়ালেট থেকে দেওয়া হয়; কোনো পরিষেবা মূল্য নেই। "
    "এখানে ফি-এর পরিমাণগুলি দৃষ্টান্তমূলক কনফিগারেশন, সরকারি হার নয়।"
)


def svc(
    code: str,
    department: str,
    kind: str,
    name_en: str,
    name_bn: str,
    days: int,
    workflow: str,
    fields: list[dict[str, Any]],
    documents: list[dict[str, Any]],
    *,
    fees: list[dict[str, Any]] | None = None,
    adapter: str = "",
    certificate: bool = False,
) -> dict[str, Any]:
    """One service definition, in the shape ``catalogue.services.service_define`` takes."""
    return {
        "code": code,
        "department_code": department,
        "kind": kind,
        "name_en": name_en,
        "name_bn": name_bn,
        "time_limit_days": days,
        "workflow_code": workflow,
        "adapter_code": adapter,
        "issues_certificate": certificate,
        "description_en": PAID_EN if fees else FREE_EN,
        "description_bn": PAID_BN if fees else FREE_BN,
        "fee_heads": fees or [],
        "form_fields": fields,
        "documents": documents,
    }


SINGLE, VERIFY = "single_approval", "verify_approve"

# One service per entry; kept unformatted so that each reads as one row of the catalogue.
# fmt: off
SERVICES: list[dict[str, Any]] = [
    # --- Schemes (free) ---------------------------------------------------------------
    svc("kanyashree_k1", "WCD", "scheme", "Kanyashree K1 annual scholarship",
        "কন্যাশ্রী K1 বার্ষিক বৃত্তি", 30, SINGLE,
        [*STUDY[:2], DOB, *BANK], [*BENEFIT, D_ADMIT]),
    svc("kanyashree_k2", "WCD", "scheme", "Kanyashree K2 one-time grant",
        "কন্যাশ্রী K2 এককালীন অনুদান", 30, SINGLE,
        [*STUDY[:2], DOB, *BANK], [*BENEFIT, D_ADMIT, D_AGE]),
    svc("lakshmir_bhandar", "WCD", "scheme", "Lakshmir Bhandar", "লক্ষ্মীর ভাণ্ডার", 30, SINGLE,
        [DOB, GUARDIAN, choice("category", "Social category", "সামাজিক শ্রেণি",
                               [("general", "General", "সাধারণ"),
                                ("sc", "Scheduled Caste (SC)", "তফসিলি জাতি (SC)"),
                                ("st", "Scheduled Tribe (ST)", "তফসিলি উপজাতি (ST)"),
                                ("obc", "Other Backward Classes (OBC)",
                                 "অনগ্রসর শ্রেণি (OBC)")]), *BANK], BENEFIT),
    svc("rupashree", "WCD", "scheme", "Rupashree Prakalpa", "রূপশ্রী প্রকল্প", 30, SINGLE,
        [date("marriage_date", "Proposed date of marriage", "বিয়ের প্রস্তাবিত তারিখ",
              "2026-02-14"), GUARDIAN, INCOME, *BANK], [*BENEFIT, D_AGE, D_INCOME]),
    svc("swasthya_sathi", "HFW", "health", "Swasthya Sathi enrolment", "স্বাস্থ্য সাথী নথিভুক্তি",
        30, SINGLE, [number("family_members", "Members of the family", "পরিবারের সদস্য সংখ্যা",
                            "4"), ADDRESS], [*ID, D_RATION]),
    svc("swasthya_sathi_add_member", "HFW", "health", "Swasthya Sathi: add a family member",
        "স্বাস্থ্য সাথী: পরিবারের সদস্য যোগ", 15, SINGLE,
        [text("card_no", "Swasthya Sathi card number", "স্বাস্থ্য সাথী কার্ড নম্বর",
              "WB1234567890", pattern=r"^[A-Z0-9]{8,16}$"),
         text("member_name", "Name of the new member", "নতুন সদস্যের নাম", "Mita Das"), DOB],
        [D_ID, D_FAMILY]),
    svc("sishu_sathi", "HFW", "health", "Sishu Sathi", "শিশু সাথী", 30, SINGLE,
        [text("child_name", "Child's name", "শিশুর নাম", "Arko Das"),
         date("date_of_birth", "Child's date of birth", "শিশুর জন্মতারিখ", "2018-06-01"),
         text("hospital", "Hospital", "হাসপাতাল", "SSKM Hospital")], [D_ID, D_HOSPITAL]),
    svc("krishak_bandhu", "AGRI", "scheme", "Krishak Bandhu (assured income)",
        "কৃষক বন্ধু (নিশ্চিত আয়)", 30, SINGLE, [*LAND[:2], *LAND[3:], *BANK],
        [*BENEFIT, D_LAND]),
    svc("krishak_bandhu_death", "AGRI", "scheme", "Krishak Bandhu death benefit",
        "কৃষক বন্ধু মৃত্যুকালীন সহায়তা", 30, SINGLE,
        [text("deceased_name", "Name of the deceased farmer", "প্রয়াত কৃষকের নাম",
              "Gopal Mondal"), date("date_of_death", "Date of death", "মৃত্যুর তারিখ",
                                    "2025-11-02"), *BANK],
        [D_ID, D_BANK, doc("death_certificate", "Death certificate", "মৃত্যু শংসাপত্র"),
         D_FAMILY]),
    svc("bangla_shasya_bima", "AGRI", "scheme", "Bangla Shasya Bima (crop insurance)",
        "বাংলা শস্য বিমা", 15, SINGLE,
        [*LAND[:2], LAND[3], choice("crop", "Crop", "ফসল", [
            ("aman_paddy", "Aman paddy", "আমন ধান"), ("boro_paddy", "Boro paddy", "বোরো ধান"),
            ("potato", "Potato", "আলু"), ("jute", "Jute", "পাট"), ("wheat", "Wheat", "গম")])],
        [D_ID, D_LAND]),
    svc("kisan_credit_card", "AGRI", "scheme", "Kisan Credit Card", "কিষাণ ক্রেডিট কার্ড", 15,
        SINGLE, [*LAND[:2], LAND[3], *BANK], [*BENEFIT, D_LAND]),
    svc("farmer_old_age_pension", "AGRI", "pension", "Old-age pension for farmers",
        "কৃষক বার্ধক্য ভাতা", 60, SINGLE, [DOB, *BANK], [*BENEFIT, D_AGE, D_LAND]),
    svc("khadya_sathi_new", "FS", "scheme", "Khadya Sathi: new ration card",
        "খাদ্য সাথী: নতুন রেশন কার্ড", 30, SINGLE,
        [GUARDIAN, ADDRESS, number("family_members", "Members of the family",
                                   "পরিবারের সদস্য সংখ্যা", "4")], ID),
    svc("khadya_sathi_correction", "FS", "scheme", "Khadya Sathi: ration card correction",
        "খাদ্য সাথী: রেশন কার্ড সংশোধন", 15, SINGLE,
        [text("ration_card_no", "Ration card number", "রেশন কার্ড নম্বর", "1234567890",
              pattern=r"^[0-9]{10}$"),
         text("correction", "What to correct", "কী সংশোধন করতে হবে", "Spelling of the name")],
        [D_ID, doc("ration_card", "Ration card", "রেশন কার্ড")]),
    svc("taruner_swapna", "SED", "scheme", "Taruner Swapna (tablet grant)",
        "তরুণের স্বপ্ন (ট্যাবলেট অনুদান)", 30, SINGLE, [*STUDY[:2], *BANK], [*BENEFIT, D_ADMIT]),
    svc("sabooj_sathi", "BCW", "scheme", "Sabooj Sathi (bicycle)", "সবুজ সাথী (সাইকেল)", 30,
        SINGLE, STUDY[:2], [D_ID, D_ADMIT]),
    svc("karmasathi", "MSME", "scheme", "Karmasathi Prakalpa", "কর্মসাথী প্রকল্প", 45, SINGLE,
        [text("enterprise", "Proposed enterprise", "প্রস্তাবিত উদ্যোগ", "Tailoring unit"),
         number("project_cost", "Project cost (₹)", "প্রকল্পের খরচ (টাকা)", "150000"), *BANK],
        [*BENEFIT, doc("project_report", "Project report", "প্রকল্প প্রতিবেদন")]),
    svc("bhabishyat_credit_card", "MSME", "scheme", "West Bengal Bhabishyat Credit Card",
        "পশ্চিমবঙ্গ ভবিষ্যৎ ক্রেডিট কার্ড", 45, SINGLE,
        [text("enterprise", "Proposed enterprise", "প্রস্তাবিত উদ্যোগ", "Mobile repair shop"),
         DOB, *BANK], [*BENEFIT, D_AGE]),
    svc("bmssy", "LAB", "scheme", "Bina Mulya Samajik Suraksha Yojana registration",
        "বিনামূল্যে সামাজিক সুরক্ষা যোজনা নথিভুক্তি", 30, SINGLE,
        [text("occupation", "Occupation", "পেশা", "Bidi worker"), DOB, *BANK], BENEFIT),
    svc("construction_worker_registration", "LAB", "scheme",
        "Registration of a building and construction worker", "নির্মাণ শ্রমিক নথিভুক্তি", 30,
        SINGLE, [text("employer", "Employer or contractor", "নিয়োগকর্তা বা ঠিকাদার",
                      "Ghosh Builders"), DOB], [*ID, D_AGE]),
    svc("yuvashree", "LAB", "scheme", "Yuvashree (employment assistance)",
        "যুবশ্রী (কর্মসংস্থান সহায়তা)", 45, SINGLE,
        [text("employment_bank_id", "Employment Bank ID", "এমপ্লয়মেন্ট ব্যাংক আইডি",
              "EB12345678", pattern=r"^[A-Z0-9]{6,12}$"), DOB, *BANK], [*BENEFIT, D_MARKS]),
    svc("lok_prasar", "ICA", "scheme", "Lok Prasar Prakalpa (folk artists)",
        "লোকপ্রসার প্রকল্প (লোকশিল্পী)", 60, SINGLE,
        [text("art_form", "Art form", "শিল্পের ধরন", "Baul"), DOB, *BANK], BENEFIT),
    svc("matsyajibi_bandhu", "FISH", "scheme", "Matsyajibi Bandhu", "মৎস্যজীবী বন্ধু", 30, SINGLE,
        [text("fisherman_card_no", "Fisherman card number", "মৎস্যজীবী কার্ড নম্বর", "FC123456",
              pattern=r"^[A-Z0-9]{6,12}$"), *BANK], BENEFIT),
    svc("fisherman_id_card", "FISH", "scheme", "Fisherman identity card",
        "মৎস্যজীবী পরিচয়পত্র", 30, SINGLE,
        [text("water_body", "River, pond or sea area", "নদী, পুকুর বা সমুদ্র এলাকা", "Matla river"),
         DOB], ID),
    svc("mgnrega_job_card", "PRD", "scheme", "MGNREGA job card", "এমজিএনআরইজিএ জব কার্ড", 15,
        SINGLE, [GUARDIAN, ADDRESS, number("adult_members", "Adult members",
                                            "প্রাপ্তবয়স্ক সদস্য সংখ্যা", "3")], ID),
    svc("samabyathi", "PRD", "scheme", "Samabyathi (funeral assistance)",
        "সমব্যথী (শেষকৃত্য সহায়তা)", 7, SINGLE,
        [text("deceased_name", "Name of the deceased", "প্রয়াতের নাম", "Nitai Bag"),
         date("date_of_death", "Date of death", "মৃত্যুর তারিখ", "2025-11-02"), *BANK],
        [D_ID, D_BANK, doc("death_certificate", "Death certificate", "মৃত্যু শংসাপত্র")]),
    svc("anandadhara", "PRD", "scheme", "Anandadhara (self-help group)",
        "আনন্দধারা (স্বনির্ভর গোষ্ঠী)", 30, SINGLE,
        [text("shg_name", "Self-help group", "স্বনির্ভর গোষ্ঠী", "Maa Sarada SHG"), *BANK],
        BENEFIT),
    svc("gatidhara", "TRN", "scheme", "Gatidhara (vehicle subsidy)", "গতিধারা (যানবাহন ভর্তুকি)",
        45, SINGLE, [choice("vehicle", "Vehicle", "যানবাহন", [("taxi", "Taxi", "ট্যাক্সি"),
                     ("auto", "Auto-rickshaw", "অটোরিকশা"),
                     ("goods_carrier", "Goods carrier", "মালবাহী গাড়ি")]),
                     INCOME, *BANK], [*BENEFIT, D_INCOME]),
    # --- Pensions (free) --------------------------------------------------------------
    svc("old_age_pension", "WCD", "pension", "Old-age pension (Jai Bangla)",
        "বার্ধক্য ভাতা (জয় বাংলা)", 60, SINGLE, [DOB, INCOME, *BANK], [*BENEFIT, D_AGE]),
    svc("widow_pension", "WCD", "pension", "Widow pension (Jai Bangla)",
        "বিধবা ভাতা (জয় বাংলা)", 60, SINGLE, [DOB, GUARDIAN, *BANK], [*BENEFIT, D_DEATH]),
    svc("manabik_pension", "WCD", "pension", "Manabik pension (disability)",
        "মানবিক পেনশন (প্রতিবন্ধী)", 60, SINGLE,
        [number("disability_percent", "Disability (%)", "প্রতিবন্ধকতা (%)", "60"), *BANK],
        [*BENEFIT, doc("disability_certificate", "Disability certificate", "প্রতিবন্ধী শংসাপত্র")]),
    svc("taposili_bandhu", "BCW", "pension", "Taposili Bandhu pension (Jai Bangla)",
        "তপশিলি বন্ধু পেনশন (জয় বাংলা)", 60, SINGLE, [DOB, *BANK], [*BENEFIT, D_CASTE, D_AGE]),
    svc("jai_johar", "TD", "pension", "Jai Johar pension (Jai Bangla)",
        "জয় জোহার পেনশন (জয় বাংলা)", 60, SINGLE, [DOB, *BANK], [*BENEFIT, D_CASTE, D_AGE]),
    svc("fishermen_old_age_pension", "FISH", "pension", "Old-age pension for fishermen",
        "মৎস্যজীবী বার্ধক্য ভাতা", 60, SINGLE, [DOB, *BANK], [*BENEFIT, D_AGE]),
    svc("artisan_weaver_pension", "MSME", "pension", "Pension for artisans and handloom weavers",
        "কারিগর ও তাঁতশিল্পী ভাতা", 60, SINGLE,
        [text("craft", "Craft", "শিল্পকর্ম", "Handloom saree weaving"), DOB, *BANK],
        [*BENEFIT, D_AGE]),
    # --- Scholarships (free) ----------------------------------------------------------
    svc("oasis_pre_matric", "BCW", "scholarship", "Oasis pre-matric scholarship (SC/ST/OBC)",
        "ওয়েসিস প্রাক-মাধ্যমিক বৃত্তি (তফসিলি জাতি/উপজাতি/অনগ্রসর শ্রেণি)", 60, SINGLE,
        [*STUDY, INCOME, *BANK], [*BENEFIT, D_CASTE, D_MARKS]),
    svc("oasis_post_matric", "BCW", "scholarship", "Oasis post-matric scholarship (SC/ST/OBC)",
        "ওয়েসিস মাধ্যমিকোত্তর বৃত্তি (তফসিলি জাতি/উপজাতি/অনগ্রসর শ্রেণি)", 60, SINGLE,
        [*STUDY, INCOME, *BANK], [*BENEFIT, D_CASTE, D_MARKS, D_INCOME]),
    svc("sikshashree", "BCW", "scholarship", "Sikshashree", "শিক্ষাশ্রী", 60, SINGLE,
        [*STUDY[:2], *BANK], [*BENEFIT, D_CASTE]),
    svc("medhashree", "BCW", "scholarship", "Medhashree (OBC pre-matric)",
        "মেধাশ্রী (অনগ্রসর শ্রেণি প্রাক-মাধ্যমিক)", 60, SINGLE, [*STUDY[:2], *BANK],
        [*BENEFIT, D_CASTE]),
    svc("aikyashree_pre_matric", "MAME", "scholarship", "Aikyashree pre-matric scholarship",
        "ঐক্যশ্রী প্রাক-মাধ্যমিক বৃত্তি", 60, SINGLE, [*STUDY, INCOME, *BANK],
        [*BENEFIT, D_MARKS]),
    svc("aikyashree_post_matric", "MAME", "scholarship", "Aikyashree post-matric scholarship",
        "ঐক্যশ্রী মাধ্যমিকোত্তর বৃত্তি", 60, SINGLE, [*STUDY, INCOME, *BANK],
        [*BENEFIT, D_MARKS, D_INCOME]),
    svc("aikyashree_merit_cum_means", "MAME", "scholarship",
        "Aikyashree merit-cum-means scholarship", "ঐক্যশ্রী মেধা-সহ-উপায় বৃত্তি", 60, SINGLE,
        [*STUDY, INCOME, *BANK], [*BENEFIT, D_MARKS, D_INCOME]),
    svc("svmcm", "HED", "scholarship", "Swami Vivekananda Merit-cum-Means Scholarship",
        "স্বামী বিবেকানন্দ মেধা-সহ-উপায় বৃত্তি", 60, SINGLE, [*STUDY, INCOME, *BANK],
        [*BENEFIT, D_MARKS, D_INCOME, D_ADMIT]),
    svc("kanyashree_k3", "HED", "scholarship", "Kanyashree K3 university scholarship",
        "কন্যাশ্রী K3 বিশ্ববিদ্যালয় বৃত্তি", 60, SINGLE, [*STUDY, *BANK],
        [*BENEFIT, D_MARKS, D_ADMIT]),
    svc("student_credit_card", "HED", "scholarship", "West Bengal Student Credit Card",
        "পশ্চিমবঙ্গ স্টুডেন্ট ক্রেডিট কার্ড", 30, SINGLE,
        [*STUDY[:2], number("loan_amount", "Loan amount (₹)", "ঋণের পরিমাণ (টাকা)", "400000"),
         *BANK], [*BENEFIT, D_ADMIT]),
    # --- Health and housing (free) ----------------------------------------------------
    svc("banglar_bari_grameen", "PRD", "housing", "Banglar Bari (Grameen)",
        "বাংলার বাড়ি (গ্রামীণ)", 60, SINGLE, [ADDRESS, INCOME, *BANK],
        [*BENEFIT, D_LAND, D_INCOME]),
    svc("nirmal_bangla_toilet", "PRD", "housing", "Nirmal Bangla: household toilet",
        "নির্মল বাংলা: পারিবারিক শৌচাগার", 45, SINGLE, [ADDRESS, *BANK], BENEFIT),
    svc("banglar_bari_urban", "UDMA", "housing", "Banglar Bari (Urban)", "বাংলার বাড়ি (শহর)", 60,
        SINGLE, [ADDRESS, INCOME, *BANK], [*BENEFIT, D_LAND, D_INCOME]),
    svc("nijashree", "HOUS", "housing", "Nijashree housing scheme", "নিজশ্রী আবাসন প্রকল্প", 60,
        SINGLE, [INCOME, choice("flat_type", "Flat type", "ফ্ল্যাটের ধরন", [
                     ("lig", "Lower income group (LIG)", "নিম্ন আয় গোষ্ঠী (LIG)"),
                     ("mig", "Middle income group (MIG)", "মধ্য আয় গোষ্ঠী (MIG)")])],
        [*ID, D_INCOME]),
    svc("gitanjali_housing", "HOUS", "housing", "Gitanjali housing scheme",
        "গীতাঞ্জলি আবাসন প্রকল্প", 60, SINGLE, [ADDRESS, INCOME, *BANK], [*BENEFIT, D_INCOME]),
    svc("jal_swapna", "PHE", "housing", "Jal Swapna: household tap connection",
        "জলস্বপ্ন: বাড়িতে নলবাহিত জলের সংযোগ", 30, SINGLE, [ADDRESS], ID),
    svc("disaster_house_damage", "DMCD", "housing", "Relief for a house damaged by disaster",
        "দুর্যোগে ক্ষতিগ্রস্ত বাড়ির জন্য ত্রাণ", 30, SINGLE,
        [choice("damage", "Damage", "ক্ষতির মাত্রা",
                [("partial", "Partial", "আংশিক"), ("full", "Complete", "সম্পূর্ণ")]),
         date("date_of_event", "Date of the disaster", "দুর্যোগের তারিখ", "2025-05-27"), *BANK],
        [*BENEFIT, doc("damage_photo", "Photograph of the damage", "ক্ষতির ছবি")]),
    # --- Certificates (free; verification, then approval) -----------------------------
    svc("caste_sc", "BCW", "certificate", "Scheduled Caste (SC) certificate",
        "তফসিলি জাতি (এসসি) শংসাপত্র", 28, VERIFY,
        [GUARDIAN, text("caste", "Caste", "জাতি", "Namasudra"), ADDRESS],
        [*ID, D_FAMILY], certificate=True),
    svc("caste_st", "BCW", "certificate", "Scheduled Tribe (ST) certificate",
        "তফসিলি উপজাতি (এসটি) শংসাপত্র", 28, VERIFY,
        [GUARDIAN, text("tribe", "Tribe", "উপজাতি", "Santal"), ADDRESS],
        [*ID, D_FAMILY], certificate=True),
    svc("caste_obc", "BCW", "certificate", "Other Backward Classes (OBC) certificate",
        "অনগ্রসর শ্রেণি (ওবিসি) শংসাপত্র", 28, VERIFY,
        [GUARDIAN, text("caste", "Caste", "জাতি", "Teli"),
         choice("obc_category", "OBC category", "ওবিসি শ্রেণি", [
             ("A", "Category A", "শ্রেণি A"), ("B", "Category B", "শ্রেণি B")]), INCOME, ADDRESS],
        [*ID, D_FAMILY, D_INCOME], certificate=True),
    svc("domicile_certificate", "HOME", "certificate", "Domicile certificate",
        "বাসস্থান শংসাপত্র", 15, VERIFY,
        [GUARDIAN, ADDRESS, number("years_in_state", "Years lived in West Bengal",
                                   "পশ্চিমবঙ্গে বসবাসের বছর", "25")],
        [*ID, D_LAND], certificate=True),
    svc("birth_certificate", "HFW", "certificate", "Birth certificate", "জন্ম শংসাপত্র", 7,
        VERIFY, [text("child_name", "Child's name", "শিশুর নাম", "Arko Das"),
                 date("date_of_birth", "Date of birth", "জন্মতারিখ", "2025-09-15"),
                 text("place_of_birth", "Place of birth", "জন্মস্থান", "Baruipur Hospital"),
                 GUARDIAN], [D_ID, D_HOSPITAL], certificate=True),
    svc("birth_certificate_correction", "HFW", "certificate", "Correction of a birth certificate",
        "জন্ম শংসাপত্র সংশোধন", 15, VERIFY,
        [text("registration_no", "Registration number", "নিবন্ধন নম্বর", "B-2025-001234"),
         text("correction", "What to correct", "কী সংশোধন করতে হবে", "Spelling of the name")],
        [D_ID, doc("birth_certificate", "Birth certificate", "জন্ম শংসাপত্র")], certificate=True),
    svc("death_certificate", "HFW", "certificate", "Death certificate", "মৃত্যু শংসাপত্র", 7,
        VERIFY, [text("deceased_name", "Name of the deceased", "প্রয়াতের নাম", "Nitai Bag"),
                 date("date_of_death", "Date of death", "মৃত্যুর তারিখ", "2025-11-02"),
                 text("place_of_death", "Place of death", "মৃত্যুর স্থান", "Home")],
        [D_ID, D_HOSPITAL], certificate=True),
    svc("income_certificate", "PRD", "certificate", "Income certificate", "আয়ের শংসাপত্র", 15,
        VERIFY, [GUARDIAN, INCOME, text("occupation", "Occupation", "পেশা", "Farmer")],
        [*ID, D_INCOME], certificate=True),
    svc("ews_certificate", "PAR", "certificate", "Economically Weaker Section (EWS) certificate",
        "আর্থিকভাবে দুর্বল শ্রেণি (ইডব্লিউএস) শংসাপত্র", 21, VERIFY, [GUARDIAN, INCOME, ADDRESS],
        [*ID, D_INCOME, D_LAND], certificate=True),
    svc("disability_certificate", "HFW", "certificate", "Disability certificate (UDID)",
        "প্রতিবন্ধী শংসাপত্র (ইউডিআইডি)", 30, VERIFY,
        [choice("disability", "Kind of disability", "প্রতিবন্ধকতার ধরন",
                [("locomotor", "Locomotor", "চলন-প্রতিবন্ধকতা"), ("visual", "Visual", "দৃষ্টি"),
                 ("hearing", "Hearing", "শ্রবণ"), ("intellectual", "Intellectual", "বৌদ্ধিক"),
                 ("multiple", "Multiple", "একাধিক")]), DOB],
        [*ID, D_HOSPITAL], certificate=True),
    svc("marriage_registration", "LAW", "certificate", "Marriage registration certificate",
        "বিবাহ নিবন্ধন শংসাপত্র", 30, VERIFY,
        [text("spouse_name", "Spouse's name", "স্বামী বা স্ত্রীর নাম", "Tapas Saha"),
         date("marriage_date", "Date of marriage", "বিয়ের তারিখ", "2025-12-05")],
        [*ID, doc("witnesses", "Identity of three witnesses", "তিনজন সাক্ষীর পরিচয়পত্র")],
        fees=[fixed("registration_fee", "Registration fee", "নিবন্ধন ফি", 10_000, "treasury")],
        certificate=True),
    # --- Land (paid) ------------------------------------------------------------------
    svc("land_mutation", "LLR", "land", "Mutation of land (namjari)", "জমির মিউটেশন (নামজারি)", 45,
        SINGLE, [*LAND, number("area_decimal", "Area (decimal)", "পরিমাণ (শতক)", "12")],
        [D_ID, D_DEED, D_LAND], adapter="land_records",
        fees=[fixed("mutation_fee", "Mutation fee", "মিউটেশন ফি", 50_000, "treasury")]),
    svc("land_record_copy", "LLR", "land", "Certified copy of record of rights (khatian)",
        "রেকর্ড অফ রাইটস (খতিয়ান)-এর প্রত্যয়িত প্রতিলিপি", 7, "land_records", LAND[:3], [D_ID],
        adapter="land_records",
        fees=[fixed("copy_fee", "Copy fee", "প্রতিলিপি ফি", 5_000, "department")]),
    svc("land_conversion", "LLR", "land", "Conversion of land use", "জমির চরিত্র পরিবর্তন", 60,
        SINGLE, [*LAND, choice("new_use", "New use", "নতুন ব্যবহার",
                               [("homestead", "Homestead", "বাস্তু"),
                                ("commercial", "Commercial", "বাণিজ্যিক"),
                                ("industrial", "Industrial", "শিল্প")])],
        [D_ID, D_DEED, D_LAND],
        fees=[fixed("conversion_fee", "Conversion fee", "রূপান্তর ফি", 100_000, "treasury")]),
    # --- Payments (paid e-wallet services) --------------------------------------------
    svc("electricity_bill", "POW", "payment", "Electricity bill (WBSEDCL)",
        "বিদ্যুৎ বিল (ডব্লিউবিএসইডিসিএল)", 1, "bill_payment",
        [text("consumer_id", "Consumer ID", "গ্রাহক আইডি", "112233445", pattern=r"^[0-9]{9}$",
              max_length=9),
         paise("bill_amount_paise", "Bill amount (paise)", "বিলের পরিমাণ (পয়সা)", "165000")],
        [D_BILL], adapter="electricity_biller",
        fees=[from_field("bill", "Electricity bill", "বিদ্যুৎ বিল", "bill_amount_paise",
                         "biller")]),
    svc("stamp_duty", "FIN", "payment", "Stamp duty and registration fee (GRIPS)",
        "স্ট্যাম্প ডিউটি ও নিবন্ধন ফি (জিআরআইপিএস)", 3, "treasury_challan",
        [text("query_no", "e-Nathikaran query number", "ই-নথিকরণ কোয়েরি নম্বর",
              "2025000123456", pattern=r"^[0-9]{10,16}$"),
         paise("stamp_duty_paise", "Stamp duty (paise)", "স্ট্যাম্প ডিউটি (পয়সা)", "4500000"),
         paise("registration_fee_paise", "Registration fee (paise)", "নিবন্ধন ফি (পয়সা)",
               "900000")],
        [D_ID, D_DEED], adapter="treasury_challan",
        fees=[from_field("stamp_duty", "Stamp duty", "স্ট্যাম্প ডিউটি", "stamp_duty_paise",
                         "treasury"),
              from_field("registration_fee", "Registration fee", "নিবন্ধন ফি",
                         "registration_fee_paise", "treasury")]),
    svc("property_tax", "UDMA", "payment", "Property tax (municipal)", "সম্পত্তি কর (পুরসভা)", 1,
        "bill_payment",
        [text("holding_no", "Holding number", "হোল্ডিং নম্বর", "110/23/A",
              pattern=r"^[A-Z0-9/\-]{1,20}$"),
         paise("tax_amount_paise", "Tax amount (paise)", "করের পরিমাণ (পয়সা)", "240000")],
        [D_BILL], adapter="municipal_biller",
        fees=[from_field("property_tax", "Property tax", "সম্পত্তি কর", "tax_amount_paise",
                         "biller")]),
    svc("bus_ticket", "TRN", "payment", "Bus ticket (WBTC)", "বাসের টিকিট (ডব্লিউবিটিসি)", 1,
        "bill_payment",
        [text("route", "Route", "রুট", "Esplanade - Digha"),
         date("journey_date", "Date of journey", "যাত্রার তারিখ", "2026-01-10"),
         paise("fare_paise", "Fare (paise)", "ভাড়া (পয়সা)", "25000")],
        [doc("concession_card", "Concession card, for a concession fare",
             "ছাড়ের কার্ড (ছাড়ের ভাড়ার জন্য)", mandatory=False)],
        adapter="transport_biller",
        fees=[from_field("fare", "Bus fare", "বাসভাড়া", "fare_paise", "biller")]),
    svc("traffic_fine", "HOME", "payment", "Traffic fine (e-challan)",
        "ট্রাফিক জরিমানা (ই-চালান)", 1, "bill_payment",
        [text("challan_no", "e-challan number", "ই-চালান নম্বর", "WB12345678901234",
              pattern=r"^[A-Z0-9]{10,20}$"),
         text("vehicle_no", "Vehicle number", "গাড়ির নম্বর", "WB02AB1234",
              pattern=r"^[A-Z]{2}[0-9]{1,2}[A-Z]{0,3}[0-9]{1,4}$"),
         paise("fine_amount_paise", "Fine (paise)", "জরিমানা (পয়সা)", "100000")],
        [D_BILL], adapter="police_echallan",
        fees=[from_field("fine", "Traffic fine", "ট্রাফিক জরিমানা", "fine_amount_paise",
                         "treasury")]),
]
# fmt: on


def catalogue_load() -> int:
    """Create or update every department and service above and publish each (idempotent:
    an unchanged service keeps its version)."""
    from sahayata.catalogue.services import department_upsert, service_define

    departments = {
        code: department_upsert(code=code, name_en=en, name_bn=bn, short_name=short)
        for code, short, en, bn in DEPARTMENTS
    }
    for entry in SERVICES:
        definition = dict(entry)
        department = departments[definition.pop("department_code")]
        service_define(department=department, **definition)
    return len(SERVICES)
