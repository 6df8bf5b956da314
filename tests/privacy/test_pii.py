"""The PII scanner (DESIGN.md §4), kind by kind, on examples written for these tests."""

import dataclasses
import unicodedata

import pytest

from move.privacy.pii import Finding, scan


def found(text, **kwargs):
    """(kind, text) of every finding, in order."""
    return [(finding.kind, finding.text) for finding in scan(text, **kwargs)]


def kinds(text, **kwargs):
    return {finding.kind for finding in scan(text, **kwargs)}


# --- National number ----------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "91.04.12-157.64",  # the official layout
        "91 04 12 157 64",
        "910412 157 64",
        "910412-157-64",
        "91041215764",
        "03.04.12-157.88",  # born after 2000: the checksum is computed with a leading 2
        "85.27.30-033.71",  # a BIS number: month shifted by 20
    ],
)
def test_a_valid_national_number_is_found_in_every_usual_layout(number):
    assert found(f"Son numéro national est {number}.") == [("national_number", number)]


@pytest.mark.parametrize("number", ["91.04.12-157.65", "91041215763", "91 13 12 157 64"])
def test_a_checksum_invalid_national_number_is_not_a_national_number(number):
    assert "national_number" not in kinds(f"Rijksregisternummer {number}.")


def test_a_national_number_is_not_cut_out_of_a_longer_run_of_digits():
    assert "national_number" not in kinds("Référence 7910412157640 du greffe.")


# --- Phone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "0478 12 34 56",
        "0478/12.34.56",
        "+32 478 12 34 56",
        "0032 2 640 01 02",
        "02/640.01.02",
        "+32 (0)478 12 34 56",
    ],
)
def test_a_belgian_phone_number_is_found_as_people_write_it(number):
    assert found(f"Appeler sa tante au {number}, merci.") == [("phone", number)]


@pytest.mark.parametrize(
    "number",
    ["+33 6 12 34 56 78", "+212 6 61 23 45 67", "+243 99 123 4567", "00243 99 123 4567"],
)
def test_a_foreign_phone_number_is_found(number):
    assert found(f"Zijn broer is bereikbaar op {number}.") == [("phone", number)]


def test_a_number_written_with_an_international_prefix_is_a_phone_even_if_malformed():
    # One digit short for Congo: the matcher rejects it, a visitor still copied a number.
    assert found("WhatsApp van zijn vrouw: +2439912345.") == [("phone", "+2439912345")]


def test_a_number_announced_as_a_phone_is_found_even_if_not_allocated():
    assert found("gsm: 0400/12.34.56") == [("phone", "0400/12.34.56")]


@pytest.mark.parametrize(
    "text",
    [
        "Visite du 18/09/2024 : 11 personnes rencontrées.",
        "Dossiers P-2024-0175 et P-2024-0212 en attente.",
        "Voir l'article 74/6 de la loi ; 1 250 euros de caution.",
    ],
)
def test_dates_references_and_amounts_are_not_phone_numbers(text):
    assert scan(text) == []


# --- E-mail -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "fatoumata.sérè@exemple.be",
        "kontakt@bürgerhilfe.de",
        "fatou+visites@exemple.org",
        "jean.dupont(at)example(dot)org",
    ],
)
def test_an_email_address_is_found_accents_included_without_the_final_full_stop(address):
    assert found(f"Écrire à {address}.") == [("email", address)]


def test_an_at_sign_between_words_is_not_an_email_address():
    assert scan("Rendez-vous @ l'accueil du centre.") == []


# --- IBAN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "account",
    [
        "BE35 3101 2345 6737",
        "BE35310123456737",
        "BE15-0017-6543-2130",
        "NL91 ABNA 0417 1643 00",
        "DE89370400440532013000",
        "FR14 2004 1010 0505 0001 3M02 606",
    ],
)
def test_an_iban_of_any_country_is_found_with_or_without_spaces(account):
    assert found(f"Virement sur {account} avant vendredi.") == [("iban", account)]


