"""Keys: the vault's own identity, how it is unwrapped, and who the vault encrypts to.

The scheme (see the README's "How your data is protected"):

* Each vault has its own x25519 identity. It lives in ``<vault>.identity.age``,
  encrypted with the passphrase (age's scrypt recipient). Unlocking pays for
  scrypt once.
* The vault itself is encrypted to a list of recipients: the vault's own public
  key, plus any team or recovery keys. Saving therefore costs milliseconds.
* Instead of the passphrase, ``--identity FILE`` may unlock: an age identity
  file (``AGE-SECRET-KEY-1...``), an unencrypted OpenSSH private key, or a
  passphrase-wrapped identity such as the one casetui writes.

Every file here is a standard age file, so the ``age`` tool can always recover
the data: ``age -d vault.identity.age > id.txt; age -d -i id.txt vault.age``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import errno
import io
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyrage

from casetui.core.errors import KeyFileError, VaultDamaged, WrongKey
from casetui.files import NotAFile, TooLarge, read_limited
from casetui.vault import passphrase_file

AGE_HEADER = b"age-encryption.org/v1\n"
ARMOR_HEADER = b"-----BEGIN AGE ENCRYPTED FILE-----"
_SECRET_PREFIX = "AGE-SECRET-KEY-1"  # noqa: S105 - the format prefix, not a key
_SSH_PRIVATE_HEADERS = (
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----",
)
MAX_KEY_FILE = 64 * 1024

PassphraseSource = Callable[[], str]


def is_age_file(data: bytes) -> bool:
    return data.startswith(AGE_HEADER) or data.lstrip().startswith(ARMOR_HEADER)


@dataclasses.dataclass(frozen=True, slots=True)
class RecipientEntry:
    """A public key the vault encrypts to, with a name people recognise."""

    name: str
    key: str

    def parsed(self) -> Any:
        return parse_recipient(self.key)


_PROBE = b"casetui key probe"


def opens(entry: RecipientEntry, keyring: Keyring) -> bool:
    """True when ``keyring`` can open a file encrypted to ``entry``.

    A tiny message is encrypted to the key and decrypted with the keyring, which
    works for every kind of key (an SSH identity does not show its public key).
    It costs a millisecond or so; no passphrase is involved.
    """
    try:
        sealed = pyrage.encrypt(_PROBE, [entry.parsed()])
        return bytes(pyrage.decrypt(sealed, keyring.identities)) == _PROBE
    except (pyrage.EncryptError, pyrage.DecryptError, KeyFileError):
        return False


def parse_recipient(key: str) -> Any:
    """Parse an ``age1...`` or ``ssh-ed25519 ...``/``ssh-rsa ...`` public key."""
    key = key.strip()
    try:
        if key.startswith("age1"):
            return pyrage.x25519.Recipient.from_str(key)
        if key.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return pyrage.ssh.Recipient.from_str(key)
    except pyrage.RecipientError:
        pass
    raise KeyFileError(
        "That is not a public key casetui can use; give an age key (age1...) "
        "or an ssh-ed25519 / ssh-rsa public key."
    )


@dataclasses.dataclass(slots=True)
class Keyring:
    """The secret keys that unlocked a vault, and how they were obtained."""

    identities: list[Any]
    source: str
    #: The vault's own x25519 identity in text form, when it was unwrapped with the
    #: passphrase or given directly. Needed to re-wrap it under a new passphrase.
    own_secret: str | None = None

    def public_keys(self) -> set[str]:
        keys = set()
        for identity in self.identities:
            if isinstance(identity, pyrage.x25519.Identity):
                keys.add(str(identity.to_public()))
        return keys


def generate_identity() -> tuple[str, str]:
    """A new x25519 identity as (identity-file text, public key)."""
    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    return text, public


def wrap_identity(identity_text: str, passphrase: str) -> bytes:
    """Encrypt an identity file with a passphrase, at casetui's fixed scrypt work factor.

    Not pyrage's ``passphrase.encrypt``, which tunes the cost to the machine it runs
    on; see :mod:`casetui.vault.passphrase_file`.
    """
    return passphrase_file.encrypt(identity_text.encode(), passphrase)


def _read_key_file(path: Path) -> bytes:
    try:
        return read_limited(path, MAX_KEY_FILE)
    except TooLarge:
        raise KeyFileError(f"{path} is too large to be a key file; check the path.") from None
    except NotAFile as exc:
        raise KeyFileError(f"{path} is {exc.kind}, not a key file; check the path.") from None
    except FileNotFoundError:
        raise KeyFileError(f"There is no key file at {path}; check the path.") from None
    except IsADirectoryError:
        raise KeyFileError(f"{path} is a folder, not a key file; check the path.") from None
    except PermissionError:
        raise KeyFileError(f"casetui may not read {path}; check its permissions.") from None
    except OSError as exc:
        raise KeyFileError(
            f"Could not read {path}: {exc.strerror or type(exc).__name__}."
        ) from None


def parse_identity_text(text: str, path: Path) -> list[Any]:
    """Identities from an age identity file's text (comments and blank lines allowed)."""
    identities = []
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith(_SECRET_PREFIX):
            raise KeyFileError(
                f"{path} holds a line that is not an age secret key; casetui reads "
                "AGE-SECRET-KEY-1... lines and unencrypted OpenSSH keys."
            )
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except pyrage.IdentityError:
            raise KeyFileError(f"{path} holds a damaged age secret key.") from None
    if not identities:
        raise KeyFileError(f"{path} holds no age secret key.")
    return identities


