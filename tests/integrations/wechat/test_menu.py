import copy
from pathlib import Path

import pytest
import yaml

from integrations.wechat.menu import MenuDefinition, MenuError, load_menu, main, validate

REPO = Path(__file__).resolve().parents[3]

VALID = MenuDefinition(
    menu={
        "button": [
            {"type": "click", "name": "使用帮助", "key": "HELP"},
            {
                "name": "找医院",
                "sub_button": [{"type": "view", "name": "官网", "url": "https://x.test"}],
            },
        ]
    },
    click_intents={"HELP": "/ask_capabilities"},
)


def test_the_shipped_menu_is_valid_and_every_click_has_a_known_intent():
    definition = load_menu()
    assert definition.click_intents
    domain_intents = {
        intent
        for path in (REPO / "bot" / "domain").glob("*.yml")
        for intent in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("intents", [])
    }
    assert "lookup_report" in domain_intents
    for trigger in definition.click_intents.values():
        assert trigger[1:].split("{")[0] in domain_intents


def mutated(change) -> MenuDefinition:
    menu = copy.deepcopy(VALID.menu)
    intents = dict(VALID.click_intents)
    change(menu, intents)
    return MenuDefinition(menu, intents)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m, i: m["button"].extend([m["button"][0]] * 2), "top buttons"),
        (lambda m, i: m["button"][1].update(sub_button=[]), "sub-buttons"),
        (lambda m, i: m["button"][0].update(name="这个名字对顶部菜单来说太长了"), "bytes"),
        (lambda m, i: i.pop("HELP"), "without an intent"),
        (lambda m, i: i.update(HELP="ask_capabilities"), "starts with"),
        (lambda m, i: m["button"][0].update(type="scancode_push"), "unsupported type"),
        (lambda m, i: m["button"][1]["sub_button"][0].update(url="ftp://x"), "url"),
    ],
)
def test_invalid_menus_are_refused_with_a_reason(change, reason):
    validate(VALID)
    with pytest.raises(MenuError, match=reason):
        validate(mutated(change))


def test_check_command(capsys):
    main(["check"])
    assert "is valid" in capsys.readouterr().out


async def test_publish_through_the_wechat_api_stand_in():
    import httpx

    from integrations.wechat.api import WeChatAPIClient
    from integrations.wechat.menu import publish
    from integrations.wechat.state import MemoryStore
    from sandbox.wechat.api_server import create_app

    stand_in = create_app("wxmenu00000000001", "s")
    async with WeChatAPIClient(
        "http://wx.test",
        "wxmenu00000000001",
        "s",
        MemoryStore(),
        transport=httpx.ASGITransport(stand_in),
    ) as client:
        await publish(load_menu(), client)
        published = await client.get_menu()
    assert published is not None
    names = [b["name"] for b in published["button"]]
    assert names == ["找医院", "就医服务", "帮助"]
