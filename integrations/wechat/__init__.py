"""The WeChat Official Account gateway: the only part of frontdoor that faces the outside.

Protocol: https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Access_Overview.html
"""
