"""`make devserver`: build, serve the site on loopback, rebuild incrementally on every save
and reload the pages open in the browser.

Saves under the content folder, the theme or the settings file are watched (watchfiles); each
burst of changes is one build through ownmedia.site.build_site (incremental: only changed
files are rendered). Pages are served with a small script added on the fly before `</body>`
(never written into the built files): it listens to `/__ownmedia/reload` (Server-Sent Events)
and reloads the page after each successful build. A failed build is printed and the old site
stays served; the next save builds again.

    python -m ownmedia.devserver [--host 127.0.0.1] [--port 8000] [--content content]
                                 [--output output] [--settings pelicanconf.py]"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownmedia.site import ROOT, build_site

log = logging.getLogger("ownmedia.devserver")
RELOAD_PATH = "/__ownmedia/reload"
RELOAD_SCRIPT = (
    "<script>(function(){var s=new EventSource('" + RELOAD_PATH + "'),g=null;"
    "s.onmessage=function(e){if(g!==null&&e.data!==g){location.reload();}g=e.data;};})();"
    "</script>"
).encode()


class Reloader:
    """The build generation, pushed to every open page."""

    def __init__(self) -> None:
        self.generation = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue] = set()

    def bump(self) -> None:
        """From the watcher thread, after a successful build."""
        self.generation += 1
        if self.loop is not None:
            for queue in list(self._queues):
                self.loop.call_soon_threadsafe(queue.put_nowait, self.generation)

    async def endpoint(self, request) -> StreamingResponse:
        self.loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)

        async def events():
            try:
                yield f"retry: 500\ndata: {self.generation}\n\n"
                while True:
                    yield f"data: {await queue.get()}\n\n"
            finally:
                self._queues.discard(queue)

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})


class InjectReload:
    """Adds the reload script to HTML responses (full bodies only; the site's pages)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/__ownmedia/"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body = bytearray()

        async def wrapped(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    start = message
                    return
                await send(message)
                return
            if start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            page = bytes(body)
            at = page.rfind(b"</body>")
            page = page[:at] + RELOAD_SCRIPT + page[at:] if at >= 0 else page + RELOAD_SCRIPT
            headers = [(k, v) for k, v in start.get("headers", [])
                       if k not in (b"content-length", b"etag", b"last-modified")]
            headers.append((b"content-length", str(len(page)).encode()))
            headers.append((b"cache-control", b"no-store"))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, wrapped)


def create_app(output: Path, reloader: Reloader) -> Starlette:
    output.mkdir(parents=True, exist_ok=True)
    return Starlette(routes=[
        Route(RELOAD_PATH, reloader.endpoint),
        Mount("/", app=InjectReload(StaticFiles(directory=output, html=True))),
    ])


def build(settings: Path, content: Path, output: Path) -> bool:
    try:
        build_site(output, settings_file=settings, content=content)
        return True
    except Exception as exc:  # noqa: BLE001 - a bad save must not stop the server
        log.error("build failed: %s", exc)
        return False


def watch(paths: list[Path], settings: Path, content: Path, output: Path,
          reloader: Reloader, stop: threading.Event) -> None:
    """Rebuild after each burst of saves (watchfiles groups them)."""
    import watchfiles

    for _changes in watchfiles.watch(*paths, stop_event=stop, debounce=100, step=20,
                                     raise_interrupt=False):
        if build(settings, content, output):
            reloader.bump()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ownmedia.devserver", description=(
        "Serve the site, rebuild incrementally on save and reload the browser. / Sert le "
        "site, le reconstruit à chaque enregistrement (seuls les fichiers touchés) et "
        "recharge le navigateur."))
    parser.add_argument("--host", default="127.0.0.1", help="address / adresse (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (8000)")
    parser.add_argument("--content", type=Path, default=ROOT / "content",
                        help="content folder / dossier du contenu")
    parser.add_argument("--output", type=Path, default=ROOT / "output",
                        help="built site / site construit")
    parser.add_argument("--settings", type=Path, default=ROOT / "pelicanconf.py",
                        help="Pelican settings / réglages Pelican")
    args = parser.parse_args(argv)
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")
    from pelican.settings import read_settings

    theme = Path(read_settings(str(args.settings))["THEME"])
    if not build(args.settings, args.content, args.output):
        return 1
    reloader = Reloader()
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch, args=([args.content, theme, args.settings], args.settings, args.content,
                            args.output, reloader, stop), daemon=True, name="ownmedia-watch")
    watcher.start()
    server = uvicorn.Server(uvicorn.Config(
        create_app(args.output, reloader), host=args.host, port=args.port, log_level="info",
        timeout_graceful_shutdown=1))
    try:
        server.run()
    finally:
        stop.set()
        watcher.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
