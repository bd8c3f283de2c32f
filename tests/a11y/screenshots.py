"""`make screenshots`: the README's pictures, made from the sample site as a reader and a
moderator see it (built with its comments, served by `ownmedia serve` on 127.0.0.1, Debian's
Chromium). Writes OUT/article.png and, when the admin logs in with a test password,
OUT/admin-queue.png (two pending comments sent through the public API first).

    python -m tests.a11y.screenshots docs/screenshots"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx

from tests.comments.sitekit import build_into, make_site
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, RunningService

POST, POST_URL = "own-your-channel", "/2026/own-your-channel/"
PASSWORD = "screenshot password"
PENDING = [("Inès Moreau", "Le passage sur l'encart imprimé m'a convaincue : **merci**."),
           ("Paul Girard", "Combien de temps avant de voir les premiers chiffres ?")]


def send_comments(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        for name, body in PENDING:
            token = client.get("/api/comments/token", params={"post": POST}).json()["token"]
            answer = client.post("/api/comments", headers={"Accept": "application/json"}, data={
                "post": POST, "name": name, "body": body, "token": token, "lang": "fr",
                "url": POST_URL})
            answer.raise_for_status()


def main(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from ownmedia.admin.auth import set_password

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="ownmedia-shots-") as tmp:
        site = make_site(Path(tmp), build=False, demo_comments=True)
        build_into(site)
        set_password(site.data, PASSWORD)
        svc = RunningService(["--config", str(site.config_file)])
        try:
            send_comments(svc.url)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 1000})
                page.goto(svc.url + POST_URL)
                target = out / "article.png"
                page.screenshot(path=str(target))
                written.append(target)
                try:
                    page.goto(svc.url + "/admin/")
                    page.fill("#password", PASSWORD, timeout=5000)
                    page.click("#login-form button[type=submit]")
                    page.wait_for_url("**/admin/**", timeout=5000)
                    target = out / "admin-queue.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                except Exception as exc:  # the admin's markup may change: the article stays
                    print(f"admin queue not captured: {exc}", file=sys.stderr)
                browser.close()
        finally:
            svc.stop()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
