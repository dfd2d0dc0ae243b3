import datetime
import random
from pathlib import Path

import pytest

from actions.booking import when as when_module
from actions.booking.when import When, describe_when, parse_when

MONDAY = datetime.date(2026, 11, 23)
WEDNESDAY = datetime.date(2026, 11, 25)
SUNDAY = datetime.date(2026, 11, 29)
YEAR_END = datetime.date(2026, 12, 30)  # a Wednesday
MONTH_END = datetime.date(2027, 1, 31)  # a Sunday
LEAP_YEAR = datetime.date(2028, 2, 28)  # a Monday, the day before 29 February

TRADITIONAL_TABLE = (
    Path(__file__).parents[3] / "nlu" / "components" / "data" / "traditional_to_simplified.tsv"
)


def day(iso: str) -> datetime.date:
    return datetime.date.fromisoformat(iso)


def clock(iso: str) -> datetime.time:
    return datetime.time.fromisoformat(iso)


def test_fixed_days_are_the_weekdays_the_tables_assume():
    assert [d.weekday() for d in (MONDAY, WEDNESDAY, SUNDAY, YEAR_END, MONTH_END, LEAP_YEAR)] == [
        0,
        2,
        6,
        2,
        6,
        0,
    ]


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # relative days
        ("今天", MONDAY, "2026-11-23"),
        ("今日", MONDAY, "2026-11-23"),
        ("明天", MONDAY, "2026-11-24"),
        ("明日", MONDAY, "2026-11-24"),
        ("听日", MONDAY, "2026-11-24"),
        ("聽日", MONDAY, "2026-11-24"),
        ("后天", MONDAY, "2026-11-25"),
        ("後天", MONDAY, "2026-11-25"),
        ("后日", MONDAY, "2026-11-25"),
        ("大后天", MONDAY, "2026-11-26"),
        ("大後天", MONDAY, "2026-11-26"),
        ("大大后天", MONDAY, "2026-11-27"),
        ("3天后", MONDAY, "2026-11-26"),
        ("两天以后", MONDAY, "2026-11-25"),
        ("明天", YEAR_END, "2026-12-31"),
        ("后天", YEAR_END, "2027-01-01"),
        ("明天", MONTH_END, "2027-02-01"),
        ("明天", LEAP_YEAR, "2028-02-29"),
        ("后天", LEAP_YEAR, "2028-03-01"),
        # a bare weekday: the next one on or after today
        ("周三", MONDAY, "2026-11-25"),
        ("星期三", MONDAY, "2026-11-25"),
        ("礼拜三", MONDAY, "2026-11-25"),
        ("禮拜三", MONDAY, "2026-11-25"),
        ("拜三", MONDAY, "2026-11-25"),
        ("週三", MONDAY, "2026-11-25"),
        ("星期3", MONDAY, "2026-11-25"),
        ("周一", MONDAY, "2026-11-23"),
        ("周日", MONDAY, "2026-11-29"),
        ("星期天", MONDAY, "2026-11-29"),
        ("礼拜天", MONDAY, "2026-11-29"),
        ("周天", MONDAY, "2026-11-29"),
        ("拜六", MONDAY, "2026-11-28"),
        ("周三", WEDNESDAY, "2026-11-25"),
        ("周二", WEDNESDAY, "2026-12-01"),
        ("周三", SUNDAY, "2026-12-02"),
        ("周日", SUNDAY, "2026-11-29"),
        ("周五", YEAR_END, "2027-01-01"),
        ("周一", MONTH_END, "2027-02-01"),
        # this calendar week (Monday to Sunday), even when the day has passed
        ("这周五", MONDAY, "2026-11-27"),
        ("本周五", MONDAY, "2026-11-27"),
        ("這週五", MONDAY, "2026-11-27"),
        ("这个星期五", MONDAY, "2026-11-27"),
        ("今个礼拜五", MONDAY, "2026-11-27"),
        ("这周一", WEDNESDAY, "2026-11-23"),
        ("这周三", SUNDAY, "2026-11-25"),
        ("本周日", MONDAY, "2026-11-29"),
        ("这周日", YEAR_END, "2027-01-03"),
        ("这周一", MONTH_END, "2027-01-25"),
        # next and later calendar weeks
        ("下周三", MONDAY, "2026-12-02"),
        ("下个星期三", MONDAY, "2026-12-02"),
        ("下礼拜三", MONDAY, "2026-12-02"),
        ("下個禮拜三", MONDAY, "2026-12-02"),
        ("下个星期的星期三", MONDAY, "2026-12-02"),
        ("下周一", MONDAY, "2026-11-30"),
        ("下周日", MONDAY, "2026-12-06"),
        ("下下周一", MONDAY, "2026-12-07"),
        ("上周三", MONDAY, "2026-11-18"),
        ("下周三", SUNDAY, "2026-12-02"),
        ("下周日", SUNDAY, "2026-12-06"),
        ("下周一", YEAR_END, "2027-01-04"),
        # weekends: Saturday of the week, or today on a Sunday
        ("周末", MONDAY, "2026-11-28"),
        ("週末", MONDAY, "2026-11-28"),
        ("这周末", WEDNESDAY, "2026-11-28"),
        ("下周末", MONDAY, "2026-12-05"),
        ("周末", SUNDAY, "2026-11-29"),
        ("这周末", SUNDAY, "2026-11-29"),
        ("下周末", SUNDAY, "2026-12-05"),
        ("周末", MONTH_END, "2027-01-31"),
        # month and day: next year once passed
        ("3月5号", MONDAY, "2027-03-05"),
        ("3月5日", MONDAY, "2027-03-05"),
        ("3月5號", MONDAY, "2027-03-05"),
        ("三月五日", MONDAY, "2027-03-05"),
        ("3月五号", MONDAY, "2027-03-05"),
        ("十二月二十五号", MONDAY, "2026-12-25"),
        ("12月25", MONDAY, "2026-12-25"),
        ("11月23日", MONDAY, "2026-11-23"),
        ("11月22日", MONDAY, "2027-11-22"),
        ("1月5号", YEAR_END, "2027-01-05"),
        ("12月31日", YEAR_END, "2026-12-31"),
        ("12月29日", YEAR_END, "2027-12-29"),
        ("2月29日", LEAP_YEAR, "2028-02-29"),
        ("明年3月5号", MONDAY, "2027-03-05"),
        ("今年3月5号", MONDAY, "2026-03-05"),
        # numeric month/day
        ("3.5", MONDAY, "2027-03-05"),
        ("3/5", MONDAY, "2027-03-05"),
        ("03-05", MONDAY, "2027-03-05"),
        ("12.25", MONDAY, "2026-12-25"),
        ("3.15号", MONDAY, "2027-03-15"),
        ("9.30", MONDAY, "2027-09-30"),
        ("1.5", YEAR_END, "2027-01-05"),
        # with a year
        ("2026年3月5日", MONDAY, "2026-03-05"),
        ("2026-03-05", MONDAY, "2026-03-05"),
        ("2026/12/1", MONDAY, "2026-12-01"),
        ("2026.12.01", MONDAY, "2026-12-01"),
        ("2027年1月5号", MONDAY, "2027-01-05"),
        ("二〇二六年十二月一日", MONDAY, "2026-12-01"),
        # a bare day of the month: this month unless passed
        ("5号", MONDAY, "2026-12-05"),
        ("15号", MONDAY, "2026-12-15"),
        ("23号", MONDAY, "2026-11-23"),
        ("30号", MONDAY, "2026-11-30"),
        ("30日", MONDAY, "2026-11-30"),
        ("31号", MONDAY, "2026-12-31"),
        ("二十三号", MONDAY, "2026-11-23"),
        ("三十一号", MONDAY, "2026-12-31"),
        ("廿八号", MONDAY, "2026-11-28"),
        ("5号", YEAR_END, "2027-01-05"),
        ("31号", YEAR_END, "2026-12-31"),
        ("1号", MONTH_END, "2027-02-01"),
        ("28号", MONTH_END, "2027-02-28"),
        ("31号", MONTH_END, "2027-01-31"),
        ("29号", LEAP_YEAR, "2028-02-29"),
        ("30号", LEAP_YEAR, "2028-03-30"),
        ("下个月5号", MONDAY, "2026-12-05"),
        ("下月十号", MONDAY, "2026-12-10"),
        ("本月25号", MONDAY, "2026-11-25"),
        ("这个月20号", MONDAY, "2026-11-20"),
        ("下个月5号", YEAR_END, "2027-01-05"),
        # found inside sentences
        ("帮我约明天上午儿科的号", MONDAY, "2026-11-24"),
        ("我想挂3月5号九点半的号", MONDAY, "2027-03-05"),
        ("身份证440106199001011234，约3月5号", MONDAY, "2027-03-05"),
        ("老人70岁，想约下周二", MONDAY, "2026-12-01"),
        ("儿科3号诊室，周五上午", MONDAY, "2026-11-27"),
        ("帮我挂周一的号", MONDAY, "2026-11-23"),
        ("房间302，明天", MONDAY, "2026-11-24"),
        ("每周一上午", MONDAY, "2026-11-23"),
        ("周三三点", MONDAY, "2026-11-25"),
        # the first day named wins
        ("周三或者周四", MONDAY, "2026-11-25"),
    ],
)
def test_date(text, today, expected):
    assert parse_when(text, today).date == day(expected)


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("2月30日", MONDAY),
        ("4月31号", MONDAY),
        ("13月1日", MONDAY),
        ("2月29日", MONDAY),  # the next 29 February to come would be in 2027
        ("2月29日", MONTH_END),
        ("30号", MONTH_END),  # 30 January has passed and 30 February does not exist
        ("下个月31号", MONTH_END),
        ("2月30日", LEAP_YEAR),
        ("0号", MONDAY),
        ("2020年3月5日", MONDAY),  # a year far from today is a record, not a booking
    ],
)
def test_impossible_dates_are_not_dates(text, today):
    assert parse_when(text, today).date is None


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("上午", "morning"),
        ("早上", "morning"),
        ("早晨", "morning"),
        ("清早", "morning"),
        ("朝早", "morning"),
        ("上昼", "morning"),
        ("明天一早", "morning"),
        ("明早", "morning"),
        ("今早", "morning"),
        ("听朝", "morning"),
        ("周三早", "morning"),
        ("凌晨", "morning"),
        ("中午", "noon"),
        ("正午", "noon"),
        ("晏昼", "noon"),
        ("晏晝", "noon"),
        ("下午", "afternoon"),
        ("下昼", "afternoon"),
        ("下晝", "afternoon"),
        ("晚上", "evening"),
        ("夜晚", "evening"),
        ("夜间", "evening"),
        ("傍晚", "evening"),
        ("今晚", "evening"),
        ("明晚", "evening"),
        ("周五晚", "evening"),
        ("5号晚上", "evening"),
        ("早上有号吗", "morning"),
    ],
)
def test_period(text, period):
    assert parse_when(text, MONDAY).period == period


