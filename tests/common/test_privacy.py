import logging

import pytest

from common.privacy import PIIMaskingFilter, mask_openid, mask_pii


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("身份证440103199001011234", "身份证440103********1234"),
        ("ID 44010319900101123X end", "ID 440103********123X end"),
        ("电话13812345678", "电话138****5678"),
        ("+86 13812345678", "138****5678"),
        ("订单号 2024010112345678901234", "订单号 2024010112345678901234"),  # too long: not an ID
        ("门诊号 123456", "门诊号 123456"),
    ],
)
def test_mask_pii(text, masked):
    assert mask_pii(text) == masked


def test_mask_openid_keeps_ends_only():
    assert mask_openid("oAbCdEfGhIjKlMnOpQrStUvWxYz1") == "oAbC…xYz1"
    assert mask_openid("short") == "*****"


def test_logging_filter_masks_formatted_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "phone %s", ("13812345678",), None)
    PIIMaskingFilter().filter(record)
    assert record.getMessage() == "phone 138****5678"
