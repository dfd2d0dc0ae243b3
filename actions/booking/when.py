"""Pure parsing of the day and time a resident asks for in a booking message.

The booking dialogue calls `parse_when` on every message (「帮我约明天上午儿科的号」「下周三下午」
「3月5号九点半」「听日朝早」「最早的」) and `describe_when` to confirm what it understood. Both
are pure: the caller passes `today` (Asia/Shanghai), nothing is read or logged, and no input
makes them raise.

Conventions (what residents mean, decided once here):
- A bare weekday (周三) is the next such day on or after today. 这周三/本周三 is the Wednesday of
  the calendar week (Monday–Sunday) containing today, even if it has passed (the dialogue says
  so); 下周三 is in the next calendar week, 下下周三 the one after, 上周三 the previous one.
- 周末/这周末 is this week's Saturday, or today when today is Sunday (the weekend is not over).
- A month/day without a year that has passed this year is next year's (in December 1月5号 is
  next January). A bare day (15号) is this month's if it is today or later and exists, else next
  month's; if it exists in neither (30号 on 31 January), it is not a date. Invalid dates
  (2月30日) are not dates. An explicit year more than one year from today is a birth date or an
  old record, not a booking, so it is not a date either.
- 晏昼 (Cantonese) is noon: it is lunch time (食晏 = to have lunch); 下昼 is afternoon.
- A clock hour from 1 to 6 without a period word is afternoon (3点 → 15:00): clinics are closed
  at 3 a.m. Note that community vaccination queues start at 6:30 a.m., so a resident who means
  that writes 早上6点半. 下午/晚上 add 12 to hours before 12; 中午1点 is 13:00; 晚上12点 is 0:00.
- A period word followed by 好 (早上好, 下午好) is a greeting; so is 早晨 (Cantonese "good
  morning") opening a message and followed by punctuation (早晨！).
- 一点 after 早/快/有/差… (早一点, 有一点) is "a little", not 1:00; 早点/早一点 mean earliest.
- 9.30 is a date (30 September) unless it follows a day or period word (明天9.30), then 9:30.
- When several days are named, the first one wins (「明天（11月24日）」 and 「11月25日（周三）」,
  the forms `describe_when` writes, are one day); `matched` lists only what was used.
- `period` is the period word the resident wrote; a clock time alone does not set it.

Libraries evaluated (throw-away venv, 2026-11, on this module's test tables: 127 dates, 10
impossible dates, 50 clock times, 49 texts holding none). jionlp 1.5.31 (last release 2026-10)
has a time extractor, but it installs 296 MB with its dependencies (numpy, the jiojio segmenter),
imports in 0.45–0.95 s printing a banner to stdout, and agreed on 150 of 236 cases: it knows no
Cantonese or traditional forms (听日, 後天, 週三), reads 3号诊室, 2号线, 1990年1月1日出生 and
后天性心脏病 as dates, puts 3点 and 两点 in the small hours and keeps a passed 3月5号 in this
year. cn2an 0.5.24 (last release 2026-04) is small (0.6 MB with its dependency proces) and reads
21 of our 23 numerals (not 卅), but imports in 0.2–0.45 s and its transform turns 周三三点 into
周33点 and 三点一刻 into 3.1刻, after which the dates cannot be found; the numerals needed here
are 40 lines (`chinese_numbers`). Neither is adopted. This module imports in about 20 ms.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from common.chinese_numbers import CHINESE_NUMERAL_CHARS, parse_number

Period = Literal["morning", "noon", "afternoon", "evening"]


@dataclass(frozen=True)
class When:
    """What a message says about when to book; every part is optional."""

    date: datetime.date | None = None
    period: Period | None = None
    time: datetime.time | None = None
    earliest: bool = False
    matched: tuple[str, ...] = ()  # the recognised substrings of the original text, in order

    @property
    def empty(self) -> bool:
        return self.date is None and self.period is None and self.time is None and not self.earliest


# --- Normalisation --------------------------------------------------------------------------

# Traditional forms of the characters the patterns below use (Hong Kong/Macau input methods);
# a test checks this against the project's full table in nlu/components. Every mapping is one
# character to one, so offsets in the folded text are offsets in the original.
_TRADITIONAL = (
    "來個儘兒內兩剋區喫塊專層嵗幾廳後捱時晝棟樓機檯櫃歲淩牀盡碼禮箇綫線聽臺舘萬葯藥號"
    "衛裏裡診車迴這週遊過遠醫鈡鍾鐘鐵門間韆頭顆颱飯館點齣𡻕",
    "来个尽儿内两克区吃块专层岁几厅后挨时昼栋楼机台柜岁凌床尽码礼个线线听台馆万药药号"
    "卫里里诊车回这周游过远医钟钟钟铁门间千头颗台饭馆点出岁",
)
_FULLWIDTH = {code: code - 0xFEE0 for code in range(ord("！"), ord("～") + 1)}
_FOLD = {**_FULLWIDTH, ord("\u3000"): ord(" "), **str.maketrans(*_TRADITIONAL)}


def _fold(text: str) -> str:
    """Full-width ASCII to half-width and traditional to simplified, keeping the length."""
    return text.translate(_FOLD)


# --- Tokens ---------------------------------------------------------------------------------

_Kind = Literal["date", "period", "time", "earliest", "bare_period"]


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: _Kind
    date: datetime.date | None = None
    period: Period | None = None
    clock: tuple[int, int] | None = None  # hour and minute as written, before period rules
    # A dotted month.day (9.30) that reads as a clock time when it follows a day or period.
    dotted_clock: tuple[int, int] | None = None


_Handler = Callable[[re.Match[str], datetime.date, str], _Token | None]

_CN = CHINESE_NUMERAL_CHARS
_NUM = rf"(?:[0-9]{{1,2}}|[{_CN}]{{1,3}})"
# A number must not continue a longer number, a decimal or an ordinal (第2个). Chinese numerals
# need no such guard: a longer reading starts earlier and wins (see `_select`).
_NUM_START = r"(?<![0-9第.])"
_NUM_END = rf"(?![0-9{_CN}])"

# After 号 these make a building, room, window, bed or line number (3号楼, 5号诊室, 2号线).
_NOT_AFTER_HAO = "楼诊室房窗床线门馆院病机位座栋区厅口台柜车医专大出入地号码"
# After 日 these make a duration (3日内, 5日后) rather than a day of the month.
_NOT_AFTER_RI = "内后前以起之游"
# After an unmarked m.d / m-d / m/d these make a measurement or a range (3-5天, 1.5公斤, 38.5度).
_UNITS = re.compile(
    r"\s*(?:天|周|个|次|年|岁|小时|分|秒|元|块|度|斤|公|kg|g|mg|ml|毫|克|片|粒|颗|支|瓶|盒|"
    r"包|米|km|cm|mm|%|倍|万|千|百|楼|层|床|室|人|位|点|时|月|:)"
)
_CLOCK_HOUR_LIMIT = 24
# A day of the month, either after 下个月/这个月/本月 or standing alone (not 3月5号's 5号).
_DAY_START = r"(?:(?P<mrel>下个?月|这个?月|本月)\s*|(?<![0-9第月.]))"

_PERIOD_WORDS: dict[str, Period] = {
    **dict.fromkeys(
        [
            *("上午", "早上", "早晨", "清早", "大清早", "清晨", "朝早", "朝头早", "上昼"),
            *("早间", "凌晨", "一早", "上半天"),
        ],
        "morning",
    ),
    **dict.fromkeys(["中午", "正午", "晏昼", "午间", "晌午"], "noon"),
    **dict.fromkeys(["下午", "下昼", "午后", "下半天"], "afternoon"),
    **dict.fromkeys(
        ["晚上", "夜晚", "夜间", "傍晚", "晚间", "夜里", "晚头", "夜晚黑", "晚黑", "挨晚", "夜头"],
        "evening",
    ),
}
# 早晨 opening a message and followed by punctuation is Cantonese "good morning" (早晨！听日…);
# full-width ，！ are folded to ASCII first.
_GREETING = "早晨"
_GREETING_END = re.compile(r"[\s,!.~。、]")

# Days relative to today, some with a period folded in (今晚 = tonight, 听朝 = tomorrow morning).
_RELATIVE_DAYS: dict[str, tuple[int, Period | None]] = {
    **dict.fromkeys(["今天", "今日", "今儿"], (0, None)),
    **dict.fromkeys(["明天", "明日", "明儿", "听日"], (1, None)),
    **dict.fromkeys(["后天", "后日", "后儿"], (2, None)),
    **dict.fromkeys(["大后天", "大后日"], (3, None)),
    **dict.fromkeys(["大大后天", "大大后日"], (4, None)),
    **dict.fromkeys(["今早", "今朝"], (0, "morning")),
    **dict.fromkeys(["今晚", "今夜"], (0, "evening")),
    **dict.fromkeys(["明早", "听朝"], (1, "morning")),
    **dict.fromkeys(["明晚", "明夜", "听晚"], (1, "evening")),
}

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "7": 6}
_WEEKDAYS.update({str(number): number - 1 for number in range(1, 7)})
_WEEK_OFFSETS = {"上": -1, "这": 0, "本": 0, "今": 0, "下": 1, "下下": 2}
_WEEK_PREFIX = r"(?:(?P<rel>下下|下|这|本|今|上)个?)?"
_SATURDAY, _SUNDAY = 5, 6

_EARLIEST_WORDS = r"最早|最快|越快越好|越早越好|尽快|尽早|早一?点(?![吃睡休起到来去回过])|早些"
# 最近 is "soonest" in 最近的号 but "recently" in 最近头痛 and "nearest" in 最近的医院.
_SOONEST = (
    r"最近(?=的(?!医院|社区|诊所|卫生|中心|地方|药|地铁|站|位置)|一[个天次期]|哪|可|能|"
    r"有(?![点些])|[,.!?。\s]|$)"
)


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


# --- Handlers: one regular expression each ----------------------------------------------------


def _relative_day(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    offset, period = _RELATIVE_DAYS[match.group("all")]
    return _Token(
        match.start(),
        match.end("all"),
        "date",
        date=today + datetime.timedelta(days=offset),
        period=period,
    )


def _days_later(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    days = parse_number(match.group("n"))
    if days is None or not 1 <= days <= 60:
        return None
    return _Token(
        match.start(), match.end("all"), "date", date=today + datetime.timedelta(days=days)
    )


def _weekday(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    weekday = _WEEKDAYS[match.group("wd")]
    rel = match.group("rel")
    if rel is None:
        date = today + datetime.timedelta(days=(weekday - today.weekday()) % 7)
    else:
        date = _monday(today) + datetime.timedelta(weeks=_WEEK_OFFSETS[rel], days=weekday)
    return _Token(match.start(), match.end("all"), "date", date=date)


def _weekend(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    weeks = _WEEK_OFFSETS[match.group("rel") or "这"]
    if weeks == 0 and today.weekday() == _SUNDAY:
        date = today
    else:
        date = _monday(today) + datetime.timedelta(weeks=weeks, days=_SATURDAY)
    return _Token(match.start(), match.end("all"), "date", date=date)


def _full_date(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    year = parse_number(match.group("y"))
    month = parse_number(match.group("m"))
    day = parse_number(match.group("d"))
    date = None
    if year is not None and abs(year - today.year) <= 1 and month is not None and day is not None:
        date = _valid_date(year, month, day)
    return _Token(match.start(), match.end("all"), "date", date=date)


def _month_day(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    following = text[match.end("all") : match.end("all") + 1]
    if match.group("suffix") is None and following and following in "次回遍个":
        return None  # 一月一次 is a frequency
    month = parse_number(match.group("m"))
    day = parse_number(match.group("d"))
    date = None
    if month is not None and day is not None:
        year_word = match.group("yrel")
        if year_word is not None:
            year = today.year + (year_word == "明年")
        elif (month, day) >= (today.month, today.day):
            year = today.year
        else:
            year = today.year + 1
        date = _valid_date(year, month, day)
    return _Token(match.start(), match.end("all"), "date", date=date)


def _numeric_month_day(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    if match.group("suffix") is None and _UNITS.match(text, match.end("all")):
        return None
    month, day = int(match.group("m")), int(match.group("d"))
    year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    dotted_clock = None
    if (
        match.group("sep") == "."
        and len(match.group("d")) == 2
        and match.group("suffix") is None
        and month < _CLOCK_HOUR_LIMIT
        and day < 60
    ):
        dotted_clock = (month, day)
    return _Token(
        match.start(),
        match.end("all"),
        "date",
        date=_valid_date(year, month, day),
        dotted_clock=dotted_clock,
    )


def _day_of_month(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    following = text[match.end("all") : match.end("all") + 1]
    if match.group("suffix") == "号" and following and following in _NOT_AFTER_HAO:
        return None
    if match.group("suffix") == "日" and following and following in _NOT_AFTER_RI:
        return None
    day = parse_number(match.group("d"))
    if day is None:
        return None
    this_month = (today.year, today.month)
    next_month = (today.year + today.month // 12, today.month % 12 + 1)
    month_word = match.group("mrel")
    if month_word is not None:
        year, month = next_month if month_word.startswith("下") else this_month
        date = _valid_date(year, month, day)
    else:
        date = _valid_date(*this_month, day) if day >= today.day else None
        date = date or _valid_date(*next_month, day)
    return _Token(match.start(), match.end("all"), "date", date=date)


def _period(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    word = match.group("all")
    end = match.end("all")
    if text[end : end + 1] == "好":
        return None
    if word == _GREETING and _opens_text(text, match.start()) and _GREETING_END.match(text, end):
        return None
    return _Token(match.start(), match.end("all"), "period", period=_PERIOD_WORDS[word])


def _bare_period(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    period: Period = "morning" if match.group("all") == "早" else "evening"
    return _Token(match.start(), match.end("all"), "bare_period", period=period)


def _clock(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    hour_text = match.group("h")
    hour = parse_number(hour_text)
    if hour is None:
        return None
    end = match.end("all")
    minute = 0
    if match.group("half"):
        minute = 30
    elif match.group("quarter"):
        minute = 15 if match.group("quarter") == "一" else 45
    elif match.group("zi"):
        # Cantonese 三点三个字: each 字 is five minutes on the clock face.
        fives = parse_number(match.group("zi"))
        minute = fives * 5 if fives is not None else 60
    elif match.group("min"):
        parsed = _minute(match.group("min"), has_fen=bool(match.group("fen")))
        if parsed is None:
            end = match.end("mark")
        else:
            minute = parsed
    elif hour_text == "一" and _is_a_little(text, match.start(), end):
        return None
    if hour >= _CLOCK_HOUR_LIMIT or minute >= 60:
        return _Token(match.start(), end, "time")  # recognised but impossible: consume it
    return _Token(match.start(), end, "time", clock=(hour, minute))


def _colon_clock(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    hour, minute = int(match.group("h")), int(match.group("min"))
    clock = (hour, minute) if hour < _CLOCK_HOUR_LIMIT and minute < 60 else None
    return _Token(match.start(), match.end("all"), "time", clock=clock)


def _clock_range(match: re.Match[str], today: datetime.date, text: str) -> _Token | None:
    hour = parse_number(match.group("h"))
    if hour is None or hour >= _CLOCK_HOUR_LIMIT:
        return None
    return _Token(match.start(), match.end("all"), "time", clock=(hour, 0))


def _earliest(match: re.Match[str], today: datetime.date, text: str) -> _Token:
    return _Token(match.start(), match.end("all"), "earliest")


_RULES: list[tuple[str, _Handler]] = [
    (rf"(?<!先)(?:{_alternation(list(_RELATIVE_DAYS))})(?!性)", _relative_day),
    (rf"{_NUM_START}(?P<n>{_NUM})[天日](?:以后|之后|后)", _days_later),
    (
        rf"(?<![0-9{_CN}几]){_WEEK_PREFIX}(?:周|星期|礼拜|拜)(?:的?(?:周|星期|礼拜))?"
        rf"(?P<wd>[一二三四五六日天1-7])(?![0-9次回遍个])",
        _weekday,
    ),
    (rf"{_WEEK_PREFIX}周末", _weekend),
    (
        rf"(?<![0-9])(?P<y>[0-9]{{4}}|[〇零一二三四五六七八九]{{4}})\s*年\s*"
        rf"(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]?",
        _full_date,
    ),
    (
        r"(?<![0-9.])(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
        r"(?![0-9])[日号]?",
        _full_date,
    ),
    (
        rf"(?P<yrel>今年|明年)?{_NUM_START}(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})"
        rf"(?:\s*(?P<suffix>[日号])|{_NUM_END})",
        _month_day,
    ),
    (
        r"(?<![0-9./\-A-Za-z])(?P<m>[0-9]{1,2})(?P<sep>[./\-])(?P<d>[0-9]{1,2})"
        r"(?![0-9]|[./\-][0-9])(?P<suffix>[日号])?",
        _numeric_month_day,
    ),
    (rf"{_DAY_START}(?P<d>[0-9]{{1,2}})(?P<suffix>[号日])", _day_of_month),
    (rf"{_DAY_START}(?P<d>[{_CN}]{{1,3}})(?P<suffix>号)", _day_of_month),
    (
        rf"{_NUM_START}(?P<h>{_NUM})\s*(?:点|时)?\s*(?:-|到|至|~)\s*{_NUM}\s*(?:点|时)",
        _clock_range,
    ),
    (
        rf"{_NUM_START}(?P<h>{_NUM})\s*(?P<mark>(?:点|时)钟?)"
        rf"(?:(?P<half>半)|(?P<quarter>[一三])刻|(?P<zi>{_NUM})个字"
        rf"|(?P<min>{_NUM})\s*(?P<fen>分)?)?",
        _clock,
    ),
    (r"(?<![0-9:.])(?P<h>[0-9]{1,2})\s*:\s*(?P<min>[0-9]{2})(?![0-9:])", _colon_clock),
    (_alternation(list(_PERIOD_WORDS)), _period),
    (r"早(?![点些一饭餐了日安晨上])|晚(?![点些一饭餐了安上间])", _bare_period),
    (rf"{_EARLIEST_WORDS}|{_SOONEST}", _earliest),
]
# Wrapped in a lookahead so that matches may overlap: a long reading that a handler rejects, or
# that loses to an earlier token, must not hide a shorter one inside it (周三三点 → 周三 + 三点).
_PATTERNS = [(re.compile(rf"(?=(?P<all>{source}))"), handler) for source, handler in _RULES]

# Among candidates starting at the same place, the longer wins; on a tie, this order.
_KIND_ORDER: dict[_Kind, int] = {
    "date": 0,
    "time": 1,
    "period": 2,
    "earliest": 3,
    "bare_period": 4,
}
_APPOSITION_GAP = re.compile(r"[\s(]*")
_GREETING_REACH = 8
_A_LITTLE_BEFORE = "快早晚慢多少好大小高低近远有差些稍点"


def parse_when(text: str, today: datetime.date) -> When:
    """The day, period, clock time and urgency that `text` asks for, wherever they are in it."""
    folded = _fold(text)
    tokens = _select(_candidates(folded, today))
    tokens = _read_dotted_clocks(tokens, folded)
    tokens = _join_appositions(tokens, folded)
    tokens = [
        token
        for index, token in enumerate(tokens)
        if token.kind != "bare_period" or _directly_after_date(tokens, index)
    ]

    date_token = next((t for t in tokens if t.kind == "date" and t.date is not None), None)
    period_token = next((t for t in tokens if t.period is not None), None)
    time_token = next((t for t in tokens if t.kind == "time" and t.clock is not None), None)
    earliest_token = next((t for t in tokens if t.kind == "earliest"), None)

    period = period_token.period if period_token else None
    clock = time_token.clock if time_token and time_token.clock else None
    used = {t for t in (date_token, period_token, time_token, earliest_token) if t is not None}
    return When(
        date=date_token.date if date_token else None,
        period=period,
        time=_clock_time(*clock, period) if clock else None,
        earliest=earliest_token is not None,
        matched=tuple(text[t.start : t.end] for t in sorted(used, key=lambda t: t.start)),
    )


def _candidates(folded: str, today: datetime.date) -> list[_Token]:
    tokens = []
    for pattern, handler in _PATTERNS:
        for match in pattern.finditer(folded):
            token = handler(match, today, folded)
            if token is not None:
                tokens.append(token)
    return tokens


def _select(candidates: list[_Token]) -> list[_Token]:
    """Leftmost, then longest, non-overlapping candidates, in text order."""
    ordered = sorted(candidates, key=lambda t: (t.start, t.start - t.end, _KIND_ORDER[t.kind]))
    chosen: list[_Token] = []
    for token in ordered:
        if not chosen or token.start >= chosen[-1].end:
            chosen.append(token)
    return chosen


def _join_appositions(tokens: list[_Token], folded: str) -> list[_Token]:
    """明天（11月24日） and 11月25日（周三） name one day: the second becomes part of the first."""
    joined: list[_Token] = []
    for token in tokens:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.kind == token.kind == "date"
            and _APPOSITION_GAP.fullmatch(folded, previous.end, token.start)
        ):
            end = token.end + (folded[token.end : token.end + 1] == ")")
            joined[-1] = replace(previous, end=end, period=previous.period or token.period)
        else:
            joined.append(token)
    return joined


def _read_dotted_clocks(tokens: list[_Token], folded: str) -> list[_Token]:
    """明天9.30 and 上午9.30 are clock times; a lone 9.30 stays 30 September."""
    read = list(tokens)
    for index in range(1, len(read)):
        token, previous = read[index], read[index - 1]
        if (
            token.dotted_clock is not None
            and previous.kind in ("date", "period", "bare_period")
            and folded[previous.end : token.start].strip() == ""
        ):
            read[index] = _Token(token.start, token.end, "time", clock=token.dotted_clock)
    return read


def _directly_after_date(tokens: list[_Token], index: int) -> bool:
    """A lone 早 or 晚 is a period only right after a day (明天早, 周五晚)."""
    previous = tokens[index - 1] if index > 0 else None
    return previous is not None and previous.kind == "date" and previous.end == tokens[index].start


def _clock_time(hour: int, minute: int, period: Period | None) -> datetime.time:
    if period in ("afternoon", "evening") and hour < 12:
        hour += 12
    elif period == "evening" and hour == 12:
        hour = 0
    elif period == "noon" and 1 <= hour <= 5:
        hour += 12
    elif period is None and 1 <= hour <= 6:
        hour += 12  # clinics are closed from 1 to 6 a.m.: 3点 is 15:00
    return datetime.time(hour, minute)


def _minute(text: str, *, has_fen: bool) -> int | None:
    """Minutes after 点: 30, 05, 三十, 零五, or anything followed by 分.

    A lone digit (三点五, 3点5) is left out: it may be 3:05 or 3:50, so only 3点 is read.
    """
    value = parse_number(text)
    if value is None or has_fen:
        return value
    if text.isascii():
        return value if len(text) == 2 else None
    return value if "十" in text or text[0] in "零〇" else None


def _opens_text(text: str, start: int) -> bool:
    """Only spaces before `start`; a bounded look, as greetings open a message."""
    return start < _GREETING_REACH and text[:start].strip() == ""


def _is_a_little(text: str, start: int, end: int) -> bool:
    """一点 in 早一点, 有一点, 一点点, 一点儿 means "a little", not 1 o'clock."""
    before = text[start - 1 : start]
    after = text[end : end + 1]
    return (before != "" and before in _A_LITTLE_BEFORE) or (after != "" and after in "儿点")