@pytest.mark.parametrize(
    "text",
    ["早上好", "下午好", "晚上好", "早晨！", "早晨，想约听日", "晚点再说", "早饭", "我早就约了"],
)
def test_greetings_and_other_words_are_not_periods(text):
    assert parse_when(text, MONDAY).period is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9点", "09:00"),
        ("9点半", "09:30"),
        ("9点30", "09:30"),
        ("9点30分", "09:30"),
        ("9点05", "09:05"),
        ("10点15分", "10:15"),
        ("9时30分", "09:30"),
        ("九点三十", "09:30"),
        ("九点三十分", "09:30"),
        ("九点零五", "09:05"),
        ("九点一刻", "09:15"),
        ("三点一刻", "15:15"),
        ("三点三刻", "15:45"),
        ("三点三个字", "15:15"),
        ("8點半", "08:30"),
        ("9:30", "09:30"),
        ("9：30", "09:30"),
        ("15:30", "15:30"),
        ("十点钟", "10:00"),
        ("十二点", "12:00"),
        ("二十点", "20:00"),
        # hours 1 to 6 without a period word are afternoon: clinics are closed at night
        ("3点", "15:00"),
        ("3:30", "15:30"),
        ("6点", "18:00"),
        ("7点", "07:00"),
        ("12点", "12:00"),
        ("两点", "14:00"),
        ("一点", "13:00"),
        ("一点半", "13:30"),
        ("3点5", "15:00"),  # a lone digit after 点 may be :05 or :50, so only the hour is read
        # period words decide
        ("下午3点", "15:00"),
        ("下午3:30", "15:30"),
        ("晚上7点", "19:00"),
        ("傍晚6点", "18:00"),
        ("今晚8点", "20:00"),
        ("晚上12点", "00:00"),
        ("早上6点半", "06:30"),
        ("上午12点", "12:00"),
        ("凌晨3点", "03:00"),
        ("中午12点半", "12:30"),
        ("中午1点", "13:00"),
        ("下午两点半", "14:30"),
        ("上午9.30", "09:30"),
        ("明天9.30", "09:30"),
        ("明天一点", "13:00"),
        # ranges start at their first hour
        ("星期三下午3点到5点", "15:00"),
        ("9-10点", "09:00"),
        ("上午9点到11点", "09:00"),
        ("3月5号九点半", "09:30"),
        ("听日下昼三点半", "15:30"),
    ],
)
def test_time(text, expected):
    assert parse_when(text, MONDAY).time == clock(expected)


