"""The README's claims about commands and options, checked against the real click commands.

Every `kg ...` line in the README and in each command's help examples must
parse; the "Other questions" table must list each command's arguments and
options as click declares them; the `kg query` section must name every option
of `kg query` and its formats. A change to a command that the README does not
follow fails here.
"""
from __future__ import annotations

import re
import shlex

import click
import pytest

from kg.cli.main import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
SHELL_OPERATORS = {"|", "||", "&&", ";", "&"}
REDIRECTS = {"<", ">", ">>"}
# What the sentence before the table says it leaves out of the options column.
SHARED = {"--export": "`--export DIR`", "--data": "`--data`", "--corpus": "`--corpus`",
          "--datasets": "`--datasets`", "--base": "`--base`", "--endpoint": "`--endpoint URL`", "--auth": "`--auth`",
          "--default-graph": "`--default-graph`", "--timeout": "`--timeout`",
          "--max-response-bytes": "`--max-response-bytes`"}


def kg_command_lines(shell: str) -> list[list[str]]:
    """The argument lists of every `kg` command in a line of shell."""
    lexer = shlex.shlex(shell, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, current, skip_next = [], [], False
    for token in lexer:
        if skip_next:
            skip_next = False
        elif token in REDIRECTS:
            skip_next = True
        elif token in SHELL_OPERATORS:
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    return [c[1:] for c in commands if c[:1] == ["kg"]]


def check_parses(args: list[str], naming: bool = False) -> None:
    """``kg ARGS`` names a real command and its options and arguments parse;
    with ``naming``, ARGS may also be just a command's name (prose does that)."""
    group, name = cli, "kg"
    while True:
        if not args or args[0] in ("--help", "-h", "--version"):
            return
        assert args[0] in group.commands, f"{name} {args[0]} is not a command"
        if any(a in ("--help", "-h") for a in args[1:]):
            return
        command, name, args = group.commands[args[0]], f"{name} {args[0]}", list(args[1:])
        if naming and not args:
            return
        if not isinstance(command, click.Group):
            break
        group = command  # a group's context does not parse its subcommand: follow it
    with command.make_context(name, args):
        pass


def readme_shell_lines() -> list[tuple[str, str]]:
    """Each console line of the README that runs kg, and each `kg ...` span of its
    prose (a span of one word names a command; the tables are checked below)."""
    lines = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        lines += [("console", line[2:]) for line in block.splitlines() if line.startswith("$ ") and kg_command_lines(line[2:])]
    lines += [("prose", span) for span in re.findall(r"`([^`]+)`", prose(README)) if span.startswith("kg ")]
    return lines


def prose(markdown: str) -> str:
    """``markdown`` without its fenced blocks and table rows."""
    text = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.startswith("|"))


def help_example_lines() -> list[tuple[str, str]]:
    found = []
    for name, command in sorted(cli.commands.items()):
        examples = command.help.split("Examples:", 1)[1]
        found += [(name, line.strip()) for line in examples.splitlines() if line.strip().startswith("kg ")]
    return found


@pytest.mark.parametrize("where, line", readme_shell_lines())
def test_every_kg_command_in_the_readme_parses(where, line):
    for args in kg_command_lines(line):
        try:
            check_parses(args, naming=where == "prose")
        except click.ClickException as exc:
            pytest.fail(f"README: {line!r}: {exc.format_message()}")


@pytest.mark.parametrize("name, line", help_example_lines())
def test_every_help_example_parses(name, line):
    for args in kg_command_lines(line):
        try:
            check_parses(args)
        except click.ClickException as exc:
            pytest.fail(f"kg {name} --help: {line!r}: {exc.format_message()}")


def test_the_checks_catch_a_wrong_option_and_a_wrong_choice():
    with pytest.raises(click.NoSuchOption):
        check_parses(kg_command_lines("kg export csv --format json")[0])
    with pytest.raises(click.BadParameter):
        check_parses(kg_command_lines("kg stats --format csv -o x.csv")[0])
    with pytest.raises(AssertionError, match="kg source ad is not a command"):
        check_parses(kg_command_lines("kg source ad x --kind news")[0])
    with pytest.raises(click.NoSuchOption):
        check_parses(kg_command_lines("kg source add x --knd news")[0])
    assert kg_command_lines("kg a | kg b --c 'd e' < f.rq && echo kg") == [["a"], ["b", "--c", "d e"]]


