"""Fictional demo catalogue of the sandbox hospital: institutions, departments, doctors.

Names and ids here are relied on by NLU training data and by tests; change them only together.
Everything is derived from constants and a fixed random seed, never from the current date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

InstitutionKind = Literal["hospital", "community-health-centre"]

CITY = "广州市"
STATE = "广东省"

# FHIR days-of-week codes, indexed by date.weekday().
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DOCTOR_SESSIONS = {"am": "08:00-12:00", "pm": "14:00-17:00"}
DOCTOR_SLOT_MINUTES = 15
VACCINATION_DAYS = ("tue", "wed", "thu", "fri", "sat")
VACCINATION_HOURS = ("08:00-11:30", "14:00-16:30")
VACCINATION_SLOT_MINUTES = 30
DOCTOR_HALF_DAYS_PER_WEEK = 5
CATALOGUE_SEED = "frontdoor-sandbox-hospital-v1"


@dataclass(frozen=True)
class InstitutionSpec:
    id: str
    name: str
    alias: str
    district: str
    kind: InstitutionKind
    grade: str | None
    specialty: str | None
    address_line: str
    postal_code: str
    phone: str
    departments: tuple[str, ...]  # department type codes, see DEPARTMENT_TYPES


@dataclass(frozen=True)
class DepartmentType:
    code: str
    name: str
    comment: str


@dataclass(frozen=True)
class DoctorSpec:
    practitioner_id: str
    role_id: str
    schedule_id: str | None  # None: the doctor's department takes no per-doctor bookings
    department_id: str
    institution_id: str
    family_name: str
    given_name: str
    gender: Literal["male", "female"]
    title_code: str
    sessions: tuple[str, ...]  # "<day> HH:MM-HH:MM"


_TYPES = (
    DepartmentType("emergency", "急诊科", "急危重症、突发疾病和意外伤害的24小时救治"),
    DepartmentType("cardiology", "心血管内科", "高血压、冠心病、心律失常、心力衰竭等"),
    DepartmentType("respiratory", "呼吸内科", "咳嗽咳痰、哮喘、慢阻肺、肺炎等"),
    DepartmentType("gastroenterology", "消化内科", "胃痛、反酸、腹泻便秘、胃肠炎、肝病等"),
    DepartmentType("neurology", "神经内科", "头痛头晕、中风、癫痫、失眠、帕金森病等"),
    DepartmentType("endocrinology", "内分泌科", "糖尿病、甲状腺疾病、肥胖、骨质疏松等"),
    DepartmentType("general-surgery", "普通外科", "阑尾炎、疝气、胆结石、甲状腺和乳腺肿物等"),
    DepartmentType("orthopedics", "骨科", "骨折、关节疼痛、腰腿痛、颈椎病、运动损伤等"),
    DepartmentType("pediatrics", "儿科", "14岁以下儿童发热、咳嗽、腹泻等常见病"),
    DepartmentType("obstetrics-gynecology", "妇产科", "孕产期检查、月经不调、妇科炎症等"),
    DepartmentType("ophthalmology", "眼科", "视力下降、眼红眼痛、白内障、青光眼等"),
    DepartmentType("otorhinolaryngology", "耳鼻咽喉科", "咽喉痛、鼻炎、鼻窦炎、耳鸣、听力下降等"),
    DepartmentType("stomatology", "口腔科", "牙痛、龋齿、牙周病、拔牙、口腔溃疡等"),
    DepartmentType("dermatology", "皮肤科", "湿疹、皮炎、痤疮、荨麻疹、皮肤瘙痒等"),
    DepartmentType("tcm", "中医科", "中医辨证调理、慢性病中医治疗、针灸理疗等"),
    DepartmentType("rehabilitation", "康复医学科", "中风后康复、骨关节术后康复、慢性疼痛等"),
    DepartmentType("tcm-internal", "中医内科", "感冒咳嗽、脾胃不适、失眠、慢性病中医调理"),
    DepartmentType("acupuncture", "针灸科", "颈肩腰腿痛、面瘫、头痛等针灸治疗"),
    DepartmentType("tuina", "推拿科", "颈椎病、腰肌劳损、落枕、小儿推拿"),
    DepartmentType("tcm-gynecology", "中医妇科", "月经不调、痛经、不孕、产后调理"),
    DepartmentType("tcm-pediatrics", "中医儿科", "小儿咳嗽、厌食、积滞、体质调理"),
    DepartmentType("preventive-tcm", "治未病科", "体质辨识、亚健康调理、冬病夏治"),
    DepartmentType("general-practice", "全科医学科", "常见病多发病诊治、慢病随访、健康咨询和转诊"),
    DepartmentType("vaccination", "预防接种门诊", "儿童计划免疫、成人疫苗接种（流感、带状疱疹等）"),
    DepartmentType("child-health", "儿童保健科", "儿童体检、生长发育评估、营养和喂养指导"),
    DepartmentType("community-rehabilitation", "康复科", "社区康复训练、慢性疼痛和术后康复指导"),
)
DEPARTMENT_TYPES: dict[str, DepartmentType] = {t.code: t for t in _TYPES}

# Departments where patients do not book a doctor: walk-in emergency, clinic-level vaccination.


def _codes(text: str) -> tuple[str, ...]:
    return tuple(text.split())


UNBOOKABLE_TYPES = frozenset({"emergency"})
SERVICE_SCHEDULED_TYPES = frozenset({"vaccination"})

INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    InstitutionSpec(
        id="lw-lizhiwan-hospital",
        name="荔枝湾中心医院",
        alias="荔枝湾医院",
        district="荔湾区",
        kind="hospital",
        grade="三级甲等",
        specialty=None,
        address_line="荔湾区龙津西路示范路188号",
        postal_code="510150",
        phone="020-8100 1200",
        departments=_codes(
            "emergency cardiology respiratory gastroenterology neurology "
            "endocrinology orthopedics pediatrics obstetrics-gynecology ophthalmology"
        ),
    ),
    InstitutionSpec(
        id="lw-xiguan-kangning-hospital",
        name="西关康宁医院",
        alias="康宁医院",
        district="荔湾区",
        kind="hospital",
        grade="二级甲等",
        specialty=None,
        address_line="荔湾区多宝路示范街36号",
        postal_code="510151",
        phone="020-8100 2300",
        departments=_codes(
            "emergency cardiology respiratory general-surgery "
            "orthopedics pediatrics stomatology dermatology"
        ),
    ),
    InstitutionSpec(
        id="lw-tcm-hospital",
        name="荔湾示范中医医院",
        alias="荔湾中医院",
        district="荔湾区",
        kind="hospital",
        grade="二级甲等",
        specialty="中医",
        address_line="荔湾区中山八路示范大街99号",
        postal_code="510170",
        phone="020-8100 3400",
        departments=_codes(
            "tcm-internal acupuncture tuina tcm-gynecology tcm-pediatrics preventive-tcm emergency"
        ),
    ),
    InstitutionSpec(
        id="yx-yunshan-hospital",
        name="越秀云山医院",
        alias="云山医院",
        district="越秀区",
        kind="hospital",
        grade="三级甲等",
        specialty=None,
        address_line="越秀区东风中路示范路520号",
        postal_code="510030",
        phone="020-8300 4500",
        departments=_codes(
            "emergency cardiology neurology endocrinology "
            "general-surgery obstetrics-gynecology otorhinolaryngology ophthalmology tcm"
        ),
    ),
    InstitutionSpec(
        id="hz-jiangxin-hospital",
        name="海珠江心医院",
        alias="江心医院",
        district="海珠区",
        kind="hospital",
        grade="二级甲等",
        specialty=None,
        address_line="海珠区江南大道中示范路66号",
        postal_code="510220",
        phone="020-8400 5600",
        departments=_codes(
            "emergency respiratory gastroenterology "
            "orthopedics pediatrics dermatology rehabilitation"
        ),
    ),
    InstitutionSpec(
        id="lw-rongyin-chc",
        name="榕荫街社区卫生服务中心",
        alias="榕荫街社康",
        district="荔湾区",
        kind="community-health-centre",
        grade=None,
        specialty=None,
        address_line="荔湾区榕荫路示范巷12号",
        postal_code="510160",
        phone="020-8100 6610",
        departments=_codes("general-practice tcm vaccination child-health stomatology"),
    ),
    InstitutionSpec(
        id="lw-jinhuawan-chc",
        name="金花湾街社区卫生服务中心",
        alias="金花湾社康",
        district="荔湾区",
        kind="community-health-centre",
        grade=None,
        specialty=None,
        address_line="荔湾区金花路示范街8号",
        postal_code="510165",
        phone="020-8100 6720",
        departments=_codes("general-practice vaccination child-health community-rehabilitation"),
    ),
    InstitutionSpec(
        id="lw-xidi-chc",
        name="西堤街社区卫生服务中心",
        alias="西堤社康",
        district="荔湾区",
        kind="community-health-centre",
        grade=None,
        specialty=None,
        address_line="荔湾区西堤二马路示范里21号",
        postal_code="510140",
        phone="020-8100 6830",
        departments=_codes(
            "general-practice tcm vaccination child-health stomatology community-rehabilitation"
        ),
    ),
    InstitutionSpec(
        id="yx-yunquan-chc",
        name="云泉街社区卫生服务中心",
        alias="云泉街社康",
        district="越秀区",
        kind="community-health-centre",
        grade=None,
        specialty=None,
        address_line="越秀区云泉路示范巷5号",
        postal_code="510040",
        phone="020-8300 6940",
        departments=_codes("general-practice tcm vaccination child-health"),
    ),
    InstitutionSpec(
        id="hz-lujiangwan-chc",
        name="鹭江湾社区卫生服务中心",
        alias="鹭江湾社康",
        district="海珠区",
        kind="community-health-centre",
        grade=None,
        specialty=None,
        address_line="海珠区鹭江西街示范路17号",
        postal_code="510300",
        phone="020-8400 7050",
        departments=_codes("general-practice vaccination tcm community-rehabilitation stomatology"),
    ),
)

PRACTITIONER_TITLES: dict[str, str] = {
    "chief-physician": "主任医师",
    "associate-chief-physician": "副主任医师",
    "attending-physician": "主治医师",
    "resident-physician": "医师",
}

_FAMILY_NAMES = "陈李黄张梁林刘吴罗何郑杨谢周冯邓叶曾麦苏卢蔡许朱钟潘关彭"
_GIVEN_MALE = (
    "志强",
    "伟明",
    "国华",
    "家豪",
    "俊杰",
    "建国",
    "文斌",
    "浩然",
    "子轩",
    "永康",
    "锦荣",
    "振宇",
    "嘉明",
    "少聪",
    "卓林",
    "健雄",
    "德华",
    "晓峰",
    "宏亮",
    "耀光",
)
_GIVEN_FEMALE = (
    "丽华",
    "敏仪",
    "慧玲",
    "淑贞",
    "嘉欣",
    "晓燕",
    "婉婷",
    "美玲",
    "雅琪",
    "咏诗",
    "秀英",
    "佩珊",
    "翠华",
    "思敏",
    "凤仪",
    "玉兰",
    "静怡",
    "碧云",
    "紫君",
    "海燕",
)


def institution_spec(institution_id: str) -> InstitutionSpec:
    return next(i for i in INSTITUTIONS if i.id == institution_id)


def location_id(institution_id: str) -> str:
    return f"{institution_id}-main"


def department_id(institution_id: str, type_code: str) -> str:
    return f"{institution_id}-{type_code}"


def service_schedule_id(department: str) -> str:
    return f"sched-{department}"


def vaccination_sessions() -> tuple[str, ...]:
    return tuple(f"{day} {hours}" for day in VACCINATION_DAYS for hours in VACCINATION_HOURS)


def build_doctors() -> tuple[DoctorSpec, ...]:
    """All doctors, generated from a fixed seed so ids, names and rotas never change."""
    rng = random.Random(CATALOGUE_SEED)
    used_names: set[str] = set()
    doctors: list[DoctorSpec] = []
    half_days = [f"{day}-{part}" for day in WEEKDAYS[:6] for part in ("am", "pm")]
    for institution in INSTITUTIONS:
        low, high = (2, 4) if institution.kind == "hospital" else (1, 2)
        for type_code in institution.departments:
            dept = department_id(institution.id, type_code)
            bookable = type_code not in UNBOOKABLE_TYPES | SERVICE_SCHEDULED_TYPES
            for _ in range(rng.randint(low, high)):
                number = len(doctors) + 1
                gender: Literal["male", "female"] = rng.choice(("male", "female"))
                given_pool = _GIVEN_MALE if gender == "male" else _GIVEN_FEMALE
                while True:
                    family, given = rng.choice(_FAMILY_NAMES), rng.choice(given_pool)
                    if family + given not in used_names:
                        used_names.add(family + given)
                        break
                chosen = sorted(
                    rng.sample(half_days, DOCTOR_HALF_DAYS_PER_WEEK), key=half_days.index
                )
                sessions = tuple(
                    f"{hd.split('-')[0]} {DOCTOR_SESSIONS[hd.split('-')[1]]}" for hd in chosen
                )
                doctors.append(
                    DoctorSpec(
                        practitioner_id=f"pract-{number:04d}",
                        role_id=f"role-{number:04d}",
                        schedule_id=f"sched-role-{number:04d}" if bookable else None,
                        department_id=dept,
                        institution_id=institution.id,
                        family_name=family,
                        given_name=given,
                        gender=gender,
                        title_code=rng.choice(tuple(PRACTITIONER_TITLES)),
                        sessions=sessions if bookable else (),
                    )
                )
    return tuple(doctors)


# What a booked patient is told to bring and when to arrive (Appointment.patientInstruction).
ARRIVE_EARLY_MINUTES = 15
CHECK_IN_INSTRUCTION = "请携带身份证或社保卡，提前{minutes}分钟到{place}分诊台报到"
DEPARTMENT_INSTRUCTIONS: dict[str, str] = {
    "vaccination": (
        "请携带预防接种证和身份证（儿童请带户口本或出生证明），提前{minutes}分钟到{place}"
        "登记，接种后需在留观区观察30分钟"
    ),
    "pediatrics": (
        "请由监护人陪同，携带患儿的身份证或户口本和社保卡，提前{minutes}分钟到{place}分诊台报到"
    ),
    "child-health": "请由监护人陪同，携带儿童的预防接种证和社保卡，提前{minutes}分钟到{place}报到",
}
HOSPITAL_DEPARTMENTS_PER_FLOOR = 3
CENTRE_DEPARTMENTS_PER_FLOOR = 2


def clinic_place(institution_id: str, type_code: str) -> str:
    """Where a department receives patients, e.g. ``门诊3楼心血管内科``.

    Floors follow the department's position in the institution's list; hospitals keep the
    ground floor for registration and the pharmacy.
    """
    institution = institution_spec(institution_id)
    name = DEPARTMENT_TYPES[type_code].name
    position = institution.departments.index(type_code)
    if institution.kind == "hospital":
        return f"门诊{2 + position // HOSPITAL_DEPARTMENTS_PER_FLOOR}楼{name}"
    return f"{1 + position // CENTRE_DEPARTMENTS_PER_FLOOR}楼{name}"


def patient_instruction(institution_id: str, type_code: str) -> str:
    template = DEPARTMENT_INSTRUCTIONS.get(type_code, CHECK_IN_INSTRUCTION)
    return template.format(
        minutes=ARRIVE_EARLY_MINUTES, place=clinic_place(institution_id, type_code)
    )
