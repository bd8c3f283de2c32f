"""Fenced code blocks kept by content (ownmedia/markdown_code_cache.py): the HTML is the same
as Python-Markdown's own, rendering the blocks or taking them from the cache, a damaged
entry is rendered again, and entries left unused for long are pruned."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from markdown import Markdown
from pelican.settings import DEFAULT_CONFIG

from ownmedia import markdown_code_cache
from ownmedia.markdown_code_cache import CodeCacheExtension

TEXT = '''# Code

Some text with `inline` code.

```python
def f(x):
    return x + 1  # a comment
```

~~~~
plain block, no language
~~~~

```js hl_lines="2"
let a = 1;
let b = 2;
```

```{.python .extra}
print("attributes: left to fenced_code")
```

    indented code

```python
def f(x):
    return x + 1  # a comment
```

```
never closed
'''


def render(folder: Path | None) -> str:
    config = DEFAULT_CONFIG["MARKDOWN"]
    extensions = [*config["extension_configs"], "markdown.extensions.extra"]
    if folder is not None:
        extensions.append(CodeCacheExtension(folder=str(folder)))
    md = Markdown(extensions=extensions, extension_configs=config["extension_configs"],
                  output_format=config["output_format"])
    return md.convert(TEXT)


def test_the_html_is_markdowns_own_from_a_cold_and_a_warm_cache(tmp_path):
    want = render(None)
    assert '<div class="highlight">' in want and "never closed" in want
    assert render(tmp_path) == want  # each block rendered alone, then kept
    kept = sorted(tmp_path.glob("*.html"))
    assert len(kept) == 3  # the python block twice, the plain and the js block; not {attrs}
    assert render(tmp_path) == want  # from the cache


def test_a_damaged_entry_is_rendered_again_with_one_line(tmp_path, caplog):
    want = render(tmp_path)
    for path in tmp_path.glob("*.html"):
        digest, _, html = path.read_text(encoding="utf-8").partition("\n")
        path.write_text(f"{digest}\n{html.replace('highlight', 'wrong')}", encoding="utf-8")
    caplog.set_level(logging.WARNING, logger="ownmedia")
    assert render(tmp_path) == want
    assert "damaged; rendered again" in caplog.text and "Traceback" not in caplog.text


def test_entries_unused_for_long_are_pruned_and_used_ones_kept(tmp_path):
    want = render(tmp_path)
    kept = sorted(tmp_path.glob("*.html"))
    old = time.time() - 90 * markdown_code_cache.DAY
    for path in kept:
        os.utime(path, (old, old))
    # a render uses them: their mtime is renewed, so pruning keeps them
    assert render(tmp_path) == want
    assert markdown_code_cache.prune(tmp_path) == 0
    os.utime(kept[0], (old, old))
    assert markdown_code_cache.prune(tmp_path) == 1 and not kept[0].exists()
    assert render(tmp_path) == want  # rendered again when needed
