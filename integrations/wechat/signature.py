"""WeChat's URL signature: sha1 over the sorted token, timestamp and nonce.

https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
"""

from __future__ import annotations

import hashlib
import hmac


def compute_signature(token: str, timestamp: str, nonce: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def is_valid_signature(token: str, signature: str, timestamp: str, nonce: str) -> bool:
    expected = compute_signature(token, timestamp, nonce)
    return hmac.compare_digest(expected, signature.lower())
