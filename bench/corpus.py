"""A deterministic blog corpus for the build benchmark: N posts (French, with an English
translation for every fourth), with headings, links, a code block, a quote and a table, an
image on every other post, and approved comments (replies and mentions) in the ownmedia comment
format. The same seed always gives the same files, so two runs compare like with like.

    python -m bench.corpus DEST [--posts N] [--seed S]
"""

from __future__ import annotations

import argparse
import random
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
    shutil.copy(ROOT / "content/images/funnel.png", dest / "images/cover.png")
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
