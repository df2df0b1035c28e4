"""A self-contained HTML report: one file, images embedded as base64, no scripts or fonts fetched.

    sections = [
        metrics_section({"rmse": 1e-9, "r2": 1.0}),
        image_section("Target vs prediction", [("fit.png", "1-D fit")]),
        findings_section(findings),
        before_after_section({"rmse": 0.3}, {"rmse": 1e-8}),
        formula_section(explanation),
        environment_section(seed=0),
    ]
    write_html_report("out/report.html", "nnfit fit: 10*sin(3*x)", sections)

Every value is HTML-escaped. The file is written atomically (temporary file in the same folder, then
rename): an unwritable folder raises NNFitError and an interrupted run leaves no partial report.
"""
from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import html
import math
import os
import platform
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nnfit.io import atomic_write


@dataclasses.dataclass
class Section:
    """A titled block of already-safe HTML (build it with the *_section helpers, which escape values)."""
    title: str
    html: str
    anchor: str = ""


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def format_number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value == 0:
            return "0"
        if 1e-3 <= abs(value) < 1e6:
            return f"{value:.6g}"
        return f"{value:.3e}"
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return format_number(value.item())
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def _table(header: Sequence[str], rows: Iterable[Sequence[Any]], classes: str = "") -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{_esc(classes)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# ----------------------------------------------------------------------------------------------
# section builders (data in, Section out)


def text_section(title: str, text: str, preformatted: bool = False) -> Section:
    body = f"<pre>{_esc(text)}</pre>" if preformatted else "".join(f"<p>{_esc(p)}</p>" for p in str(text).split("\n\n"))
    return Section(title, body)


def metrics_section(metrics: Mapping[str, Any], title: str = "Metrics", note: str = "") -> Section:
    rows = [(f"<code>{_esc(k)}</code>", _esc(format_number(v))) for k, v in metrics.items()]
    body = _table(["metric", "value"], rows, "metrics")
    if note:
        body += f'<p class="note">{_esc(note)}</p>'
    return Section(title, body)


def _png_bytes(image: Any) -> bytes:
    if isinstance(image, (bytes, bytearray)):
        return bytes(image)
    return Path(image).read_bytes()


def image_section(title: str, images: Sequence[Any], note: str = "") -> Section:
    """images: PNG paths or bytes, or (path_or_bytes, caption) pairs; embedded as base64 data URIs."""
    figures = []
    for item in images:
        image, caption = (item if isinstance(item, tuple) else (item, ""))
        data = base64.b64encode(_png_bytes(image)).decode("ascii")
        alt = caption or title
        cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
        figures.append(f'<figure><img alt="{_esc(alt)}" src="data:image/png;base64,{data}">{cap}</figure>')
    body = "".join(figures)
    if note:
        body += f'<p class="note">{_esc(note)}</p>'
    return Section(title, body)


def _finding_dict(finding: Any) -> dict[str, Any]:
    if hasattr(finding, "to_dict"):
        return finding.to_dict()
    return dict(finding)


def findings_section(findings: Sequence[Any], title: str = "Findings") -> Section:
    """Findings (nnfit.doctor Finding objects or their to_dict() dicts): severity, rule, message, evidence, fix."""
    if not findings:
        return Section(title, '<p class="ok">No findings: nothing in the checks explains a failure.</p>')
    rows = []
    for f in map(_finding_dict, findings):
        severity = str(f.get("severity", "info"))
        evidence = f.get("evidence") or {}
        ev = "<br>".join(f"<code>{_esc(k)}</code> = {_esc(format_number(v))}" for k, v in evidence.items())
        where = f.get("location") or ""
        if isinstance(where, Mapping):
            where = ", ".join(f"{k} {v}" for k, v in where.items() if v not in (None, ""))
        rows.append((
            f'<span class="sev sev-{_esc(severity)}">{_esc(severity)}</span>',
            f"<code>{_esc(f.get('code', ''))}</code> {_esc(f.get('name', ''))}",
            _esc(f.get("message", "")) + (f'<div class="where">{_esc(where)}</div>' if where else "")
            + (f'<div class="why">{_esc(f["explanation"])}</div>' if f.get("explanation") else ""),
            ev,
            _esc(f.get("fix", "")),
        ))
    return Section(title, _table(["severity", "rule", "what", "evidence", "fix"], rows, "findings"))


def before_after_section(before: Mapping[str, Any], after: Mapping[str, Any], title: str = "Before and after",
                         lower_is_better: Sequence[str] = ("rmse", "nrmse", "mae", "max_abs_error", "loss",
                                                            "val_loss", "median_rel_error", "seconds")) -> Section:
    """One row per metric found in either dict, with the change (factor for positive numbers)."""
    rows = []
    for key in list(dict.fromkeys(list(before) + list(after))):
        b, a = before.get(key), after.get(key)
        change = ""
        if isinstance(b, (int, float)) and isinstance(a, (int, float)) and not isinstance(a, bool):
            if b and a and b > 0 and a > 0 and math.isfinite(a) and math.isfinite(b):
                factor = b / a if key in lower_is_better else a / b
                better = factor > 1
                change = f'<span class="{"good" if better else "bad"}">{"×" if better else "÷"}{format_number(max(factor, 1 / factor))} {"better" if better else "worse"}</span>'
        rows.append((f"<code>{_esc(key)}</code>", _esc(format_number(b) if b is not None else "-"),
                     _esc(format_number(a) if a is not None else "-"), change))
    return Section(title, _table(["", "before", "after", "change"], rows, "before-after"))


def formula_section(explanation: Any = None, *, formula: Any = None, formula_rmse: float | None = None,
                    network_rmse: float | None = None, label: str = "", candidates: Sequence[Mapping[str, Any]] = (),
                    title: str = "Recovered formula") -> Section:
    """An nnfit.explain Explanation, or the same fields given one by one."""
    if explanation is not None:
        formula = explanation.expression
        formula_rmse, network_rmse = explanation.formula_rmse, explanation.network_rmse
        label = f"{explanation.method}: {explanation.label}"
        candidates = explanation.candidates
        target = getattr(explanation, "target_name", "y")
    else:
        target = "y"
    body = f'<p class="formula"><code>{_esc(target)} = {_esc(formula)}</code></p>'
    if label:
        cls = "bad" if "approximation" in label else "good"
        body += f'<p class="{cls}">{_esc(label)}</p>'
    checks = []
    if formula_rmse is not None:
        checks.append(("formula", format_number(formula_rmse)))
    if network_rmse is not None:
        checks.append(("network", format_number(network_rmse)))
    if checks:
        body += "<p>held-out RMSE: " + ", ".join(f"{_esc(k)} <b>{_esc(v)}</b>" for k, v in checks) + "</p>"
    if candidates:
        rows = [("★" if c.get("chosen") else "", _esc(c.get("complexity", "")), _esc(format_number(c.get("val_rmse"))),
                 _esc(format_number(c.get("train_rmse"))), f"<code>{_esc(c.get('formula', ''))}</code>")
                for c in candidates]
        body += _table(["", "complexity", "validation RMSE", "train RMSE", "candidate"], rows, "candidates")
    return Section(title, body)


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def environment(seed: int | None = None, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Versions (read from package metadata: nothing heavy is imported), seed, time, platform."""
    info: dict[str, Any] = {
        "time (UTC)": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "seed": seed if seed is not None else "not given",
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }
    for dist in ("nnfit", "numpy", "scipy", "torch", "sympy", "matplotlib", "keras"):
        version = _version(dist)
        if version:
            info[dist] = version
    info["command"] = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv)) or "-"
    if extra:
        info.update(extra)
    return info


def environment_section(seed: int | None = None, extra: Mapping[str, Any] | None = None,
                        title: str = "Environment") -> Section:
    rows = [(_esc(k), f"<code>{_esc(v)}</code>") for k, v in environment(seed, extra).items()]
    return Section(title, _table(["", ""], rows, "env"))


# ----------------------------------------------------------------------------------------------
# the page

_CSS = """
body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c7ccd6;font-size:13px}
nav{padding:8px 28px;background:#e9ecf1;font-size:13px}nav a{margin-right:14px;color:#1f4fa0;text-decoration:none}
main{padding:8px 28px 40px;max-width:1200px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:16px 0;padding:12px 18px}
h2{font-size:17px;margin:4px 0 10px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}th,td{border-bottom:1px solid #e3e6ec;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f0f2f6}code{font-family:Menlo,Consolas,monospace;font-size:12.5px}
figure{display:inline-block;margin:6px 12px 6px 0;vertical-align:top}figure img{max-width:100%;border:1px solid #e3e6ec}
figcaption{font-size:12px;color:#555}
.formula code{font-size:16px;background:#f0f2f6;padding:4px 8px;border-radius:4px;display:inline-block}
.good,.ok{color:#1a7f37}.bad{color:#b35900}.note{color:#555;font-size:12.5px}
.sev{padding:1px 6px;border-radius:3px;color:#fff;font-size:12px}.sev-error{background:#c62828}
.sev-warning{background:#b35900}.sev-info{background:#546e7a}.where,.why{color:#555;font-size:12px}
"""

# Counts decoded images into <body data-images-ok=".." data-images-total=".."> (used by the rendering test).
_SCRIPT = """
window.addEventListener('load',function(){var i=document.images,ok=0;
for(var k=0;k<i.length;k++){if(i[k].complete&&i[k].naturalWidth>0){ok++;}}
document.body.setAttribute('data-images-ok',ok);document.body.setAttribute('data-images-total',i.length);});
"""


def render_html(title: str, sections: Sequence[Section | tuple[str, str]], subtitle: str = "") -> str:
    """The report page as a string; sections are Section objects or (title, safe_html) pairs."""
    items = [s if isinstance(s, Section) else Section(*s) for s in sections]
    used: set[str] = set()
    parts, links = [], []
    for index, s in enumerate(items):
        anchor = s.anchor or "".join(ch if ch.isalnum() else "-" for ch in s.title.lower()).strip("-") or f"s{index}"
        while anchor in used:
            anchor += f"-{index}"
        used.add(anchor)
        links.append(f'<a href="#{_esc(anchor)}">{_esc(s.title)}</a>')
        parts.append(f'<section id="{_esc(anchor)}"><h2>{_esc(s.title)}</h2>{s.html}</section>')
    sub = f"<p>{_esc(subtitle)}</p>" if subtitle else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>"
        f"<body><header><h1>{_esc(title)}</h1>{sub}</header><nav>{''.join(links)}</nav>"
        f"<main>{''.join(parts)}</main><script>{_SCRIPT}</script></body></html>\n"
    )


def notebook_html(title: str, sections: Sequence[Section], subtitle: str = "") -> str:
    """The sections as an HTML fragment (no page, no script) for notebook display: `_repr_html_`."""
    sub = f"<p>{_esc(subtitle)}</p>" if subtitle else ""
    body = "".join(f"<h4>{_esc(s.title)}</h4>{s.html}" for s in sections)
    return f'<div class="nnfit"><h3>{_esc(title)}</h3>{sub}{body}</div>'


def write_html_report(path: str | os.PathLike, title: str, sections: Sequence[Section | tuple[str, str]],
                      subtitle: str = "") -> Path:
    """Render and write the report atomically; returns the path. Raises NNFitError when it cannot be written."""
    page = render_html(title, sections, subtitle)
    return atomic_write(Path(path), page)