def unwrap_identity(data: bytes, passphrase: str, path: Path) -> Keyring:
    """Decrypt a passphrase-wrapped identity file (the scrypt step)."""
    if not data:
        raise KeyFileError(f"The key file {path} is empty; restore it from your backup copy.")
    if not is_age_file(data):
        raise KeyFileError(f"{path} is not an age-encrypted key file.")
    try:
        plain = pyrage.passphrase.decrypt(data, passphrase)
    except pyrage.DecryptError as exc:
        if str(exc) == "Decryption failed":
            raise WrongKey(
                "That passphrase does not open this vault; check it and try again."
            ) from None
        raise KeyFileError(
            f"The key file {path} is damaged; restore it from your backup copy, "
            "or unlock with a recovery key (--identity)."
        ) from None
    try:
        text = bytes(plain).decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} does not hold an age identity.") from None
    identities = parse_identity_text(text, path)
    own = next(
        (ln.strip() for ln in text.splitlines() if ln.strip().startswith(_SECRET_PREFIX)), None
    )
    return Keyring(identities, "passphrase", own_secret=own)


def load_vault_identity(path: Path, passphrase: str) -> Keyring:
    """Unlock the vault's own identity file with its passphrase."""
    restore = "put your backup copy of the key file there, or unlock with --identity"
    try:
        data = read_limited(path, MAX_KEY_FILE, pipes=False)
    except FileNotFoundError:
        raise KeyFileError(
            f"The vault's key file {path} is missing; restore it from your backup copy, "
            "or unlock with --identity."
        ) from None
    except IsADirectoryError:
        raise KeyFileError(f"The vault's key file {path} is a folder; {restore}.") from None
    except NotAFile as exc:
        raise KeyFileError(f"The vault's key file {path} is {exc.kind}; {restore}.") from None
    except TooLarge:
        raise KeyFileError(
            f"The vault's key file {path} is too large to be a key file; {restore}."
        ) from None
    except PermissionError:
        raise KeyFileError(
            f"casetui may not read the key file {path}; check its permissions."
        ) from None
    except OSError as exc:
        raise KeyFileError(
            f"Could not read the key file {path}: {exc.strerror or type(exc).__name__}."
        ) from None
    return unwrap_identity(data, passphrase, path)