def _monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def _valid_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


# --- Describing -----------------------------------------------------------------------------

_WEEKDAY_NAMES = "一二三四五六日"
_PERIOD_NAMES: dict[Period, str] = {
    "morning": "上午",
    "noon": "中午",
    "afternoon": "下午",
    "evening": "晚上",
}
# Hours (24-hour clock) that each period word can describe.
_PERIOD_HOURS: dict[Period, range] = {
    "morning": range(0, 13),
    "noon": range(11, 14),
    "afternoon": range(12, 19),
    "evening": range(17, 24),
}
_DAWN = 6  # hours before it are 凌晨 whatever the period word
_RELATIVE_NAMES = {0: "今天", 1: "明天"}


def describe_when(when: When, today: datetime.date) -> str:
    """Chinese text confirming `when`, e.g. "11月25日（周三）上午", "明天（11月24日）下午3:00".

    Empty when `when` is empty.
    """
    text = ""
    if when.date is not None:
        text += _describe_date(when.date, today)
    if when.time is not None:
        text += _describe_time(when.time, when.period)
    elif when.period is not None:
        text += _PERIOD_NAMES[when.period]
    if when.earliest:
        text = f"{text}最早的号" if text else "最早能约的号"
    return text


def _describe_date(day: datetime.date, today: datetime.date) -> str:
    label = f"{day.month}月{day.day}日"
    if day.year != today.year:
        label = f"{day.year}年{label}"
    relative = _RELATIVE_NAMES.get((day - today).days)
    if relative is not None:
        return f"{relative}（{label}）"
    return f"{label}（周{_WEEKDAY_NAMES[day.weekday()]}）"


def _describe_time(clock: datetime.time, period: Period | None) -> str:
    minute = f"{clock.minute:02d}"
    if period == "evening" and clock.hour == 0:
        return f"晚上12:{minute}"  # 晚上12点
    if period is not None and clock.hour in _PERIOD_HOURS[period] and clock.hour >= _DAWN:
        word = _PERIOD_NAMES[period]
    else:
        word = _hour_name(clock.hour)
    hour = clock.hour - 12 if clock.hour > 12 else clock.hour
    return f"{word}{hour}:{minute}"


def _hour_name(hour: int) -> str:
    if hour < _DAWN:
        return "凌晨"
    if hour < 12:
        return "上午"
    if hour < 13:
        return "中午"
    if hour < 18:
        return "下午"
    return "晚上"