@pytest.mark.parametrize(
    "text", ["25:00", "二十五点", "99点", "10:61", "有一点咳嗽", "好一点了吗", "快一点", "一点点"]
)
def test_not_a_time(text):
    assert parse_when(text, MONDAY).time is None


@pytest.mark.parametrize(
    ("text", "earliest"),
    [
        ("最早的", True),
        ("越快越好", True),
        ("越早越好", True),
        ("尽快", True),
        ("儘快", True),
        ("盡快", True),
        ("尽早", True),
        ("最快", True),
        ("最近的号", True),
        ("最近有号吗", True),
        ("早点的", True),
        ("早一点的号", True),
        ("能不能早点", True),
        ("最近头痛", False),
        ("最近有点咳嗽", False),
        ("最近的医院", False),
        ("我想早点来医院", False),
        ("早点睡", False),
        ("快一点", False),
        ("明天", False),
    ],
)
def test_earliest(text, earliest):
    assert parse_when(text, MONDAY).earliest is earliest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "帮我约明天上午儿科的号",
            When(day("2026-11-24"), "morning", None, False, ("明天", "上午")),
        ),
        ("下周三下午", When(day("2026-12-02"), "afternoon", None, False, ("下周三", "下午"))),
        (
            "3月5号九点半",
            When(day("2027-03-05"), None, clock("09:30"), False, ("3月5号", "九点半")),
        ),
        ("听日朝早", When(day("2026-11-24"), "morning", None, False, ("听日", "朝早"))),
        ("最早的", When(None, None, None, True, ("最早",))),
        (
            "聽日下晝三點半",
            When(day("2026-11-24"), "afternoon", clock("15:30"), False, ("聽日", "下晝", "三點半")),
        ),
        (
            "明天（11月24日）下午3:00",
            When(
                day("2026-11-24"),
                "afternoon",
                clock("15:00"),
                False,
                ("明天（11月24日）", "下午", "3:00"),
            ),
        ),
        (
            "11月25日（周三）上午",
            When(day("2026-11-25"), "morning", None, False, ("11月25日（周三）", "上午")),
        ),
        (
            "早晨！听日晏昼得唔得",
            When(day("2026-11-24"), "noon", None, False, ("听日", "晏昼")),
        ),
        ("今天最早的号", When(day("2026-11-23"), None, None, True, ("今天", "最早"))),
        (
            "我的手机13812345678，明天下午3点",
            When(day("2026-11-24"), "afternoon", clock("15:00"), False, ("明天", "下午", "3点")),
        ),
        ("周三三点", When(day("2026-11-25"), None, clock("15:00"), False, ("周三", "三点"))),
        ("明早10点", When(day("2026-11-24"), "morning", clock("10:00"), False, ("明早", "10点"))),
        ("周三或者周四", When(day("2026-11-25"), None, None, False, ("周三",))),
        ("下周", When()),
    ],
)
def test_whole_message(text, expected):
    assert parse_when(text, MONDAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "你好",
        "帮我约儿科",
        "挂号",
        "几号有号",
        "几点开门",
        "身份证440106199001011234",
        "44010619900101123X",
        "手机13812345678",
        "电话138-1234-5678",
        "138 1234 5678",
        "+8613812345678",
        "验证码123456",
        "验证码是 654321",
        "1",
        "2",
        "我选3",
        "第2个",
        "第一个",
        "我要第3个医生",
        "我3岁",
        "孩子3岁半",
        "老人70岁",
        "宝宝8个月",
        "302房",
        "住院部3号楼302",
        "3号诊室",
        "去5号窗口",
        "坐地铁2号线",
        "12床",
        "发烧3-5天",
        "發燒3-5天",
        "体温38.5度",
        "吃1/2片",
        "2.5公斤",
        "v1.2",
        "一周一次",
        "一月一次",
        "三月初五",
        "3月份",
        "1990年1月1日出生",
        "后天性心脏病",
        "下午好",
        "有一点咳嗽",
        "差一点忘了",
        "10:30:45",
        "二十五点",
        "最近头痛",
    ],
)
def test_other_numbers_and_text_are_not_read(text):
    parsed = parse_when(text, MONDAY)
    assert parsed.empty
    assert parsed.matched == ()


