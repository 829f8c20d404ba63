"""Deterministic donor avatars: a symmetric 5x5 pattern and a hue, all from the avatar seed.
Hand-written (a few lines) rather than a dependency: the same seed always gives the same SVG."""
import hashlib


def avatar_svg(seed: str, *, size: int = 120) -> str:
    digest = hashlib.sha256(seed.encode()).digest()
    hue = int.from_bytes(digest[:2], "big") % 360
    cell = size // 6
    margin = (size - cell * 5) // 2
    rects = []
    for row in range(5):
        for col in range(3):  # mirror columns 0-1 onto 4-3 for a face-like symmetry
            if digest[2 + row * 3 + col] % 2 == 0:
                continue
            for x in {col, 4 - col}:
                rects.append(f'<rect x="{margin + x * cell}" y="{margin + row * cell}" '
                             f'width="{cell}" height="{cell}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
            f'role="img" aria-label="donor avatar"><rect width="{size}" height="{size}" rx="{cell // 2}" '
            f'fill="hsl({hue} 45% 92%)"/><g fill="hsl({hue} 60% 38%)">{"".join(rects)}</g></svg>')
