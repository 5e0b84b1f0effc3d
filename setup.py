"""Installs the repository's top-level folders as one import namespace, `renku_fed`.

The folders stay where DESIGN.md puts them (`router/`, `subgraphs/`, ...); in site-packages they
become `renku_fed.router`, `renku_fed.subgraphs`, ..., so nothing generic lands there.
Everything else about the distribution is declared in pyproject.toml.
"""

from setuptools import find_packages, setup

FOLDERS = ("cli", "identity", "observability", "router", "schema", "subgraphs")

packages = []
package_dir = {}
for folder in FOLDERS:
    package_dir[f"renku_fed.{folder}"] = folder
    packages.append(f"renku_fed.{folder}")
    packages += [f"renku_fed.{folder}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir=package_dir,
    package_data={
        "renku_fed.schema": ["*.graphql"],
        # The web front end, built from ui/ (README, "Web front end").
        "renku_fed.router.http": ["web/*.html", "web/assets/*", "web/graphiql/*"],
        "": ["py.typed"],
    },
)
