import pytest

from nlu.components.text_normalization import normalize_text


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("荔灣區有哪些醫院", "荔湾区有哪些医院"),
        ("ＡＢＣ１２３！", "ABC123!"),
        ("你好\u3000在吗", "你好 在吗"),
        ("社区医院有哪些科室", "社区医院有哪些科室"),
        ("門診預約", "门诊预约"),
    ],
)
def test_normalize_text(raw, normalized):
    assert normalize_text(raw) == normalized


def test_normalization_preserves_length_so_entity_offsets_hold():
    raw = "請問ＸＸ醫院門診幾點開？"
    assert len(normalize_text(raw)) == len(raw)
