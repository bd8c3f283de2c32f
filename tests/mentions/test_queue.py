"""The received-mention queue: one bad job never stalls the others, attempts are bounded with
backoff, and a failed job stays visible (`ownmedia mentions list`) across restarts."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from click.testing import CliRunner

from ownmedia.cli import main
from ownmedia.comments.store import Store
from ownmedia.config import ConfigError, load_config
from ownmedia.storage import open_backend
from tests.comments.sitekit import POST_URL, wait_for
from tests.mentions.test_receive import TARGET, source_html

FAST_RETRIES = ("max_attempts = 3\nretry_backoff_seconds = 0.05\n"
                "retry_backoff_max_seconds = 0.2\n")


def queue(site) -> list[dict]:
    backend = open_backend(data_dir=site.data)
    try:
        return [asdict(job) for job in sorted(backend.mention_queue.jobs(), key=lambda j: j.id)]
    finally:
        backend.close()


def mention(site, source: str):
    store = Store(site.data)
    try:
        return store.by_mention(source, TARGET)
    finally:
        store.close()


def list_json(site) -> list[dict]:
    out = CliRunner().invoke(main, ["mentions", "list", "--config", str(site.config_file),
                                    "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_bad_hcard_url_does_not_stall_the_queue(make_service):
    svc = make_service(FAST_RETRIES)
    bad_page = source_html().replace('href="https://carol.example/"', 'href="http://[oops/"')
    bad = svc.pages.set("/bad", bad_page)
    good = svc.pages.set("/good", source_html())
    for source in (bad, good):
        assert svc.post("/api/webmention", data={"source": source, "target": TARGET}) \
            .status_code == 202
    row = wait_for(lambda: mention(svc.site, bad))
    assert row.author == "Carol Writer" and row.website == ""  # the bad URL is dropped
    assert wait_for(lambda: mention(svc.site, good)).website == "https://carol.example/"
    wait_for(lambda: not queue(svc.site))
    assert svc.pages.hits["/bad"] == 1  # verified once, not in a loop


def test_failing_source_is_retried_with_backoff_then_failed(make_service):
    svc = make_service(FAST_RETRIES)
    broken = svc.pages.set("/broken", "server error", status=500)
    good = svc.pages.set("/fine", source_html())
    svc.post("/api/webmention", data={"source": broken, "target": TARGET})
    svc.post("/api/webmention", data={"source": good, "target": TARGET})
    assert wait_for(lambda: mention(svc.site, good))
    jobs = wait_for(lambda: [j for j in queue(svc.site) if j["state"] == "failed"])
    assert len(jobs) == 1 and jobs[0]["source"] == broken
    assert jobs[0]["attempts"] == 3 and "answered 500" in jobs[0]["last_error"]
    assert svc.pages.hits["/broken"] == 3  # max_attempts, no more
    listed = list_json(svc.site)
    assert [(j["state"], j["source"], j["attempts"]) for j in listed] == [("failed", broken, 3)]
    assert "500" in listed[0]["last_error"]
    # plain output for a pipe: one line per job, nothing cut
    plain = CliRunner().invoke(main, ["mentions", "list", "--config", str(svc.site.config_file)])
    lines = plain.output.splitlines()
    assert lines[0].split("\t")[:2] == ["id", "state"]
    assert broken in lines[1] and TARGET in lines[1] and "the source answered 500" in lines[1]


def test_failed_state_survives_a_restart_and_retry_requeues(make_service):
    svc = make_service(FAST_RETRIES)
    broken = svc.pages.set("/broken", "oops", status=503)
    svc.post("/api/webmention", data={"source": broken, "target": TARGET})
    wait_for(lambda: [j for j in queue(svc.site) if j["state"] == "failed"])
    svc.__exit__(None, None, None)
    restarted = make_service()
    restarted.runtime.tick()  # one round of background work, in this thread
    assert svc.pages.hits["/broken"] == 3  # a failed job is not tried again by itself
    assert [j["state"] for j in list_json(restarted.site)] == ["failed"]
    svc.pages.set("/broken", source_html())  # the source is fixed
    job_id = queue(restarted.site)[0]["id"]
    out = CliRunner().invoke(main, ["mentions", "retry", "--config",
                                    str(restarted.site.config_file), str(job_id)])
    assert out.exit_code == 0, out.output
    assert wait_for(lambda: mention(restarted.site, broken)).post
    # the job's row goes in the transaction after the mention's: poll, as for the mention
    wait_for(lambda: list_json(restarted.site) == [])


def test_an_unexpected_error_is_that_jobs_only(make_service, monkeypatch):
    """A bug met by one job (here the verifier raising) costs that job one attempt; the jobs
    behind it are verified in the same round."""
    from ownmedia.mentions import receive

    svc = make_service(FAST_RETRIES)
    real_verify = receive.verify
    poison = svc.pages.url + "/poison"

    def verify(source, target, config):
        if source == poison:
            raise RuntimeError("a bug met by this source only")
        return real_verify(source, target, config)

    monkeypatch.setattr(receive, "verify", verify)
    svc.pages.set("/poison", source_html())
    good = svc.pages.set("/ok", source_html())
    svc.post("/api/webmention", data={"source": poison, "target": TARGET})
    svc.post("/api/webmention", data={"source": good, "target": TARGET})
    assert wait_for(lambda: mention(svc.site, good))
    failed = wait_for(lambda: [j for j in queue(svc.site) if j["state"] == "failed"])
    assert failed[0]["source"] == poison and "RuntimeError" in failed[0]["last_error"]


def test_refused_source_is_answered_400_at_once(make_service):
    svc = make_service(allow_private_addresses=False)
    source = svc.pages.set("/private", source_html())
    response = svc.post("/api/webmention", data={"source": source, "target": TARGET})
    assert response.status_code == 400 and "refused" in response.text
    assert queue(svc.site) == [] and svc.pages.hits["/private"] == 0
    assert svc.get(POST_URL).status_code == 200  # still serving


def test_retry_settings_are_checked(tmp_path):
    for bad in ("max_attempts = 0", "retry_backoff_seconds = -1", "pingback_parsers = 0",
                "retry_backoff_seconds = 60\nretry_backoff_max_seconds = 10"):
        path = tmp_path / "c.toml"
        path.write_text(f"[mentions]\n{bad}\n")
        with pytest.raises(ConfigError) as err:
            load_config(path)
        assert "[mentions]" in str(err.value)
