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