def test_empty():
    assert When().empty
    assert not When(earliest=True).empty
    assert not When(period="noon").empty


@pytest.mark.parametrize(
    ("parsed", "today", "text"),
    [
        (When(date=day("2026-11-25"), period="morning"), MONDAY, "11月25日（周三）上午"),
        (
            When(date=day("2026-11-24"), period="afternoon", time=clock("15:00")),
            MONDAY,
            "明天（11月24日）下午3:00",
        ),
        (When(date=MONDAY), MONDAY, "今天（11月23日）"),
        (When(date=day("2026-11-29")), MONDAY, "11月29日（周日）"),
        (When(date=day("2027-01-05")), MONDAY, "2027年1月5日（周二）"),
        (When(date=day("2027-01-01")), YEAR_END, "2027年1月1日（周五）"),
        (When(date=day("2026-12-31")), YEAR_END, "明天（12月31日）"),
        (When(date=day("2028-02-29")), LEAP_YEAR, "明天（2月29日）"),
        (When(period="evening"), MONDAY, "晚上"),
        (When(period="noon"), MONDAY, "中午"),
        (When(time=clock("09:30")), MONDAY, "上午9:30"),
        (When(time=clock("12:30")), MONDAY, "中午12:30"),
        (When(time=clock("19:00")), MONDAY, "晚上7:00"),
        (When(time=clock("00:00"), period="evening"), MONDAY, "晚上12:00"),
        (When(time=clock("03:00"), period="morning"), MONDAY, "凌晨3:00"),
        (When(time=clock("13:00"), period="noon"), MONDAY, "中午1:00"),
        (When(time=clock("17:00"), period="evening"), MONDAY, "晚上5:00"),
        (When(time=clock("15:00"), period="morning"), MONDAY, "下午3:00"),
        (When(earliest=True), MONDAY, "最早能约的号"),
        (When(date=day("2026-11-24"), earliest=True), MONDAY, "明天（11月24日）最早的号"),
        (When(period="afternoon", earliest=True), MONDAY, "下午最早的号"),
        (When(), MONDAY, ""),
    ],
)
def test_describe_when(parsed, today, text):
    assert describe_when(parsed, today) == text


