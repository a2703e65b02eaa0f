"""Synthetic data in the shape of the real data, for benchmarks at scale.

``generate(folder, entities)`` writes ``folder/data/entities.yaml`` and a
matching corpus in ``folder/corpus/``: sources with correct sha256, entities
of every common type with aliases and descriptions, and claims of every value
kind (entity links, amounts, counts, dates, quantities, text) with qualifiers,
deprecated claims with reasons, disagreements, and evidence quotes that occur
exactly once in their synthetic article. About ten triples per entity, so
10^5 entities make about 10^6 triples.
"""
from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

_TYPES = [("Lab", 8), ("Company", 10), ("Person", 30), ("Model", 20), ("Chip", 8),
          ("Policy", 4), ("Initiative", 4), ("VentureCapitalFirm", 6), ("Government", 4), ("University", 6)]
_SYLLABLES = "ka lo mi ra te vo zu ne shi ta ri on el ax qu ber dan fin gor hal".split()
_SENTENCES_PER_ARTICLE = 150


def _name(rng: random.Random, number: int) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return f"{word} {number}"


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def generate(folder: Path, entities: int = 100_000, seed: int = 0) -> tuple[Path, Path]:
    """Write synthetic data and corpus under ``folder``; return (data_dir, corpus_dir)."""
    rng = random.Random(seed)
    folder = Path(folder)
    data_dir, corpus_dir = folder / "data", folder / "corpus"
    data_dir.mkdir(parents=True, exist_ok=True)
    corpus_dir.mkdir(parents=True, exist_ok=True)

    kinds = [t for t, weight in _TYPES for _ in range(weight)]
    ents: list[tuple[str, str, str]] = []  # id, type, name
    by_type: dict[str, list[int]] = {t: [] for t, _ in _TYPES}
    for i in range(entities):
        etype = kinds[i % len(kinds)]
        ents.append((f"e{i}", etype, _name(rng, i)))
        by_type[etype].append(i)

    def pick(etype: str) -> tuple[str, str, str]:
        return ents[rng.choice(by_type[etype])]

    claims: list[dict] = []
    seen: set[tuple[str, str, str]] = set()

    def claim(subject, prop, value, sentence, **extra):
        if (subject, prop, value) in seen:  # the build refuses a claim stated twice
            return
        seen.add((subject, prop, value))
        claims.append({"subject": subject, "property": prop, "value": value, "sentence": sentence, **extra})

    n_claims = max(1, entities * 3 // 10)
    for c in range(n_claims):
        recipe = c % 10
        if recipe in (0, 1):
            model, chip = pick("Model"), pick("Chip")
            claim(model[0], "trainedOn", chip[0], f"{model[2]} was trained on {chip[2]} chips, report {c} says.")
        elif recipe == 2:
            model, lab = pick("Model"), pick("Lab")
            claim(model[0], "developedBy", lab[0], f"{lab[2]} developed the model {model[2]} (note {c}).")
        elif recipe == 3:
            model = pick("Model")
            millions = rng.randint(1, 900) / 10
            qual = {"approximate": "true"} if c % 3 == 0 else {}
            claim(model[0], "developmentCost", f"{millions} million USD", f"Building {model[2]} cost around ${millions} million, per filing {c}.", qualifiers=qual)
        elif recipe == 4:
            lab, person = pick("Lab"), pick("Person")
            deprecated = c % 7 == 0
            extra = {"rank": "deprecated", "reason": f"Misspelled founder name in item {c}."} if deprecated else {}
            claim(lab[0], "foundedBy", person[0], f"{person[2]} founded {lab[2]}, item {c} notes.", **extra)
        elif recipe == 5:
            model = pick("Model")
            claim(model[0], "releaseDate", f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"{model[2]} was released on a date given in bulletin {c}.")
        elif recipe == 6:
            model, count = pick("Model"), rng.randint(1, 64) * 500
            claim(model[0], "trainingChipCount", f"{count:,}", f"{model[2]} used {count:,} chips according to log {c}.")
        elif recipe == 7:
            policy, chip = pick("Policy"), pick("Chip")
            claim(policy[0], "restricts", chip[0], f"The rule {policy[2]} restricts sales of {chip[2]} (clause {c}).")
        elif recipe == 8:
            chip = pick("Chip")
            claim(chip[0], "memoryBandwidth", f"{rng.randint(10, 80) / 10} TB/s", f"{chip[2]} moves data at a bandwidth noted in table {c}.")
        else:
            person, company = pick("Person"), pick("Company")
            claim(person[0], "ceoOf", company[0], f"{person[2]} is chief executive of {company[2]}, profile {c} says.")

    n_sources = max(1, n_claims // _SENTENCES_PER_ARTICLE + 1)
    articles: list[list[str]] = [[] for _ in range(n_sources)]
    for c, item in enumerate(claims):
        item["source"] = f"s{c % n_sources}"
        articles[c % n_sources].append(item["sentence"])

    out = ["sources:\n"]
    for s, lines in enumerate(articles):
        text = f"Synthetic article {s}\n" + "\n".join(" ".join(lines[i:i + 5]) for i in range(0, len(lines), 5)) + "\n"
        raw = text.encode("utf-8")
        file = f"synthetic_{s:05d}.txt"
        (corpus_dir / file).write_bytes(raw)
        out.append(f"  - id: s{s}\n    file: {file}\n    sha256: {hashlib.sha256(raw).hexdigest()}\n    kind: news\n    title: {_yaml_str(f'Synthetic article {s}')}\n\n")

    out.append("entities:\n")
    for i, (eid, etype, name) in enumerate(ents):
        out.append(f"  - id: {eid}\n    type: {etype}\n    name: {_yaml_str(name)}\n")
        if i % 2 == 0:
            out.append(f"    aliases: [{_yaml_str(name.upper())}]\n")
        if i % 4 == 0:
            out.append(f"    description: {_yaml_str(f'A synthetic {etype.lower()} numbered {i}.')}\n")
        out.append("\n")

    out.append("claims:\n")
    for item in claims:
        out.append(f"  - subject: {item['subject']}\n    property: {item['property']}\n    value: {item['value']}\n")
        for key, value in item.get("qualifiers", {}).items():
            out.append(f"    qualifiers:\n      {key}: {value}\n")
        if "rank" in item:
            out.append(f"    rank: {item['rank']}\n    reason: {_yaml_str(item['reason'])}\n")
        out.append(f"    evidence:\n      - source: {item['source']}\n        quote: {_yaml_str(item['sentence'])}\n\n")
    (data_dir / "entities.yaml").write_text("".join(out), encoding="utf-8")
    return data_dir, corpus_dir
