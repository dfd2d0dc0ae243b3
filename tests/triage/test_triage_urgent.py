"""Same-day (urgent) problems that are not red flags, and look-alikes of red flags that are
not emergencies, on the shipped knowledge (triage/data/symptoms.yml, conditions.yml).

Sentences are written for these tests, not copied from the evaluation sets. A look-alike
(history: true) hides only the red-flag words inside its own words: a new sign next to it, or a
complaint right after a past event or a worry, is still an emergency."""

from __future__ import annotations

import pytest

from triage.engine import default_engine
from triage.model import Level

EMERGENCIES = (Level.EMERGENCY_AMBULANCE, Level.EMERGENCY)

# text, age, sex, expected department
URGENT = [
    # paraphimosis
    ("包皮往后翻了回不去，龟头肿得厉害", None, "male", "urology"),
    ("细路仔包皮翻起咗拉唔返，肿咗", 5, None, "urology"),
    # acute gout
    ("脚趾公半夜痛醒，又红又肿，盖被都痛", None, None, "rheumatology"),
    ("大拇趾关节突然红肿热痛，走不了路", 50, "male", "rheumatology"),
    # perianal abscess
    ("肛门旁边起了个包，好痛，坐不下", None, None, "general_surgery"),
    ("屁眼边肿咗一粒，好痛仲发烧", None, None, "general_surgery"),
    # dental abscess
    ("智齿发炎，半边脸都肿了", None, None, "stomatology"),
    ("牙疼了三天，今天发烧了", None, None, "stomatology"),
    ("牙龈脓肿，痛到瞓唔着", None, None, "stomatology"),
    # Bartholin abscess
    ("阴唇一边肿了个包，很痛，走路都磨着痛", None, "female", "gynecology"),
    ("前庭大腺囊肿又发炎了，好痛", None, "female", "gynecology"),
    # an injury that cannot bear weight
    ("打篮球崴了脚，脚踝肿得像馒头，不敢踩地", None, None, "orthopedics"),
    ("扭亲只脚，而家落唔到地", None, None, "orthopedics"),
    # a fall with hip pain
    ("我妈摔了一跤，胯骨痛，站不起来", 78, None, "orthopedics"),
    ("阿公跌低咗，大髀好痛，企唔起", 85, None, "orthopedics"),
    # urinary retention
    ("老豆成晚屙唔出尿，小肚胀到好辛苦", 75, None, "urology"),
    ("导尿管堵住了，尿袋一滴都没有", 80, None, "urology"),
    # very high blood sugar
    ("血糖测出来18点几，小便好多", None, None, "endocrinology"),
    ("血糖仪测出来二十多，点算好", None, None, "endocrinology"),
    # a headache painkillers do not touch, or with vomiting
    ("偏头痛发作，吃了两次布洛芬都没用", None, None, "neurology"),
    ("头痛了一天，吐了好几次", None, None, "neurology"),
    # hand, foot and mouth disease
    ("孩子手心脚心长了红点，嘴里也有泡，发烧38度5", 3, None, "pediatrics"),
    ("手足口病，宝宝唔肯食嘢", 2, None, "pediatrics"),
    # renal colic
    ("腰痛一阵一阵的，痛到大腿根，小便有点红", None, None, "urology"),
    # welding flash
    ("烧焊之后眼睛好痛，一直流眼水", None, None, "ophthalmology"),
    ("昨晚看了电焊，今天眼睛像进了沙", None, None, "ophthalmology"),
    # a child's ear pain with fever
    ("孩子发烧还一直扯耳朵哭", 2, None, "ent"),
    ("女儿耳仔痛喊咗成晚", 4, None, "ent"),
    # blunt eye injury
    ("足球打中眼睛，现在看东西朦朦的", None, None, "ophthalmology"),
    ("眼睛被人一拳打肿了", None, None, "ophthalmology"),
    # tonsils with pus and fever, or saliva that cannot be swallowed
    ("扁桃体化脓了，发高烧", None, None, "ent"),
    ("喉咙痛到咽口水都困难", None, None, "ent"),
    # shingles
    ("背上一边起了一串水泡，像针扎一样痛", 70, None, "dermatology"),
    # a back that locked
    ("闪亲条腰，宜家郁都郁唔到", None, None, "orthopedics"),
    ("腰痛到下不了床", None, None, "orthopedics"),
]


