"""The README stays true: every command and option is documented, CI runs its test command."""

from __future__ import annotations

import re

import click

from migrate.cli import main
from conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_every_command_and_option_is_in_the_readme():
    for name, command in main.commands.items():
        assert f"joomla2jekyll {name}" in README, name
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:  # hidden ones are for tests
                assert any(f"`{opt}" in README for opt in param.opts), f"{name} {param.opts}"


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    test_command = next(b for b in blocks if "pytest" in b)
    assert test_command in (ROOT / ".ci" / "run").read_text("utf-8")


def test_first_command_migrates_the_bundled_fixture():
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)
    first = blocks[0]
    assert "joomla2jekyll migrate fixtures/joomla3-blog.sql" in first
    assert (ROOT / "fixtures" / "joomla3-blog.sql").is_file()
