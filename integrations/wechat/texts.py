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
