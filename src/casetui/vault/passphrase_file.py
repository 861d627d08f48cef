"""age files sealed with a passphrase, at a work factor casetui chooses.

pyrage's ``passphrase.encrypt`` tunes scrypt to about a second on the machine that
runs it. On a fast desktop that meant 2^20 (1 GiB of memory to unlock, 2.9 s
here); a key file made there might not open at all on an old 4 GB laptop. So
casetui writes the passphrase-wrapped key file itself, with a fixed work factor
of 2^18, age's own default: 256 MiB and well under a second to unlock on any
machine casetui supports. The file is a standard age file (one ``scrypt``
stanza), read back by pyrage and by the ``age`` tool alike.

The format is age v1 (https://age-encryption.org/v1):

* a random 16-byte file key, wrapped with ChaCha20-Poly1305 under
  ``scrypt(passphrase, "age-encryption.org/v1/scrypt" || salt, N, r=8, p=1)``;
* a header MAC, HMAC-SHA256 keyed by ``HKDF(file key, info="header")``;
* the payload: a 16-byte nonce, then 64 KiB chunks of ChaCha20-Poly1305 under
  ``HKDF(file key, salt=nonce, info="payload")``.

Only small files are written this way (an identity is a few hundred bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: log2 of scrypt's N for key files casetui writes: age's default. 2^18 × r=8 needs
#: 256 MiB while unlocking. Raising it by one doubles both the memory and the time.
WORK_FACTOR = 18
#: The largest work factor ``check`` calls sound (512 MiB); a key file above it is
#: slow or may not open on a small machine, and ``casetui passwd`` rewrites it at
#: WORK_FACTOR. pyrage chose 2^19 or 2^20 on this project's machines.
MAX_SOUND_WORK_FACTOR = 19

_INTRO = b"age-encryption.org/v1\n"
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_CHUNK = 64 * 1024
_STANZA = re.compile(rb"^-> scrypt (\S+) (\d+)$", re.MULTILINE)


def memory_mib(work_factor: int) -> int:
    """The memory scrypt needs at ``work_factor`` (r=8): 128 × r × N bytes."""
    return (128 * 8 << work_factor) >> 20


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None, info=info).derive(key)


def scrypt_key(passphrase: str, salt: bytes, work_factor: int) -> bytes:
    """The key that wraps the file key: age's scrypt recipient derivation."""
    n = 1 << work_factor
    return hashlib.scrypt(
        passphrase.encode("utf-8"),
        salt=_SCRYPT_LABEL + salt,
        n=n,
        r=8,
        p=1,
        maxmem=128 * 8 * n + (64 << 20),
        dklen=32,
    )


def encrypt(plaintext: bytes, passphrase: str, *, work_factor: int = WORK_FACTOR) -> bytes:
    """Seal ``plaintext`` as an age file that only ``passphrase`` opens."""
    if not 10 <= work_factor <= 20:
        raise ValueError("the scrypt work factor must be between 10 and 20")
    file_key = os.urandom(16)
    salt = os.urandom(16)
    wrap = ChaCha20Poly1305(scrypt_key(passphrase, salt, work_factor))
    body = _b64(wrap.encrypt(bytes(12), file_key, None))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)] or [b""]
    if len(lines[-1]) == 64:
        lines.append(b"")  # age ends a stanza body with a short (possibly empty) line
    header = (
        _INTRO
        + b"-> scrypt "
        + _b64(salt)
        + b" "
        + str(work_factor).encode()
        + b"\n"
        + b"\n".join(lines)
        + b"\n---"
    )
    mac = hmac.new(_hkdf(file_key, b"", b"header"), header, hashlib.sha256).digest()
    nonce = os.urandom(16)
    stream = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    chunks = [plaintext[i : i + _CHUNK] for i in range(0, len(plaintext), _CHUNK)] or [b""]
    payload = bytearray(nonce)
    for counter, chunk in enumerate(chunks):
        last = b"\x01" if counter == len(chunks) - 1 else b"\x00"
        payload += stream.encrypt(counter.to_bytes(11, "big") + last, chunk, None)
    return header + b" " + _b64(mac) + b"\n" + bytes(payload)


def work_factor(data: bytes) -> int | None:
    """The scrypt work factor (log2 N) of a passphrase-sealed age file, or None.

    Read from the header alone; nothing is decrypted.
    """
    if not data.startswith(_INTRO):
        return None
    header_end = data.find(b"\n---")
    match = _STANZA.search(data[: header_end if header_end >= 0 else 4096])
    return int(match.group(2)) if match else None
