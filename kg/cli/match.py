"""`kg match`: proposals for the crosswalk between a dataset's names and the curated entities."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.cli.options import _fail_cleanly, data_options
from kg.errors import KGError


def _pair(value: str) -> tuple[str, str]:
    name, sep, entity = value.rpartition("=")
    if not sep or not name.strip() or not entity.strip():
        raise KGError(f"{value!r}: give NAME=ENTITY, e.g. 'NVIDIA A100 SXM4 40 GB=nvidia-a100'")
    return name.strip(), entity.strip()


@click.command()
@data_options
@click.option("--crosswalk", type=click.Path(dir_okay=False, path_type=Path), default=Path("data/crosswalk.yaml"),
              show_default=True, help="The crosswalk file that --accept and --reject add to.")
@click.option("--accept", "accepted", metavar="NAME=ENTITY", multiple=True, help="Record that the dataset's NAME is ENTITY.")
@click.option("--reject", "rejected", metavar="NAME=ENTITY", multiple=True, help="Record that the dataset's NAME is not ENTITY.")
@click.option("--min-score", type=click.IntRange(0, 100), default=60, show_default=True, help="Leave out pairs scoring less.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format.")
@_fail_cleanly
def match(data, corpus, base, crosswalk, accepted, rejected, min_score, fmt):
    """Propose which curated entity each undecided dataset name is, and record the answers.

    A dataset's name (an organisation, chip, country or model in a cell)
    meets the curated entities only through the crosswalk. Without
    --accept or --reject, lists every name that has no decision yet with
    the entities of a compatible type it may be: a score from 0 to 100
    (rapidfuzz's token-set ratio against the entity's name or an alias) and
    the evidence for it. Pairs already rejected are not proposed again.
    --accept NAME=ENTITY and --reject NAME=ENTITY add the answer to the
    crosswalk file as a new line; the next build uses it. A name left
    undecided stays an entity of its own.

    \b
    Examples:
      kg match
      kg match --accept 'NVIDIA A100 SXM4 40 GB=nvidia-a100'
      kg match --reject 'Google DeepMind=google'
    """
    from kg.build import checked_catalog
    from kg.curate.match import proposals, record_answer

    catalog, _ = checked_catalog(data, corpus)
    if accepted or rejected:
        for value, accept in [(v, True) for v in accepted] + [(v, False) for v in rejected]:
            name, entity = _pair(value)
            if entity not in catalog.entities or entity in catalog.dataset_entities:
                from kg.errors import did_you_mean

                curated = [e for e in catalog.entities if e not in catalog.dataset_entities]
                raise KGError(f"unknown entity '{entity}'{did_you_mean(entity, curated)}")
            click.echo(f"{crosswalk}: {record_answer(crosswalk, name, entity, accept)}")
        return
    from kg.curate.datasets import read_crosswalk
    from kg.curate.load import data_files
    from kg.curate.model import DataFile
    from kg.curate.yamlsafe import read_yaml

    parsed = [(doc, DataFile.model_validate(doc.data)) for doc in (read_yaml(f, str(f)) for f in data_files(Path(data)))]
    refused = {name: d.rejected for name, d in read_crosswalk(catalog, parsed, []).items()}
    found = proposals(catalog, min_score, refused)
    undecided = sorted(set(catalog.undecided))
    if fmt == "json":
        click.echo(json.dumps({"undecided": undecided, "proposals": [p.__dict__ for p in found]}, indent=2, ensure_ascii=False))
        return
    click.echo(f"{len(undecided)} undecided name{'' if len(undecided) == 1 else 's'}, {len(found)} proposal{'' if len(found) == 1 else 's'}")
    proposed = {p.name for p in found}
    for p in found:
        click.echo(f"  {p.score:3d}  {p.name} = {p.entity}   {p.evidence}")
    for name in undecided:
        if name not in proposed:
            click.echo(f"       {name}: no entity scores {min_score} or more")
