"""``innobroker teams-package``: the zip to upload to Teams (manifest with the bot's app id, and two icons).

The icons are ``teams/color.png`` (192×192) and ``teams/outline.png`` (32×32, white on transparent) when present,
else drawn here: three connected nodes, the broker between buyers and suppliers.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from bot.cli import fail
from bot.config import PROJECT_ROOT, Settings

MANIFEST = PROJECT_ROOT / "teams" / "manifest.json"
ICON_SIZES = {"color": 192, "outline": 32}
ACCENT = (0x1D, 0x35, 0x57)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_NODES = ((0.5, 0.27), (0.25, 0.71), (0.75, 0.71))
_NODE_RADIUS, _LINE_WIDTH = 0.13, 0.07


def png(rgba: np.ndarray) -> bytes:
    """Encode an (height, width, 4) uint8 array as a PNG."""
    height, width, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG; ValueError when it is not one."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _coverage(size: int, samples: int = 4) -> np.ndarray:
    """How much of each pixel the glyph covers (0..1), by supersampling."""
    steps = (np.arange(size * samples) + 0.5) / (size * samples)
    x, y = np.meshgrid(steps, steps)
    inside = np.zeros_like(x, dtype=bool)
    for cx, cy in _NODES:
        inside |= (x - cx) ** 2 + (y - cy) ** 2 <= _NODE_RADIUS ** 2
    for (ax, ay), (bx, by) in ((_NODES[0], _NODES[1]), (_NODES[0], _NODES[2]), (_NODES[1], _NODES[2])):
        dx, dy = bx - ax, by - ay
        t = np.clip(((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy), 0, 1)
        inside |= (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (_LINE_WIDTH / 2) ** 2
    return inside.reshape(size, samples, size, samples).mean(axis=(1, 3))


def draw_icon(kind: str) -> bytes:
    """The color icon (white glyph on the accent colour) or the outline icon (white glyph, transparent)."""
    size = ICON_SIZES[kind]
    cover = _coverage(size)[..., None]
    if kind == "outline":
        rgba = np.concatenate([np.full((size, size, 3), 255.0), 255 * cover], axis=2)
    else:
        rgb = np.array(ACCENT, dtype=float) * (1 - cover) + 255 * cover
        rgba = np.concatenate([rgb, np.full((size, size, 1), 255.0)], axis=2)
    return png(np.round(rgba).astype(np.uint8))


def build_package(manifest_path: Path, app_id: str, out: Path) -> Path:
    """Write the upload zip: the manifest with ``app_id`` as app and bot id, and both icons."""
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    files = {"manifest.json": json.dumps(manifest, ensure_ascii=False, indent=2).encode()}
    for kind, size in ICON_SIZES.items():
        name = manifest["icons"][kind]
        custom = manifest_path.parent / name
        data = custom.read_bytes() if custom.is_file() else draw_icon(kind)
        if png_size(data) != (size, size):
            raise ValueError(f"{custom} must be a {size}x{size} PNG")
        files[name] = data
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out


def register(sub: Any) -> None:
    """Add ``teams-package`` to the CLI."""
    command = sub.add_parser("teams-package", help="build the Teams app package (zip) to upload or sideload")
    command.add_argument("--app-id", help="the bot's Microsoft App ID (default: teams.app_id or the CLIENTID)")
    command.add_argument("--out", type=Path, default=Path("innobroker-teams.zip"), help="where to write the zip")
    command.add_argument("--manifest", type=Path, default=MANIFEST, help="manifest template (teams/manifest.json)")
    command.set_defaults(run=run_package)


def run_package(args: argparse.Namespace, settings: Settings) -> int:
    """innobroker teams-package [--app-id ID] [--out FILE]"""
    app_id = args.app_id or settings.teams.app_id or settings.teams.client_id
    if not app_id:
        return fail("give --app-id, or set CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID (see docs/teams.md)", 2)
    if not _GUID.match(app_id):
        return fail(f"the app id must be a GUID like 00000000-0000-0000-0000-000000000000, not {app_id!r}", 2)
    if not args.manifest.is_file():
        return fail(f"manifest template not found: {args.manifest}", 2)
    try:
        out = build_package(args.manifest, app_id, args.out)
    except (OSError, ValueError, KeyError) as exc:
        return fail(f"cannot build the Teams package: {exc}", 1)
    print(out)
    return 0