def load_identity_file(path: Path, passphrase: PassphraseSource | None = None) -> Keyring:
    """Read ``--identity FILE``: an age identity, an OpenSSH key, or a wrapped identity."""
    data = _read_key_file(path)
    if is_age_file(data):
        if passphrase is None:
            raise KeyFileError(f"{path} is protected by a passphrase; run casetui in a terminal.")
        keyring = unwrap_identity(data, passphrase(), path)
        keyring.source = f"key file {path.name}"
        return keyring
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not a key file casetui can read.") from None
    stripped = text.lstrip()
    if stripped.startswith(_SSH_PRIVATE_HEADERS):
        try:
            identity = pyrage.ssh.Identity.from_buffer(data)
        except pyrage.IdentityError as exc:
            if "decrypted" in str(exc):
                raise KeyFileError(
                    f"The SSH key {path} is protected by a passphrase, which casetui cannot "
                    "read; use an unencrypted key or an age identity file."
                ) from None
            raise KeyFileError(f"{path} is an SSH key casetui cannot use.") from None
        return Keyring([identity], f"SSH key {path.name}")
    identities = parse_identity_text(text, path)
    own = next(
        (ln.strip() for ln in text.splitlines() if ln.strip().startswith(_SECRET_PREFIX)), None
    )
    return Keyring(identities, f"key file {path.name}", own_secret=own)


def identity_file_is_protected(path: Path) -> bool:
    """True when ``--identity FILE`` needs a passphrase (a passphrase-wrapped age identity).

    Unencrypted age identities and SSH keys open without one; casetui cannot read
    a passphrase-protected SSH key at all. A pipe (the shell's ``<(...)``) is not
    read: it gives its key only once.
    """
    try:
        data = read_limited(path, MAX_KEY_FILE, pipes=False)
    except OSError:
        raise KeyFileError(f"{path} cannot be read again as a key file.") from None
    return is_age_file(data)


def encrypt(plaintext: bytes, recipients: Sequence[RecipientEntry]) -> bytes:
    """Encrypt bytes in memory (small files: key files, exports)."""
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), out, recipients)
    return out.getvalue()


def encrypt_stream(reader: Any, writer: Any, recipients: Sequence[RecipientEntry]) -> int:
    """Encrypt from a binary reader to a binary writer; returns the ciphertext's size.

    Streaming keeps neither the whole plaintext nor the whole ciphertext in
    memory, and lets other Python threads run while it works. The size is
    checked against what age's format says it must be for the plaintext read.
    """
    if not recipients:
        raise KeyFileError("The vault has no recipients to encrypt to; this should not happen.")
    source = _CountingReader(reader)
    target = _CheckedWriter(writer)
    try:
        pyrage.encrypt_io(source, target, [r.parsed() for r in recipients])
    except pyrage.EncryptError:
        if target.error is not None:
            raise target.error from None
        raise
    # pyrage drops an error raised while it writes the final chunk, so check both
    # that no write failed and that the whole ciphertext came out.
    if target.error is not None:
        raise target.error
    if target.size != target.header_size() + age_payload_size(source.size):
        raise OSError(errno.EIO, "the encrypted output came out incomplete")
    return target.size


#: age's STREAM payload: a 16-byte nonce, then 64 KiB chunks, each with a 16-byte tag.
_STREAM_CHUNK = 64 * 1024


