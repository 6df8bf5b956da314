"""`make audit` (scripts/audit.py): pip-audit on the locked dependencies fails on any
finding that .ci/audit-ignore.toml does not accept with a reason and a date, and an audit
that cannot be made (offline, a bad ignore file) fails too. pip-audit needs the network:
these tests give it canned reports, and a stand-in pip-audit and uv for the command."""

import json
import stat
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import audit  # noqa: E402

DJANGO_FINDING = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [
        {
            "id": "GHSA-aaaa-bbbb-cccc",
            "fix_versions": ["5.2.1"],
            "aliases": ["CVE-2025-0001"],
            "description": "A made-up vulnerability.",
        }
    ],
}
CLEAN = {"name": "celery", "version": "5.5.0", "vulns": []}


def report(*dependencies) -> dict:
    return {"dependencies": list(dependencies), "fixes": []}


def ignore_file(tmp_path, text: str) -> Path:
    path = tmp_path / "audit-ignore.toml"
    path.write_text(text)
    return path


def judged(tmp_path, data: dict, ignores: str = "") -> tuple[int, str]:
    lines = []
    code = audit.audit(
        data, audit.load_ignores(ignore_file(tmp_path, ignores)), "ignore", lines.append
    )
    return code, "\n".join(lines)


ACCEPT_BY_ID = """
[[ignore]]
id = "GHSA-aaaa-bbbb-cccc"
reason = "The affected function is never called by Move."
date = 2026-01-15
"""


def test_no_finding_passes(tmp_path):
    code, output = judged(tmp_path, report(CLEAN))
    assert code == 0
    assert "1 packages audited, 0 findings" in output


def test_a_finding_that_is_not_listed_fails_and_names_the_fix(tmp_path):
    code, output = judged(tmp_path, report(CLEAN, DJANGO_FINDING))
    assert code == 1
    assert "FAILS     django 5.2.0: GHSA-aaaa-bbbb-cccc (CVE-2025-0001); fixed in 5.2.1" in output


def test_a_finding_listed_with_a_reason_and_a_date_passes(tmp_path):
    code, output = judged(tmp_path, report(DJANGO_FINDING), ACCEPT_BY_ID)
    assert code == 0
    assert "accepted  django 5.2.0" in output
    assert "never called by Move. (2026-01-15)" in output


def test_a_finding_may_be_listed_by_one_of_its_aliases(tmp_path):
    code, _output = judged(
        tmp_path,
        report(DJANGO_FINDING),
        ACCEPT_BY_ID.replace("GHSA-aaaa-bbbb-cccc", "CVE-2025-0001"),
    )
    assert code == 0


def test_only_the_listed_finding_is_accepted(tmp_path):
    second = {
        "name": "jinja2",
        "version": "3.1.2",
        "vulns": [{"id": "PYSEC-2024-1", "fix_versions": [], "aliases": []}],
    }
    code, output = judged(tmp_path, report(DJANGO_FINDING, second), ACCEPT_BY_ID)
    assert code == 1
    assert "FAILS     jinja2 3.1.2: PYSEC-2024-1; no fix yet" in output
    assert "FAILS     django" not in output