def test_an_iban_with_a_wrong_check_is_not_an_iban():
    assert "iban" not in kinds("Storting op BE35 3101 2345 6738 gevraagd.")


def test_an_iban_is_found_even_when_its_bank_code_is_not_in_the_national_registry():
    # Check digits and Belgian layout are right; stdnum's bank list does not know 970.
    assert found("Rekening BE71 9701 0378 7269.") == [("iban", "BE71 9701 0378 7269")]


def test_two_ibans_in_a_row_are_both_found():
    text = "Comptes BE35 3101 2345 6737 et BE15 0017 6543 2130."
    assert found(text) == [("iban", "BE35 3101 2345 6737"), ("iban", "BE15 0017 6543 2130")]


# --- Immigration Office file number -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Son dossier SP 8.314.275 est incomplet.", "SP 8.314.275"),
        ("Dossier n° SP 8.314.275 : recours.", "n° SP 8.314.275"),
        ("Dossier nr. SP 8314275 opgevraagd.", "nr. SP 8314275"),
        ("DVZ-nummer 4455667 werd vermeld.", "DVZ-nummer 4455667"),
        ("Référence OE 5.432.101 à rappeler.", "OE 5.432.101"),
        ("Dossier SP-nummer 3141592 bij de DVZ.", "SP-nummer 3141592"),
        ("numéro OE: 2 345 678", "numéro OE: 2 345 678"),
    ],
)
def test_an_immigration_office_file_number_is_found_with_its_leading_number_sign(text, expected):
    assert found(text) == [("immigration_file_number", expected)]


@pytest.mark.parametrize(
    "text",
    ["Arrêt CCE n° 245.678 du 3 mai.", "Le SPF Intérieur 2024 a répondu.", "un spa 1234567"],
)
def test_other_references_are_not_immigration_office_file_numbers(text):
    assert "immigration_file_number" not in kinds(text)


# --- Date of birth ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Madame Y, née le 3 avril 1991, est inquiète.", "3 avril 1991"),
        ("Monsieur X, né le 03/04/1991, est détenu.", "03/04/1991"),
        ("Né à Conakry le 1er mars 1989, il parle peul.", "1er mars 1989"),
        ("Née à Kinshasa (RDC) le 22 décembre 1990.", "22 décembre 1990"),
        ("Date de naissance : 1993-09-15.", "1993-09-15"),
        ("Il est ° 15/09/1993 selon l'annexe.", "15/09/1993"),
        ("Meneer Z, geboren op 12.05.1988, is ziek.", "12.05.1988"),
        ("Geboren te Goma op 7 oktober 1979.", "7 oktober 1979"),
        ("Geboortedatum: 02-11-1970.", "02-11-1970"),
        ("Mevrouw W, geboren op 24 november 1993.", "24 november 1993"),
        ("DOB 4/11/85, arrivée récente.", "4/11/85"),
    ],
)
def test_a_date_in_a_birth_context_is_a_date_of_birth_in_french_and_dutch(text, date):
    assert found(text) == [("date_of_birth", date)]


@pytest.mark.parametrize(
    "text",
    [
        "Visite du 03/04/2024 au centre.",
        "Bezoek op 12 mei 2023 in het centrum.",
        "Audience fixée au 14.06.2024.",
        "Elle est née en Guinée et est arrivée le 12/05/2019.",
        "Arrêt n° 12/05/1988 cité par l'avocat.",
    ],
)
def test_a_date_without_birth_context_is_not_a_date_of_birth(text):
    assert "date_of_birth" not in kinds(text)


def test_only_the_birth_date_of_a_sentence_is_flagged_not_the_arrival_date():
    text = "Né le 3 avril 1991 à Goma, il est arrivé le 12/05/2019."
    assert found(text) == [("date_of_birth", "3 avril 1991")]


# --- Known names --------------------------------------------------------------------


