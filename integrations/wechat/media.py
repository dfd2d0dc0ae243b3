"""Images in replies: fetched from their URL, uploaded once as WeChat temporary media.

WeChat shows an image message only by media_id. Temporary media live 3 days, so a media_id is
cached per URL (shared by every gateway process) for a little less than that. Images come from
the bot's own responses and actions, but the fetch is still careful: http(s) only, optionally
only from listed hosts, no redirects, a size cap, and the bytes must be PNG, JPEG or GIF (the
formats WeChat takes for images).
https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from typing import Protocol
from urllib.parse import urlsplit

import httpx

from integrations.wechat.api.client import MediaKind
from integrations.wechat.outbox import ImageUnavailable
from integrations.wechat.state import Store

logger = logging.getLogger("frontdoor.gateway.media")

# WeChat keeps temporary media 3 days; stop reusing a media_id well before it expires.
MEDIA_ID_TTL_SECONDS = int(2.5 * 24 * 3600)
MAX_IMAGE_BYTES = 10 * 1024 * 1024  # WeChat's limit for an image
_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


class MediaUploader(Protocol):
    async def upload_media(self, kind: MediaKind, filename: str, data: bytes) -> str: ...


def image_format(data: bytes) -> str | None:
    """'png', 'jpg' or 'gif' from the file's leading bytes, else None."""
    for signature, extension in _SIGNATURES.items():
        if data.startswith(signature):
            return extension
    return None


class ImageMedia:
    """media_ids for image URLs; owns its HTTP client for fetching images."""

    def __init__(
        self,
        store: Store,
        uploader: MediaUploader,
        *,
        allowed_hosts: Collection[str] = (),
        timeout: float = 5.0,
        max_bytes: int = MAX_IMAGE_BYTES,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._store = store
        self._uploader = uploader
        self._allowed_hosts = {host.lower() for host in allowed_hosts}
        self._max_bytes = max_bytes
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def media_id(self, url: str) -> str:
        """The media_id of the image at `url`, uploading it on first use.

        Raises `ImageUnavailable` when the URL gives no usable image, and the WeChat API's
        errors when the upload fails (worth retrying).
        """
        key = f"media:image:{hashlib.sha256(url.encode('utf-8')).hexdigest()}"
        cached = await self._store.get(key)
        if cached is not None:
            return cached
        data = await self._fetch(url)
        extension = image_format(data)
        if extension is None:
            raise ImageUnavailable("not a PNG, JPEG or GIF image")
        media_id = await self._uploader.upload_media("image", f"image.{extension}", data)
        await self._store.set(key, media_id, ttl=MEDIA_ID_TTL_SECONDS)
        return media_id

    async def _fetch(self, url: str) -> bytes:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https") or not host:
            raise ImageUnavailable("not an http(s) URL")
        if self._allowed_hosts and host not in self._allowed_hosts:
            raise ImageUnavailable(f"host {host} is not in WECHAT_IMAGE_HOSTS")
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ImageUnavailable(f"HTTP {response.status_code}")
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise ImageUnavailable(f"larger than {self._max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            raise ImageUnavailable(f"{type(exc).__name__}: {exc}") from exc
        return b"".join(chunks)
