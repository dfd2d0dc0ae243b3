"""Everything the gateway itself says to residents (the dialogue's own texts live in Rasa)."""

UNSUPPORTED_MESSAGE = (
    "抱歉，我暂时看不懂图片、位置、链接和视频。请直接打字告诉我您想做什么，例如「荔湾有哪些医院」。"
)
VOICE_NOT_RECOGNISED = "抱歉，这条语音我没听清。请再说一次，或者直接打字告诉我。"
EMPTY_MESSAGE = "请告诉我您想做什么，例如「荔湾有哪些医院」或「你能做什么」。"
SERVICE_BUSY = "抱歉，系统有点忙，请稍后再发一次。如遇紧急情况请立即拨打120。"
NOT_UNDERSTOOD = "抱歉，我没听明白。您可以问我「荔湾有哪些医院」或「你能做什么」。"
MORE_TRUNCATED = "\n……（内容较长，请缩小范围再问）"
UNKNOWN_MENU_ITEM = "这个菜单项暂时不可用。请直接告诉我您想做什么，例如「荔湾有哪些医院」。"
RATE_LIMITED = "您发消息有点快，请稍等一分钟再发。如遇紧急情况请立即拨打120。"

# Report-ready notices (报告出具通知). Sensitive reports never name the test (PIPL); a critical
# value (危急值) tells the resident to act now, and staff are alerted separately.
REPORT_READY = "{patient}的「{test}」报告已出{where}。\n回复「查报告」查看结果。"
REPORT_UPDATED = "{patient}的「{test}」报告已更新{where}，请以最新结果为准。\n回复「查报告」查看。"
REPORT_CRITICAL = (
    "【重要】{patient}的「{test}」报告有危急值{where}。"
    "请立即联系医院，或马上到急诊科就诊。\n回复「查报告」查看结果。"
)
REPORT_SENSITIVE = "{patient}有一份报告已出，请按医院指引查看领取。"
REPORT_SENSITIVE_CRITICAL = (
    "【重要】{patient}有一份报告已出，需要尽快处理：请立即联系医院，或马上到急诊科就诊。"
    "请按医院指引查看领取。"
)
REPORT_WHERE = "（{institution}）"
# Subscription-message fields are short (a `thing` holds 20 characters).
REPORT_SENSITIVE_TEST = "一份报告"
REPORT_SENSITIVE_INSTITUTION = "请按医院指引领取"
REPORT_NOTE = "回复「查报告」查看"
REPORT_NOTE_UPDATED = "报告已更新，回复「查报告」查看"
REPORT_NOTE_CRITICAL = "有危急值，请立即联系医院或去急诊"
REPORT_NOTE_SENSITIVE = "请按医院指引查看领取"
REPORT_NOTE_SENSITIVE_CRITICAL = "请立即联系医院或去急诊"