def test_a_known_full_name_is_found():
    assert found("Entretien avec Salif Kouyaté ce matin.", known_names=["Salif Kouyaté"]) == [
        ("known_name", "Salif Kouyaté")
    ]


def test_a_known_name_is_found_whatever_the_accents_and_case_with_the_original_span():
    text = "SALIF KOUYATE a vu l'avocat; salif kouyaté aussi."
    assert found(text, known_names=["Salif Kouyaté"]) == [
        ("known_name", "SALIF KOUYATE"),
        ("known_name", "salif kouyaté"),
    ]


def test_a_name_typed_with_separate_accent_marks_is_reported_with_its_marks():
    text = unicodedata.normalize("NFD", "Visite à Zoé ce jour.")
    assert found(text, known_names=["Zoe Mbeki"]) == [
        ("known_name", unicodedata.normalize("NFD", "Zoé"))
    ]


def test_the_surname_alone_is_found():
    assert found("Monsieur Kouyaté refuse de manger.", known_names=["Salif Kouyaté"]) == [
        ("known_name", "Kouyaté")
    ]


def test_the_given_name_alone_is_found():
    assert found("Salif pleure souvent.", known_names=["Salif Kouyaté"]) == [
        ("known_name", "Salif")
    ]


def test_a_multi_part_surname_is_found_as_a_whole_and_its_particle_alone_is_not():
    text = "Mevrouw El-Haddouchi en El Haddouchi; el is geen naam."
    assert found(text, known_names=["Nour El Haddouchi"]) == [
        ("known_name", "El-Haddouchi"),
        ("known_name", "El Haddouchi"),
    ]


def test_a_name_written_surname_first_is_found_whole():
    assert found("KOUYATÉ Salif, chambre 3.", known_names=["Salif Kouyaté"]) == [
        ("known_name", "KOUYATÉ Salif")
    ]


def test_a_name_inside_another_word_is_not_flagged():
    text = "Les Salifoux et les Kouyatéens ne sont pas des personnes."
    assert scan(text, known_names=["Salif Kouyaté"]) == []


def test_a_surname_that_is_also_a_french_article_is_found_only_with_the_given_name():
    text = "Entretien avec Minh Le, puis le directeur."
    assert found(text, known_names=["Minh Le"]) == [("known_name", "Minh Le")]


def test_names_absent_from_the_case_files_are_not_flagged():
    assert scan("Salif Kouyaté a parlé.", known_names=[]) == []


# --- Findings as a whole ------------------------------------------------------------


def test_overlapping_candidates_give_one_finding_the_most_specific():
    # The name sits inside the address: one e-mail finding, no name finding on top.
    text = "Adresse : salif.kouyate@exemple.be"
    assert found(text, known_names=["Salif Kouyaté"]) == [("email", "salif.kouyate@exemple.be")]


def test_findings_are_sorted_never_overlap_and_quote_their_span():
    text = (
        "Salif Kouyaté (91.04.12-157.64), né le 12/04/1991, dossier SP 8.314.275, "
        "tél. +32 478 12 34 56, salif@exemple.be, compte BE35 3101 2345 6737."
    )
    findings = scan(text, known_names=["Salif Kouyaté"], language="fr")
    assert [f.kind for f in findings] == [
        "known_name",
        "national_number",
        "date_of_birth",
        "immigration_file_number",
        "phone",
        "email",
        "iban",
    ]
    for finding in findings:
        assert finding.text == text[finding.start : finding.end]
    for before, after in zip(findings, findings[1:], strict=False):
        assert before.end <= after.start


def test_an_empty_text_has_no_findings():
    assert scan("") == []
    assert scan("", known_names=["Salif Kouyaté"]) == []


def test_a_clean_passage_has_no_findings():
    text = "Het centrum telt 112 plaatsen; bezoek op 18/09/2024 met 6 gesprekken."
    assert scan(text, known_names=["Salif Kouyaté"], language="nl") == []


def test_a_finding_cannot_be_changed():
    finding = Finding(kind="phone", start=0, end=3, text="abc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.kind = "email"
