"""python2-syntax (NF121)

What it finds: code Python 3 cannot parse as written: Python 2 `print x` statements, `except E, e:`,
`<>`, code flattened onto one line when it was pasted (its comments then hide the code after them),
and broken indentation. Also a `for ... else:` without `break` (valid, but the `else` always runs: usually an
`if` line was lost).
Why it matters: the script stops with a SyntaxError before any training happens, or (flattened
code) runs nothing after the first `#`. nnfit repairs what it can to read the rest, so the other
findings still appear.
Example: print 'test value:', test_data[i]
Fix: print('test value:', test_data[i]); restore line breaks and indentation.
"""
from __future__ import annotations

from collections.abc import Iterator

from nnfit.doctor.findings import Finding, Location, Severity
from nnfit.doctor.rules import rule
from nnfit.doctor.run import TrainingRun

_TITLE = {
    "print-statement": "Python 2 print statement",
    "except-comma": "Python 2 `except E, e:`",
    "raise-comma": "Python 2 `raise E, message`",
    "diamond": "Python 2 `<>` operator",
    "long-literal": "Python 2 long literal",
    "flattened": "code flattened onto one line",
    "indentation": "broken indentation",
    "syntax": "invalid syntax",
    "for-else": "`for ... else:` without `break`",
    "console-prompt": "console prompts", "console-output": "console output", "notebook-magic": "notebook magic",
    "web-characters": "web-page characters", "markdown-fence": "Markdown fence",
}


@rule("NF121")
def python2_syntax(run: TrainingRun) -> Iterator[Finding]:
    for prob in run.syntax_problems:
        kind = prob.get("kind", "syntax")
        message = prob.get("message", "invalid syntax")
        title = _TITLE.get(kind, "invalid syntax")
        if kind in ("flattened", "print-statement", "for-else", "console-prompt", "console-output", "notebook-magic",
                    "web-characters", "markdown-fence") \
                or message.startswith(title):
            text = message
        else:
            text = f"{title}: {message}"
        yield Finding(
            code="NF121",
            message=f"python2-syntax: {text}",
            fix=prob.get("fix") or "make this line valid Python 3",
            evidence={"kind": kind},
            location=Location(file=run.source, line=prob.get("line"), column=prob.get("column"),
                              end_column=prob.get("end_column")),
            explanation=("Python 3 stops with a SyntaxError before training starts"
                         if kind != "for-else" else "the else block runs once after every loop, not as the other branch of an if"),
            basis="code", margin=10.0 if kind == "flattened" else 1.0,
            severity=Severity.WARNING if kind == "for-else" else None,
        )
