"""The custom menu: loading `menu.yml`, checking it against WeChat's rules, and publishing it.

`python -m integrations.wechat.menu publish` (or `make publish-menu`) sends it through the
WeChat API at WECHAT_API_BASE_URL (the stand-in locally).
https://developers.weixin.qq.com/doc/offiaccount/Custom_Menus/Creating_Custom-Defined_Menu.html
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from integrations.wechat.api import WeChatAPIClient, WeChatError
from integrations.wechat.settings import get_settings
from integrations.wechat.state import open_store

MENU_FILE = Path(__file__).with_name("menu.yml")
MAX_TOP_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_TOP_NAME_BYTES = 16
MAX_SUB_NAME_BYTES = 60
MAX_KEY_BYTES = 128


class MenuError(ValueError):
    """The menu file breaks one of WeChat's rules or our own."""


@dataclass(frozen=True)
class MenuDefinition:
    menu: dict[str, Any]
    click_intents: dict[str, str]


def load_menu(path: Path = MENU_FILE) -> MenuDefinition:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    definition = MenuDefinition(menu=data["menu"], click_intents=dict(data["click_intents"]))
    validate(definition)
    return definition


def validate(definition: MenuDefinition) -> None:
    buttons = definition.menu.get("button") or []
    if not 1 <= len(buttons) <= MAX_TOP_BUTTONS:
        raise MenuError(f"a menu has 1 to {MAX_TOP_BUTTONS} top buttons")
    keys: list[str] = []
    for button in buttons:
        _check_name(button, MAX_TOP_NAME_BYTES)
        subs = button.get("sub_button")
        if subs is not None:
            if not 1 <= len(subs) <= MAX_SUB_BUTTONS:
                raise MenuError(f"「{button['name']}」 needs 1 to {MAX_SUB_BUTTONS} sub-buttons")
            for sub in subs:
                _check_name(sub, MAX_SUB_NAME_BYTES)
                keys += _check_action(sub)
        else:
            keys += _check_action(button)
    unmapped = sorted(set(keys) - set(definition.click_intents))
    if unmapped:
        raise MenuError(f"CLICK keys without an intent: {', '.join(unmapped)}")
    for key, trigger in definition.click_intents.items():
        if not trigger.startswith("/"):
            raise MenuError(f"{key}: an intent trigger starts with '/'")


def _check_name(button: dict[str, Any], limit: int) -> None:
    name = button.get("name") or ""
    if not name or len(name.encode("utf-8")) > limit:
        raise MenuError(f"button name 「{name}」 must be 1 to {limit} bytes")


def _check_action(button: dict[str, Any]) -> list[str]:
    kind = button.get("type")
    if kind == "click":
        key = button.get("key") or ""
        if not key or len(key.encode("utf-8")) > MAX_KEY_BYTES:
            raise MenuError(f"「{button['name']}」 needs a key of at most {MAX_KEY_BYTES} bytes")
        return [key]
    if kind == "view":
        if not str(button.get("url", "")).startswith(("http://", "https://")):
            raise MenuError(f"「{button['name']}」 needs an http(s) url")
        return []
    raise MenuError(f"「{button['name']}」 has unsupported type {kind!r}")


async def publish(definition: MenuDefinition, client: WeChatAPIClient) -> None:
    await client.create_menu(definition.menu)


async def _publish_with_settings(definition: MenuDefinition) -> None:
    settings = get_settings()
    store = open_store(settings.redis_url or None, prefix=settings.redis_key_prefix)
    async with WeChatAPIClient(
        settings.wechat_api_base_url, settings.wechat_app_id, settings.wechat_app_secret, store
    ) as client:
        await publish(definition, client)
    await store.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Check or publish the WeChat custom menu.")
    parser.add_argument("command", choices=["check", "publish"])
    parser.add_argument("--file", type=Path, default=MENU_FILE)
    args = parser.parse_args(argv)
    try:
        definition = load_menu(args.file)
    except (MenuError, KeyError, yaml.YAMLError) as exc:
        sys.exit(f"menu file {args.file} is not valid: {exc}")
    if args.command == "publish":
        try:
            asyncio.run(_publish_with_settings(definition))
        except WeChatError as exc:
            sys.exit(f"WeChat refused the menu: {exc}")
        print(f"published the menu from {args.file}")
    else:
        print(f"{args.file} is valid: {len(definition.menu['button'])} top buttons")


if __name__ == "__main__":
    main()
