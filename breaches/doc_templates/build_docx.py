"""Builds document.docx, the docxtpl template for every breach document.

Run from the repository root after changing the layout: `python breaches/doc_templates/build_docx.py`.
The output is committed, so running the service never needs this script.
"""

from pathlib import Path

from docx import Document
from docx.shared import Pt

HERE = Path(__file__).resolve().parent


def build() -> Path:
    document = Document()
    properties = document.core_properties
    properties.title = "{{ title }}"
    # python-docx's own template says it made the file in 2013; render_docx sets the
    # organisation and today, and nothing else is carried.
    properties.author = properties.last_modified_by = ""
    properties.comments = properties.subject = properties.keywords = properties.category = ""
    document.styles["Normal"].font.size = Pt(11)
    document.add_paragraph("{{ logo }}")
    document.add_heading("{{ title }}", level=1)
    document.add_paragraph("{%p for line in meta %}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p for section in sections %}")
    document.add_heading("{{ section.title }}", level=2)
    document.add_paragraph("{%p for item in section.entries %}")
    document.add_paragraph("{%p if item.q %}")
    question = document.add_paragraph()
    question.add_run("{{ item.q }}").bold = True
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for para in item.paras %}")
    document.add_paragraph("{{ para }}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p for line in signature %}")
    document.add_paragraph("{{ line }}")
    document.add_paragraph("{%p endfor %}")
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = "{{ footer }}"
    path = HERE / "document.docx"
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
