"""A deterministic blog corpus for the build benchmark: N posts (French, with an English
translation for every fourth), with headings, links, a code block, a quote and a table, an
image on every other post, and approved comments (replies and mentions) in the ownmedia comment
format. The same seed always gives the same files, so two runs compare like with like.

    python -m bench.corpus DEST [--posts N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ownmedia.comment_format import Comment, write_comment_file

ROOT = Path(__file__).resolve().parent.parent
WORDS = (
    "média canal lecteur mesure audience billet lettre abonné imprimé campagne objectif "
    "conversion partage commentaire source visite page lien réseau contenu équipe budget "
    "channel reader measure audience post letter subscriber print campaign goal share "
    "comment source visit page link network content team budget owned trust signal"
).split()
CATEGORIES = ["Stratégie", "Mesure", "Communauté", "Technique", "Retours d'expérience"]
TAGS = ["mesure", "imprimé", "lettre", "partage", "commentaires", "vie privée", "budget", "seo"]
AUTHORS = ["Camille Martin", "Karim Benali", "Sophie Laurent", "Tom Baker"]
START = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 6)))


def _body(rng: random.Random, i: int, lang: str) -> str:
    parts = [_paragraph(rng)]
    for h in range(rng.randint(2, 4)):
        parts.append(f"## {_sentence(rng, 4)[:-1]} {h + 1}")
        parts.append(_paragraph(rng))
        parts.append(
            f"Voir [la source {h}](https://example.org/{lang}/{i}/{h}) et "
            f"[un billet voisin](https://blog.example.net/{i % 97}/{h}/)."
        )
    parts.append("> " + _sentence(rng, 14))
    parts.append("```python\ndef measure(post_id: int) -> int:\n    return post_id * 2\n```")
    rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 999)} |" for _ in range(4))
    parts.append("| Indicateur | Valeur |\n|---|---|\n" + rows)
    parts.append(_paragraph(rng))
    return "\n\n".join(parts) + "\n"


def _post(rng: random.Random, i: int, lang: str, date: datetime, image: bool) -> str:
    meta = {
        "Title": f"{_sentence(rng, 5)[:-1]} ({i})",
        "Date": date.strftime("%Y-%m-%d %H:%M"),
        "Slug": f"post-{i:05d}",
        "Lang": lang,
        "Category": CATEGORIES[i % len(CATEGORIES)],
        "Tags": ", ".join(rng.sample(TAGS, 2)),
        "Author": AUTHORS[i % len(AUTHORS)],
        "Summary": _sentence(rng, 20),
    }
    if image:
        meta["Image"] = "images/cover.png"
    head = "".join(f"{k}: {v}\n" for k, v in meta.items())
    return head + "\n" + _body(rng, i, lang)


def _comments(rng: random.Random, i: int, date: datetime, comments_dir: Path) -> int:
    slug = f"post-{i:05d}"
    count = rng.choice([0, 0, 1, 2, 3, 5])
    ids: list[str] = []
    for k in range(count):
        cid = f"c{i:05d}-{k}"
        kind = "pingback" if k == 4 else "comment"
        comment = Comment(
            id=cid,
            post=slug,
            author=rng.choice(AUTHORS),
            date=date + timedelta(hours=k + 1),
            body=_paragraph(rng) + " [lien](https://example.com/x)",
            type=kind,
            reply_to=ids[0] if (k == 2 and ids) else None,
            source="https://mentions.example/p" if kind != "comment" else None,
        )
        write_comment_file(comments_dir, comment)
        ids.append(cid)
    return count


def generate(dest: Path, posts: int = 100, seed: int = 2026) -> dict[str, int]:
    """Write the corpus into dest/ (replaced); return counts."""
    if dest.exists():
        shutil.rmtree(dest)
    rng = random.Random(seed)
    (dest / "posts").mkdir(parents=True)
    (dest / "pages").mkdir()
    (dest / "images").mkdir()
    (dest / "extra").mkdir()
    shutil.copy(ROOT / "content/images/funnel.en.png", dest / "images/cover.png")
    shutil.copy(ROOT / "content/extra/robots.txt", dest / "extra/robots.txt")
    (dest / "pages/about.md").write_text("Title: À propos\nSlug: about\nLang: fr\n\nCorpus.\n")
    comments_dir = dest / "comments"
    comments_dir.mkdir()
    n_translations = n_comments = 0
    for i in range(posts):
        date = START + timedelta(days=i, minutes=rng.randint(0, 600))
        image = i % 2 == 0
        (dest / "posts" / f"post-{i:05d}.md").write_text(_post(rng, i, "fr", date, image))
        if i % 4 == 0:
            (dest / "posts" / f"post-{i:05d}.en.md").write_text(_post(rng, i, "en", date, image))
            n_translations += 1
        n_comments += _comments(rng, i, date, comments_dir)
    return {"posts": posts, "translations": n_translations, "comments": n_comments}


class Changes:
    """The random changes a blogger and a moderator make to a generated corpus (used by the
    incremental = full checks in tests/test_incremental.py and bench/bench_build.py)."""

    KINDS = ("edit_body", "approve", "unpublish", "retitle", "add_post", "delete_post")

    def __init__(self, content: Path, seed: int = 5):
        self.content = content
        self.rng = random.Random(seed)
        self.added = 0

    def posts(self) -> list[Path]:
        return sorted((self.content / "posts").glob("post-*.md"))

    @staticmethod
    def slug_of(path: Path) -> str:
        return re.search(r"^Slug: (.+)$", path.read_text(encoding="utf-8"), re.M).group(1)

    def apply(self, kind: str) -> str:
        return getattr(self, kind)()

    def edit_body(self) -> str:
        post = self.rng.choice(self.posts())
        post.write_text(post.read_text(encoding="utf-8") + f"\n\nAdded {self.rng.random()}.\n",
                        encoding="utf-8")
        return post.name

    def retitle(self) -> str:
        post = self.rng.choice(self.posts())
        text = re.sub(r"^Title: (.*)$", lambda m: f"Title: {m.group(1)} (revu)",
                      post.read_text(encoding="utf-8"), count=1, flags=re.M)
        post.write_text(text, encoding="utf-8")
        return post.name

    def add_post(self) -> str:
        self.added += 1
        source = self.rng.choice([p for p in self.posts() if ".en." not in p.name])
        text = re.sub(r"^Slug: .*$", f"Slug: new-post-{self.added}",
                      source.read_text(encoding="utf-8"), count=1, flags=re.M)
        target = self.content / "posts" / f"post-new-{self.added}.md"
        target.write_text(text, encoding="utf-8")
        return target.name

    def delete_post(self) -> str:
        post = self.rng.choice([p for p in self.posts() if ".en." not in p.name])
        slug = self.slug_of(post)
        for path in self.posts():
            if self.slug_of(path) == slug:
                path.unlink()
        shutil.rmtree(self.content / "comments" / slug, ignore_errors=True)
        return slug

    def approve(self) -> str:
        slug = self.slug_of(self.rng.choice(self.posts()))
        n = self.rng.randrange(10**6)
        write_comment_file(self.content / "comments", Comment(
            id=f"t{n}", post=slug, author="Moderated Reader", body=f"Approved *{n}*",
            date=datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=n)))
        return slug

    def unpublish(self) -> str:
        victim = self.rng.choice(sorted((self.content / "comments").glob("*/*.md")))
        victim.unlink()
        return victim.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dest", type=Path, help="folder to (re)create")
    parser.add_argument("--posts", type=int, default=100, help="number of posts (default 100)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.posts < 1:
        parser.error("--posts must be at least 1")
    counts = generate(args.dest, args.posts, args.seed)
    print(", ".join(f"{v} {k}" for k, v in counts.items()), "written to", args.dest)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
