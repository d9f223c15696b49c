"""Report ``modelkommuner``: NIRAS's evaluation of "Modelkommuneprojekt Unge, alkohol og stoffer" (seed 003).

Modules: :mod:`.spec` (the tables), :mod:`.prepare` (data prepared once), chapters
:mod:`.organisation` (04-05), :mod:`.policies` (6), :mod:`.competence` (7), :mod:`.counselling` (8),
:mod:`.claims` (crosstabs testing the publication's claims) and :mod:`.text` (Danish and English text).
"""

from .spec import SPEC

__all__ = ["SPEC"]
