"""`make audit`: the locked dependencies checked for known vulnerabilities.

    python scripts/audit.py                   # export uv.lock, run pip-audit, judge
    python scripts/audit.py --report FILE     # judge a JSON report pip-audit already made

uv exports uv.lock (every dependency group, pinned, with its markers) as a requirements
file; pip-audit looks each pin up in the Python Packaging Advisory Database (PyPI: it
needs the network) and reports in JSON. It installs nothing: the lock has already
resolved every version (--no-deps --disable-pip), and --strict fails the run when a
package cannot be audited rather than skipping it.

Every finding fails, unless its id, or one of its aliases (CVE-..., GHSA-...), is listed
in .ci/audit-ignore.toml with the reason it does not affect Move and the date it was
decided:

    [[ignore]]
    id = "GHSA-xxxx-xxxx-xxxx"
    reason = "Only the Windows build is affected; we run on Linux."
    date = 2026-01-15

An entry that matches no finding any more is reported, to be removed. Exit status: 0 all
findings accepted, 1 a finding is not, 2 the audit could not be made (no network, a bad
ignore file): a check that cannot run does not pass.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore.toml"
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
FIELDS = {"id", "reason", "date"}


class AuditError(Exception):
    """The audit could not be made; the message says why."""


@dataclass(frozen=True)
class Accepted:
    id: str
    reason: str
    date: date


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    id: str
    aliases: tuple[str, ...] = ()
    fixed_in: tuple[str, ...] = ()
    skipped: str = ""  # why pip-audit could not audit the package

    def names(self) -> set[str]:
        return {self.id, *self.aliases} - {""}

    def describe(self) -> str:
        if self.skipped:
            return f"{self.package}: not audited ({self.skipped})"
        aliases = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = f"; fixed in {', '.join(self.fixed_in)}" if self.fixed_in else "; no fix yet"
        return f"{self.package} {self.version}: {self.id}{aliases}{fix}"


def load_ignores(path: Path) -> list[Accepted]:
    """The accepted findings; an entry without its id, reason and date is an error."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as error:
        raise AuditError(f"{path.name} is not valid TOML: {error}") from None
    entries = data.get("ignore", [])
    if not isinstance(entries, list):
        raise AuditError(f"{path.name}: `ignore` must be a list of [[ignore]] entries.")
    accepted = []
    for number, entry in enumerate(entries, 1):
        where = f"{path.name}, entry {number}"
        if not isinstance(entry, dict) or set(entry) != FIELDS:
            raise AuditError(f"{where}: needs exactly id, reason and date (found {entry}).")
        if not isinstance(entry["id"], str) or not entry["id"].strip():
            raise AuditError(f"{where}: the id must be a vulnerability id such as GHSA-….")
        if not isinstance(entry["reason"], str) or not entry["reason"].strip():
            raise AuditError(f"{where} ({entry['id']}): say why it does not affect Move.")
        if not isinstance(entry["date"], date):
            raise AuditError(f"{where} ({entry['id']}): the date is a TOML date, 2026-01-15.")
        accepted.append(Accepted(entry["id"].strip(), entry["reason"].strip(), entry["date"]))
    return accepted


def findings_of(report: dict) -> tuple[int, list[Finding]]:
    """(how many packages were audited, the findings) of pip-audit's JSON report."""
    try:
        dependencies = report["dependencies"]
        found = []
        for dependency in dependencies:
            if "skip_reason" in dependency:
                found.append(Finding(dependency["name"], "", "", skipped=dependency["skip_reason"]))
                continue
            for vulnerability in dependency.get("vulns", []):
                found.append(
                    Finding(
                        dependency["name"],
                        dependency["version"],
                        vulnerability["id"],
                        tuple(vulnerability.get("aliases", [])),
                        tuple(vulnerability.get("fix_versions", [])),
                    )
                )
    except (KeyError, TypeError) as error:
        raise AuditError(f"pip-audit's report is not in the expected form ({error}).") from None
    return len(dependencies), found


def judge(findings: list[Finding], ignores: list[Accepted]):
    """(refused findings, [(accepted finding, its entry)], entries that matched none)."""
    by_id = {entry.id: entry for entry in ignores}
    refused, accepted, used = [], [], set()
    for finding in findings:
        entry = next((by_id[name] for name in sorted(finding.names()) if name in by_id), None)
        if entry is None or finding.skipped:
            refused.append(finding)
        else:
            accepted.append((finding, entry))
            used.add(entry.id)
    unused = [entry for entry in ignores if entry.id not in used]
    return refused, accepted, unused


def find_uv() -> str:
    for candidate in (os.environ.get("UV"), shutil.which("uv"), ROOT / ".tools" / "bin" / "uv"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise AuditError("uv was not found (make venv installs it in .tools/).")


def export_requirements(uv: str, target: Path) -> None:
    command = [uv, "export", "--frozen", "--no-hashes", "--all-groups", "--no-emit-project"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [*command, "--output-file", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AuditError(f"uv export failed: {result.stderr.strip()}")


def run_pip_audit(pip_audit: str, requirements: Path) -> dict:
    """pip-audit's JSON report. Exit status 1 with a report means "vulnerabilities
    found", which is ours to judge; no report means it could not audit."""
    if not Path(pip_audit).is_file():
        raise AuditError(
            f"{pip_audit} is missing: pip-audit is a dev dependency (uv sync installs it)."
        )
    command = [pip_audit, "-r", str(requirements), "--strict", "--progress-spinner", "off"]
    command += ["-f", "json", "--no-deps", "--disable-pip"]
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(result.stdout)
    except ValueError:
        detail = "\n".join(result.stderr.strip().splitlines()[-5:])
        raise AuditError(
            f"pip-audit made no report (exit status {result.returncode}); it needs to reach "
            f"pypi.org.\n{detail}"
        ) from None
    if not isinstance(report, dict):
        raise AuditError("pip-audit's report is not in the expected form.")
    return report


def audit(report: dict, ignores: list[Accepted], ignore_name: str, out=print) -> int:
    audited, findings = findings_of(report)
    refused, accepted, unused = judge(findings, ignores)
    out(f"pip-audit: {audited} packages audited, {len(findings)} findings.")
    for finding, entry in accepted:
        out(f"  accepted  {finding.describe()}\n            {entry.reason} ({entry.date})")
    for finding in refused:
        out(f"  FAILS     {finding.describe()}")
    for entry in unused:
        out(f"  {ignore_name}: {entry.id} matches no finding any more: remove it.")
    if refused:
        out(
            f"{len(refused)} finding(s) not accepted: upgrade the package (uv lock "
            f"--upgrade-package NAME), or list the id in {ignore_name} with a reason and a date."
        )
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ignore-file", type=Path, default=IGNORE_FILE)
    parser.add_argument("--pip-audit", default=str(PIP_AUDIT))
    parser.add_argument("--uv", default=None)
    parser.add_argument("--report", type=Path, help="judge this pip-audit JSON report")
    options = parser.parse_args(argv)
    try:
        ignores = load_ignores(options.ignore_file)
        if options.report:
            report = json.loads(options.report.read_text())
        else:
            with tempfile.TemporaryDirectory(prefix="move-audit-") as work:
                requirements = Path(work) / "requirements.txt"
                export_requirements(options.uv or find_uv(), requirements)
                report = run_pip_audit(options.pip_audit, requirements)
        return audit(report, ignores, options.ignore_file.name)
    except (AuditError, OSError, ValueError) as error:
        print(f"The audit could not be made: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
