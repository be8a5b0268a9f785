"""A restore refuses every archive that is not exactly a backup of ours, before it changes
anything: the data tree stays byte-identical and nothing is written outside it."""

from __future__ import annotations

import os
import tarfile

import pytest

from server.services.audit import Actor
from server.services.backup.manifest import MANIFEST_NAME
from server.services.errors import InvalidInput
from tests.backups import archives
from tests.backups.archives import file_info, link, with_manifest
from tests.backups.conftest import MANAGER_WRITES
from tests.backups.trees import fingerprint

BACKUP_ID = "20260101_000000"
GIB = 1024**3


def place(services, build):
    """Put an archive made by ``build(path)`` where backup BACKUP_ID would be."""
    path = services.backups.store.root / "2026-01-01" / f"data_backup_{BACKUP_ID}.tar.gz"
    build(path)
    return path


def refused(services, data, build, expect: str) -> None:
    place(services, build)
    before = fingerprint(data, MANAGER_WRITES)
    with pytest.raises(InvalidInput) as caught:
        services.backups.restore_now(BACKUP_ID, Actor.system(), services.restore_quiescer())
    assert expect in caught.value.message, caught.value.message
    assert "Nothing was changed" in caught.value.message
    assert fingerprint(data, MANAGER_WRITES) == before
    swap_root = data.parent / f".{data.name}-restore"
    assert not (swap_root / "staging").exists() and not (swap_root / "journal.json").exists()


def test_dot_dot_names_are_refused(services, data, tmp_path):
    escaped = data.parent / "escaped.txt"
    payload = [(file_info("data/../escaped.txt", 3), b"bad")]
    refused(services, data, lambda p: with_manifest(p, payload), "unsafe name")
    assert not escaped.exists()


def test_absolute_names_are_refused(services, data, tmp_path):
    target = tmp_path / "absolute.txt"
    payload = [(file_info(str(target), 3), b"bad")]
    refused(services, data, lambda p: with_manifest(p, payload), "unsafe name")
    assert not target.exists()


def test_a_symlink_leaving_the_tree_is_refused(services, data, tmp_path):
    payload = [link("data/escape", "/etc"), (file_info("data/escape/passwd", 3), b"bad")]
    refused(services, data, lambda p: with_manifest(p, payload), "not a file or folder")


def test_a_symlink_inside_the_tree_is_refused_too(services, data):
    payload = [link("data/inner", "logs")]
    refused(services, data, lambda p: with_manifest(p, payload), "not a file or folder")


def test_a_hardlink_escape_is_refused(services, data):
    payload = [link("data/passwd", "/etc/passwd", hard=True)]
    refused(services, data, lambda p: with_manifest(p, payload), "not a file or folder")


def test_a_fifo_and_a_device_are_refused(services, data):
    fifo = [(file_info("data/pipe", 0, tarfile.FIFOTYPE), None)]
    refused(services, data, lambda p: with_manifest(p, fifo), "not a file or folder")
    device = file_info("data/null", 0, tarfile.CHRTYPE)
    device.devmajor, device.devminor = 1, 3
    refused(services, data, lambda p: with_manifest(p, [(device, None)]), "not a file or folder")


def test_unlisted_and_resized_members_are_refused(services, data):
    payload = [(file_info("data/unlisted.txt", 3), b"bad")]
    refused(services, data, lambda p: with_manifest(p, payload), "not in the manifest")
    listed = {"data/sized.txt": 1}
    payload = [(file_info("data/sized.txt", 3), b"big")]
    refused(services, data, lambda p: with_manifest(p, payload, listed), "not in the manifest")


def test_an_archive_without_manifest_or_checksums_is_refused(services, data):
    plain = [(file_info("data/a.txt", 1), b"a")]
    refused(services, data, lambda p: archives.write(p, plain), "manifest does not come first")
    listed = {"data/a.txt": 1}
    refused(services, data, lambda p: with_manifest(p, plain, listed), "checksums are missing")


def test_a_damaged_archive_is_refused(services, data):
    def damaged(path):
        with_manifest(path, [(file_info("data/a.txt", 1), b"a")], {"data/a.txt": 1})
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])

    refused(services, data, damaged, "damaged")
    refused(services, data, lambda p: p.write_bytes(os.urandom(4096)), "damaged")


def test_a_hundred_thousand_members_are_refused(services, data, tmp_path):
    refused(services, data, lambda p: archives.many_members(p, 100_000, True), "more than")
    refused(
        services, data, lambda p: archives.many_members(p, 100_000, False), "not in the manifest"
    )


def test_gzip_bombs_are_refused_before_they_inflate(services, data):
    # 11 GiB of zeros in about 11 MB: past BACKUP_MAX_SIZE_GB (10), whatever the manifest says.
    size = 11 * GIB
    refused(services, data, lambda p: archives.gzip_bomb(p, size, size), "more than a restore")
    refused(services, data, lambda p: archives.gzip_bomb(p, size, 10), "not in the manifest")
    refused(services, data, lambda p: archives.gzip_bomb(p, size, None), "manifest does not")


def test_a_manifest_naming_unsafe_paths_is_refused(services, data):
    raw = archives.manifest({"data/../../x": 1})
    build = lambda p: archives.write(p, [(file_info(MANIFEST_NAME, len(raw)), raw)])  # noqa: E731
    refused(services, data, build, "unsafe name")