def age_payload_size(plaintext_size: int) -> int:
    chunks = max(1, -(-plaintext_size // _STREAM_CHUNK))
    return 16 + plaintext_size + 16 * chunks


class _CountingReader:
    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._reader.read(size)
        self.size += len(data)
        return data


class _CheckedWriter:
    """Passes writes through, keeping the first bytes (the header) and any error."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.size = 0
        self.head = bytearray()
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        try:
            self._writer.write(data)
        except OSError as exc:
            self.error = exc
            raise
        if len(self.head) < 16384:
            self.head += data[:16384]
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        """Writes go straight through."""

    def header_size(self) -> int:
        mac_line = self.head.find(b"\n--- ")
        end = self.head.find(b"\n", mac_line + 1) if mac_line >= 0 else -1
        return end + 1 if end >= 0 else -1


def decrypt(data: bytes, keyring: Keyring, path: Path, what: str = "vault file") -> bytes:
    """Decrypt an age file held in memory; see :func:`decrypt_stream`."""
    check_age_prefix(data[: len(AGE_HEADER) + 64], path, what)
    return decrypt_stream(io.BytesIO(data), keyring, path, what)


def check_age_prefix(head: bytes, path: Path, what: str = "vault file") -> None:
    """Fail early, before any key is unwrapped, if a file cannot be an age file."""
    if not head:
        raise VaultDamaged(f"The {what} {path} is empty; {_RESTORE}.")
    if not is_age_file(head):
        raise VaultDamaged(f"{path} is not an age-encrypted casetui {what}; check the path.")


# -- who a file is encrypted to, as its header says -----------------------------------

#: How much of a file :func:`header_stanzas` is given: far more than any real header.
HEADER_READ = 1 << 20


def header_stanzas(head: bytes) -> list[str]:
    """The types of the recipient stanzas in an age file's header, in order.

    ``head`` is the start of the file, binary or ASCII-armored. A stanza is a
    ``-> TYPE ARGS...`` line followed by base64 body lines (which never start
    with ``-``); the header ends at the ``--- `` MAC line. The header is outside
    the encryption, so it shows every key the file was encrypted to, whatever
    list the encrypted document holds. Stanzas beyond ``head`` are not seen.
    Returns [] for something that is not an age file.
    """
    data = _dearmor(head) if head.lstrip().startswith(ARMOR_HEADER) else head
    if not data.startswith(AGE_HEADER):
        return []
    lines = data[len(AGE_HEADER) :].split(b"\n")
    mac = next((i for i, line in enumerate(lines) if line.startswith(b"--- ")), None)
    # Without the MAC line the header was cut short, and its last line may be partial.
    lines = lines[:mac] if mac is not None else lines[:-1]
    return [
        line[3:].split(b" ", 1)[0].decode("ascii", "replace")
        for line in lines
        if line.startswith(b"-> ")
    ]


def _dearmor(text: bytes) -> bytes:
    """As much of an armored file's binary form as ``text`` holds (b"" if it is not base64)."""
    body = bytearray()
    for raw in text.lstrip().split(b"\n")[1:]:
        line = raw.strip()
        if line.startswith(b"-----END"):
            break
        body += line
    try:
        return base64.b64decode(bytes(body[: len(body) - len(body) % 4]), validate=True)
    except binascii.Error:
        return b""


def is_grease(kind: str) -> bool:
    """True for the random ``...-grease`` stanza that rage (so pyrage) adds to every file.

    It keeps age readers tolerant of stanza types they do not know; no key opens it.
    """
    return kind.endswith("-grease")


def stanza_kind(key: str) -> str:
    """The stanza type a file encrypted to the public key ``key`` carries."""
    key = key.strip()
    if key.lower().startswith("age1"):
        return "X25519"
    return key.split(" ", 1)[0]  # ssh-ed25519 and ssh-rsa stanzas are named after the key


def unlisted_stanzas(stanzas: Sequence[str], recipients: Sequence[RecipientEntry]) -> Counter[str]:
    """The recipient stanzas, by type, that no key on ``recipients`` accounts for.

    Grease is left out. Anything else counts, a type casetui does not know (an age
    plugin's, say) included: every stanza is a way into the file.
    """
    found = Counter(kind for kind in stanzas if not is_grease(kind))
    return found - Counter(stanza_kind(entry.key) for entry in recipients)


_RESTORE = "restore the newest backup (casetui check lists them)"


def decrypt_stream(reader: Any, keyring: Keyring, path: Path, what: str = "vault file") -> bytes:
    """Decrypt from a binary reader, turning age's errors into one sentence about ``path``."""
    out = io.BytesIO()
    try:
        pyrage.decrypt_io(reader, out, keyring.identities)
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            raise WrongKey(
                f"The {keyring.source} does not open {path}; it was encrypted for other keys."
            ) from None
        raise _damaged(what, path) from None
    except OSError:  # age reports a failed integrity check of the payload as an I/O error
        raise _damaged(what, path) from None
    return out.getvalue()


def _damaged(what: str, path: Path) -> VaultDamaged:
    return VaultDamaged(
        f"The {what} {path} is damaged (cut short or altered) and cannot be opened; {_RESTORE}."
    )