def test_a_package_that_could_not_be_audited_fails(tmp_path):
    skipped = {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"}
    code, output = judged(tmp_path, report(CLEAN, skipped), ACCEPT_BY_ID)
    assert code == 1
    assert "private-pkg: not audited (Dependency not found on PyPI)" in output


def test_an_entry_that_matches_nothing_any_more_is_reported_without_failing(tmp_path):
    code, output = judged(tmp_path, report(CLEAN), ACCEPT_BY_ID)
    assert code == 0
    assert "GHSA-aaaa-bbbb-cccc matches no finding any more: remove it" in output


@pytest.mark.parametrize(
    "entry, message",
    [
        ('id = "GHSA-1"\ndate = 2026-01-15', "needs exactly id, reason and date"),
        ('id = "GHSA-1"\nreason = "  "\ndate = 2026-01-15', "say why it does not affect Move"),
        ('id = "GHSA-1"\nreason = "Not used"\ndate = "last week"', "the date is a TOML date"),
        ('id = ""\nreason = "Not used"\ndate = 2026-01-15', "the id must be"),
        ('id = "GHSA-1"\nreason = "x"\ndate = 2026-01-15\nuntil = 2027-01-01', "exactly"),
    ],
)
def test_an_entry_without_its_reason_or_date_is_refused(tmp_path, entry, message):
    with pytest.raises(audit.AuditError, match=message):
        audit.load_ignores(ignore_file(tmp_path, f"[[ignore]]\n{entry}\n"))


def test_the_committed_ignore_file_is_valid():
    entries = audit.load_ignores(audit.IGNORE_FILE)
    assert all(entry.reason and entry.date <= date.today() for entry in entries)


# --- The command, with stand-ins for uv and pip-audit ---------------------------------------


def executable(path: Path, script: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{script}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def stand_ins(tmp_path):
    """A uv that writes a requirements file, a pip-audit that records its arguments and
    answers with the report in tmp_path/answer.json (or fails as offline without it)."""
    uv = executable(
        tmp_path / "uv",
        "import sys\n"
        "out = sys.argv[sys.argv.index('--output-file') + 1]\n"
        "open(out, 'w').write('django==5.2.0\\ncelery==5.5.0\\n')\n"
        f"record = {str(tmp_path / 'uv-args.json')!r}\n"
        "open(record, 'w').write(__import__('json').dumps(sys.argv[1:]))\n",
    )
    pip_audit = executable(
        tmp_path / "pip-audit",
        "import json, pathlib, sys\n"
        f"tmp = pathlib.Path({str(tmp_path)!r})\n"
        "(tmp / 'pip-audit-args.json').write_text(json.dumps(sys.argv[1:]))\n"
        "requirements = sys.argv[sys.argv.index('-r') + 1]\n"
        "(tmp / 'audited.txt').write_text(open(requirements).read())\n"
        "answer = tmp / 'answer.json'\n"
        "if not answer.exists():\n"
        "    sys.exit('ERROR: Dependency not found on PyPI and could not be audited')\n"
        "data = answer.read_text()\n"
        "print(data)\n"
        "sys.exit(1 if 'GHSA' in data else 0)\n",
    )
    return tmp_path, ["--uv", str(uv), "--pip-audit", str(pip_audit)]


def test_the_locked_requirements_are_exported_and_audited_without_installing(stand_ins):
    tmp_path, arguments = stand_ins
    (tmp_path / "answer.json").write_text(json.dumps(report(CLEAN)))
    ignores = ignore_file(tmp_path, "")
    assert audit.main([*arguments, "--ignore-file", str(ignores)]) == 0
    uv_args = json.loads((tmp_path / "uv-args.json").read_text())
    assert uv_args[:4] == ["export", "--frozen", "--no-hashes", "--all-groups"]
    args = json.loads((tmp_path / "pip-audit-args.json").read_text())
    assert args[0] == "-r"
    assert {"--strict", "--no-deps", "--disable-pip"} <= set(args)
    assert args[args.index("-f") + 1] == "json"
    assert args[args.index("--progress-spinner") + 1] == "off"
    assert (tmp_path / "audited.txt").read_text() == "django==5.2.0\ncelery==5.5.0\n"


def test_the_command_fails_on_a_finding_that_is_not_listed(stand_ins, capsys):
    tmp_path, arguments = stand_ins
    (tmp_path / "answer.json").write_text(json.dumps(report(DJANGO_FINDING)))
    ignores = ignore_file(tmp_path, "")
    assert audit.main([*arguments, "--ignore-file", str(ignores)]) == 1
    assert "FAILS     django 5.2.0" in capsys.readouterr().out


def test_the_command_passes_a_finding_that_is_listed(stand_ins):
    tmp_path, arguments = stand_ins
    (tmp_path / "answer.json").write_text(json.dumps(report(DJANGO_FINDING)))
    ignores = ignore_file(tmp_path, ACCEPT_BY_ID)
    assert audit.main([*arguments, "--ignore-file", str(ignores)]) == 0


def test_an_audit_that_cannot_reach_the_advisories_fails(stand_ins, capsys):
    tmp_path, arguments = stand_ins  # no answer.json: the stand-in fails as offline
    assert audit.main([*arguments, "--ignore-file", str(ignore_file(tmp_path, ""))]) == 2
    error = capsys.readouterr().err
    assert "pip-audit made no report" in error
    assert "Dependency not found on PyPI" in error


def test_a_missing_pip_audit_fails_with_what_to_do(stand_ins, capsys):
    tmp_path, arguments = stand_ins
    arguments[-1] = str(tmp_path / "nowhere" / "pip-audit")
    assert audit.main([*arguments, "--ignore-file", str(ignore_file(tmp_path, ""))]) == 2
    assert "pip-audit is a dev dependency" in capsys.readouterr().err


def test_a_saved_report_can_be_judged_without_running_pip_audit(tmp_path):
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(report(DJANGO_FINDING)))
    arguments = ["--report", str(saved), "--ignore-file", str(ignore_file(tmp_path, ACCEPT_BY_ID))]
    assert audit.main(arguments) == 0
