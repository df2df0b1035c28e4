"""Pictures people can trust: PNG plots and a self-contained HTML report.

    from nnfit.report import plot_fit, plot_losses, write_html_report, write_report
"""
from nnfit.report.build import write_model_report, write_report
from nnfit.report.html import (Section, before_after_section, environment, environment_section, findings_section,
                               formula_section, image_section, metrics_section, render_html, text_section,
                               write_html_report)
from nnfit.report.plots import plot_fit, plot_gradient_norms, plot_losses, plot_residuals

__all__ = [
    "plot_fit", "plot_residuals", "plot_losses", "plot_gradient_norms",
    "Section", "write_html_report", "render_html", "text_section", "metrics_section", "image_section",
    "findings_section", "before_after_section", "formula_section", "environment", "environment_section",
    "write_report", "write_model_report",
]
