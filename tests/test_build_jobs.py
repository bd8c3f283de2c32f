"""ownmedia.build_jobs: jobs offered by one build are taken once, and only by that build."""

from ownmedia import build_jobs


def test_offer_take_and_was_taken():
    build_jobs.clear()
    one, two = {"build": 1}, {"build": 2}
    done = []
    build_jobs.offer(one, "feeds", done.append)
    assert not build_jobs.was_taken(one, "feeds")
    assert build_jobs.take(two) == []  # another build's jobs are not its own
    jobs = build_jobs.take(one)
    assert len(jobs) == 1 and build_jobs.was_taken(one, "feeds")
    assert not build_jobs.was_taken(two, "feeds")
    jobs[0]([1, 2])
    assert done == [[1, 2]]
    assert build_jobs.take(one) == []  # taken once
    build_jobs.clear()
    assert not build_jobs.was_taken(one, "feeds")


def test_a_new_build_drops_the_offers_of_the_previous_one():
    build_jobs.clear()
    old, new = {"build": "old"}, {"build": "new"}
    build_jobs.offer(old, "feeds", print)
    build_jobs.offer(new, "feeds", print)
    assert build_jobs.take(old) == []
    assert len(build_jobs.take(new)) == 1
    build_jobs.clear()


def test_a_rebuild_with_the_same_settings_starts_afresh():
    """Pelican's autoreload runs again with the same settings object; an earlier run that
    stopped before its end must not leave the job marked as taken."""
    build_jobs.clear()
    settings = {"build": "autoreload"}
    build_jobs.offer(settings, "feeds", print)
    build_jobs.take(settings)
    build_jobs.offer(settings, "feeds", print)  # next run, no clear() in between
    assert not build_jobs.was_taken(settings, "feeds")
    build_jobs.clear()
