"""The run's ``index.html``: every report, in French, with its status and link."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._io import write_text_atomic
from ._kinds import INDEX_GROUPS, KINDS

_TEMPLATE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — {{ run }}</title>
<style>{{ css }}
td.statut-ok { color: #2e6b30; font-weight: 600; }
td.statut-failed, td.statut-interrupted { color: #a12622; font-weight: 600; }
td.erreur { font-size: .8rem; color: #5a6270; max-width: 22rem; overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
<h1>{{ title }}</h1>
<p class="sous-titre">Exécution « {{ run }} » — {{ periode }}{% if extraction %} —
extrait du {{ extraction }}{% endif %}</p>
{% if synthetic %}<div class="bandeau" role="note">{{ banner }}</div>{% endif %}
<p>{{ n_ok }} rapport{{ "s" if n_ok > 1 }} sur {{ n_total }} produit{{ "s" if n_ok > 1 }}{%
if n_failed %}, <strong>{{ n_failed }} en échec</strong>{% endif %}{%
if not complete %} (exécution en cours ou interrompue){% endif %}.</p>
{% for group in groups %}
<h2>{{ group.title }}</h2>
<div class="table-wrap"><table>
<caption>{{ group.title }} : statut et durée de production</caption>
<thead><tr><th>Rapport</th><th>Statut</th><th class="num">Durée</th><th>Détail</th></tr></thead>
<tbody>
{% for r in group.rows %}<tr>
<td>{% if r.html %}<a href="{{ r.html }}">{{ r.label }}</a>{% else %}{{ r.label }}{% endif %}{%
if r.pdf %} — <a href="{{ r.pdf }}">version PDF</a>{% endif %}</td>
<td class="statut-{{ r.status }}">{{ r.status_fr }}</td>
<td class="num">{{ r.duration }}</td>
<td class="erreur">{% if r.status != "ok" %}{{ r.error }}{% if r.notebook %}
(<a href="{{ r.notebook }}">carnet exécuté</a>){% endif %}{% endif %}</td>
</tr>{% endfor %}
</tbody></table></div>
{% endfor %}
<footer>Lancé le {{ started }} — observatoire {{ version }} — empreinte des données
<code>{{ fingerprint }}</code> — détail dans <a href="manifest.json">manifest.json</a>.
<br><a href="accessibilite.html">Accessibilité : non conforme</a></footer>
</main>
</body>
</html>
"""

STATUS_FR = {"ok": "réussi", "failed": "échec", "interrupted": "interrompu"}
#: the index's groups and labels come from the registry of report kinds
GROUPS = INDEX_GROUPS
LABELS = {name: k.index_label for name, k in KINDS.items() if k.index_label}


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    return (
        f"{seconds:.0f} s".replace(".", ",")
        if seconds >= 10
        else f"{seconds:.1f} s".replace(".", ",")
    )


def render_index(manifest: dict[str, Any]) -> str:
    """The index page of a run, from its manifest."""
    import jinja2

    from ._html import PAGE_CSS
    from ._style import SYNTHETIC_BANNER, fr_date_long, fr_month

    params = manifest.get("parameters", {})
    year, month = params.get("year"), params.get("month")
    periode = (
        f"année {year}, données jusqu'à fin {fr_month(year, month)}"
        if isinstance(year, int) and isinstance(month, int)
        else ""
    )
    reports = manifest.get("reports", [])
    groups = []
    for title, kinds in GROUPS:
        rows = []
        for r in reports:
            if r.get("kind") not in kinds:
                continue
            label = LABELS.get(r["kind"])
            if label is None:
                label = f"{r.get('libelle') or r.get('code_ml')} ({r.get('code_ml')})"
            rows.append(
                {
                    "label": label,
                    "html": r.get("html"),
                    "notebook": r.get("notebook"),
                    "pdf": r.get("pdf") if r.get("status") == "ok" else None,
                    "status": r.get("status", "failed"),
                    "status_fr": STATUS_FR.get(r.get("status"), r.get("status")),
                    "duration": _duration(r.get("duration_s")),
                    "error": r.get("error", ""),
                }
            )
        if rows:
            groups.append({"title": title, "rows": rows})
    n_ok = sum(r.get("status") == "ok" for r in reports)
    extraction = manifest.get("extraction_date")
    started = manifest.get("started", "")
    env = jinja2.Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        title=manifest.get("title", "Observatoire"),
        run=manifest.get("run", ""),
        periode=periode,
        extraction=fr_date_long(_date(extraction)) if extraction else "",
        synthetic=manifest.get("synthetic"),
        banner=SYNTHETIC_BANNER,
        n_ok=n_ok,
        n_total=len(reports),
        n_failed=len(reports) - n_ok,
        complete=manifest.get("complete", True),
        groups=groups,
        css=jinja2.utils.markupsafe.Markup(PAGE_CSS),
        started=fr_date_long(_date(started)) + started[10:16].replace("T", " à ")
        if started
        else "",
        version=manifest.get("observatoire_version", ""),
        fingerprint=(manifest.get("data_fingerprint") or "")[:12],
    )


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(str(text)[:10])


def write_index(target: str | os.PathLike[str], manifest: dict[str, Any]) -> Path:
    """Write the index page (atomically) and return its path."""
    return write_text_atomic(target, render_index(manifest))
