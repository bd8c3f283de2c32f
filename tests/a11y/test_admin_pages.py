"""The moderator's pages in a real Chromium against `ownmedia serve` on 127.0.0.1: login,
queue, edit and confirmation pages pass axe-core with no violation in both languages, fit 1280
and 390 px without sideways scrolling, keep 44 px touch targets on a phone, and Delete asks on
a confirmation page before anything is removed (clicked, not posted)."""

from __future__ import annotations

import pytest

from ownmedia.admin.auth import set_password
from tests.a11y.screenshots import PASSWORD, PENDING, send_comments
from tests.a11y.test_pages import WIDTHS, axe_violations, png_size, shots  # noqa: F401
from tests.comments.sitekit import build_into, make_site
from tests.conftest import RunningService

pytestmark = pytest.mark.browser
LOCALES = {"fr": "fr-FR", "en": "en-US"}


@pytest.fixture(scope="module")
def admin_served(tmp_path_factory):
    """The sample site with its comment files and two pending comments, an admin password."""
    tmp = tmp_path_factory.mktemp("a11y-admin")
    site = make_site(tmp, build=False, demo_comments=True)
    build_into(site)
    set_password(site.data, PASSWORD)
    svc = RunningService(["--config", str(site.config_file)])
    send_comments(svc.url)
    yield svc
    svc.stop()


def logged_in(browser, svc, lang: str, width: int = 1280):
    # bypass_csp: axe is injected as a <script>, which the admin's policy rightly refuses
    context = browser.new_context(locale=LOCALES[lang], bypass_csp=True,
                                  viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(svc.url + "/admin/login")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(svc.url + "/admin/")
    return context, page


def first_pending_id(page) -> str:
    return page.locator("article.comment").first.get_attribute("data-id")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_login_page_passes_axe(browser, admin_served, lang):
    context = browser.new_context(locale=LOCALES[lang], bypass_csp=True)
    page = context.new_page()
    assert page.goto(admin_served.url + "/admin/login").status == 200
    assert page.locator("html").get_attribute("lang") == lang
    violations = axe_violations(page)
    context.close()
    assert violations == [], violations


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("view", ["queue", "approved", "edit", "confirm"])
def test_admin_pages_pass_axe(browser, admin_served, lang, view):
    context, page = logged_in(browser, admin_served, lang)
    cid = first_pending_id(page)
    paths = {"queue": "/admin/", "approved": "/admin/?status=approved",
             "edit": f"/admin/edit?id={cid}", "confirm": f"/admin/confirm?action=delete&id={cid}"}
    assert page.goto(admin_served.url + paths[view]).status == 200
    violations = axe_violations(page)
    context.close()
    assert violations == [], f"{view} ({lang}): {violations}"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("view", ["login", "queue", "edit"])
def test_admin_screenshots_fit_the_width(browser, admin_served, shots, view, width):  # noqa: F811
    context, page = logged_in(browser, admin_served, "fr", width)
    if view == "login":
        context.close()
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(admin_served.url + "/admin/login")
    elif view == "edit":
        page.goto(admin_served.url + f"/admin/edit?id={first_pending_id(page)}")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    data = page.screenshot(full_page=True, path=str(shots / f"admin-{view}-{width}.png"))
    if width == 390:
        small = page.evaluate("""() => [...document.querySelectorAll('button, .button, nav a')]
            .map(e => e.getBoundingClientRect()).filter(r => r.width && r.height < 44).length""")
        assert small == 0, f"{small} touch target(s) under 44 px on {view}"
    context.close()
    assert png_size(data)[0] == width
    assert overflow <= width, f"admin {view} at {width}px scrolls sideways ({overflow}px)"


def test_queue_shows_the_pending_comments_and_delete_asks_first(browser, admin_served):
    context, page = logged_in(browser, admin_served, "en", 390)
    names = page.locator("article.comment .meta strong").all_inner_texts()
    assert {name for name, _ in PENDING} <= set(names)
    link = page.locator("article.comment .post-link").first
    assert link.inner_text() == "Devenir son propre média"
    cid = first_pending_id(page)
    page.locator(f'#c-{cid} button[value="delete"]').click()
    page.wait_for_url("**/admin/confirm**")
    assert page.locator("h1").inner_text() == "Confirm"
    # not deleted yet, only asked: its edit page still answers
    assert context.request.get(admin_served.url + f"/admin/edit?id={cid}").status == 200
    page.locator('button[name="confirm"]').click()
    page.wait_for_url("**/admin/?status=**")
    assert page.locator(f"#c-{cid}").count() == 0
    assert page.locator(".notice").is_visible()
    assert context.request.get(admin_served.url + f"/admin/edit?id={cid}").status == 404
    context.close()
