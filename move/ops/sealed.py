"""The backup archives' encryption: a stream sealed with a passphrase, chunk by chunk.

A backup holds the whole database and every private file, so it is encrypted before it
touches the disk, with a passphrase that is none of the application's keys (whoever
holds an archive and the passphrase can read everything, but the application's keys
alone open nothing). It is written and read as a stream: a dump of a gigabyte never sits
in memory, only one chunk of it.

The format (version 1), all integers big-endian:

    MAGIC                      12 bytes, "MOVE-BACKUP\\n"
    header length              4 bytes
    header                     JSON: format, cipher, chunk size, the KDF (scrypt) with its
                               salt and parameters, a nonce prefix, a passphrase check
    records, each:
        ciphertext length      4 bytes
        ciphertext             AES-256-GCM of at most `chunk` bytes, with its 16-byte tag

The key is scrypt(passphrase, salt); the passphrase check is an HMAC made with a second
key derived alongside, so that a wrong passphrase is told apart from a damaged archive.
Each record's nonce is the prefix, the record's number and a flag set on the last one
only (the STREAM construction): records cannot be dropped, repeated, reordered, nor the
archive cut short or extended, without a tag failing. The magic and the header are the
associated data of every record, so changing the KDF's parameters fails as well.
"""

import base64
import hashlib
import hmac
import json
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"MOVE-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20  # plaintext bytes a record
TAG = 16
# scrypt's cost: 2**17 takes 128 MiB and about half a second, once a backup or restore.
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
# A header or a record larger than this is not one of ours: refused before reading it.
MAX_HEADER = 64 * 1024
_LENGTH = struct.Struct(">I")
_CHECK = b"move-backup-passphrase-check"


class SealError(Exception):
    """The archive cannot be opened; the message says why, for the person restoring."""


class WrongPassphrase(SealError):
    pass


class Damaged(SealError):
    pass


def _keys(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(the encryption key, the passphrase-check key), both from one scrypt run."""
    derived = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode())
    return derived[:32], derived[32:]


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    if number >= 2**32:
        raise SealError("The archive has too many records for this format.")
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A write-only file object: what is written is encrypted into `out` (a binary
    file), one record per CHUNK bytes. close() writes the last record; it does not close
    `out`."""

    def __init__(self, out, passphrase: str, scrypt: dict | None = None):
        params = dict(scrypt or SCRYPT)
        salt, self._prefix = os.urandom(16), os.urandom(7)
        key, check_key = _keys(passphrase, salt, **params)
        header = {
            "format": FORMAT,
            "cipher": "AES-256-GCM",
            "chunk": CHUNK,
            "kdf": {"name": "scrypt", "salt": _b64(salt), **params},
            "nonce": _b64(self._prefix),
            "check": _b64(hmac.new(check_key, _CHECK, hashlib.sha256).digest()),
        }
        encoded = json.dumps(header, sort_keys=True).encode()
        self._aad = MAGIC + encoded
        self._aead = AESGCM(key)
        self._out = out
        self._buffer = bytearray()
        self._number = 0
        self.closed = False
        out.write(MAGIC + _LENGTH.pack(len(encoded)) + encoded)

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last record is only known at close().
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self.closed = True

    def _seal(self, chunk: bytes, last: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._prefix, self._number, last), chunk, self._aad)
        self._out.write(_LENGTH.pack(len(sealed)) + sealed)
        self._number += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()


class SealedReader:
    """A read-only file object over an archive written by SealedWriter: every record's
    tag is checked before its bytes are handed out. Raises WrongPassphrase or Damaged.
    `finished` is true once the last record has been read and checked: a reader that
    stops early has not proved the archive whole."""

    def __init__(self, source, passphrase: str):
        self._source = source
        header, self._aad = _read_header(source)
        kdf = header["kdf"]
        key, check_key = _keys(
            passphrase, _unb64(kdf["salt"]), int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        )
        expected = hmac.new(check_key, _CHECK, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(header["check"])):
            raise WrongPassphrase(
                "The passphrase does not open this archive: give the MOVE_BACKUP_PASSPHRASE "
                "it was made with."
            )
        self._aead = AESGCM(key)
        self._prefix = _unb64(header["nonce"])
        self._limit = int(header["chunk"]) + TAG
        self._number = 0
        self._pending = self._next_record()  # one record ahead: is the current the last?
        self._buffer = b""
        self.finished = False

    def _next_record(self) -> bytes | None:
        length = self._source.read(_LENGTH.size)
        if not length:
            return None
        if len(length) < _LENGTH.size:
            raise Damaged("The archive is cut short (it ends inside a record).")
        (size,) = _LENGTH.unpack(length)
        if not TAG <= size <= self._limit:
            raise Damaged("The archive is damaged or was altered (a record of impossible size).")
        sealed = self._source.read(size)
        if len(sealed) < size:
            raise Damaged("The archive is cut short (it ends inside a record).")
        return sealed

    def _open_next(self) -> None:
        sealed = self._pending
        if sealed is None:
            raise Damaged("The archive is cut short (its last record is missing).")
        self._pending = self._next_record()
        last = self._pending is None
        try:
            self._buffer = self._aead.decrypt(
                _nonce(self._prefix, self._number, last), sealed, self._aad
            )
        except InvalidTag:
            raise Damaged(
                f"The archive is damaged or was altered (record {self._number + 1} does not "
                "match its tag): nothing was restored from it."
            ) from None
        self._number += 1
        self.finished = last

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = size if size is not None and size >= 0 else None
        while wanted is None or wanted > 0:
            if not self._buffer:
                if self.finished:
                    break
                self._open_next()
                continue
            part = self._buffer if wanted is None else self._buffer[:wanted]
            self._buffer = self._buffer[len(part) :]
            parts.append(part)
            if wanted is not None:
                wanted -= len(part)
        return b"".join(parts)

    def drain(self) -> None:
        """Read (and check) what is left, to the last record."""
        while self.read(CHUNK):
            pass
        if not self.finished:
            raise Damaged("The archive is cut short (its last record is missing).")


def _read_header(source) -> tuple[dict, bytes]:
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise SealError("This file is not a Move backup archive.")
    raw = source.read(_LENGTH.size)
    (length,) = _LENGTH.unpack(raw) if len(raw) == _LENGTH.size else (0,)
    if not 0 < length <= MAX_HEADER:
        raise Damaged("The archive's header is damaged.")
    encoded = source.read(length)
    try:
        header = json.loads(encoded)
        if header["format"] != FORMAT or header["cipher"] != "AES-256-GCM":
            raise SealError(
                f"This archive has format {header['format']} ({header['cipher']}), which this "
                f"version of Move does not read (it reads format {FORMAT})."
            )
        kdf = header["kdf"]
        if kdf["name"] != "scrypt":
            raise SealError("This archive's key derivation is not one this version reads.")
        # Bounds, so that an altered header cannot ask for gigabytes of memory.
        if not (
            2 <= int(kdf["n"]) <= 2**20
            and 1 <= int(kdf["r"]) <= 32
            and 1 <= int(kdf["p"]) <= 16
            and 1 <= int(header["chunk"]) <= 64 * CHUNK
        ):
            raise Damaged("The archive's header is damaged.")
    except (ValueError, KeyError, TypeError):
        raise Damaged("The archive's header is damaged.") from None
    return header, MAGIC + encoded


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise Damaged("The archive's header is damaged.") from None
