"""End to end in a real Chromium against `ownmedia serve`: comment with JavaScript off and on,
see the notice; approve through the CLI (a real subprocess) and the web admin (logged in in
the browser); reload: the comment is on the page and in the print view. XSS payloads never
execute."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from playwright.sync_api import expect

from ownmedia.admin.auth import set_password
from ownmedia.comments.store import Store
from tests.comments.sitekit import POST, POST_URL, ROOT, make_site
from tests.comments.test_api import UA, XSS

pytestmark = pytest.mark.browser
PASSWORD = "browser test password"
PRINT_URL = POST_URL + "print/"


@pytest.fixture
def served(tmp_path, start_service):
    site = make_site(tmp_path, comments_toml="rate_limit = 1000\n")
    set_password(site.data, PASSWORD)
    svc = start_service("--config", site.config_file)
    svc.site = site
    return svc


def pending_ids(site) -> list[str]:
    store = Store(site.data)
    try:
        return [c.id for c in store.list(status="pending")]
    finally:
        store.close()


def wait_visible(page, url: str, needle: str, timeout: float = 10.0) -> float:
    """Reload until `needle` is in the HTML; returns the seconds it took."""
    start = time.monotonic()
    while True:
        page.goto(url)
        if needle in page.content():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{needle!r} not on {url} after {timeout}s")
        page.wait_for_timeout(50)


def test_js_off_comment_then_cli_approval(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served.url + POST_URL)
    page.fill("#comment-name", "Nadia sans JS")
    page.fill("#comment-body", "Un commentaire **sans JavaScript**.")
    page.click("#comment-form button[type=submit]")
    # no token without JavaScript: the service asks to confirm, keeping what was typed
    expect(page.locator("h1")).to_contain_text("Confirmer")
    assert page.input_value("#comment-name") == "Nadia sans JS"
    page.click("#comment-form button[type=submit]")
    assert page.url.endswith(POST_URL + "?comment=pending#comment-pending")
    notice = page.locator("#comment-pending")
    expect(notice).to_be_visible()  # shown by the :target rule, no JavaScript
    expect(notice).to_contain_text("attend la modération")
    [cid] = pending_ids(served.site)
    approve = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "comments", "approve", cid, "--config",
         str(served.site.config_file)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert approve.returncode == 0, approve.stderr
    wait_visible(page, served.url + POST_URL, f'id="comment-{cid}"')
    assert "sans JavaScript" in page.locator(f"#comment-{cid}").inner_text()
    wait_visible(page, served.url + PRINT_URL, f'id="comment-{cid}"')
    # a threaded reply without JavaScript: the reply link's ?reply_to= reaches the service
    page.goto(served.url + POST_URL)
    page.click(f"#comment-{cid} a.reply-link")
    assert f"reply_to={cid}" in page.url
    page.fill("#comment-name", "Réponse sans JS")
    page.fill("#comment-body", "Je réponds.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator(".comment-replying")).to_contain_text("Nadia sans JS")  # by name
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#comment-pending")).to_be_visible()
    store = Store(served.site.data)
    [reply] = store.list(status="pending")
    store.close()
    assert reply.reply_to == cid and reply.author == "Réponse sans JS"
    assert dialogs == []
    context.close()


def test_js_off_errors_next_to_fields(served, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    response = httpx.post(served.url + "/api/comments", data={
        "post": POST, "name": "", "email": "nope", "body": "", "url": POST_URL, "lang": "fr"})
    assert response.status_code == 422
    page.set_content(response.text)
    assert "Indiquez votre nom." in page.locator("#comment-name-error").inner_text()
    assert "pas valide" in page.locator("#comment-email-error").inner_text()
    assert page.input_value("#comment-email") == "nope"
    context.close()


def test_js_on_comment_then_web_admin_approval(served, browser):
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(served.url + POST_URL)
    # Playwright's matcher, not wait_for_function (its polling needs eval, refused by the CSP)
    expect(page.locator("#comment-form input[name=token]")).not_to_have_value("")
    page.fill("#comment-name", "Jules avec JS")
    page.fill("#comment-body", "Envoyé avec fetch, sans rechargement.")
    page.click("#comment-form button[type=submit]")
    status = page.locator(".comment-form-status")
    status.filter(has_text="attend la modération").wait_for(timeout=10_000)
    assert "notice-success" in status.get_attribute("class")  # styled as a success
    assert page.url == served.url + POST_URL  # no reload, no navigation
    assert page.input_value("#comment-body") == ""
    # an error shows inline next to its field
    page.fill("#comment-body", "encore")
    page.fill("#comment-website", "")
    page.eval_on_selector("#comment-name", "e => { e.value = ''; e.required = false; }")
    page.click("#comment-form button[type=submit]")
    page.locator("#comment-name-error").filter(has_text="Indiquez votre nom").wait_for()
    [cid] = pending_ids(served.site)
    # moderate in the browser
    admin = context.new_page()
    admin.goto(served.url + "/admin/")
    assert admin.url.endswith("/admin/login")
    admin.fill("#password", PASSWORD)
    admin.click("#login-form button[type=submit]")
    row = admin.locator(f"#c-{cid}")
    assert "Jules avec JS" in row.inner_text()
    row.locator("button[value=approve]").click()
    assert admin.locator(".notice").inner_text().startswith("1 ")
    wait_visible(page, served.url + POST_URL, f'id="comment-{cid}"')
    # a reply link fills reply_to
    page.click(f'#comment-{cid} a.reply-link')
    assert page.input_value("#comment-form input[name=reply_to]") == cid
    wait_visible(page, served.url + PRINT_URL, "Jules avec JS")
    assert dialogs == []
    context.close()


def test_xss_payloads_never_execute(served, browser):
    with httpx.Client(base_url=served.url, headers={"User-Agent": UA,
                                                    "Accept": "application/json"}) as http:
        ids = []
        for i, payload in enumerate(XSS):
            token = http.get(f"/api/comments/token?post={POST}").json()["token"]
            data = {"post": POST, "name": f"{payload[:150]} {i}", "body": payload,
                    "website": f"https://x{i}.example/", "token": token, "url": POST_URL,
                    "email": f"x{i}@example.org"}
            response = http.post("/api/comments", data=data)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
    approve = subprocess.run(
        [sys.executable, "-m", "ownmedia.cli", "comments", "approve", *ids, "--config",
         str(served.site.config_file)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert approve.returncode == 0, approve.stderr
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    wait_visible(page, served.url + POST_URL, f'id="comment-{ids[-1]}"')
    for cid in ids:
        page.hover(f"#comment-{cid}")
    page.wait_for_load_state("load")
    wait_visible(page, served.url + PRINT_URL, f'id="comment-{ids[-1]}"')
    page.wait_for_load_state("load")
    admin_html = httpx.get(served.url + "/admin/login").text
    assert "<script>alert" not in admin_html
    assert dialogs == []
    context.close()
