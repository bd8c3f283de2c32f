"""Starting and growing a site of your own: `ownmedia init` (site.py, config_toml.py),
`ownmedia new` (post.py) and `ownmedia build` (cli.py)."""
