"""The report's text file (``text.yaml``), read through the toolkit: ``TXT("tables.ydelser.title")``.

>>> TXT("tables.ydelser.title").en
'Services, by Logbog'
"""

from __future__ import annotations

from evalkit.report._build import report_text

TXT = report_text("evalkit.report.ung_rusmidler")
