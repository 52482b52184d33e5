"""The forms of the incident pages and of the lifecycle's steps."""

from .incident import (
    IncidentFilterForm,
    ReportFieldsForm,
)
from .steps import (
    AssignForm,
    ChecklistItemForm,
    ClassificationForm,
    ConfirmForm,
    DisciplinaryItemForm,
    HintedRadioSelect,
    IncidentTypeForm,
    MessageForm,
    NoteForm,
    OutcomeReportForm,
    PersonChoiceField,
    ReasonForm,
    ReclassifyForm,
    ReviewForm,
    SeverityDefinitionsForm,
    TemplateItemForm,
    TriageForm,
)

__all__ = [
    "AssignForm",
    "ChecklistItemForm",
    "ClassificationForm",
    "ConfirmForm",
    "DisciplinaryItemForm",
    "HintedRadioSelect",
    "IncidentFilterForm",
    "IncidentTypeForm",
    "MessageForm",
    "NoteForm",
    "OutcomeReportForm",
    "PersonChoiceField",
    "ReasonForm",
    "ReclassifyForm",
    "ReportFieldsForm",
    "ReviewForm",
    "SeverityDefinitionsForm",
    "TemplateItemForm",
    "TriageForm",
]
