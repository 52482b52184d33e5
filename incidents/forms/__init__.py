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
from .waves import BulkForm, DuplicateForm, LinkForm, TagForm, TagsForm

__all__ = [
    "AssignForm",
    "BulkForm",
    "ChecklistItemForm",
    "ClassificationForm",
    "ConfirmForm",
    "DisciplinaryItemForm",
    "DuplicateForm",
    "HintedRadioSelect",
    "IncidentFilterForm",
    "IncidentTypeForm",
    "LinkForm",
    "MessageForm",
    "NoteForm",
    "OutcomeReportForm",
    "PersonChoiceField",
    "ReasonForm",
    "ReclassifyForm",
    "ReportFieldsForm",
    "ReviewForm",
    "SeverityDefinitionsForm",
    "TagForm",
    "TagsForm",
    "TemplateItemForm",
    "TriageForm",
]
