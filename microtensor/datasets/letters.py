"""A 5x7 pixel font of the capital letters, drawn as text art.

``#`` is an inked pixel (+1) and ``.`` a blank one (-1). The font is small on
purpose: 35-pixel patterns are what a Hopfield network of a few dozen units
can store and recall, and they are big enough to read at a glance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["LETTER_SHAPE", "letters_5x7", "pattern_to_text", "text_to_pattern"]

LETTER_SHAPE = (7, 5)

# Bands of letters side by side: a line of names, then seven rows of pixels,
# one whitespace-separated column of five characters per letter.
_FONT = """
  A     B     C     D     E     F     G     H     I
.###. ####. .###. ###.. ##### ##### .###. #...# .###.
#...# #...# #...# #..#. #.... #.... #...# #...# ..#..
#...# #...# #.... #...# #.... #.... #.... #...# ..#..
##### ####. #.... #...# ####. ####. #.### ##### ..#..
#...# #...# #.... #...# #.... #.... #...# #...# ..#..
#...# #...# #...# #..#. #.... #.... #...# #...# ..#..
#...# ####. .###. ###.. ##### #.... .###. #...# .###.

  J     K     L     M     N     O     P     Q     R
..### #...# #.... #...# #...# .###. ####. .###. ####.
...#. #..#. #.... ##.## ##..# #...# #...# #...# #...#
...#. #.#.. #.... #.#.# #.#.# #...# #...# #...# #...#
...#. ##... #.... #.#.# #..## #...# ####. #...# ####.
...#. #.#.. #.... #...# #...# #...# #.... #.#.# #.#..
#..#. #..#. #.... #...# #...# #...# #.... #..#. #..#.
.##.. #...# ##### #...# #...# .###. #.... .##.# #...#

  S     T     U     V     W     X     Y     Z
.#### ##### #...# #...# #...# #...# #...# #####
#.... ..#.. #...# #...# #...# #...# #...# ....#
#.... ..#.. #...# #...# #...# .#.#. .#.#. ...#.
.###. ..#.. #...# #...# #.#.# ..#.. ..#.. ..#..
....# ..#.. #...# #...# #.#.# .#.#. ..#.. .#...
....# ..#.. #...# .#.#. #.#.# #...# ..#.. #....
####. ..#.. .###. ..#.. .#.#. #...# ..#.. #####
"""


def _parse_font(art: str) -> dict[str, np.ndarray]:
    """Turn the text-art bands into a dict letter -> (7, 5) array of +-1."""
    glyphs: dict[str, np.ndarray] = {}
    bands = [band.splitlines() for band in art.strip("\n").split("\n\n")]
    for names_line, *rows in bands:
        names = names_line.split()
        columns = [row.split() for row in rows]
        for k, name in enumerate(names):
            text = [cols[k] for cols in columns]
            glyphs[name] = text_to_pattern(text)
    return glyphs


def text_to_pattern(rows: list[str], on: str = "#") -> np.ndarray:
    """Read text art (a list of equal-length rows) as an array of +-1.

    Parameters
    ----------
    rows : list of str
        The picture, one string per row; ``on`` marks +1, anything else -1.
    on : str, default "#"
        The character of an inked pixel.

    Returns
    -------
    ndarray, shape (len(rows), len(rows[0])), float64
        +1.0 where the art has ``on``, -1.0 elsewhere.
    """
    widths = {len(row) for row in rows}
    if len(widths) != 1:
        raise ValueError(
            f"text_to_pattern: rows differ in width, widths={sorted(widths)}"
        )
    return np.array([[1.0 if ch == on else -1.0 for ch in row] for row in rows])


def pattern_to_text(pattern, on: str = "#", off: str = ".") -> str:
    """Draw a 2-D pattern of +-1 (or any signs) as text art.

    Parameters
    ----------
    pattern : array_like, shape (rows, cols)
        Pixels; a positive value is drawn as ``on``, any other as ``off``.
    on, off : str
        The characters for inked and blank pixels.

    Returns
    -------
    str
        One line per row, joined by newlines, with no trailing newline.

    Examples
    --------
    >>> print(pattern_to_text(letters_5x7()["T"]))
    #####
    ..#..
    ..#..
    ..#..
    ..#..
    ..#..
    ..#..
    """
    pattern = np.asarray(pattern)
    if pattern.ndim != 2:
        raise ValueError(
            "pattern_to_text: expected a 2-D pattern, "
            f"got pattern.shape={pattern.shape}; reshape it first, e.g. to (7, 5)"
        )
    return "\n".join("".join(on if v > 0 else off for v in row) for row in pattern)


def letters_5x7() -> dict[str, np.ndarray]:
    """Return the 26 capital letters of a 5x7 pixel font as +-1 patterns.

    Returns
    -------
    dict of str to ndarray
        Keys ``"A"`` to ``"Z"`` in alphabetical order; each value is a new
        float64 array of shape (7, 5) with +1.0 for ink and -1.0 for blank.
        Flatten with ``.ravel()`` to get a 35-unit pattern.
    """
    glyphs = _parse_font(_FONT)
    return {letter: glyphs[letter] for letter in sorted(glyphs)}
