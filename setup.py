"""What pyproject.toml cannot say by itself: the repository's plugins/ and theme/ folders are
shipped inside the ownmedia package, as ownmedia.plugins.<name> and ownmedia/theme, so a site
lists names that cannot collide with other Pelican plugins and the folders stay the only copy."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["ownmedia", "ownmedia.*"]),
        "ownmedia.plugins",
        *(f"ownmedia.plugins.{name}" for name in find_packages("plugins")),
        "ownmedia.theme",
    ],
    package_dir={"ownmedia.plugins": "plugins", "ownmedia.theme": "theme"},
    # the theme; the templates of the admin and of the comment pages without JavaScript; the
    # snippets and static files the plugins add to any theme
    package_data={"ownmedia.theme": ["templates/*", "static/**/*"],
                  "ownmedia": ["**/templates/*.html", "templates/**/*.html", "static/*"]},
)
