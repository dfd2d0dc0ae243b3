import pytest

from integrations.wechat.signature import compute_signature, is_valid_signature


def test_signature_matches_independently_computed_vector():
    # sha1("".join(sorted(["xxx", "1409304348", "123456"]))) computed outside this code base.
    expected = "ce04ebe1b22721f4c5679fa03b049a40550c7b32"
    assert compute_signature("xxx", "1409304348", "123456") == expected
    # The order of the inputs must not matter: WeChat sorts them.
    assert compute_signature("123456", "xxx", "1409304348") == expected


@pytest.mark.parametrize(
    ("signature", "valid"),
    [
        (compute_signature("tok", "1", "2"), True),
        (compute_signature("tok", "1", "2").upper(), True),
        (compute_signature("other", "1", "2"), False),
        ("", False),
        ("not-hex", False),
    ],
)
def test_is_valid_signature(signature, valid):
    assert is_valid_signature("tok", signature, "1", "2") is valid