@pytest.mark.parametrize(("text", "age", "sex", "department"), URGENT)
def test_same_day_problems_are_urgent(
    text: str, age: float | None, sex: str | None, department: str
) -> None:
    result = default_engine().triage(text, age=age, sex=sex)
    assert (result.level, result.department, result.red_flags) == (
        Level.URGENT,
        department,
        (),
    ), result.matched


# Milder forms of the same problems stay where they were.
NOT_URGENT = [
    "牙痛两天，没有发烧",
    "耳朵痛，没发烧",
    "痛风，想开降尿酸药",
    "包皮过长想割",
    "扭亲脚，有啲痛，行路冇问题",
    "腰痛好多年了，想做理疗",
    "手足口病好了，可以上学吗",
    "头痛，吃了止痛药好了",
    "扁桃体肿大，没发烧",
    "生蛇好咗之后仲系痛",
    "糖尿病，血糖控制得还行，想开药",
]


@pytest.mark.parametrize("text", NOT_URGENT)
def test_milder_forms_are_not_urgent(text: str) -> None:
    result = default_engine().triage(text)
    assert result.level not in (*EMERGENCIES, Level.URGENT), result.matched


# A past event, a worry or a harmless look-alike: the red-flag word inside is no alarm.
LOOK_ALIKES = [
    ("前年晕倒过一次，查了说是贫血，现在好了", "general_medicine"),
    ("小时候晕倒过几次，想体检", "general_medicine"),
    ("我爸三年前心梗装了支架，想开药", "cardiology"),
    ("得过心梗，现在定期复查，冇咩唔舒服", "cardiology"),
    ("血压高，想预防中风，吃什么药", "cardiology"),
    ("好惊会中风，想做个检查", "neurology"),
    ("胸口有个地方一按就痛，不按就不痛", "general_medicine"),
    ("心口按着才痛，是不是心脏病", "general_medicine"),
    ("打完农药手臂有点痒", "dermatology"),
]


@pytest.mark.parametrize(("text", "department"), LOOK_ALIKES)
def test_look_alikes_are_not_emergencies(text: str, department: str) -> None:
    result = default_engine().triage(text)
    assert result.red_flags == (), result.red_flags
    assert result.level not in EMERGENCIES
    assert result.department == department


# A new sign next to a past event or a worry, or a complaint right after it: still an emergency.
STILL_EMERGENCIES = [
    ("以前中过风，今天又嘴歪", "stroke_signs"),
    ("去年晕倒过，今天又晕倒了", "fainting_unconscious"),
    ("十分钟以前晕倒过一次", "fainting_unconscious"),
    ("以前心梗放过支架，今天胸口又痛", "chest_pain"),
    ("以前心梗，今天心口有点不舒服", "chest_pain"),
    ("担心会中风，刚才突然讲嘢唔清楚", "stroke_signs"),
    ("怕中风，今天一边手脚没力", "stroke_signs"),
    ("我阿妈今日手有啲麻，好怕中风", "stroke_signs"),
    ("我爸手脚发软，会不会中风", "stroke_signs"),
    ("胸口按着才痛，不按不痛，今天又胸闷", "chest_tightness"),
    ("胸口一按就痛", "chest_pain"),  # pain on pressing alone does not say it is the only pain
    ("胸口走路才痛，是心梗吗", "chest_pain"),
    ("喷完农药之后头晕、出汗、流口水", "poisoning"),
    ("打农药时头晕想吐", "poisoning"),
    ("喷农药的时候不小心喝了一口", "poisoning"),
    ("喷完农药手痒，后来晕倒了", "fainting_unconscious"),
    ("冇饮农药，不过喷完农药之后一直呕", "poisoning"),
    ("喷农药后不停出汗", "poisoning"),
]


@pytest.mark.parametrize(("text", "flag"), STILL_EMERGENCIES)
def test_new_signs_next_to_a_look_alike_are_still_emergencies(text: str, flag: str) -> None:
    result = default_engine().triage(text)
    assert flag in result.red_flags, (result.red_flags, result.matched)
    assert result.level in EMERGENCIES
