"""The accessibility statement of a run: ``accessibilite.html`` (RGAA 4.1 model).

French public bodies publish a « déclaration d'accessibilité » with the
sections of the RGAA 4.1 model: état de conformité, résultats des tests,
contenus non accessibles, établissement de la déclaration, retour
d'information et contact, voies de recours.

What it states is only what has been tested:

- the conformity is « non conforme » as long as no complete RGAA audit (every
  criterion checked by a person) has been made, whatever the automated tests
  say: automated tests cover a part of the criteria only;
- the automated results are those of :func:`audit_run` (axe-core in headless
  Chromium) when it was run on this very run (``accessibilite.json`` carries
  the run's start time), else the statement says they were not run here;
- the known non-conformities are the list :data:`KNOWN_ISSUES`, measured on the
  reports of the project and kept up to date as they are fixed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import jinja2

from .. import __version__
from .._io import write_text_atomic
from ..formatting import fr_date_long
from ._browser import run_axe
from ._html import PAGE_CSS
from ._publication import publish

STATEMENT_NAME = "accessibilite.html"
AUDIT_NAME = "accessibilite.json"

#: known non-conformities of the reports: (RGAA 4.1 criterion, WCAG 2.1
#: criterion, what a reader meets, where). Measured with axe-core 4.14.1 in
#: Chromium 156 and by reading the pages (3 December 2026); remove an entry
#: only when a test proves it fixed.
KNOWN_ISSUES: tuple[tuple[str, str, str, str], ...] = ()

_TEMPLATE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Déclaration d'accessibilité — {{ title }}</title>
<style>{{ css }}
body > header, body > footer { max-width: 60rem; margin: 0 auto; padding: .6rem 1rem; }
tbody th { text-align: left; font-weight: 600; overflow-wrap: anywhere; }
td.regles { overflow-wrap: anywhere; min-width: 12rem; }
</style>
</head>
<body>
<header><nav aria-label="Fil d'Ariane"><a href="index.html">Accueil des rapports</a>
› Déclaration d'accessibilité</nav></header>
<main id="contenu">
<h1>Déclaration d'accessibilité</h1>
<p>{{ publisher }} s'engage à rendre ses publications accessibles, conformément à
l'article 47 de la loi n° 2005-102 du 11 février 2005.</p>
<p>Cette déclaration d'accessibilité s'applique aux rapports de l'exécution
« {{ run }} » ({{ n_reports }} rapport{{ "s" if n_reports > 1 }}{% if pdf %}, en
pages web et en PDF{% else %}, en pages web{% endif %}) et à leur page d'accueil.</p>

<h2>État de conformité</h2>
<p>Les rapports sont <strong>non conformes</strong> avec le référentiel général
d'amélioration de l'accessibilité (RGAA), version 4.1 : aucun audit complet de
leur conformité n'a encore été réalisé{% if issues %}, et les tests déjà menés
relèvent les non-conformités listées plus bas{% endif %}.</p>

<h2>Résultats des tests</h2>
{% if audit %}
<p>Tests automatiques de cette exécution, le {{ audit.date }}, avec axe-core
{{ audit.axe_version }} (règles WCAG 2.0 et 2.1, niveaux A et AA) dans Chromium
sans interface, à {{ audit.widths }} pixels de large. Ces tests ne couvrent
qu'une partie des critères du RGAA ; ils ne remplacent pas un audit.</p>
<div class="table-wrap" role="region" aria-labelledby="titre-tests" tabindex="0">
<table>
<caption id="titre-tests">Non-conformités relevées automatiquement, par page</caption>
<thead><tr><th scope="col">Page</th><th scope="col" class="num">Largeur (pixels)</th>
<th scope="col" class="num">Règles en défaut</th><th scope="col">Règles (éléments concernés)</th></tr></thead>
<tbody>
{% for row in audit.rows %}<tr><th scope="row">{{ row.page }}</th>
<td class="num">{{ row.width }}</td><td class="num">{{ row.n_rules }}</td>
<td class="regles">{% if row.rules %}{{ row.rules }}{% else %}aucune{% endif %}</td></tr>
{% endfor %}</tbody></table></div>
<p>Sur {{ audit.total }} vérification{{ "s" if audit.total > 1 }} (une par page et
par largeur), {{ audit.clean }} sans non-conformité relevée par les tests
automatiques.</p>
{% else %}
<p>Les tests automatiques (axe-core dans Chromium sans interface) n'ont pas été
lancés sur cette exécution. Les non-conformités ci-dessous ont été relevées sur
les rapports produits par la même version de l'outil, par ces tests et par une
lecture des pages.</p>
{% endif %}

<h2>Contenus non accessibles</h2>
<h3>Non-conformités</h3>
{% if issues %}<ul>
{% for issue in issues %}<li>{{ issue.text }} <em>(critère RGAA {{ issue.rgaa }},
WCAG {{ issue.wcag }} ; {{ issue.where }})</em></li>
{% endfor %}</ul>
{% else %}<p>Aucune non-conformité n'est connue à ce jour : les tests
automatiques et les vérifications des pages faites par l'outil n'en relèvent pas.
Seul un audit complet du RGAA permettra d'établir la conformité.</p>
{% endif %}
<h3>Dérogations pour charge disproportionnée</h3>
<p>Aucune.</p>
<h3>Contenus non soumis à l'obligation d'accessibilité</h3>
<p>Aucun. Les carnets exécutés et les journaux de l'exécution sont des fichiers de
travail : ils ne sont pas publiés.</p>

<h2>Établissement de cette déclaration</h2>
<p>Cette déclaration a été établie le {{ date }} par l'outil qui produit les
rapports (observatoire {{ version }}).</p>
<ul>
<li>Technologies utilisées : HTML5, CSS, images PNG des graphiques{% if pdf %}, PDF
balisé{% endif %}.</li>
<li>Environnement des tests : Chromium sans interface (Debian), axe-core ;
largeurs d'écran de {{ audit.widths if audit else "1280, 390 et 320" }} pixels.</li>
<li>Pages vérifiées : la page d'accueil des rapports et un rapport de chaque
sorte (régional, suivi mensuel, trajectoires, bilan de l'animation, Mission
Locale).</li>
</ul>

<h2>Retour d'information et contact</h2>
<p>Si vous n'arrivez pas à accéder à un contenu, signalez-le pour être orienté vers
une alternative accessible ou obtenir le contenu sous une autre forme (par
exemple les chiffres d'un graphique en tableau).</p>
{% if contact %}
<p>Contact : {% if contact_href %}<a href="{{ contact_href }}">{{ contact }}</a>{%
else %}{{ contact }}{% endif %}.</p>
{% else %}
<p><strong>Aucune adresse de contact n'a été indiquée pour cette exécution</strong>
(paramètre <code>contact</code>) : l'organisme qui publie ces rapports doit en
ajouter une avant de les diffuser.</p>
{% endif %}

<h2>Voies de recours</h2>
<p>Si vous constatez un défaut d'accessibilité vous empêchant d'accéder à un
contenu, que vous le signalez et que vous n'obtenez pas de réponse satisfaisante,
vous pouvez saisir le Défenseur des droits :</p>
<ul>
<li>par le formulaire en ligne du Défenseur des droits
(<a href="https://formulaire.defenseurdesdroits.fr/">formulaire.defenseurdesdroits.fr</a>) ;</li>
<li>en contactant le délégué du Défenseur des droits de votre région
(<a href="https://www.defenseurdesdroits.fr/saisir/delegues">liste des délégués</a>) ;</li>
<li>par courrier postal, gratuit et sans affranchissement : Défenseur des droits,
Libre réponse 71120, 75342 Paris CEDEX 07.</li>
</ul>
</main>
<footer><p><a href="index.html">Retour à l'accueil des rapports</a></p></footer>
</body>
</html>
"""


