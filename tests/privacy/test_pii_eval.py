"""The evaluation set generated from templates (issue 9 §1) and the scanner's goals on it."""

import time
from collections import Counter

from stdnum import iban as stdnum_iban
from stdnum.be import bis, nn

from move.privacy import pii, pii_eval
from move.privacy.management.commands.pii_check import evaluate


def test_the_set_is_the_same_for_the_same_seed_and_differs_for_another():
    assert pii_eval.generate(positives=60, clean=20) == pii_eval.generate(positives=60, clean=20)
    assert pii_eval.generate(seed=1, positives=60, clean=20) != pii_eval.generate(
        positives=60, clean=20
    )


def test_the_set_has_enough_passages_of_every_kind_in_every_language():
    passages = pii_eval.generate()
    positives = [p for p in passages if p["expect"]]
    assert len(positives) >= 2000
    assert sum(1 for p in passages if not p["expect"]) >= 500
    per_kind_and_language = Counter((p["expect"][0]["kind"], p["lang"]) for p in positives)
    for kind in pii.KINDS:
        for language in ("fr", "nl", "en"):
            assert per_kind_and_language[kind, language] >= 50, (kind, language)
    families = Counter(item.get("family") for p in positives for item in p["expect"])
    for family in ("mobile", "landline", "foreign", "words", "numeric"):
        assert families[family] >= 40, family
    # Several phrasings and many values: no kind repeats a handful of passages.
    for kind in pii.KINDS:
        texts = {p["text"] for p in positives if p["expect"][0]["kind"] == kind}
        assert len(texts) > 200, kind


def test_values_with_a_checksum_are_valid_and_every_expected_text_is_in_its_passage():
    for passage in pii_eval.generate():
        for item in passage["expect"]:
            assert item["text"] in passage["text"]
            digits = "".join(c for c in item["text"] if c.isalnum())
            if item["kind"] == pii.NATIONAL_NUMBER:
                assert nn.is_valid(digits) or bis.is_valid(digits)
            if item["kind"] == pii.IBAN:
                assert stdnum_iban.is_valid(digits, check_country=False)


def test_landlines_cover_one_and_two_digit_zones():
    numbers = [
        item["text"]
        for passage in pii_eval.generate()
        for item in passage["expect"]
        if item.get("family") == "landline"
    ]
    national = ["".join(c for c in n if c.isdigit()) for n in numbers if n.startswith("0")]
    zones = {n[:2] for n in national if n[:2] in ("02", "03", "04", "09")}
    assert zones == {"02", "03", "04", "09"}
    assert len({n[:3] for n in national if n[:2] not in ("02", "03", "04", "09")}) >= 10


def test_the_scanner_meets_the_goals_on_the_generated_set_quickly():
    passages = pii_eval.generate()
    started = time.perf_counter()
    evaluation = evaluate(passages)
    assert time.perf_counter() - started < 10
    for kind in pii.KINDS:
        assert evaluation.recall(kind) >= 0.95, (kind, evaluation.misses[:5])
    assert len(evaluation.false_positives) / evaluation.clean_passages <= 0.1, (
        evaluation.false_positives[:5]
    )
    assert evaluation.failed_targets() == []


def test_a_text_of_2000_characters_is_scanned_fast_enough_for_autosave():
    text = " ".join(p["text"] for p in pii_eval.generate(positives=40, clean=20))[:2000]
    names = [f"{g} {s}" for g, s in zip(pii_eval.GIVEN_NAMES, pii_eval.SURNAMES, strict=False)]
    pii.scan(text, known_names=names)
    started = time.perf_counter()
    for _ in range(10):
        pii.scan(text, known_names=names)
    # About 5-10 ms on a laptop; the bound leaves room for a slow CI machine.
    assert (time.perf_counter() - started) / 10 < 0.1


def test_the_set_covers_the_families_missed_on_the_held_out_set():
    # Issue 9: the blind held-out set found four families the templates lacked. Each is
    # now generated several times, and so are look-alikes that must stay clean.
    passages = pii_eval.generate()
    positives = [p for p in passages if p["expect"]]
    clean = [p["text"] for p in passages if not p["expect"]]

    def items(kind):
        return [(p["text"], i["text"]) for p in positives for i in p["expect"] if i["kind"] == kind]

    landlines = [i["text"] for p in positives for i in p["expect"] if i.get("family") == "landline"]
    assert sum(1 for n in landlines if n.isdigit() and len(n) == 9) >= 10
    files = items(pii.IMMIGRATION_FILE_NUMBER)
    assert sum(1 for text, _number in files if "IO " in text) >= 10
    # The number further in the sentence, past a semicolon after the agency.
    assert sum(1 for text, number in files if ";" in text.split(number)[0]) >= 10
    births = items(pii.DATE_OF_BIRTH)
    for label in ("naiss.", "DDN", "datum", "DOB:", "d.o.b."):
        assert sum(1 for text, _date in births if label in text) >= 3, label
    names = [text for text, _ in items(pii.UNKNOWN_NAME)]
    for adjective in ("petite", "aînée", "jongere", "oudere", "younger", "elder"):
        assert sum(1 for text in names if adjective in text) >= 3, adjective
    assert sum(1 for text in clean if any(w.isdigit() and len(w) == 9 for w in text.split())) >= 20
    assert sum(1 for text in clean if "numéro OE ;" in text or "DVZ-nummer" in text) >= 5