# The "Other questions" table


def other_questions() -> tuple[str, list[tuple[str, str]]]:
    """The sentence before the table, and each row's command and options cells."""
    start = README.index("Other questions have their own commands")
    sentence, _, rest = README[start:].partition("\n\n")
    rows = []
    for line in rest.splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows.append((cells[0], cells[1]))
    return sentence, rows


def spans(cell: str) -> list[tuple[str, str]]:
    """(code, text up to the next code span) for each `code` span, with \\| unescaped."""
    found = re.findall(r"`([^`]+)`([^`]*)", cell)
    return [(code.replace("\\|", "|"), after) for code, after in found]


def options_of(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and p.name != "help"]


def test_the_table_sentence_names_what_the_options_column_leaves_out():
    sentence, rows = other_questions()
    assert all(written in sentence for written in SHARED.values()), sentence
    assert "the first `--format` choice is the default" in sentence
    assert [c for c, _ in rows], "the table has no rows"


@pytest.mark.parametrize("command_cell, options_cell", other_questions()[1],
                         ids=[spans(cell)[0][0].split()[1] for cell, _ in other_questions()[1]])
def test_each_table_row_matches_its_command(command_cell, options_cell):
    synopsis = spans(command_cell)[0][0].split()
    assert synopsis[0] == "kg" and synopsis[1] in cli.commands, command_cell
    command = cli.commands[synopsis[1]]

    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    assert len(synopsis[2:]) == len(arguments), f"{command_cell}: kg {command.name} takes {len(arguments)} arguments"
    for written, argument in zip(synopsis[2:], arguments):
        if "|" in written:
            assert written.split("|") == list(argument.type.choices), command_cell
            continue
        optional = written.startswith("[") and written.endswith("]")
        assert written.strip("[]") == (argument.metavar or argument.name.upper()), command_cell
        assert optional == (not argument.required), command_cell

    listed = set()
    for code, after in spans(options_cell):
        flag, _, value = code.partition(" ")
        matches = [o for o in options_of(command) if flag in o.opts]
        assert matches, f"kg {command.name} has no option {flag}"
        option = matches[0]
        listed.add(option.name)
        if "|" in value:
            assert value.split("|") == list(option.type.choices), f"kg {command.name} {code}"
        assert bool(value) == (not option.is_flag), f"kg {command.name} {code}: a flag takes no value, an option one"
        assert ("(repeatable)" in after) == option.multiple, f"kg {command.name} {code}"
        if flag in ("-f", "--format"):
            assert option.default == option.type.choices[0], f"kg {command.name}: the first --format choice is not the default"
    wanted = {o.name for o in options_of(command) if not set(o.opts) & set(SHARED)}
    assert listed == wanted, f"kg {command.name}: the table lists {sorted(listed)}, the command has {sorted(wanted)}"


def test_the_table_covers_the_reading_commands():
    tabled = {spans(cell)[0][0].split()[1] for cell, _ in other_questions()[1]}
    assert tabled == {"stats", "gaps", "conflicts", "show", "path", "rank", "export", "diff"}


# The kg query section


def query_section() -> str:
    start = README.index("## Asking the graph")
    return README[start:README.index("Other questions have their own commands", start)]


def test_the_query_section_names_every_option_of_kg_query_and_no_other():
    section = query_section()
    options = options_of(cli.commands["query"])
    for option in options:
        assert any(re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", section) for o in option.opts), \
            f"the kg query section of the README does not mention {option.opts[-1]}"
    known = {o for option in options for o in option.opts} | {"--help"}
    mentioned = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", section))
    assert mentioned <= known, f"not options of kg query: {sorted(mentioned - known)}"


def test_the_query_section_names_exactly_the_formats_of_kg_query():
    written = [code.partition(" ")[2].split("|") for code, _ in spans(prose(query_section())) if code.startswith("--format ")]
    choices = list(cli.commands["query"].params[[p.name for p in cli.commands["query"].params].index("fmt")].type.choices)
    assert sorted(f for group in written for f in group) == sorted(choices)