def _contact_href(contact: str) -> str | None:
    if "@" in contact and " " not in contact and "://" not in contact:
        return f"mailto:{contact}"
    if contact.startswith(("https://", "http://")):
        return contact
    return None


def _audit_summary(audit: dict[str, Any] | None, started: str) -> dict[str, Any] | None:
    """The audit results for the page, if they belong to this run."""
    if not audit or audit.get("run_started") != started:
        return None
    rows = []
    for r in audit.get("results", []):
        rules = sorted(r.get("violations", []), key=lambda v: v["id"])
        rows.append(
            {
                "page": r.get("name") or Path(r["page"]).name,
                "width": r.get("width"),
                "n_rules": len(rules),
                "rules": ", ".join(f"{v['id']} ({v['nodes']})" for v in rules),
            }
        )
    widths = sorted({r["width"] for r in rows if r["width"]})
    date = audit.get("date", "")
    with contextlib.suppress(ValueError):
        date = fr_date_long(dt.date.fromisoformat(date))
    return {
        "date": date,
        "axe_version": audit.get("axe_version", ""),
        "widths": " et ".join(str(w) for w in widths),
        "rows": rows,
        "clean": sum(not r["n_rules"] for r in rows),
        "total": len(rows),
    }


def render_statement(
    manifest: dict[str, Any],
    *,
    audit: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> str:
    """The statement page of a run, in French.

    Parameters
    ----------
    manifest : dict
        The run's ``manifest.json`` content (title, run, parameters, reports).
    audit : dict, optional
        What :func:`audit_run` wrote; used only if it was made on this run.
    today : date, optional
        Date of the statement (default: today).

    Returns
    -------
    str
        The complete HTML page (Jinja2, autoescaped).
    """
    params = manifest.get("parameters", {})
    contact = params.get("contact")
    reports = [r for r in manifest.get("reports", []) if r.get("status") == "ok"]
    env = jinja2.Environment(autoescape=True)
    return env.from_string(_TEMPLATE).render(
        title=manifest.get("title", "Observatoire"),
        publisher="L'observatoire des Missions Locales de Nouvelle-Aquitaine",
        run=manifest.get("run", ""),
        n_reports=len(reports),
        pdf=bool(params.get("pdf")),
        audit=_audit_summary(audit, manifest.get("started", "")),
        issues=[
            {"rgaa": a, "wcag": b, "text": c, "where": d} for a, b, c, d in KNOWN_ISSUES
        ],
        date=fr_date_long(today or dt.date.today()),
        version=manifest.get("observatoire_version", __version__),
        contact=contact,
        contact_href=_contact_href(contact) if contact else None,
        css=jinja2.utils.markupsafe.Markup(PAGE_CSS),
    )


def read_audit(run_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """``<run>/accessibilite.json``, or None when absent or unreadable.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder.

    Returns
    -------
    dict or None
        The JSON content of the audit file (as :func:`audit_run` wrote it).
    """
    try:
        return json.loads((Path(run_dir) / AUDIT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_statement(
    run_dir: str | os.PathLike[str],
    manifest: dict[str, Any],
    *,
    today: dt.date | None = None,
) -> Path:
    """Write ``<run>/accessibilite.html`` (atomically) and return its path.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder; its audit (:func:`read_audit`) is restated when present.
    manifest : dict
        The run's ``manifest.json`` contents.
    today : date, optional
        Date of the statement (default: today).

    Returns
    -------
    Path
        The statement page written.
    """
    run_dir = Path(run_dir)
    page = render_statement(manifest, audit=read_audit(run_dir), today=today)
    return write_text_atomic(run_dir / STATEMENT_NAME, page)


def audit_run(
    run_dir: str | os.PathLike[str], *, widths: tuple[int, ...] = (1280, 320)
) -> dict[str, Any]:
    """Check a run's pages with axe-core and restate the results on the statement.

    Every HTML page of the run (index, statement, reports) is checked at each
    width; the results go to ``<run>/accessibilite.json``, and
    ``accessibilite.html`` (with its copy in ``publication/``, when the run has
    one) is written again with them.

    Parameters
    ----------
    run_dir : str or os.PathLike
        The run folder, holding ``manifest.json``.
    widths : tuple of int, default (1280, 320)
        Viewport widths in CSS pixels at which every page is checked.

    Returns
    -------
    dict
        What was written to ``accessibilite.json``.

    Raises
    ------
    BrowserError
        Chromium, Node or the npm packages of ``tools/browser`` are missing.
    """
    run_dir = Path(run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    pages = [run_dir / "index.html", run_dir / STATEMENT_NAME]
    pages += [run_dir / r["html"] for r in manifest.get("reports", []) if r.get("html")]
    pages = [p for p in pages if p.is_file()]
    results = []
    for width in widths:
        for r in run_axe(pages, width=width):
            name = Path(r["page"]).resolve().relative_to(run_dir.resolve())
            r["name"] = name.as_posix()
            results.append(r)
    audit = {
        "run_started": manifest.get("started", ""),
        "date": dt.date.today().isoformat(),
        "axe_version": results[0]["axe_version"] if results else "",
        "results": results,
    }
    write_text_atomic(
        run_dir / AUDIT_NAME, json.dumps(audit, indent=1, ensure_ascii=False) + "\n"
    )
    write_statement(run_dir, manifest)
    if (run_dir / "publication").is_dir():
        publish(run_dir, manifest)
    return audit
