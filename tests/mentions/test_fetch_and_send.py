"""The SSRF-guarded fetch and `ownmedia mentions send`, against real loopback servers."""

from __future__ import annotations

import xmlrpc.client
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.config import MentionsConfig
from ownmedia.mentions.fetch import FetchError, fetch


def test_private_addresses_refused_unless_allowed(pages):
    url = pages.set("/x", "hello")
    with pytest.raises(FetchError) as err:
        fetch(url, MentionsConfig())
    assert err.value.kind == "refused"
    for bad in ("http://10.0.0.1/", "http://169.254.169.254/latest/", "http://[::1]/",
                "http://0.0.0.0/", "http://192.168.1.1/"):
        with pytest.raises(FetchError) as err:
            fetch(bad, MentionsConfig())
        assert err.value.kind == "refused", bad
    for bad in ("file:///etc/passwd", "gopher://x/", "http://user:pw@example.org/", "nope"):
        with pytest.raises(FetchError) as err:
            fetch(bad, MentionsConfig())
        assert err.value.kind == "invalid"
    assert fetch(url, MentionsConfig(allow_private_addresses=True)).body == b"hello"


def test_redirect_limit_size_limit_timeout(pages):
    cfg = MentionsConfig(allow_private_addresses=True, max_redirects=5, max_bytes=1000,
                         timeout_seconds=0.5)
    for i in range(7):
        pages.set(f"/r{i}", "", 302, {"Location": f"/r{i + 1}"})
    pages.set("/r7", "end")
    assert fetch(pages.url + "/r2", cfg).body == b"end"  # exactly 5 redirects
    with pytest.raises(FetchError) as err:
        fetch(pages.url + "/r0", cfg)  # 7 redirects
    assert err.value.kind == "redirects"
    pages.set("/big", b"x" * 5000)
    result = fetch(pages.url + "/big", cfg)
    assert len(result.body) == 1000 and result.truncated
    with pytest.raises(FetchError) as err:
        fetch(pages.url + "/stuck", cfg)
    assert err.value.kind in ("network", "timeout")
    # a redirect from an allowed host to a refused one is refused at the hop
    pages.set("/to-private", "", 302, {"Location": "http://127.0.0.1:9/"})
    with pytest.raises(FetchError):
        fetch(pages.url + "/to-private", MentionsConfig(allow_private_addresses=False))


def test_mentions_send_once(pages, tmp_path):
    pages.set("/wm", "<html>a</html>", headers={"Link": '</endpoint>; rel="webmention"'})
    pages.set("/endpoint", "accepted", 202)
    pages.set("/html", '<html><head><link rel="webmention" href="/endpoint2"></head></html>')
    pages.set("/endpoint2", "", 201)
    pages.set("/pb", "<html>b</html>", headers={"X-Pingback": pages.url + "/xmlrpc"})
    ok = xmlrpc.client.dumps(("Thanks",), methodresponse=True)
    pages.set("/xmlrpc", ok, headers={"Content-Type": "text/xml"})
    pages.set("/plain", "<html>nothing</html>")
    site = tmp_path / "site"
    post = site / "2026" / "a-post"
    post.mkdir(parents=True)
    links = "".join(f'<a href="{pages.url}{p}">l</a> ' for p in ("/wm", "/html", "/pb", "/plain"))
    post.joinpath("index.html").write_text(
        '<html><body><div class="e-content">' + links + '<a href="/2026/other/">own</a>'
        '<a href="#top">anchor</a></div>'
        '<input type="hidden" name="post" value="a-post"></body></html>'
    )
    cfg = tmp_path / "c.toml"
    cfg.write_text("[mentions]\nallow_private_addresses = true\n")
    args = ["mentions", "send", "--config", str(cfg), "--site", str(site), "--data",
            str(tmp_path / "data"), "--base-url", "https://blog.example"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    received = {path: body for path, _, body in pages.posts}
    form = parse_qs(received["/endpoint"].decode())
    assert form == {"source": ["https://blog.example/2026/a-post/"], "target": [pages.url + "/wm"]}
    assert "/endpoint2" in received
    assert xmlrpc.client.loads(received["/xmlrpc"])[1] == "pingback.ping"
    assert len(pages.posts) == 3
    second = CliRunner().invoke(main, args)
    assert second.exit_code == 0 and "Mentions to send: 0" in second.output
    assert len(pages.posts) == 3


def test_send_needs_a_public_url(tmp_path):
    out = CliRunner().invoke(main, ["mentions", "send", "--site", str(tmp_path)])
    assert out.exit_code != 0 and "public_url" in out.output
