"""What a file is, judged by its content (magic numbers via ``filetype``, then the container's
own structure) and by its name; the two must agree. Pure: no Flask, no database."""

import os
import struct
import unicodedata
import zipfile

import filetype

# name extension -> kind; kind -> the content type we serve (never the client's)
EXTENSIONS = {
    ".pdf": "pdf",
    ".doc": "doc",
    ".docx": "docx",
    ".xls": "xls",
    ".xlsx": "xlsx",
    ".jpg": "jpg",
    ".jpeg": "jpg",
    ".png": "png",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
# what filetype may call each kind: OOXML written by some tools is only recognised as "zip",
# and some legacy Office files are not recognised at all (the container check decides then)
GUESSES = {
    "pdf": {"pdf"},
    "jpg": {"jpg"},
    "png": {"png"},
    "docx": {"docx", "zip"},
    "xlsx": {"xlsx", "zip"},
    "doc": {"doc", None},
    "xls": {"xls", None},
}
ACCEPT = ",".join(list(EXTENSIONS) + sorted(set(CONTENT_TYPES.values())))
FORMATS_LABEL = "PDF、Word（doc/docx）、Excel（xls/xlsx）、JPEG、PNG"

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 8192


def clean_filename(name):
    """The name to show: no folders, no control or bidi/format characters, tidy spaces,
    at most 200 characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > 200:
        stem, ext = os.path.splitext(name)
        name = stem[: 200 - len(ext)] + ext
    return name


def kind_from_name(name):
    return EXTENSIONS.get(os.path.splitext(name)[1].lower())


def guess(head):
    found = filetype.guess(bytes(head[:HEAD_BYTES])) if head else None
    return found.extension if found else None


def content_matches(kind, path, head):
    """True when the file at ``path`` (whose first bytes are ``head``) really is ``kind``."""
    if guess(head) not in GUESSES[kind]:
        return False
    if kind in ("docx", "xlsx"):
        return _ooxml_is(path, "word/" if kind == "docx" else "xl/")
    if kind in ("doc", "xls"):
        if not head.startswith(CFB_MAGIC):
            return False
        names = _cfb_stream_names(path)
        wanted = {"WordDocument"} if kind == "doc" else {"Workbook", "Book"}
        return bool(names & wanted)
    return True


def _ooxml_is(path, part):
    """A real Word/Excel OOXML package: a ZIP with [Content_Types].xml and the main part's
    folder; macro-enabled packages (vbaProject.bin) are refused. Only the central directory
    is read, nothing is decompressed."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
        return False
    return not any(n.lower().endswith("vbaproject.bin") for n in names)


def _cfb_stream_names(path, max_sectors=256):
    """The directory entry names of an OLE2 compound file (Word 97–2003, Excel 97–2003),
    following the directory's sector chain through the FAT listed in the header."""
    names = set()
    try:
        with open(path, "rb") as fp:
            header = fp.read(512)
            if len(header) < 512 or header[:8] != CFB_MAGIC:
                return names
            shift = struct.unpack_from("<H", header, 0x1E)[0]
            if shift not in (9, 12):
                return names
            size = 1 << shift
            first_dir = struct.unpack_from("<I", header, 0x30)[0]
            difat = struct.unpack_from("<109I", header, 0x4C)
            per_fat = size // 4

            def read_sector(n):
                fp.seek((n + 1) * size)
                return fp.read(size)

            def next_sector(n):
                index = n // per_fat
                if index >= len(difat) or difat[index] >= 0xFFFFFFFA:
                    return None
                fat = read_sector(difat[index])
                offset = (n % per_fat) * 4
                if len(fat) < offset + 4:
                    return None
                return struct.unpack_from("<I", fat, offset)[0]

            sector, seen = first_dir, set()
            while (
                sector is not None
                and sector < 0xFFFFFFFA
                and sector not in seen
                and len(seen) < max_sectors
            ):
                seen.add(sector)
                data = read_sector(sector)
                for off in range(0, len(data) - 127, 128):
                    length = struct.unpack_from("<H", data, off + 64)[0]
                    if 2 <= length <= 64 and data[off + 66] in (1, 2):  # storage or stream
                        names.add(data[off : off + length - 2].decode("utf-16-le", "replace"))
                sector = next_sector(sector)
    except (OSError, struct.error):
        return names
    return names