@pytest.mark.parametrize(
    ("text", "today"),
    [
        ("明天下午3点", MONDAY),
        ("下周三上午", MONDAY),
        ("3月5号九点半", MONDAY),
        ("1月5号", YEAR_END),
        ("晚上12点", MONDAY),
        ("凌晨3点", MONDAY),
        ("中午1点", MONDAY),
        ("今天最早的号", MONDAY),
        ("尽快", MONDAY),
        ("听日晏昼", MONDAY),
        ("2月29日", LEAP_YEAR),
    ],
)
def test_a_resident_echoing_the_confirmation_is_understood(text, today):
    first = parse_when(text, today)
    again = parse_when(describe_when(first, today), today)
    assert (again.date, again.time, again.earliest) == (first.date, first.time, first.earliest)
    assert first.period is None or again.period == first.period


DATE_LIKE = (
    "0123456789号日月年周星期礼拜点半刻分钟上下午晚早今明后天大听朝这本个"
    ":.-/（）() 最近快尽一二两三十〇廿第岁楼"
)


def _random_texts(rng: random.Random) -> list[str]:
    texts = []
    for _ in range(1500):
        texts.append("".join(rng.choice(DATE_LIKE) for _ in range(rng.randint(0, 30))))
        texts.append("".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 30))))
    texts.append("".join(rng.choice(DATE_LIKE) for _ in range(50_000)))
    texts.append("明天下午3点，" * 5_000)
    texts.append("1" * 50_000)
    return texts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_text_never_raises_and_matches_come_from_the_text(seed):
    for text in _random_texts(random.Random(seed)):
        for today in (MONDAY, YEAR_END, LEAP_YEAR):
            parsed = parse_when(text, today)
            describe_when(parsed, today)
            position = 0
            for part in parsed.matched:
                position = text.index(part, position) + len(part)


def test_traditional_forms_of_pattern_characters_agree_with_the_project_table():
    table = dict(
        line.split("\t")
        for line in TRADITIONAL_TABLE.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    sources = [source for source, _ in when_module._RULES] + [
        when_module._NOT_AFTER_HAO,
        when_module._NOT_AFTER_RI,
        when_module._UNITS.pattern,
        when_module._A_LITTLE_BEFORE,
    ]
    used = {char for source in sources for char in source if "\u4e00" <= char <= "\u9fff"}
    missing = {
        traditional: simplified
        for traditional, simplified in table.items()
        if simplified in used and when_module._fold(traditional) != simplified
    }
    assert missing == {}
    for traditional, simplified in zip(*when_module._TRADITIONAL, strict=True):
        assert table[traditional] == simplified
